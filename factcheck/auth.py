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
        users = get_user_model()
        try:
            pk = users._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        rows = list(users._default_manager.raw(user_sql(), [pk]))
        if not rows:
            return None
        user = rows[0]
        user._factcheck_groups = {row.__dict__.pop("group_name") for row in rows} - {None}
        return user if self.user_can_authenticate(user) else None


@functools.cache
def user_sql() -> str:
    """The user with a given id, one row per group they are in (``group_name`` NULL if none)."""
    user = get_user_model()._meta
    groups = user.get_field("groups")
    return USER_SQL.format(
        columns=", ".join(f'u."{f.column}"' for f in user.concrete_fields),
        user=user.db_table,
        user_id=user.pk.column,
        user_groups=groups.m2m_db_table(),
        user_groups_user=groups.m2m_column_name(),
        user_groups_group=groups.m2m_reverse_name(),
        group=groups.related_model._meta.db_table,
    )


USER_SQL = """
SELECT {columns}, g."name" AS "group_name"
FROM "{user}" u
LEFT JOIN "{user_groups}" ug ON ug."{user_groups_user}" = u."{user_id}"
LEFT JOIN "{group}" g ON g."id" = ug."{user_groups_group}"
WHERE u."{user_id}" = %s
"""
