"""PostgreSQL: articles' texts (and their history rows' and revisions') compressed with LZ4
rather than PostgreSQL's default pglz, where the server has LZ4 (PostgreSQL 14+ built with
it, as Debian's and the official images are). pglz was a fifteenth of the database's share of
an import (each 5,000-character text compressed twice: the article and its history row);
LZ4 compresses and reads back several times faster for a little more space. Only values
written from now on are compressed so; older ones stay as they are, readable as before."""

from django.db import migrations

TEXTS = [
    ("factcheck_article", "text"),
    ("factcheck_historicalarticle", "text"),
    ("factcheck_articlerevision", "text"),
]


def _has_lz4(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _set(method: str):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql" or not _has_lz4(connection):
            return
        quote = connection.ops.quote_name
        for table, column in TEXTS:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} SET COMPRESSION {method}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("factcheck", "0018_search_speed")]

    operations = [migrations.RunPython(_set("lz4"), _set("pglz"), elidable=False)]
