"""Moderators manage users' roles in the admin, without reaching superuser powers."""

import pytest
from django.contrib.auth.models import User

from factcheck.models import Role
from tests.conftest import PASSWORD

LIST = "/admin/auth/user/"


@pytest.fixture
def desk(client, dana):
    client.force_login(dana)
    return client


def change_form(user, role):
    return {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "is_active": "on",
        "role": role,
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }


def test_list_shows_each_users_role(desk, alice, bob, eve):
    page = desk.get(LIST).text
    for label in ("Annotator", "Reviewer", "Moderator"):
        assert f'<td class="field-role">{label}</td>' in page
    response = desk.get(LIST, {"role": "reviewer"})
    assert [u.username for u in response.context["cl"].result_list] == ["bob"]
    response = desk.get(LIST, {"role": "none"})
    assert [u.username for u in response.context["cl"].result_list] == ["eve"]


def test_moderator_promotes_an_annotator_to_reviewer(desk, alice):
    page = desk.get(f"{LIST}{alice.pk}/change/")
    assert page.status_code == 200
    assert '<option value="annotator" selected>' in page.text
    # Raw permission and superuser controls are not offered to a moderator.
    assert 'name="is_superuser"' not in page.text
    assert 'name="user_permissions"' not in page.text

    response = desk.post(f"{LIST}{alice.pk}/change/", change_form(alice, "reviewer"))
    assert response.status_code == 302
    alice = User.objects.get(pk=alice.pk)
    assert Role.of(alice) == Role.REVIEWER
    assert list(alice.groups.values_list("name", flat=True)) == ["reviewer"]
    assert not alice.is_staff


def test_moderator_makes_a_moderator_and_removes_a_role(desk, bob, eve):
    desk.post(f"{LIST}{eve.pk}/change/", change_form(eve, "moderator"))
    eve = User.objects.get(pk=eve.pk)
    assert Role.of(eve) == Role.MODERATOR and eve.is_staff

    desk.post(f"{LIST}{bob.pk}/change/", change_form(bob, ""))
    bob = User.objects.get(pk=bob.pk)
    assert Role.of(bob) is None and not bob.groups.exists()


def test_moderator_adds_a_user_with_a_role(desk, db):
    response = desk.post(
        f"{LIST}add/",
        {
            "username": "frank",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": "annotator",
        },
    )
    assert response.status_code == 302
    frank = User.objects.get(username="frank")
    assert Role.of(frank) == Role.ANNOTATOR
    assert frank.check_password(PASSWORD)


def test_superusers_and_passwords_are_out_of_a_moderators_reach(desk, bob):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    page = desk.get(f"{LIST}{root.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.text  # view only
    response = desk.post(f"{LIST}{root.pk}/change/", change_form(root, ""))
    assert response.status_code == 403
    assert desk.get(f"{LIST}{bob.pk}/password/").status_code == 403
    assert User.objects.get(pk=root.pk).is_superuser


def test_superuser_sees_the_full_form_and_sets_roles_too(client, alice):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    page = client.get(f"{LIST}{alice.pk}/change/").text
    assert 'name="is_superuser"' in page and 'name="role"' in page
    assert client.get(f"{LIST}{alice.pk}/password/").status_code == 200


def test_a_moderator_cannot_demote_or_deactivate_themselves(desk, dana):
    form = change_form(dana, "")
    form.pop("is_active")
    response = desk.post(f"{LIST}{dana.pk}/change/", form)
    assert response.status_code == 302
    dana = User.objects.get(pk=dana.pk)
    assert Role.of(dana) == Role.MODERATOR and dana.is_active


# --------------------------------------------------------------------------- account takeover


def test_a_moderator_cannot_take_over_an_account_by_changing_its_email(desk, alice):
    # The attack: change the victim's e-mail in the admin, then reset the password.
    form = change_form(alice, "annotator")
    form["email"] = "mallory@evil.example"
    form["username"] = "alice2"
    response = desk.post(f"{LIST}{alice.pk}/change/", form)
    assert response.status_code == 302
    alice = User.objects.get(pk=alice.pk)
    assert (alice.username, alice.email) == ("alice", "alice@example.org")
    page = desk.get(f"{LIST}{alice.pk}/change/").text
    assert 'name="email"' not in page and 'name="username"' not in page


def test_a_moderator_cannot_edit_another_moderator(desk, dana):
    other = User.objects.create_user("oscar", "oscar@example.org", PASSWORD)
    from factcheck.roles import set_role

    set_role(other, Role.MODERATOR)
    page = desk.get(f"{LIST}{other.pk}/change/")
    assert 'name="_save"' not in page.text  # view only
    form = change_form(other, "")
    form.pop("is_active")
    assert desk.post(f"{LIST}{other.pk}/change/", form).status_code == 403
    other = User.objects.get(pk=other.pk)
    assert Role.of(other) == Role.MODERATOR and other.is_active


def test_a_superuser_changes_an_email_and_the_old_address_is_told(client, alice, mailoutbox):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    form = change_form(alice, "annotator")
    form["email"] = "alice@new.example"
    form["password"] = alice.password
    response = client.post(f"{LIST}{alice.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=alice.pk).email == "alice@new.example"
    [message] = mailoutbox
    assert message.to == ["alice@example.org"]
    assert "alice@new.example" in message.body and "root" in message.body


def test_a_moderator_changes_their_own_email_and_the_old_address_is_told(desk, dana, mailoutbox):
    form = change_form(dana, "moderator")
    form["email"] = "dana@new.example"
    assert desk.post(f"{LIST}{dana.pk}/change/", form).status_code == 302
    assert User.objects.get(pk=dana.pk).email == "dana@new.example"
    assert [m.to for m in mailoutbox] == [["dana@example.org"]]
