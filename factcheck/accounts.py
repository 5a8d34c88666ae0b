"""People's accounts: who may change whose, what the owner is told, and what a new password
ends.

- Only a superuser changes another person's username or e-mail address (with the address,
  whoever holds it can reset the password); a moderator edits users without a desk role or
  with a lower one, and not other moderators or superusers.
- When a username or e-mail address changes, the old address is told.
- A new password (changed, reset, or set by a superuser) revokes the user's API tokens, as
  Django already ends their other sessions.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models.signals import pre_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from factcheck.roles import Role


def may_edit(by, user) -> bool:
    """May ``by`` change ``user``'s account in the admin?"""
    if by.is_superuser or by.pk == user.pk:
        return True
    return not user.is_superuser and not Role.has(user, Role.MODERATOR)


def may_change_identity(by, user) -> bool:
    """May ``by`` change ``user``'s username and e-mail address (the keys to a reset)?"""
    return by.is_superuser or by.pk == user.pk


def tell_old_address(*, old_email: str, old_username: str, user, by) -> None:
    """Mail the address an account had about a change of its username or e-mail address."""
    if not old_email:
        return
    changes = []
    if user.email != old_email:
        changes.append(f"its e-mail address is now {user.email or '(none)'}")
    if user.username != old_username:
        changes.append(f"its username is now {user.username}")
    if not changes:
        return
    send_mail(
        subject="Your factcheck account was changed",
        message=(
            f"The factcheck account {old_username} was changed by {by.get_username()}: "
            + "; ".join(changes)
            + ".\n\nIf you did not expect this, tell the desk's administrators at once."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[old_email],
    )


@receiver(pre_save, sender=get_user_model(), dispatch_uid="factcheck-revoke-tokens")
def revoke_tokens_on_new_password(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    if update_fields == frozenset({"password"}) and instance._password is None:
        # Django storing the same password under a newer hasher at sign-in
        # (AbstractBaseUser.check_password's setter): no new password.
        return
    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()
