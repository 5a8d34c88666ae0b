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
    screenshot("public-factcheck-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("public-factcheck-mobile")


def test_an_unpublished_claim_is_not_found(page, live_server, claim):
    assert page.goto(f"{live_server.url}/factchecks/{claim.pk}/").status == 404
