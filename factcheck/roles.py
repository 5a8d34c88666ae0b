"""The three role groups and the model permissions each holds.

Groups are (re)built after every ``migrate`` so a fresh database always has them.
"""

from django.contrib.auth.models import Group, Permission

from factcheck.models import Role

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
        "user": ["view", "change"],
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
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        pairs = permissions_for(role)
        perms = Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={app for app, _ in pairs},
            codename__in={code for _, code in pairs},
        )
        group.permissions.set([p for p in perms if (p.content_type.app_label, p.codename) in pairs])
