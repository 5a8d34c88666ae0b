"""Password guessing is slowed down at every door, and the session cookies are safe.

Every door (the sign-in page, the admin's, the API's token endpoint) signs in through the one
backend, factcheck.throttle.ThrottledModelBackend, whose failure counts live in the database:
per (username, address) and per address, with doubling delays. In production the session and
CSRF cookies are Secure, HttpOnly where it matters, and SameSite=Lax.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.cache import cache
from django.db.models import F
from django.test import Client

from factcheck.models import AttemptCount
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]

SITE, ADMIN, TOKEN = "/accounts/login/", "/admin/login/", "/api/v1/auth/token/"
DOORS = [
    pytest.param(SITE, id="site"),
    pytest.param(ADMIN, id="admin"),
    pytest.param(TOKEN, id="token"),
]


def sign_in(client, url, username, password, **headers):
    return client.post(url, {"username": username, "password": password}, **headers)


def signed_in(response) -> bool:
    return response.status_code == 302 or (
        response.status_code == 200
        and "token" in response.get("Content-Type", "") + (response.content.decode()[:20])
    )


def fail(client, url, username="alice", times=1, **headers):
    for _ in range(times):
        response = sign_in(client, url, username, "wrong", **headers)
        assert response.status_code in (200, 400, 429)
    return response


def later(seconds):
    """What time does to the counts: every block and last attempt moves into the past."""
    AttemptCount.objects.update(
        blocked_until=F("blocked_until") - timedelta(seconds=seconds),
        last_at=F("last_at") - timedelta(seconds=seconds),
    )


# --------------------------------------------------------------------------- every door


@pytest.mark.parametrize("url", DOORS)
def test_repeated_failed_sign_ins_are_refused_for_a_while(client, dana, url, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    fail(client, url, "dana", times=3)
    # Even the right password is refused now, with 429, Retry-After and a message that says why.
    response = sign_in(client, url, "dana", PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Too many failed sign-ins" in response.content.decode() or "throttled" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_guessing_through_the_token_endpoint_with_a_rotating_forwarded_for_is_refused(
    client, alice
):
    # The attack: DRF's throttle keyed on X-Forwarded-For, so a new header each time was a
    # new client, and the right password still worked after 70 wrong ones.
    for i in range(40):
        sign_in(client, TOKEN, "alice", f"guess{i}", HTTP_X_FORWARDED_FOR=f"10.8.{i}.1")
    response = sign_in(client, TOKEN, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="10.8.99.1")
    assert response.status_code == 429
    assert "token" not in response.json()


@pytest.mark.parametrize("first", DOORS)
def test_every_door_shares_one_failure_count(client, dana, first, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    # Failures at one door, then the rest at the others: one count.
    fail(client, first, "dana", times=1)
    for url in (SITE, ADMIN, TOKEN):
        if url != first:
            fail(client, url, "dana", times=1)
    for url in (SITE, ADMIN, TOKEN):
        assert sign_in(client, url, "dana", PASSWORD).status_code == 429, url


class InFlightHasher(MD5PasswordHasher):
    """While the first guess's password is being checked, more guesses arrive (as on a server
    whose workers and threads take requests at once)."""

    more: list = []
    answered: list = []

    def verify(self, password, encoded):
        while self.more:
            url = self.more.pop()
            response = sign_in(Client(), url, "alice", "wrong")
            self.answered.append(response.status_code != 429)
        return super().verify(password, encoded)


def test_guesses_in_flight_at_once_are_counted_before_they_are_judged(client, alice, settings):
    # The attack: 40 guesses, 16 at a time (make serve's 2 workers x 8 threads), all passed the
    # check before any was counted: 14 were answered where 5 were allowed.
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.PASSWORD_HASHERS = [f"{__name__}.InFlightHasher"]
    InFlightHasher.more, InFlightHasher.answered = [SITE, ADMIN, TOKEN, SITE, TOKEN], []
    first = sign_in(client, TOKEN, "alice", "wrong")
    assert first.status_code == 400  # answered: a wrong password
    assert InFlightHasher.answered.count(True) == 3 - 1  # the limit, the first guess included
    assert sign_in(Client(), SITE, "alice", PASSWORD).status_code == 429


@pytest.mark.parametrize("url", ["/accounts/password_change/", "/admin/password_change/"])
def test_guessing_the_old_password_on_the_password_change_form_shares_the_count(
    client, dana, url, settings
):
    # The attack: with a signed-in session (a browser left open), the form's old-password check
    # was a door of its own: 30 wrong old passwords of 30 answered, and one right guess changes
    # the password.
    settings.LOGIN_FAILURE_LIMIT = 3
    client.force_login(dana)
    new = {"new_password1": "another-long-pass-42", "new_password2": "another-long-pass-42"}
    for i in range(3):
        wrong = client.post(url, {"old_password": f"wrong{i}", **new})
        assert wrong.status_code == 200 and "incorrect" in wrong.content.decode()
    refused = client.post(url, {"old_password": PASSWORD, **new})
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert "Too many failed sign-ins" in refused.content.decode()
    dana.refresh_from_db()
    assert dana.check_password(PASSWORD)
    assert sign_in(Client(), TOKEN, "dana", PASSWORD).status_code == 429  # one count


def test_an_attacker_elsewhere_cannot_lock_the_real_user_out(dana, settings):
    # The attack: five wrong passwords from anywhere kept a moderator out for 15 minutes.
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    fail(attacker, SITE, "dana", times=30)
    fail(attacker, TOKEN, "dana", times=30)
    dana_at_home = Client(REMOTE_ADDR="198.51.100.4")
    assert sign_in(dana_at_home, ADMIN, "dana", PASSWORD).status_code == 302
    assert sign_in(dana_at_home, TOKEN, "dana", PASSWORD).status_code == 200
    # The attacker's own address is still refused, even with the right password.
    assert sign_in(attacker, SITE, "dana", PASSWORD).status_code == 429


def test_the_delays_double_with_each_further_failure(client, alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_WINDOW = 900
    fail(client, SITE, times=5)
    waits = []
    for _ in range(6):
        refused = sign_in(client, SITE, "alice", PASSWORD)
        assert refused.status_code == 429
        wait = int(refused["Retry-After"])
        waits.append(wait)
        later(wait)
        fail(client, SITE)  # one more guess, allowed once the wait is over
    assert waits == [60, 120, 240, 480, 900, 900]


def test_a_success_forgets_the_pair_but_a_day_forgets_everything(client, alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    fail(client, SITE, times=2)
    assert sign_in(client, SITE, "alice", PASSWORD).status_code == 302
    client.logout()
    fail(client, SITE, times=2)
    assert sign_in(client, SITE, "alice", PASSWORD).status_code == 302
    client.logout()
    fail(client, SITE, times=3)
    assert sign_in(client, SITE, "alice", PASSWORD).status_code == 429
    later(24 * 3600 + 1)
    fail(client, SITE, times=2)  # counted afresh: two are free again
    assert sign_in(client, SITE, "alice", PASSWORD).status_code == 302


def test_an_address_guessing_many_names_is_slowed_for_every_name(client, bob, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for i in range(12):  # 4 x the limit, each name under its own limit
        fail(client, SITE, f"guess{i}")
    assert sign_in(client, SITE, "bob", PASSWORD).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="10.0.0.2"), SITE, "bob", PASSWORD).status_code == 302


def test_the_counts_outlive_a_worker_and_its_cache(client, alice, settings):
    # The attack: with the counts in each worker's memory, 2 workers doubled every limit and a
    # restarted worker forgot. The counts are rows now; nothing in the cache matters.
    settings.LOGIN_FAILURE_LIMIT = 3
    fail(client, SITE, times=3)
    cache.clear()
    assert sign_in(Client(), TOKEN, "alice", PASSWORD).status_code == 429


def test_a_forged_forwarded_for_header_is_ignored_without_trusted_proxies(client, alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = 0
    for i in range(12):
        fail(client, SITE, f"guess{i}", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
    response = sign_in(client, SITE, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.99")
    assert response.status_code == 429


def test_behind_one_trusted_proxy_the_address_it_saw_is_counted(alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    # The client forges entries to the left; the proxy appends the address it saw.
    for i in range(3):
        fail(proxy, TOKEN, "alice", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.9")
    refused = sign_in(proxy, TOKEN, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert refused.status_code == 429
    # Another client behind the same proxy is someone else.
    other = sign_in(proxy, TOKEN, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert other.status_code == 200


def test_ipv6_addresses_count_by_their_64_network(alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for i in range(3):  # one machine, three addresses of its /64
        fail(Client(REMOTE_ADDR=f"2001:db8:1:2::{i + 1}"), SITE, "alice")
    refused = sign_in(Client(REMOTE_ADDR="2001:db8:1:2::ff"), SITE, "alice", PASSWORD)
    assert refused.status_code == 429
    assert (
        sign_in(Client(REMOTE_ADDR="2001:db8:1:3::1"), SITE, "alice", PASSWORD).status_code == 302
    )


# --------------------------------------------------------------------------- password reset


def test_password_reset_requests_are_throttled(client, alice):
    # The attack: 15 requests sent 15 mails to the victim.
    answers = [
        client.post("/accounts/password_reset/", {"email": "alice@example.org"}).status_code
        for _ in range(15)
    ]
    assert len(mail.outbox) == 3
    assert answers[:3] == [302] * 3 and set(answers[3:]) == {429}
    refused = client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    assert "Too many password reset requests" in refused.content.decode()
    # Someone else asking for their own address from elsewhere still gets a mail.
    Client(REMOTE_ADDR="10.0.0.2").post("/accounts/password_reset/", {"email": "x@example.org"})
    assert (
        Client(REMOTE_ADDR="10.0.0.3")
        .post("/accounts/password_reset/", {"email": "bob@example.org"})
        .status_code
        == 302
    )


def test_password_reset_requests_from_one_address_are_throttled(client, db):
    answers = [
        client.post("/accounts/password_reset/", {"email": f"n{i}@example.org"}).status_code
        for i in range(12)
    ]
    assert answers[:10] == [302] * 10 and answers[10:] == [429, 429]


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


def test_counts_a_day_old_are_removed_so_guessing_names_cannot_grow_the_table(client, db, settings):
    """Every (username, address) tried is a row: an attacker trying a new name each time, from
    addresses of their own, added rows that were never removed. A count forgotten (a day
    without an attempt, no block left) is deleted when new counts are made."""
    settings.LOGIN_FAILURE_LIMIT = 3
    for i in range(10):
        fail(Client(REMOTE_ADDR=f"10.0.1.{i}"), SITE, f"guess{i}")
    assert AttemptCount.objects.count() == 20  # a (name, address) and an address each
    later(24 * 3600 + 1)
    fail(client, SITE, "someone")
    assert AttemptCount.objects.count() == 2  # only the new attempt's two counts are left
