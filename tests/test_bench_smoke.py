"""A tiny run of the benchmark's generator and its query counts (``make bench`` is the real one).

No timing is asserted here: only that the data set is valid and reproducible, and that every
page and endpoint answers with a number of SQL queries that does not grow with the rows.
"""

import pytest
from django.db import transaction

from bench.endpoints import ENDPOINTS
from bench.generate import Size, generate
from bench.queries import count_queries, table
from bench.run import targets
from factcheck.models import Article, Claim, Speaker, Statement, Verdict

TINY = Size(
    articles=3,
    claims_per_article=6,
    article_chars=900,
    big_article_chars=4000,
    big_article_claims=40,
    speakers=6,
    statements_per_speaker=2,
)


def make(seed=7):
    """Generate TINY in a savepoint that is rolled back; return what was made."""
    with transaction.atomic():
        data = generate(TINY, seed=seed)
        quotes = list(Claim.objects.order_by("pk").values_list("article__title", "start", "quote"))
        made = {
            "data": data,
            "quotes": quotes,
            "articles": Article.objects.count(),
            "claims": list(Claim.objects.select_related("article", "statement")),
            "speakers": Speaker.objects.count(),
            "statements": Statement.objects.count(),
            "verdicts": Verdict.objects.count(),
        }
        transaction.set_rollback(True)
    return made


def test_generator_makes_valid_claims_and_reports_its_load_rate(db):
    made = make()
    data = made["data"]
    assert made["articles"] == 4  # three small ones and the long one
    assert made["speakers"] == 6 and made["statements"] == 12
    assert data.rows["claims"] == len(made["claims"]) > 50
    assert data.rows_per_second > 0 and data.claims_per_second > 0
    assert data.big_article_id and data.small_article_id
    for claim in made["claims"]:
        # What the model would check on save, had bulk_create not skipped it.
        claim.check_against_text()
        assert claim.prefix == claim.article.text[max(0, claim.start - 32) : claim.start]
    by_article = {}
    for claim in made["claims"]:
        by_article.setdefault(claim.article_id, []).append(claim)
    assert len(by_article[data.big_article_id]) == 40
    # Claims never overlap, so every one is a separate highlight.
    for claims in by_article.values():
        claims.sort(key=lambda c: c.start)
        assert all(a.end <= b.start for a, b in zip(claims, claims[1:], strict=False))
    statuses = {c.status for c in made["claims"]}
    assert {"open", "in_review", "published"} <= statuses


def test_generator_is_reproducible(db):
    assert make(seed=7)["quotes"] == make(seed=7)["quotes"]
    assert make(seed=7)["quotes"] != make(seed=8)["quotes"]


@pytest.mark.urls("bench.urls")  # factcheck's URLs plus the ceiling view
def test_queries_per_request_do_not_grow_with_rows(db):
    results = count_queries(rows_list=(5, 60))
    for endpoint in ENDPOINTS:
        entry = results[endpoint.key]
        if not entry.get("available"):
            continue  # a page not built yet is reported, not failed
        assert all(status < 400 for status in entry["status"].values()), (endpoint.key, entry)
        if not endpoint.export:  # exports read in chunks: a query per chunk, not per row
            assert entry["constant"], (endpoint.key, entry["queries"])
    assert results["ceiling"]["queries"] == {5: 0, 60: 0}
    page = results["article_page"]
    if page.get("available"):
        assert max(page["queries"].values()) <= 10
    # The report's table and verdicts are built from the same numbers.
    text = table(results, (5, 60))
    assert "| Ceiling: bare Django JSON view | 0 | 0 | yes |" in text
    verdicts = targets({"queries": results})
    assert any("Article page" in t["target"] for t in verdicts) == bool(page.get("available"))


@pytest.mark.parametrize(
    "scale, articles, highlights", [(1, 1000, 1000), (10, 10000, 1000), (0.01, 10, 20)]
)
def test_scale_sizes_the_data_set(scale, articles, highlights):
    size = Size.scaled(scale)
    assert size.articles == articles
    assert size.big_article_claims == highlights
    assert size.claims == articles * 100 + highlights


@pytest.mark.urls("bench.urls")
def test_the_search_part_times_every_query_in_process_and_through_the_api(db):
    from bench.search import QUERIES, here_user, measure

    with transaction.atomic():
        generate(TINY, seed=7)
        results = measure(repeat=1, desk_username=here_user())
        transaction.set_rollback(True)
    assert len(results) == 2 * len(QUERIES)  # a desk member and an anonymous visitor each
    for entry in results.values():
        assert entry["search"]["median_ms"] > 0 and entry["api"]["p95_ms"] > 0
