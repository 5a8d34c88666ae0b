"""The signed-in user of a session, read with their group names in one query.

Django's ``ModelBackend.get_user`` runs on every request that carries a session, and the role
check that follows (``Role.of``) would read the user's groups with a query of its own. Here
both come from one query, like the API's token check (``factcheck.api.auth``).
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError


class RoleModelBackend(ModelBackend):
    """Django's ``ModelBackend`` (same sign-in, same permissions); ``get_user`` also fills the
    group names ``Role.of`` caches, so a page's role checks need no query."""

    def get_user(self, user_id):
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = user_with_groups(user_sql(), [pk])
        return user if user is not None and self.user_can_authenticate(user) else None


def user_with_groups(sql: str, params) -> object | None:
    """The user ``sql`` (from ``users_with_groups_sql``) finds, or None, with the group names
    ``Role.of`` would otherwise read with a query of its own (see factcheck.models.Role)."""
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


@functools.cache
def user_sql() -> str:
    """The user with a given id."""
    return users_with_groups_sql(where=f'u."{get_user_model()._meta.pk.column}" = %s')
