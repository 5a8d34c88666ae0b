"""The three roles, their groups and the model permissions each holds, and giving a user a role.

Groups are (re)built after every ``migrate`` so a fresh database always has them.
Model permissions decide what the admin shows a moderator; whether someone may enter the
admin at all, and every moderation decision, is decided by ``Role`` (see factcheck.admin_site
and factcheck.actions).
"""

from __future__ import annotations

from django.db import models, transaction


class Role(models.TextChoices):
    """Groups a user belongs to. Each role can do everything the one before can."""

    ANNOTATOR = "annotator", "Annotator"
    REVIEWER = "reviewer", "Reviewer"
    MODERATOR = "moderator", "Moderator"

    @classmethod
    def of(cls, user) -> Role | None:
        """The highest role ``user`` has, or None (anonymous users and outsiders)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        if user.is_superuser:
            return cls.MODERATOR
        names = getattr(user, "_factcheck_groups", None)
        if names is None:
            names = set(user.groups.values_list("name", flat=True))
            user._factcheck_groups = names
        for role in (cls.MODERATOR, cls.REVIEWER, cls.ANNOTATOR):
            if role.value in names:
                return role
        return None

    @classmethod
    def has(cls, user, role: Role) -> bool:
        """Whether ``user`` has ``role`` or a higher one."""
        order = [cls.ANNOTATOR, cls.REVIEWER, cls.MODERATOR]
        mine = cls.of(user)
        return mine is not None and order.index(mine) >= order.index(role)


# model -> actions, per role; each role also gets everything of the roles before it.
ROLE_PERMISSIONS = {
    Role.ANNOTATOR: {
        "article": ["add", "view"],
        "claim": ["add", "change", "delete", "view"],
        "speaker": ["add", "view"],
        "statement": ["add", "view"],
        "rating": ["view"],
    },
    Role.REVIEWER: {
        "verdict": ["add", "change", "view"],
        "evidencesource": ["add", "change", "delete", "view"],
    },
    Role.MODERATOR: {
        "article": ["change", "delete"],
        "speaker": ["change", "delete"],
        "statement": ["change", "delete"],
        "rating": ["add", "change", "delete"],
        "verdict": ["delete"],
        "suggestion": ["view"],
        "claimlink": ["view"],
        "user": ["add", "view", "change"],
        "group": ["view"],
    },
}


def permissions_for(role: Role) -> set[tuple[str, str]]:
    """(app_label, codename) pairs for ``role``, including inherited ones."""
    order = [Role.ANNOTATOR, Role.REVIEWER, Role.MODERATOR]
    wanted = set()
    for r in order[: order.index(role) + 1]:
        for model, actions in ROLE_PERMISSIONS[r].items():
            app = "auth" if model in ("user", "group") else "factcheck"
            wanted |= {(app, f"{action}_{model}") for action in actions}
    return wanted


def ensure_role_groups(**kwargs):
    # Imported here: factcheck.models imports this module while the models are loading.
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        pairs = permissions_for(role)
        perms = Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={app for app, _ in pairs},
            codename__in={code for _, code in pairs},
        )
        group.permissions.set([p for p in perms if (p.content_type.app_label, p.codename) in pairs])


@transaction.atomic
def set_role(user, role: Role | None) -> None:
    """Give ``user`` exactly one role group (or none); moderators also get ``is_staff``."""
    from django.contrib.auth.models import Group

    role = Role(role) if role else None
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    is_staff = user.is_superuser or role == Role.MODERATOR
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_factcheck_groups", None)


def role_group_of(user) -> Role | None:
    """The role group ``user`` is in (ignoring superuser status), or None."""
    names = {g.name for g in user.groups.all()}
    for role in (Role.MODERATOR, Role.REVIEWER, Role.ANNOTATOR):
        if role.value in names:
            return role
    return None
