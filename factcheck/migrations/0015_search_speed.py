# ruff: noqa: S608 - SQL made from this file's constants; no input reaches it
"""Search at a million claims (factcheck.search, docs/search.md), PostgreSQL only.

- ``published_claims`` on articles, speakers and statements: how many published claims each
  has, counted by a trigger on claims (the one place it is kept, whichever door writes a
  claim: actions, the admin, imports, cascades, raw SQL). Like ``search_vector`` it is no
  model field: the ORM never writes it, so a save cannot overwrite it with a stale value.
  A count, not a flag: ``+ 1`` and ``- 1`` need no look at other rows, so two transactions
  publishing and unpublishing claims of one article at once cannot leave it wrong.
- Partial GIN indexes on ``search_vector``: of the rows with a published claim (what a
  visitor may find among articles, speakers and statements), and of published claims, so a
  visitor's search reads only what it may show instead of ten rows for each one it keeps.
"""

from django.db import migrations

PUBLISHED = "published"  # Claim.Status.PUBLISHED
COUNTED = [  # (table, the claim's column that points at it)
    ("factcheck_article", "article_id"),
    ("factcheck_speaker", "speaker_id"),
    ("factcheck_statement", "statement_id"),
]


def _moves(sign: str, row: str) -> str:
    return "\n".join(
        f"UPDATE {table} SET published_claims = published_claims {sign} 1 "
        f"WHERE id = {row}.{column};"
        for table, column in COUNTED
    )


UNCHANGED = " AND ".join(
    f"OLD.{c} IS NOT DISTINCT FROM NEW.{c}" for c in ("status", *(c for _, c in COUNTED))
)
TRIGGER_FUNCTION = f"""
CREATE FUNCTION factcheck_claim_count_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {UNCHANGED} THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.status = '{PUBLISHED}' THEN
        {_moves("-", "OLD")}
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = '{PUBLISHED}' THEN
        {_moves("+", "NEW")}
    END IF;
    RETURN NULL;
END $$
"""
TRIGGER = (
    "CREATE TRIGGER factcheck_claim_count_published AFTER INSERT OR DELETE OR UPDATE OF "
    + ", ".join(["status", *(c for _, c in COUNTED)])
    + " ON factcheck_claim FOR EACH ROW EXECUTE FUNCTION factcheck_claim_count_published()"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    for table, column in COUNTED:
        run(f"ALTER TABLE {table} ADD COLUMN published_claims integer NOT NULL DEFAULT 0")
        run(
            f"UPDATE {table} t SET published_claims = c.n FROM (SELECT {column} AS id, "
            f"count(*) AS n FROM factcheck_claim WHERE status = '{PUBLISHED}' "
            f"AND {column} IS NOT NULL GROUP BY {column}) c WHERE t.id = c.id"
        )
        run(
            f"CREATE INDEX {table}_search_public ON {table} USING gin (search_vector) "
            "WHERE published_claims > 0"
        )
    run(TRIGGER_FUNCTION)
    run(TRIGGER)
    run(
        "CREATE INDEX factcheck_claim_search_published ON factcheck_claim "
        f"USING gin (search_vector) WHERE status = '{PUBLISHED}'"
    )
    for table, _ in [*COUNTED, ("factcheck_claim", None)]:
        run(f"ANALYZE {table}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run("DROP INDEX factcheck_claim_search_published")
    run("DROP TRIGGER factcheck_claim_count_published ON factcheck_claim")
    run("DROP FUNCTION factcheck_claim_count_published()")
    for table, _ in COUNTED:
        run(f"ALTER TABLE {table} DROP COLUMN published_claims")  # and its index


class Migration(migrations.Migration):
    dependencies = [("factcheck", "0014_backgroundtask_kinds_together")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
