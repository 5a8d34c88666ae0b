"""Who may enter the admin: moderators and superusers only, whatever is_staff says."""

import pytest
from django.contrib.auth.models import User

from factcheck import actions
from tests.conftest import PASSWORD

ADMIN_PAGES = [
    "/admin/",
    "/admin/desk/",
    "/admin/agreement/",
    "/admin/factcheck/claim/",
    "/admin/factcheck/verdict/",
    "/admin/factcheck/speaker/",
    "/admin/factcheck/statement/",
    "/admin/factcheck/rating/",
    "/admin/factcheck/article/",
    "/admin/auth/user/",
]


@pytest.fixture
def verdict(claim, bob, ratings):
    return actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_anonymous_is_sent_to_login(client, db, url):
    assert_sent_to_login(client.get(url))


@pytest.mark.parametrize("persona", ["eve", "alice", "bob"])
def test_desk_members_below_moderator_are_sent_to_login(client, request, persona):
    user = request.getfixturevalue(persona)
    # Even staff status (set by hand, say) does not open the admin to them.
    user.is_staff = True
    user.save()
    client.force_login(user)
    for url in ADMIN_PAGES:
        assert_sent_to_login(client.get(url))


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_moderator_enters_every_page(client, dana, claim, url):
    client.force_login(dana)
    assert client.get(url).status_code == 200


def test_moderator_without_staff_flag_still_enters(client, dana):
    dana.is_staff = False
    dana.save()
    client.force_login(dana)
    assert client.get("/admin/").status_code == 200


def test_superuser_without_role_group_enters(client, db):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    assert client.get("/admin/factcheck/claim/").status_code == 200


def test_inactive_moderator_is_refused(client, dana):
    dana.is_active = False
    dana.save()
    client.force_login(dana)
    assert_sent_to_login(client.get("/admin/"))


def test_admin_login_form_refuses_an_annotator_with_a_reason(client, alice):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Only moderators can sign in to the admin" in response.text
    assert "_auth_user_id" not in client.session


def test_admin_login_form_lets_the_moderator_in(client, dana):
    response = client.post("/admin/login/?next=/admin/", {"username": "dana", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_reviewer_cannot_approve_through_the_admin(client, bob, verdict):
    client.force_login(bob)
    url = f"/admin/factcheck/verdict/{verdict.pk}/decide/approve/"
    assert_sent_to_login(client.post(url, {"note": "mine is right"}))
    verdict.refresh_from_db()
    assert verdict.status == "submitted"
    assert verdict.claim.status == "in_review"


def test_reviewer_cannot_approve_through_actions_either(bob, verdict):
    with pytest.raises(actions.PermissionDenied):
        actions.approve_verdict(verdict=verdict, by=bob)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/factcheck/claim/{claim}/decide/reject/",
        "/admin/factcheck/claim/{claim}/decide/unpublish/",
        "/admin/factcheck/verdict/{verdict}/decide/reject/",
    ],
)
def test_annotator_cannot_post_any_decision(client, alice, claim, verdict, url):
    client.force_login(alice)
    response = client.post(url.format(claim=claim.pk, verdict=verdict.pk), {"note": "x"})
    assert_sent_to_login(response)
    claim.refresh_from_db()
    assert claim.status == "in_review"


def test_annotator_cannot_run_a_bulk_action(client, alice, claim):
    client.force_login(alice)
    response = client.post(
        "/admin/factcheck/claim/",
        {"action": "reject_selected", "_selected_action": [claim.pk]},
    )
    assert_sent_to_login(response)
    claim.refresh_from_db()
    assert claim.status == "open"
