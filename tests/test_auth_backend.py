"""Sessions go through Django's ModelBackend, tokens through factcheck.api.auth (DRF's checks
in one query): the signed-in user, their role, and nobody for a missing or inactive user."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from factcheck.models import Role


def test_the_user_comes_with_their_role(alice, dana, eve, django_assert_num_queries):
    backend = ModelBackend()
    for person, role in ((alice, Role.ANNOTATOR), (dana, Role.MODERATOR), (eve, None)):
        # The user, then their group names (read once: Role.of caches them on the user).
        with django_assert_num_queries(2):
            user = backend.get_user(person.pk)
            assert Role.of(user) == role
            assert Role.has(user, Role.ANNOTATOR) == (role is not None)
        assert user == person and user.username == person.username
        assert user.password == person.password  # a whole user: password changes log out


def test_several_groups_give_the_highest_role(alice):
    alice.groups.add(Group.objects.get(name=Role.MODERATOR.value))
    assert Role.of(ModelBackend().get_user(alice.pk)) == Role.MODERATOR


# Django hands the backend the session's id already converted to the pk's type.
@pytest.mark.parametrize("user_id", [987654, None])
def test_no_such_user_is_nobody(db, user_id):
    assert ModelBackend().get_user(user_id) is None


def test_an_inactive_user_is_nobody(alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert ModelBackend().get_user(alice.pk) is None


def test_a_session_page_reads_the_user_and_their_groups_once(
    client, alice, article, django_assert_max_num_queries
):
    """Session, user, groups, article, claims, pending suggestions: nothing else on the
    annotation page."""
    client.force_login(alice)
    with django_assert_max_num_queries(6):
        assert client.get(f"/articles/{article.pk}/").status_code == 200


def test_a_token_gives_the_user_and_their_role(alice, eve, claim):
    from rest_framework.authtoken.models import Token

    for person, allowed in ((alice, 201), (eve, 403)):
        token = Token.objects.create(user=person)
        api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
        body = {"article": claim.article_id, "start": 0, "end": 2}
        assert api.post("/api/v1/claims/", body, format="json").status_code == allowed


def test_an_inactive_users_token_is_refused(alice):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=alice)
    get_user_model().objects.filter(pk=alice.pk).update(is_active=False)
    # 403, not 401: the session scheme comes first and sends no WWW-Authenticate challenge.
    response = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/claims/")
    assert response.status_code == 403
    assert response.json() == {"detail": "User inactive or deleted."}
    response = APIClient(HTTP_AUTHORIZATION="Token not-a-key").get("/api/v1/claims/")
    assert response.status_code == 403 and response.json() == {"detail": "Invalid token."}
