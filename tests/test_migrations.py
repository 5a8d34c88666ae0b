"""A migrated database has the role groups and the default rating scale."""

from django.contrib.auth.models import Group

from factcheck.models import Rating


def test_role_groups_exist_with_permissions(db):
    groups = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }
    assert {"annotator", "reviewer", "moderator"} <= set(groups)
    assert "add_claim" in groups["annotator"] and "add_verdict" not in groups["annotator"]
    assert "add_verdict" in groups["reviewer"] and "add_claim" in groups["reviewer"]
    assert "change_rating" in groups["moderator"] and "change_rating" not in groups["reviewer"]


def test_default_rating_scale(db):
    assert list(Rating.objects.values_list("label", "value")) == [
        ("True", 5),
        ("Mostly true", 4),
        ("Half true", 3),
        ("Mostly false", 2),
        ("False", 1),
        ("Misleading", None),
        ("Unproven", None),
        ("Not checkable", None),
    ]


def test_no_model_changes_lack_a_migration(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
