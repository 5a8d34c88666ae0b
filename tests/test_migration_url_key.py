"""Migration 0011_web_article_url_key: existing articles get their URL key; two that turn out to
be one page are reported, not a failed migration."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

TARGET = ("factcheck", "0011_web_article_url_key")


@pytest.mark.django_db(transaction=True)
def test_backfill_keys_and_reports_duplicates(capsys):
    executor = MigrationExecutor(connection)
    before = sorted(executor.loader.graph.node_map[TARGET].parents)[0].key
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    Article = old.get_model("factcheck", "Article")
    first = Article.objects.create(title="A", text="a", url="https://news.example/a")
    twin = Article.objects.create(
        title="A again", text="a", url="http://news.example/a/?utm_source=x"
    )
    other = Article.objects.create(title="B", text="b", url="https://news.example/b")
    bare = Article.objects.create(title="C", text="c", url="")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([TARGET])
    new = executor.loader.project_state([TARGET]).apps.get_model("factcheck", "Article")
    keys = dict(new.objects.values_list("pk", "url_key"))
    assert keys == {
        first.pk: "news.example/a",
        twin.pk: "",
        other.pk: "news.example/b",
        bare.pk: "",
    }
    assert f"article {twin.pk}" in capsys.readouterr().err

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest, for the tests after
