"""Tokens for programs, sessions with CSRF for the browser, a throttle on guessing."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def fresh_throttle(settings):
    cache.clear()
    yield
    cache.clear()


def test_a_program_gets_a_token_and_uses_it(alice, article):
    r = APIClient().post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json")
    assert r.status_code == 200
    token = r.json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    r = client.post("/api/v1/claims/", {"article": article.pk, "start": 0, "end": 3}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["created_by"] == "alice"


def test_a_wrong_password_gets_no_token(alice):
    r = APIClient().post(TOKEN_URL, {"username": "alice", "password": "nope"}, format="json")
    assert r.status_code == 400 and "token" not in r.json()
    r = APIClient(HTTP_AUTHORIZATION="Token not-a-token").get("/api/v1/claims/")
    assert r.status_code in (401, 403)


def test_guessing_is_throttled(alice):
    client = APIClient()
    codes = [
        client.post(TOKEN_URL, {"username": "alice", "password": "x"}, format="json").status_code
        for _ in range(12)
    ]
    assert codes[0] == 400 and codes[-1] == 429


def test_a_token_can_be_revoked(alice):
    token = APIClient().post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.delete(TOKEN_URL).status_code == 204
    assert client.get("/api/v1/claims/").status_code in (401, 403)
    assert APIClient(HTTP_AUTHORIZATION=f"Token {token}").delete(TOKEN_URL).status_code in (
        401,
        403,
    )


def test_the_browser_session_needs_a_csrf_token(alice, article):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    data = {"article": article.pk, "start": 0, "end": 3}
    r = browser.post("/api/v1/claims/", data, content_type="application/json")
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    browser.get("/api/v1/docs/")  # any page that sets the cookie
    csrf = browser.cookies.get("csrftoken")
    if csrf is None:
        from django.middleware.csrf import _get_new_csrf_string

        csrf_value = _get_new_csrf_string()
        browser.cookies["csrftoken"] = csrf_value
    else:
        csrf_value = csrf.value
    r = browser.post(
        "/api/v1/claims/", data, content_type="application/json", HTTP_X_CSRFTOKEN=csrf_value
    )
    assert r.status_code == 201, r.content
