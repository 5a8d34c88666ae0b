from factcheck.models import Role


def roles(request):
    """``role`` and ``can_review``/``can_moderate`` for templates."""
    user = getattr(request, "user", None)
    return {
        "role": Role.of(user),
        "can_annotate": Role.has(user, Role.ANNOTATOR),
        "can_review": Role.has(user, Role.REVIEWER),
        "can_moderate": Role.has(user, Role.MODERATOR),
    }
