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


def test_article_texts_are_stored_with_lz4_where_postgresql_has_it(db):
    """Migration 0019: a long text (TOASTed) is compressed with LZ4, not pglz (a fifteenth of
    an import's database time), and reads back as it was written."""
    import pytest
    from django.db import connection

    from factcheck.models import Article

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's TOAST compression")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        if not cursor.fetchone()[0]:
            pytest.skip("this PostgreSQL was built without LZ4")
    text = "The toll has not changed in ten years, the mayor said. " * 400
    article = Article.objects.create(title="Toll", text=text)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(text) FROM factcheck_article WHERE id = %s", [article.pk]
        )
        assert cursor.fetchone()[0] == "lz4"
    assert Article.objects.get(pk=article.pk).text == text
    assert article.history.get().text == text
