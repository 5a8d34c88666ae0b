"""factcheck.auth.RoleModelBackend: the session's user and their role in one query."""

import pytest
from django.contrib.auth.models import User

from factcheck.auth import RoleModelBackend
from factcheck.models import Role


def test_the_user_comes_with_their_role(alice, dana, eve, django_assert_num_queries):
    backend = RoleModelBackend()
    for person, role in ((alice, Role.ANNOTATOR), (dana, Role.MODERATOR), (eve, None)):
        with django_assert_num_queries(1):
            user = backend.get_user(person.pk)
            assert Role.of(user) == role
        assert user == person and user.username == person.username
        assert user.password == person.password  # a whole user: password changes log out


def test_several_groups_give_the_highest_role(alice, django_assert_num_queries):
    from django.contrib.auth.models import Group

    alice.groups.add(Group.objects.get(name=Role.MODERATOR.value))
    with django_assert_num_queries(1):
        assert Role.of(RoleModelBackend().get_user(alice.pk)) == Role.MODERATOR


@pytest.mark.parametrize("user_id", [987654, "not a number", None])
def test_no_such_user_is_nobody(db, user_id):
    assert RoleModelBackend().get_user(user_id) is None


def test_an_inactive_user_is_nobody(alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert RoleModelBackend().get_user(alice.pk) is None


def test_a_page_costs_one_query_less(client, alice, article, django_assert_max_num_queries):
    """Session, user with groups, article, claims: nothing else on the annotation page."""
    client.force_login(alice)
    with django_assert_max_num_queries(4):
        assert client.get(f"/articles/{article.pk}/").status_code == 200
