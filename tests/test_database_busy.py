"""SQLite's write lock held by another connection past the busy timeout: 503 + Retry-After."""

import contextlib
import sqlite3

import pytest
from django.db import connection

from factcheck.models import Article

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock"),
]


@contextlib.contextmanager
def write_lock_held():
    """Another connection (as another process would) holds the write lock; ours waits 0.2 s."""
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout=200")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout=20000")


def test_an_api_write_is_answered_503_with_retry_after(client, alice):
    client.force_login(alice)
    with write_lock_held():
        response = client.post(
            "/api/v1/articles/",
            {"title": "Toll", "text": "The toll has not changed."},
            content_type="application/json",
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "database is busy" in response.json()["detail"]
    assert not Article.objects.exists()


def test_a_page_write_is_answered_503_in_html(client, alice):
    client.force_login(alice)
    with write_lock_held():
        response = client.post(
            "/articles/", {"title": "Toll", "text": "The toll.", "language": "en"}
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert b'data-testid="database-busy"' in response.content


def test_the_write_goes_through_once_the_lock_is_gone(client, alice):
    client.force_login(alice)
    response = client.post(
        "/api/v1/articles/",
        {"title": "Toll", "text": "The toll has not changed."},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Article.objects.filter(title="Toll").exists()
