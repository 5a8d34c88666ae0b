"""Sign-in, sign-out and who may open which page."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.conftest import PASSWORD

DESK_PAGES = ["/articles/", "/speakers/", "/statements/"]


def test_anonymous_users_are_sent_to_sign_in(client, db):
    for url in DESK_PAGES + ["/review/", "/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_it_signs_in_and_out(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/articles/"
    page = client.get("/articles/")
    assert b"Sign out" in page.content
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/articles/").status_code == 302


def test_a_wrong_password_shows_an_error(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


@pytest.mark.parametrize("url", DESK_PAGES + ["/review/"])
def test_users_without_a_role_are_refused(client, eve, url):
    client.force_login(eve)
    response = client.get(url)
    assert response.status_code == 403
    assert b"annotator role" in response.content or b"reviewer role" in response.content


def test_the_navigation_follows_the_role(client, alice, bob):
    client.force_login(alice)
    assert b'href="/review/"' not in client.get("/articles/").content
    client.force_login(bob)
    assert b'href="/review/"' in client.get("/articles/").content


# --------------------------------------------------------------------------- new passwords

NEW_PASSWORD = "a-new-and-long-passphrase-7"


def token_of(client, username="alice", password=PASSWORD):
    response = client.post("/api/v1/auth/token/", {"username": username, "password": password})
    return response.json()["token"]


def token_works(client, token) -> bool:
    response = client.get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Token {token}")
    return response.status_code == 200


def test_a_password_change_revokes_the_api_tokens(client, alice):
    # The attack: a stolen token outlived the password change meant to shut the thief out.
    token = token_of(client)
    client.force_login(alice)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    client.logout()
    assert not token_works(client, token)
    assert token_works(client, token_of(client, password=NEW_PASSWORD))


def test_a_password_reset_revokes_the_api_tokens(client, alice, mailoutbox):
    token = token_of(client)
    client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    [message] = mailoutbox
    link = next(w for w in message.body.split() if "/accounts/reset/" in w)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not token_works(client, token)


def test_a_superuser_setting_a_password_revokes_the_api_tokens(client, alice):
    from django.contrib.auth.models import User

    token = token_of(client)
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    response = client.post(
        f"/admin/auth/user/{alice.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    client.logout()
    assert not token_works(client, token)


def test_signing_in_keeps_the_api_tokens(client, alice):
    token = token_of(client)
    assert (
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code
        == 302
    )
    assert token_works(client, token)


class QuickPBKDF2Hasher(PBKDF2PasswordHasher):
    iterations = 1000  # quick for the test; another algorithm than the users' MD5 all the same


@pytest.mark.parametrize("door", ["/accounts/login/", "/api/v1/auth/token/"])
def test_a_hash_upgrade_at_sign_in_keeps_the_api_tokens(client, alice, settings, door):
    # Django stores the password anew when the preferred hasher changed (an upgrade raises the
    # iterations): the same password, so the tokens stay.
    token = token_of(client)
    settings.PASSWORD_HASHERS = [
        f"{__name__}.QuickPBKDF2Hasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    response = client.post(door, {"username": "alice", "password": PASSWORD})
    assert response.status_code in (200, 302)
    alice.refresh_from_db()
    assert alice.password.startswith("pbkdf2_sha256$1000$")  # upgraded
    client.logout()
    assert token_works(client, token)


def test_the_sign_in_page_offers_a_password_reset_in_the_sites_own_pages(client, db):
    """Issue 15: no "forgot password" link; the reset pages were the admin's."""
    page = client.get("/accounts/login/").text
    assert 'href="/accounts/password_reset/"' in page and "Forgot your password?" in page
    reset = client.get("/accounts/password_reset/")
    assert reset.status_code == 200
    assert 'class="site-header"' in reset.text and "breadcrumbs" not in reset.text


def test_a_reset_does_not_say_whether_an_address_has_an_account(client, alice, mailoutbox):
    known = client.post("/accounts/password_reset/", {"email": "alice@example.org"}, follow=True)
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"}, follow=True)
    assert (
        known.redirect_chain == unknown.redirect_chain == [("/accounts/password_reset/done/", 302)]
    )
    assert known.text == unknown.text
    assert "If an account uses that address" in known.text
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]


def test_a_person_resets_the_password_and_signs_in_with_the_new_one(client, alice, mailoutbox):
    client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    [message] = mailoutbox
    assert "factcheck" in message.subject
    link = next(w for w in message.body.split() if "/accounts/reset/" in w)
    form = client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    assert 'class="site-header"' in form.text and "New password" in form.text
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your password was changed" in done.text and 'href="/accounts/login/"' in done.text
    assert client.login(username="alice", password=NEW_PASSWORD)
    stale = client.get(form.redirect_chain[-1][0])  # a used link says so, and offers a new one
    assert "no longer valid" in stale.text
