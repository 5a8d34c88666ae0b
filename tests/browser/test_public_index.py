"""The public index of fact-checks, a speaker's and a statement's page, the sitemap and the
feed, read as an anonymous visitor."""

import pytest

from factcheck import actions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(claim, bob, dana, ratings):
    verdict = actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["Mostly true"],
        rationale="Operator filings show a 31% fall.",
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    return claim


def test_index_speaker_and_statement_pages(page, live_server, published, screenshot):
    claim = published
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.goto(f"{live_server.url}/factchecks/").status == 200
    items = page.locator("[data-testid=factcheck-items] li")
    assert items.count() == 1
    assert "Mostly true" in items.first.inner_text()
    screenshot("public-index")
    # Filter by a rating it does not have, then by its own.
    page.select_option("#f-rating", label="False")
    page.click("[data-testid=factcheck-filters] button")
    assert (
        "No published fact-checks match"
        in page.locator("[data-testid=factcheck-items]").inner_text()
    )
    page.select_option("#f-rating", label="Mostly true")
    page.click("[data-testid=factcheck-filters] button")
    assert page.locator("[data-testid=factcheck-items] li").count() == 1
    # The speaker's page, then the statement's, from the index's links.
    page.click(f"a[href='/factchecks/speakers/{claim.speaker_id}/']")
    assert page.locator("h1").text_content() == "What Tomas Berg said, and what we found"
    page.goto(f"{live_server.url}/factchecks/{claim.pk}/")
    page.click("[data-testid=factcheck-statement]")
    assert page.locator("h1").text_content() == "Interview with Radio Nordhavn"
    assert page.locator(f"a[href='/factchecks/{claim.pk}/']").count() == 1


def test_sitemap_and_feed(page, live_server, published):
    index = page.request.get(f"{live_server.url}/sitemap.xml")
    assert index.status == 200
    assert f"{live_server.url}/sitemap-factchecks.xml</loc>" in index.text()
    sitemap = page.request.get(f"{live_server.url}/sitemap-factchecks.xml")
    assert sitemap.status == 200
    assert f"/factchecks/{published.pk}/</loc>" in sitemap.text()
    feed = page.request.get(f"{live_server.url}/factchecks/feed/")
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert "Ferry ridership fell by a third: Mostly true" in feed.text()
    # The index announces the feed to browsers and feed readers.
    page.goto(f"{live_server.url}/factchecks/")
    link = page.locator("link[type='application/atom+xml']")
    assert link.get_attribute("href") == "/factchecks/feed/"
