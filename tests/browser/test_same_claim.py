"""Reusing a verdict in Chromium: a desk member links a claim said again to the earlier
fact-check from the claim page's matches, a moderator confirms, and both public pages show
the link."""

import pytest

from factcheck.models import Claim, ClaimLink

pytestmark = pytest.mark.django_db(transaction=True)


def test_link_from_the_claim_page_confirm_and_both_public_pages_show_it(
    page, live_server, sign_in, screenshot, alice, dana, attributed, repeat
):
    sign_in(alice)
    page.goto(f"{live_server.url}/claims/{repeat.pk}/")
    section = page.locator("[data-testid=same-claim]")
    match = section.locator(f'[data-testid=link-match][data-claim="{attributed.pk}"]')
    assert "ridership fell by a third" in match.locator("blockquote").text_content()
    screenshot("same-claim-matches-desktop")
    match.locator("[data-testid=link-this]").click()
    page.wait_for_selector("[data-testid=link-current]")
    assert "proposed" in section.locator("[data-testid=link-status]").text_content()
    assert section.locator("[data-testid=link-confirm]").count() == 0  # a moderator's step
    link = ClaimLink.objects.get()
    assert (link.earlier_id, link.status, link.proposed_by) == (attributed.pk, "proposed", alice)

    page.context.clear_cookies()
    sign_in(dana)
    page.goto(f"{live_server.url}/claims/{repeat.pk}/")
    page.locator("[data-testid=link-confirm]").click()
    page.wait_for_selector("[data-testid=link-status]:has-text('confirmed')")
    assert Claim.objects.get(pk=repeat.pk).status == "published"
    screenshot("same-claim-confirmed-desktop")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/factchecks/{repeat.pk}/")
    same_as = page.locator("[data-testid=factcheck-same-as]")
    assert "Same claim as the fact-check of Nordhavn Ferry Company" in same_as.text_content()
    assert (
        "The annual report says so."
        in page.locator("[data-testid=factcheck-rationale]").text_content()
    )
    same_as.locator("a").click()
    page.wait_for_url(f"**/factchecks/{attributed.pk}/")
    also = page.locator("[data-testid=factcheck-also-said]")
    assert "Harbour master Ines Holm" in also.text_content()
    assert "Council meeting notes" in also.text_content()
    screenshot("same-claim-public-earlier-desktop")
