"""Password guessing is slowed down at every door, and the session cookies are safe.

The API's token endpoint is throttled by DRF (the "login" rate); the sign-in page and the
admin's by factcheck.throttle (failures per username and per address). In production the
session and CSRF cookies are Secure, HttpOnly where it matters, and SameSite=Lax.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from factcheck import throttle
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fresh():
    cache.clear()
    yield
    cache.clear()


# --------------------------------------------------------------------------- the API


def test_the_token_endpoint_throttles_repeated_attempts(client, alice, settings):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"]
    allowed = int(rate.split("/")[0])
    url = "/api/v1/auth/token/"
    for _ in range(allowed):
        response = client.post(url, {"username": "alice", "password": "guess"})
        assert response.status_code == 400
    blocked = client.post(url, {"username": "alice", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Retry-After" in blocked
    assert "throttled" in blocked.json()["detail"].lower()


def test_the_token_endpoint_gives_a_token_for_the_right_password(client, alice):
    response = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


# --------------------------------------------------------------------------- the pages


def fail(client, url, username="alice", times=1):
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong"})
        assert response.status_code in (200, 429)
    return response


LOGIN_PAGES = [
    pytest.param("/accounts/login/", id="site"),
    pytest.param("/admin/login/", id="admin"),
]


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_repeated_failed_sign_ins_are_refused_for_a_while(client, dana, url, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    fail(client, url, "dana", times=3)
    # Even the right password is refused now, with 429 and a message that says why.
    response = client.post(url, {"username": "dana", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_block_is_per_username_and_per_address(client, alice, bob, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    fail(client, "/accounts/login/", "alice", times=3)
    # bob may still sign in, from here or elsewhere...
    other = client.__class__(REMOTE_ADDR="10.0.0.2")
    response = other.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    # ...but alice is blocked from every address.
    response = other.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    # An address that guesses many names is blocked for every name (at 4 x the limit).
    for i in range(9):
        fail(client, "/accounts/login/", f"guess{i}")
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 429


def test_a_success_before_the_limit_clears_the_count(client, alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    fail(client, "/accounts/login/", "alice", times=2)
    assert (
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code
        == 302
    )
    client.logout()
    cache.delete(f"login-fail:addr:{throttle.client_address(None)}")
    cache.delete("login-fail:addr:127.0.0.1")
    fail(client, "/accounts/login/", "alice", times=2)
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_the_block_expires(client, alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    fail(client, "/accounts/login/", "alice", times=2)
    assert (
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code
        == 429
    )
    cache.clear()  # what the window's expiry does
    assert (
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code
        == 302
    )


def test_a_forged_forwarded_for_header_does_not_reset_the_count(client, alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for i in range(12):
        client.post(
            "/accounts/login/",
            {"username": f"guess{i}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"10.9.9.{i}",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="10.9.9.99",
    )
    assert response.status_code == 429


# --------------------------------------------------------------------------- cookies


def test_cookies_are_secure_in_production():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "production-test-" + "k" * 40,
        "ALLOWED_HOSTS": "desk.example.org",
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "factcheck.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000


def test_the_cookies_a_sign_in_sets_carry_the_flags(client, alice, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True  # as in production
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_signing_in_never_redirects_off_site(client, alice, next_url):
    response = client.post(
        f"/accounts/login/?next={next_url}", {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/articles/"
