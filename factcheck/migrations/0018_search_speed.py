# ruff: noqa: S608 - SQL made from this file's constants; no input reaches it
"""Search at a million claims (factcheck.search, docs/search.md), PostgreSQL only.

- ``published_claims`` on articles, speakers and statements: how many published claims each
  has, counted by one trigger function on claims (the one place it is kept, whichever door
  writes a claim: actions, the admin, imports, cascades, raw SQL), once per statement from
  its transition tables (a bulk insert of a thousand claims of one article updates the
  article once: row by row, the same row updated a thousand times in one transaction made
  each update slower than the last). Like ``search_vector`` it is no model field: the ORM
  never writes it, so a save cannot overwrite it with a stale value. A count, not a flag:
  adding and taking away need no look at other rows, so two transactions publishing and
  unpublishing claims of one article at once cannot leave it wrong.
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


def _moves(*sources: tuple[str, int]) -> str:
    """SQL adding to each row's count the published claims that came (+1) or went (-1) in
    one statement on claims (``sources``: its transition tables and their signs), once per
    row: a thousand claims of one article make one update of it, not a thousand."""
    statements = []
    for table, column in COUNTED:
        moved = " UNION ALL ".join(
            f"SELECT {column} AS id, {sign} AS n FROM {relation} WHERE status = '{PUBLISHED}'"
            for relation, sign in sources
        )
        statements.append(
            f"UPDATE {table} t SET published_claims = t.published_claims + d.n FROM "
            f"(SELECT id, sum(n) AS n FROM ({moved}) m WHERE id IS NOT NULL GROUP BY id "
            "HAVING sum(n) <> 0) d WHERE t.id = d.id;"
        )
    return "\n        ".join(statements)


ZERO = "\n        ".join(
    f"UPDATE {table} SET published_claims = 0 WHERE published_claims <> 0;" for table, _ in COUNTED
)
TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION factcheck_claim_count_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_moves(("came", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {_moves(("went", -1))}
    ELSIF TG_OP = 'UPDATE' THEN
        {_moves(("came", 1), ("went", -1))}
    ELSE
        {ZERO}
    END IF;
    RETURN NULL;
END $$
"""
# One trigger per event: PostgreSQL gives transition tables only to a trigger of one event.
TRIGGERS = {
    "insert": "AFTER INSERT ON factcheck_claim REFERENCING NEW TABLE AS came",
    "delete": "AFTER DELETE ON factcheck_claim REFERENCING OLD TABLE AS went",
    "update": "AFTER UPDATE ON factcheck_claim REFERENCING OLD TABLE AS went NEW TABLE AS came",
    "truncate": "AFTER TRUNCATE ON factcheck_claim",
}


def forwards(apps, schema_editor):
    """Safe to run again (IF NOT EXISTS, OR REPLACE): a data set kept by the bench that ran
    this under another migration number, once renumbered, is brought up to date as is."""
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    for table, column in COUNTED:
        run(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS published_claims integer "
            "NOT NULL DEFAULT 0"
        )
        run(
            f"CREATE INDEX IF NOT EXISTS {table}_search_public ON {table} "
            "USING gin (search_vector) WHERE published_claims > 0"
        )
        # One statement, and only the rows whose count is not yet right (a second update of
        # a row in one transaction would queue its foreign key checks).
        run(
            f"UPDATE {table} t SET published_claims = d.n FROM (SELECT r.id, count(c.id) AS n "
            f"FROM {table} r LEFT JOIN factcheck_claim c ON c.{column} = r.id "
            f"AND c.status = '{PUBLISHED}' GROUP BY r.id) d "
            "WHERE t.id = d.id AND t.published_claims <> d.n"
        )
    run(TRIGGER_FUNCTION)
    for event, when in TRIGGERS.items():
        run(f"DROP TRIGGER IF EXISTS factcheck_claim_count_published_{event} ON factcheck_claim")
        run(
            f"CREATE TRIGGER factcheck_claim_count_published_{event} {when} "
            "FOR EACH STATEMENT EXECUTE FUNCTION factcheck_claim_count_published()"
        )
    run(
        "CREATE INDEX IF NOT EXISTS factcheck_claim_search_published ON factcheck_claim "
        f"USING gin (search_vector) WHERE status = '{PUBLISHED}'"
    )
    for table, _ in [*COUNTED, ("factcheck_claim", None)]:
        run(f"ANALYZE {table}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run("DROP INDEX factcheck_claim_search_published")
    for event in TRIGGERS:
        run(f"DROP TRIGGER factcheck_claim_count_published_{event} ON factcheck_claim")
    run("DROP FUNCTION factcheck_claim_count_published()")
    for table, _ in COUNTED:
        run(f"ALTER TABLE {table} DROP COLUMN published_claims")  # and its index


class Migration(migrations.Migration):
    dependencies = [("factcheck", "0017_claimlink")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
