"""Role groups: rebuilt after migrate, each role holding its own and the lower roles' rights."""

from django.contrib.auth.models import Group, Permission

from factcheck.models import Role
from factcheck.roles import ensure_role_groups, permissions_for, role_group_of, set_role


def codes(group_name):
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


def test_groups_exist_after_migrate(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_each_role_includes_the_lower_ones(db):
    annotator, reviewer, moderator = (codes(r) for r in Role.values)
    assert annotator < reviewer < moderator
    assert {"add_claim", "change_claim", "add_article"} <= annotator
    assert "add_verdict" not in annotator and "add_verdict" in reviewer
    assert {"change_rating", "change_speaker", "add_user", "change_user"} <= moderator
    assert "change_user" not in reviewer and "change_rating" not in reviewer


def test_permissions_for_names_real_permissions(db):
    for role in Role:
        for app, code in permissions_for(role):
            assert Permission.objects.filter(content_type__app_label=app, codename=code).exists()


def test_rebuilding_restores_a_tampered_group(db):
    group = Group.objects.get(name="annotator")
    group.permissions.add(Permission.objects.get(codename="delete_rating"))
    ensure_role_groups()
    assert "delete_rating" not in codes("annotator")


def test_set_role_keeps_exactly_one_role_group(alice):
    other = Group.objects.create(name="newsletter")
    alice.groups.add(other)
    set_role(alice, Role.MODERATOR)
    assert set(alice.groups.values_list("name", flat=True)) == {"moderator", "newsletter"}
    assert alice.is_staff and Role.of(alice) == Role.MODERATOR
    set_role(alice, None)
    assert set(alice.groups.values_list("name", flat=True)) == {"newsletter"}
    assert not alice.is_staff and role_group_of(alice) is None and Role.of(alice) is None
