"""Token authentication in one query (its own module: the settings name it, and DRF loads the
settings' classes while ``rest_framework.views`` is still importing, so this module must not
import that).

Sessions use Django's own ``ModelBackend``; tokens keep this check because DRF's stock class
costs the claims list API a query and about a quarter of its CPU (docs/performance.md, "Stock
auth").
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


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


def user_with_groups(sql: str, params) -> object | None:
    """The user ``sql`` (from ``users_with_groups_sql``) finds, or None, with the group names
    ``Role.of`` would otherwise read with a query of its own (see factcheck.roles.Role)."""
    rows = list(get_user_model()._default_manager.raw(sql, params))
    if not rows:
        return None
    user = rows[0]
    user._factcheck_groups = {row.__dict__.pop("group_name") for row in rows} - {None}
    return user


def users_with_groups_sql(*, where: str, join: str = "") -> str:
    """The columns of the users ``where`` (the user table is ``u``; ``join`` may add tables),
    one row per group each is in, its name as ``group_name`` (NULL if in none)."""
    user = get_user_model()._meta
    groups = user.get_field("groups")
    columns = ", ".join(f'u."{f.column}"' for f in user.concrete_fields)
    return (
        f'SELECT {columns}, g."name" AS "group_name" FROM "{user.db_table}" u {join} '  # noqa: S608
        f'LEFT JOIN "{groups.m2m_db_table()}" ug '
        f'ON ug."{groups.m2m_column_name()}" = u."{user.pk.column}" '
        f'LEFT JOIN "{groups.related_model._meta.db_table}" g '
        f'ON g."id" = ug."{groups.m2m_reverse_name()}" '
        f"WHERE {where}"
    )
