"""manage.py create_role_user: a user with one role, from the command line."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from factcheck.models import Role
from tests.conftest import PASSWORD


def test_it_creates_a_moderator_who_can_enter_the_admin(db, client):
    call_command("create_role_user", "zoe", role="moderator", password=PASSWORD)
    zoe = User.objects.get(username="zoe")
    assert Role.of(zoe) == Role.MODERATOR and zoe.is_staff
    assert client.login(username="zoe", password=PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_it_changes_the_role_of_an_existing_user_and_keeps_the_password(alice, monkeypatch):
    monkeypatch.delenv("FACTCHECK_PASSWORD", raising=False)
    call_command("create_role_user", "alice", role="reviewer")
    alice = User.objects.get(username="alice")
    assert list(alice.groups.values_list("name", flat=True)) == ["reviewer"]
    assert alice.check_password(PASSWORD)


def test_it_reads_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("FACTCHECK_PASSWORD", PASSWORD)
    call_command("create_role_user", "yann", role="annotator", email="y@example.org")
    yann = User.objects.get(username="yann")
    assert yann.check_password(PASSWORD) and yann.email == "y@example.org"
    assert not yann.is_staff


def test_it_refuses_a_new_user_without_password(db, monkeypatch):
    monkeypatch.delenv("FACTCHECK_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="FACTCHECK_PASSWORD"):
        call_command("create_role_user", "nobody", role="annotator")
    assert not User.objects.filter(username="nobody").exists()


def test_it_refuses_a_weak_password(db):
    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_role_user", "weak", role="annotator", password="123")
    assert not User.objects.filter(username="weak").exists()


def test_it_refuses_an_unknown_role(db):
    with pytest.raises(CommandError):
        call_command("create_role_user", "x", role="admin", password=PASSWORD)
