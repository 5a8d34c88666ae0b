"""The reading page's "Checked before?" panel, in Chromium: select text that repeats a
published fact-check and the side panel lists it (issue 19)."""

import pytest

from factcheck import actions
from tests.browser.test_annotate import poll, select_by_mouse

pytestmark = pytest.mark.django_db(transaction=True)

EARLIER = "The health minister said hospital waiting lists grew by 40,000 patients last winter.\n"
CLAIMED = "hospital waiting lists grew by 40,000 patients last winter"
NEW = (
    "At the debate, the opposition leader repeated that hospital waiting lists grew by 40,000 "
    "patients last winter.\n"
    "She also promised a new bridge over the fjord by 2031.\n"
)
# A speaker's name that would run as HTML if it were written as HTML.
HOSTILE = '<img src=x data-x="1" onerror="document.title=1">Dr. Nils Moe'


@pytest.fixture
def fact_check(alice, bob, dana, ratings):
    article = actions.create_article(title="Winter in the wards", text=EARLIER, by=alice)
    start = EARLIER.index(CLAIMED)
    claim = actions.create_claim(
        article=article, by=alice, start=start, end=start + len(CLAIMED), speaker_name=HOSTILE
    )
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["False"], rationale="The lists grew by 4,000."
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    return claim


@pytest.fixture
def debate(alice):
    return actions.create_article(title="The debate", text=NEW, by=alice)


def match_requests(page):
    """The match API requests the page sends, as paths with their query."""
    seen = []

    def record(request):
        if "/matches/" in request.url or "/factchecks/match/" in request.url:
            seen.append("/" + request.url.split("/", 3)[3])

    page.on("request", record)
    return seen


def items(page):
    return page.locator("[data-testid=match-list] li[data-match-claim]")


def test_selecting_text_that_was_checked_before_lists_the_fact_check(
    page, live_server, sign_in, alice, fact_check, debate, screenshot
):
    sign_in(alice)
    page.goto(f"{live_server.url}/articles/{debate.pk}/")
    page.wait_for_selector("html[data-annotate-ready]", state="attached")
    panel = page.locator("[data-testid=match-panel]")
    assert panel.is_hidden()  # nothing selected, nothing asked
    asked = match_requests(page)
    start = NEW.index(CLAIMED)
    select_by_mouse(page, start, start + len(CLAIMED))
    page.locator("[data-testid=claim-form]").wait_for(state="visible")
    poll(lambda: items(page).count() > 0)
    item = items(page).first
    assert item.get_attribute("data-match-claim") == str(fact_check.pk)
    assert item.locator("[data-testid=strong-match]").count() == 1
    assert item.locator("[data-testid=match-rating]").inner_text() == "False"
    assert item.locator("[data-testid=match-quote]").inner_text() == CLAIMED
    # Data is text, never markup: the hostile name shows as typed, and no <img> was made.
    assert item.locator("[data-testid=match-speaker]").inner_text() == HOSTILE
    assert panel.locator("img").count() == 0
    assert float(item.locator("[data-testid=match-score]").inner_text().split()[-1]) > 0
    link = item.locator("[data-testid=match-link]")
    assert link.get_attribute("href") == f"/factchecks/{fact_check.pk}/"
    assert "1 earlier fact-check" in page.locator("[data-testid=match-status]").inner_text()
    # One request for one selection (the drag asks once it settles), for the selected words.
    assert len(asked) == 1 and asked[0].startswith("/api/v1/factchecks/match/?q=hospital+waiting")
    screenshot("match-panel")
    # The keyboard reaches the fact-check: Tab from the form's last button.
    page.focus("[data-testid=claim-cancel]")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.testid") == "match-link"
    # Cancelling the claim (no claim selected) puts the panel away.
    page.keyboard.press("Escape")
    poll(panel.is_hidden)


def test_selecting_text_with_no_earlier_check_says_so(
    page, live_server, sign_in, alice, fact_check, debate
):
    sign_in(alice)
    page.goto(f"{live_server.url}/articles/{debate.pk}/")
    page.wait_for_selector("html[data-annotate-ready]", state="attached")
    start = NEW.index("a new bridge over the fjord")
    select_by_mouse(page, start, start + len("a new bridge over the fjord"))
    status = page.locator("[data-testid=match-status]")
    poll(lambda: "Looking" not in status.inner_text() and status.inner_text() != "")
    assert page.locator("[data-testid=strong-match]").count() == 0


def test_a_selected_claim_shows_its_earlier_fact_checks(
    page, live_server, sign_in, alice, fact_check, debate
):
    start = NEW.index(CLAIMED)
    repeat = actions.create_claim(
        article=debate, by=alice, start=start, end=start + len(CLAIMED), speaker_name="Leader"
    )
    sign_in(alice)
    asked = match_requests(page)
    page.goto(f"{live_server.url}/articles/{debate.pk}/")
    page.wait_for_selector("html[data-annotate-ready]", state="attached")
    page.click(f'[data-testid=claim-list] li[data-claim-id="{repeat.pk}"] [data-action=pick]')
    poll(lambda: items(page).count() > 0)
    assert items(page).first.get_attribute("data-match-claim") == str(fact_check.pk)
    assert "for the selected claim" in page.locator("[data-testid=match-for]").inner_text()
    assert asked == [f"/api/v1/claims/{repeat.pk}/matches/?limit=5"]


def test_a_request_no_longer_wanted_is_aborted(
    page, live_server, sign_in, alice, fact_check, debate
):
    sign_in(alice)
    page.goto(f"{live_server.url}/articles/{debate.pk}/")
    page.wait_for_selector("html[data-annotate-ready]", state="attached")
    held, aborted = [], []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)  # never answered: the page must give up on it

    page.route("**/api/v1/factchecks/match/**", hold_the_first)
    page.on("requestfailed", lambda request: aborted.append(request.url))
    start = NEW.index(CLAIMED)
    select_by_mouse(page, start, start + len(CLAIMED))
    # (Playwright hands over routes and events only while it is called: wait through it.)
    poll(lambda: page.wait_for_timeout(20) or held)
    # Another selection while the first is still asked for.
    other = NEW.index("a new bridge over the fjord")
    select_by_mouse(page, other, other + len("a new bridge over the fjord"))
    poll(lambda: page.wait_for_timeout(20) or aborted)
    assert "hospital" in aborted[0]
    status = page.locator("[data-testid=match-status]")
    poll(lambda: status.inner_text() == "No earlier fact-check found.")
    assert items(page).count() == 0  # the first selection's answer never shows


def test_the_review_queue_shows_a_claim_checked_before(
    page, live_server, sign_in, alice, bob, fact_check, debate
):
    start = NEW.index(CLAIMED)
    repeat = actions.create_claim(
        article=debate, by=alice, start=start, end=start + len(CLAIMED), speaker_name="Leader"
    )
    other = NEW.index("a new bridge over the fjord")
    fresh = actions.create_claim(
        article=debate, by=alice, start=other, end=other + 27, speaker_name="Leader"
    )
    sign_in(bob)
    asked = match_requests(page)
    for visit in ("asked of the API", "kept"):
        asked.clear()
        page.goto(f"{live_server.url}/review/")
        page.wait_for_selector("html[data-queue-ready]", state="attached")
        entry = page.locator(f'[data-testid=review-queue] li[data-claim-id="{repeat.pk}"]')
        found = entry.locator("[data-testid=earlier-checks] li[data-match-claim]")
        assert found.count() == 1, visit
        assert found.get_attribute("data-match-claim") == str(fact_check.pk)
        assert found.locator("[data-testid=strong-match]").count() == 1
        assert found.locator("[data-testid=match-speaker]").inner_text() == HOSTILE
        assert entry.locator("img").count() == 0
        nothing = page.locator(f'[data-testid=review-queue] li[data-claim-id="{fresh.pk}"]')
        assert nothing.locator("[data-testid=earlier-checks]").is_hidden()
        # The first visit asks for both claims; the second finds them kept, in the page.
        assert len(asked) == (2 if visit == "asked of the API" else 0), asked
