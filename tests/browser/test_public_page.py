"""The public fact-check page of a published claim, with no sign-in."""

import pytest

from factcheck import actions

pytestmark = pytest.mark.django_db(transaction=True)


def test_anyone_reads_a_published_fact_check(
    page, live_server, screenshot, claim, bob, dana, ratings
):
    verdict = actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["Mostly true"],
        rationale="Operator filings show a 31% fall between 2008 and 2025.",
        sources=[actions.Source(url="https://example.org/filings", title="Annual filings")],
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    page.set_viewport_size({"width": 1280, "height": 900})
    response = page.goto(f"{live_server.url}/factchecks/{claim.pk}/")
    assert response.status == 200
    assert page.locator("[data-testid=factcheck-rating]").text_content() == "Mostly true"
    assert "31% fall" in page.locator("[data-testid=factcheck-rationale]").text_content()
    assert (
        page.locator("[data-testid=factcheck-sources] a").get_attribute("href")
        == "https://example.org/filings"
    )
    assert page.locator("[data-testid=factcheck-quote]").text_content() == claim.quote
    assert page.locator("text=Sign in").count() >= 1  # nobody is signed in
    # The rating in its place on the scale, in its colour (issue 15), and who and when.
    scale = page.locator("[data-testid=rating-scale] li")
    assert scale.count() == len(ratings)
    current = page.locator("[data-testid=rating-scale] li[aria-current=true]")
    assert current.get_attribute("data-rating") == "Mostly true"
    assert current.locator("rect").get_attribute("fill") == ratings["Mostly true"].colour
    box, first = current.bounding_box(), scale.first.bounding_box()
    assert box["width"] > 30 and box["x"] > first["x"]  # a visible step, not the first one
    byline = page.locator("[data-testid=factcheck-byline]").inner_text()
    assert "Reviewed by bob; approved by dana." in byline
    assert "Published" in byline and "Last updated" in byline
    assert page.locator("[data-testid=factcheck-source]").get_attribute("href") == claim.article.url
    screenshot("public-factcheck-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("public-factcheck-mobile")


def test_an_unpublished_claim_is_not_found(page, live_server, claim):
    assert page.goto(f"{live_server.url}/factchecks/{claim.pk}/").status == 404


def test_the_browser_finds_the_icon(page, live_server, claim):
    """Issue 15: /favicon.ico was a 404 in every browser's log."""
    failed = []
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    response = page.goto(f"{live_server.url}/favicon.ico")
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg")
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("networkidle")
    assert failed == []
