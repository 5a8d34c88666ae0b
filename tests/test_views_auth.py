"""Sign-in, sign-out and who may open which page."""

import pytest

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
