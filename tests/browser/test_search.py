"""Search from the header box, the /search/ page's filters and the search API as a page's
script calls it; the desk's /claims/ page with its filters, sort and a bulk action, in
Chromium."""

import re
import time

import pytest

from factcheck import actions
from factcheck.models import Claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KREMLIN = "Vladimir Putin told reporters that grain exports had doubled since January.\n"


def test_the_header_box_finds_the_article_that_quotes_putin(
    page, live_server, sign_in, alice, claim, screenshot
):
    kremlin = actions.create_article(title="Talks to resume", text=KREMLIN, by=alice)
    sign_in(alice)
    page.goto(f"{live_server.url}/articles/")
    page.fill("#site-search-q", "Putin")
    page.press("#site-search-q", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q=Putin"))
    hit = page.locator(f'[data-hit="article-{kremlin.pk}"]')
    assert hit.locator("mark").inner_text() == "Putin"
    # Filters are a GET form: claims only, of one kind.
    page.fill("#search-q", "ridership")
    page.select_option("#search-type", "claim")
    page.select_option("#search-kind", "indirect_quote")
    page.click('[data-testid="search-form"] button[type=submit]')
    page.wait_for_url(re.compile(r"type=claim"))
    assert page.locator(f'[data-hit="claim-{claim.pk}"]').count() == 1
    assert page.locator('[data-testid="search-group-article"]').count() == 0
    screenshot("search")
    page.click(f'[data-hit="claim-{claim.pk}"] a')
    page.wait_for_url(re.compile(rf"/claims/{claim.pk}/"))


def test_an_anonymous_visitor_searches_published_fact_checks(page, live_server, attributed):
    page.goto(f"{live_server.url}/search/?q=ridership")
    page.click(f'[data-hit="claim-{attributed.pk}"] a')
    page.wait_for_url(re.compile(rf"/factchecks/{attributed.pk}/"))


SEARCH_API = """async (query) => {
    const answer = await fetch('/api/v1/search/?' + query, {headers: {Accept: 'application/json'}});
    return {status: answer.status, body: await answer.json()};
}"""


def test_the_search_api_answers_the_browsers_session(page, live_server, sign_in, alice, attributed):
    kremlin = actions.create_article(title="Talks to resume", text=KREMLIN, by=alice)
    # A visitor's browser: published material only, the claim's hit its public page.
    page.goto(f"{live_server.url}/factchecks/")
    answer = page.evaluate(SEARCH_API, "q=ridership+or+putin")
    assert answer["status"] == 200
    assert [(h["type"], h["url"]) for h in answer["body"]["results"] if h["type"] == "claim"] == [
        ("claim", f"/factchecks/{attributed.pk}/")
    ]
    assert answer["body"]["counts"]["article"] == 1  # the fact-check's, not the Kremlin's
    # Signed in (the session, no token): everything the desk may see, the match marked.
    sign_in(alice)
    answer = page.evaluate(SEARCH_API, "q=Putin&type=article")
    [hit] = answer["body"]["results"]
    assert (hit["id"], hit["url"]) == (kremlin.pk, f"/articles/{kremlin.pk}/")
    assert "<mark>Putin</mark>" in hit["snippet"]
    # Bad input is a 400 in JSON naming the field.
    answer = page.evaluate(SEARCH_API, "q=&type=nonsense")
    assert answer["status"] == 400 and {"q", "type"} <= set(answer["body"])


def test_the_claims_page_filters_sorts_and_rejects_in_bulk(
    page, live_server, sign_in, dana, alice, claim, attributed, screenshot
):
    quote = "the bridge carries 38,000 vehicles a day"
    start = claim.article.text.index(quote)
    other = actions.create_claim(
        article=claim.article, by=alice, start=start, end=start + len(quote), speaker_name="Ada"
    )
    sign_in(dana)
    page.goto(f"{live_server.url}/claims/")
    rows = page.locator('[data-testid="claim-table"] tbody tr')
    assert rows.count() == 3
    page.select_option("#filter-status", "open")
    page.select_option("#filter-sort", "oldest")
    page.click('[data-testid="claim-filters"] button[type=submit]')
    page.wait_for_url(re.compile(r"status=open"))
    ids = [int(r.get_attribute("data-claim-id")) for r in rows.all()]
    assert ids == [claim.pk, other.pk]
    page.check(f"#select-{other.pk}")
    page.select_option("#bulk-action", "reject")
    page.fill("#bulk-note", "Not a factual claim")
    page.click('[data-testid="bulk-apply"]')
    page.wait_for_selector(".messages")
    assert "1 claim rejected" in page.locator(".messages").inner_text()
    deadline = time.monotonic() + 5
    while Claim.objects.get(pk=other.pk).status != "rejected" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Claim.objects.get(pk=other.pk).status == "rejected"
    # Back on the same filtered list, which no longer holds it.
    assert "status=open" in page.url
    assert [int(r.get_attribute("data-claim-id")) for r in rows.all()] == [claim.pk]
    screenshot("claims")
