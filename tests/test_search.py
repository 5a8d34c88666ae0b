"""factcheck.search: one query API over PostgreSQL's full-text search and SQLite's FTS5."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from factcheck import actions, search
from factcheck.models import Speaker, Statement
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
