"""factcheck.search: one query API over PostgreSQL's full-text search and SQLite's FTS5."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction

from factcheck import actions, search
from factcheck.models import Article, Claim, Speaker, Statement
from tests.conftest import ARTICLE_TEXT

pytestmark = pytest.mark.django_db

KREMLIN = (
    "Moscow, 4 March. The Kremlin said on Tuesday that talks would resume.\n"
    "Vladimir Putin told reporters that grain exports had doubled since January.\n"
    "Economists doubted the figure.\n"
)


@pytest.fixture
def kremlin(alice):
    return actions.create_article(
        title="Talks to resume, Moscow says",
        text=KREMLIN,
        publisher="Wire",
        published_on=datetime.date(2026, 3, 4),
        by=alice,
    )


def found(query, user, **filters):
    return [(h.kind, h.id) for h in search.search(query, user, **filters).hits]


def test_it_finds_the_article_that_quotes_putin_in_its_body_only(kremlin, alice):
    hits = search.search("Putin", alice).hits
    assert [(h.kind, h.id) for h in hits] == [("article", kremlin.pk)]
    assert "<mark>Putin</mark>" in hits[0].snippet
    assert hits[0].url == f"/articles/{kremlin.pk}/"


def test_it_stems_english_words(kremlin, alice):
    assert found("doubling export", alice) == [("article", kremlin.pk)]


def test_a_phrase_an_or_and_an_exclusion(kremlin, article, alice):
    assert found('"grain exports"', alice) == [("article", kremlin.pk)]
    assert found('"exports grain"', alice) == []
    assert set(found("putin or ferry", alice)) == {("article", kremlin.pk), ("article", article.pk)}
    assert found("said -putin", alice) == [("article", article.pk)]


def test_it_finds_claims_speakers_and_statements(claim, alice):
    assert ("claim", claim.pk) in found("ridership", alice)
    assert found("Berg", alice, kinds=["speaker"]) == [("speaker", claim.speaker_id)]
    assert found("Nordhavn", alice, kinds=["statement"]) == [("statement", claim.statement_id)]


def test_a_speaker_is_found_by_an_alias(alice):
    speaker = Speaker.objects.create(name="Vladimir Putin", aliases="Путин\nV. V. Putin")
    assert found("Путин", alice) == [("speaker", speaker.pk)]


def test_an_edit_is_found_and_a_delete_is_gone(claim, alice):
    actions.update_claim(claim=claim, by=alice, summary="Passengers deserted the harbour ferry")
    assert found("deserted", alice) == [("claim", claim.pk)]
    actions.delete_claim(claim=claim, by=alice)
    assert found("deserted", alice) == []


def test_anonymous_users_find_only_published_material(attributed, claim, kremlin):
    anonymous = AnonymousUser()
    assert set(found("ridership", anonymous)) == {
        ("claim", attributed.pk),
        ("article", attributed.article_id),
    }
    assert found("Putin", anonymous) == []  # no published claim in that article
    assert found("Berg", anonymous) == []  # a speaker of unpublished claims only
    assert found("Nordhavn", anonymous, kinds=["speaker"]) == [("speaker", attributed.speaker_id)]
    hit = search.search("ridership", anonymous).hits[0]
    assert hit.url == f"/factchecks/{attributed.pk}/"
    # Speakers and statements link their public pages (what they said, and what we found).
    speaker = search.search("Nordhavn", anonymous, kinds=["speaker"]).hits[0]
    assert speaker.url == f"/factchecks/speakers/{attributed.speaker_id}/"


def test_claim_filters_narrow_every_kind(attributed, claim, alice, ratings):
    rating = attributed.verdicts.get(status="approved").rating_id
    assert found("ridership", alice, kinds=["claim"], status="published") == [
        ("claim", attributed.pk)
    ]
    assert found("ridership", alice, kinds=["claim"], rating=rating) == [("claim", attributed.pk)]
    assert found("ridership", alice, kinds=["claim"], speaker=claim.speaker_id) == [
        ("claim", claim.pk)
    ]
    assert found("ferry", alice, kinds=["article"], speaker=attributed.speaker_id) == [
        ("article", attributed.article_id)
    ]
    assert found("ferry", alice, kinds=["article"], kind="direct_quote") == []


def test_dates_filter_articles_statements_and_claims(kremlin, article, claim, alice):
    assert found("said", alice, kinds=["article"], date_after=datetime.date(2026, 3, 5)) == [
        ("article", article.pk)
    ]
    assert found("said", alice, kinds=["article"], date_before=datetime.date(2026, 3, 4)) == [
        ("article", kremlin.pk)
    ]
    assert found("ridership", alice, kinds=["claim"], date_before=datetime.date(2026, 1, 1)) == []
    Statement.objects.filter(pk=claim.statement_id).update(date=datetime.date(2025, 1, 2))
    assert found("radio", alice, kinds=["statement"], date_before=datetime.date(2025, 6, 1)) == [
        ("statement", claim.statement_id)
    ]


def test_a_hostile_text_is_escaped_in_the_snippet(alice):
    hostile = (
        'The minister <script>alert("x")</script> said <img src=x onerror=alert(1)> Putin\ue000'
    )
    article = actions.create_article(title="Hostile", text=hostile, by=alice)
    hit = search.search("minister", alice).hits[0]
    assert hit.id == article.pk
    # Only the marks are markup (PostgreSQL's headline drops what looks like tags itself).
    assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "&lt;img" in hit.snippet
    assert hit.snippet.count("<mark>") == hit.snippet.count("</mark>")


def test_the_best_match_comes_first(alice, article):
    often = actions.create_article(
        title="Ferry ferry ferry", text="The ferry and the ferry again.", by=alice
    )
    assert found("ferry", alice, kinds=["article"])[0] == ("article", often.pk)


def test_pages_and_counts(alice):
    for n in range(5):
        actions.create_article(title=f"Harbour report {n}", text="The harbour is full.", by=alice)
    first = search.search("harbour", alice, limit=2)
    second = search.search("harbour", alice, offset=2, limit=2)
    assert first.total == 5 and first.counts["article"] == 5 and not first.capped
    assert len(first.hits) == 2 and len(second.hits) == 2
    assert {h.id for h in first.hits}.isdisjoint({h.id for h in second.hits})


@pytest.mark.parametrize("query", ["", "   ", '"', "-", "AND OR NOT", "*", "NEAR(", "a\x00b"])
def test_odd_queries_find_nothing_or_words_never_crash(query, alice, article):
    search.search(query, alice)


def test_fts5_query_quotes_every_term():
    assert search.fts5_query('putin "grain exports" or wheat -oil') == (
        '("putin" AND ("grain exports" OR "wheat")) NOT ("oil")'
    )
    assert search.fts5_query('NEAR( "" *') == '"NEAR"'


def test_the_article_fixture_text_is_searchable(article, alice):
    assert ARTICLE_TEXT.split()[1] == "mayor"
    assert found("mayor", alice) == [("article", article.pk)]


# --------------------------------------------------------------------------- visitors
# What a visitor finds follows every door a claim is published or taken down through. On
# PostgreSQL the search also reads each row's count of published claims (kept by a trigger,
# migration 0018_search_speed) to use the partial indexes: these stories check it stays true.


def public_hits(query):
    return set(found(query, AnonymousUser()))


def published_counts(*rows):
    """Each row's ``published_claims`` as the trigger keeps it and as the claims say."""
    counted = {}
    with connection.cursor() as cursor:
        for row in rows:
            table, column = row._meta.db_table, f"{row._meta.model_name}_id"
            cursor.execute(f"SELECT published_claims FROM {table} WHERE id = %s", [row.pk])  # noqa: S608
            kept = cursor.fetchone()[0]
            truth = Claim.objects.filter(status="published", **{column: row.pk}).count()
            counted[f"{row._meta.model_name} {row.pk}"] = (kept, truth)
    return counted


def assert_counts_true(*rows):
    if connection.vendor == "postgresql":
        for name, (kept, truth) in published_counts(*rows).items():
            assert kept == truth, name


def test_a_visitor_stops_finding_what_is_unpublished_and_finds_it_again(attributed, dana):
    article, speaker, statement = attributed.article, attributed.speaker, attributed.statement
    everything = {
        ("article", article.pk),
        ("claim", attributed.pk),
        ("speaker", speaker.pk),
        ("statement", statement.pk),
    }

    def visible():  # the claim and its article, its speaker, its statement
        return public_hits("ridership") | public_hits("Nordhavn") | public_hits("annual report")

    assert visible() == everything
    assert_counts_true(article, speaker, statement)

    actions.unpublish_claim(claim=attributed, by=dana, note="Checking the figure again")
    assert visible() == set()
    assert_counts_true(article, speaker, statement)

    verdict = attributed.verdicts.get(status="submitted")  # sent back to the queue
    actions.approve_verdict(verdict=verdict, by=dana)
    assert visible() == everything
    assert_counts_true(article, speaker, statement)


def test_a_visitor_stops_finding_what_is_rejected_or_deleted(attributed, dana):
    article, speaker = attributed.article, attributed.speaker
    actions.reject_claim(claim=attributed, by=dana, note="Not check-worthy after all")
    assert public_hits("ridership") == set()
    assert_counts_true(article, speaker)

    # Published again (a reopened claim whose verdict is approved), then deleted.
    actions.reopen_claim(claim=attributed, by=dana)
    actions.approve_verdict(verdict=attributed.verdicts.get(status="submitted"), by=dana)
    assert ("article", article.pk) in public_hits("ridership")
    actions.delete_claim(claim=attributed, by=dana)
    assert public_hits("ridership") == public_hits("Nordhavn") == set()
    assert_counts_true(article, speaker)


def test_a_merge_carries_what_a_visitor_finds_to_the_survivor(attributed, claim, dana):
    """The published claim's speaker and statement fold into the unpublished claim's."""
    old_speaker, old_statement = attributed.speaker, attributed.statement
    survivor = claim.speaker
    assert ("speaker", survivor.pk) not in public_hits("Berg")
    actions.merge_speakers(survivor=survivor, others=[old_speaker], by=dana)
    assert public_hits("Berg") >= {("speaker", survivor.pk)}
    assert_counts_true(survivor)

    kept = claim.statement
    actions.merge_statements(survivor=kept, others=[Statement.objects.get(pk=old_statement.pk)])
    assert ("statement", kept.pk) in public_hits("Radio")
    assert_counts_true(kept)


def test_claims_written_outside_the_actions_are_counted_too(article, alice):
    """The admin, imports and scripts write claims without the actions: the count is the
    database's, so it follows them all (published on creation, a bulk update, a delete)."""
    speaker = Speaker.objects.create(name="Ingrid Holm")
    made = Claim.objects.create(
        article=article, start=4, end=9, quote="mayor", speaker=speaker, status="published"
    )
    assert ("article", article.pk) in public_hits("mayor")
    assert_counts_true(article, speaker)
    Claim.objects.filter(pk=made.pk).update(status="open")
    assert public_hits("mayor") == set()
    assert_counts_true(article, speaker)
    Claim.objects.filter(pk=made.pk).update(status="published")
    Claim.objects.filter(pk=made.pk).delete()
    assert public_hits("Holm") == set()
    assert_counts_true(article, speaker)

    # Many in one statement (an import): each row counted once, whatever else it held.
    other = Speaker.objects.create(name="Per Lund")
    Claim.objects.bulk_create(
        Claim(article=article, start=4, end=9, quote="mayor", speaker=who, status=status)
        for who, status in [(speaker, "published"), (speaker, "published"), (other, "open")]
    )
    assert_counts_true(article, speaker, other)
    Claim.objects.filter(article=article).update(speaker=other)  # two move, one was open
    assert public_hits("Holm") == set() and ("speaker", other.pk) in public_hits("Lund")
    assert_counts_true(article, speaker, other)


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plans and session settings"
)


@postgres_only
def test_a_visitors_search_reads_the_partial_indexes(attributed):
    """A visitor's search can read the indexes of public rows and of published claims: its
    conditions imply theirs. Among 2,000 articles and 4,000 claims (on a table of three rows
    any plan walks the primary key); the articles' condition is asked alone, since with so
    few published claims PostgreSQL may well start from those instead (visible_to's part)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO factcheck_article (title, url, url_key, publisher, byline, language, "
            "text, created_at, updated_at, revision, version) SELECT 'Ferry ' || g, '', '', "
            "'', '', 'en', 'The ferry ridership report number ' || g, now(), now(), 1, 1 "
            "FROM generate_series(1, 2000) g"
        )
        cursor.execute(
            'INSERT INTO factcheck_claim (article_id, start, "end", quote, prefix, suffix, '
            "kind, summary, check_worthy, status, created_at, updated_at, version, "
            "moderation_note, anchor_state) SELECT a.id, 4, 9, 'ferry ridership', '', '', "
            "'author_claim', '', true, 'open', now(), now(), 1, '', 'ok' "
            "FROM factcheck_article a, generate_series(1, 2) WHERE a.title LIKE %s",
            ["Ferry %"],
        )
        for table in ("factcheck_article", "factcheck_claim"):
            cursor.execute(f"ANALYZE {table}")
    backend = search._Postgres("ridership")
    plans = {}
    with backend.planned(), connection.cursor() as cursor:
        for name in ("article", "claim"):
            spec = search.SPECS[name]
            scope = {  # the articles' own condition alone; a visitor's claims
                "article": Article.objects.all(),
                "claim": Claim.objects.visible_to(AnonymousUser()),
            }[name]
            rows = backend.matching(spec, scope, public=True)
            rows = rows.order_by().values_list("search_rank", "pk")[: search.MAX_HITS + 1]
            sql, params = rows.query.get_compiler(using="default").as_sql()
            cursor.execute("EXPLAIN " + sql, params)
            plans[name] = "\n".join(line for (line,) in cursor.fetchall())
    assert "factcheck_article_search_public" in plans["article"], plans["article"]
    assert "factcheck_claim_search_published" in plans["claim"], plans["claim"]
    assert found("ridership", AnonymousUser(), kinds=["article"]) == [
        ("article", attributed.article_id)
    ]


@postgres_only
def test_the_planner_settings_are_put_back_after_a_search(alice, article):
    def settings():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('jit')")
            return cursor.fetchone()

    with transaction.atomic():  # a caller's transaction, which SET LOCAL would outlive
        before = settings()
        assert found("mayor", alice) == [("article", article.pk)]
        assert settings() == before
