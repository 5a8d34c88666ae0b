"""Token authentication in one query (its own module: the settings name it, and DRF loads the
settings' classes while ``rest_framework.views`` is still importing, so this module must not
import that)."""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from factcheck.auth import user_with_groups, users_with_groups_sql


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, checked in one query that also reads the user's
    groups, so the role checks that follow (``Role.of``) need no query of their own.

    DRF's own check costs two queries per request (the token with its user, then the groups)
    and, through ``select_related``, more CPU than a whole page of claims takes to write.
    """

    def authenticate_credentials(self, key):
        user = user_with_groups(token_user_sql(), [key])
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)


@functools.cache
def token_user_sql() -> str:
    """The user holding a token, one row per group they are in (``group_name`` NULL if none)."""
    pk = get_user_model()._meta.pk.column
    return users_with_groups_sql(
        join=f'INNER JOIN "{Token._meta.db_table}" t ON t."user_id" = u."{pk}"',
        where='t."key" = %s',
    )
