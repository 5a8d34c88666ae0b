"""Reviewing in Chromium: the queue, a verdict with sources, blind review, and refusals."""

import pytest

from factcheck import actions
from factcheck.models import Claim, Verdict
from tests.conftest import ARTICLE_TEXT

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def claims(article, alice):
    quotes = ["ridership fell by a third", "the bridge carries 38,000 vehicles a day"]
    return [
        actions.create_claim(
            article=article,
            by=alice,
            start=ARTICLE_TEXT.index(q),
            end=ARTICLE_TEXT.index(q) + len(q),
            speaker_name=speaker,
            statement_title=statement,
        )
        for q, speaker, statement in zip(
            quotes,
            ["Tomas Berg", "Regional Transport Authority"],
            ["Interview with Radio Nordhavn", "Communiqué on the bridge toll"],
            strict=True,
        )
    ]


def test_a_reviewer_submits_a_verdict_from_the_queue(
    page, live_server, sign_in, screenshot, bob, carol, claims, ratings
):
    ferry, bridge = claims
    # carol has already judged the ferry claim; bob must not see her verdict before his own.
    actions.save_verdict(
        claim=ferry, reviewer=carol, rating=ratings["False"], rationale="Carol's reasoning"
    )
    sign_in(bob)
    page.goto(f"{live_server.url}/review/")
    queue = page.locator("[data-testid=review-queue]")
    assert queue.locator("li[data-claim-id]").count() == 2
    # Filter by speaker.
    page.select_option("#filter-speaker", label="Tomas Berg")
    page.click("[data-testid=review-filters] button[type=submit]")
    assert queue.locator("li[data-claim-id]").count() == 1
    screenshot("review-queue-desktop")
    queue.locator(f'li[data-claim-id="{ferry.pk}"] [data-testid=review-open]').click()
    page.wait_for_url(f"**/claims/{ferry.pk}/?speaker={ferry.speaker_id}")
    assert (
        "ridership fell by a third"
        in page.locator("[data-testid=claim-context] mark").text_content()
    )
    assert page.locator("[data-testid=blind-note]").is_visible()
    assert "Carol's reasoning" not in page.content()

    form = page.locator("[data-testid=verdict-form]")
    form.locator("[name=rating]").select_option(label="Mostly true")
    form.locator("[name=rationale]").fill("Operator filings show a 31% fall.")
    form.locator("[name=sources]").fill(
        "https://example.org/filings | Annual filings | passengers fell from 1.9m to 1.3m\n"
        "https://example.org/radio"
    )
    screenshot("claim-verdict-form-desktop")
    form.locator("[data-testid=verdict-save]").click()
    page.wait_for_selector("[data-testid=my-verdict]")

    verdict = Verdict.objects.get(claim=ferry, reviewer=bob)
    assert verdict.rating.label == "Mostly true"
    assert verdict.status == "submitted"
    assert [(s.url, s.title, s.excerpt) for s in verdict.sources.all()] == [
        ("https://example.org/filings", "Annual filings", "passengers fell from 1.9m to 1.3m"),
        ("https://example.org/radio", "", ""),
    ]
    assert Claim.objects.get(pk=ferry.pk).status == "in_review"
    # Now that bob has submitted, carol's verdict is shown to him.
    assert "Carol's reasoning" in page.locator("[data-testid=other-verdict]").text_content()
    page.goto(f"{live_server.url}/review/")
    assert page.locator(f'li[data-claim-id="{ferry.pk}"]').count() == 0
    assert page.locator(f'li[data-claim-id="{bridge.pk}"]').count() == 1


def test_a_bad_source_url_is_shown_on_the_form(page, live_server, sign_in, bob, claims, ratings):
    sign_in(bob)
    page.goto(f"{live_server.url}/claims/{claims[0].pk}/")
    form = page.locator("[data-testid=verdict-form]")
    form.locator("[name=rating]").select_option(label="False")
    form.locator("[name=sources]").fill("javascript:alert(1)")
    form.locator("[data-testid=verdict-save]").click()
    errors = page.locator("[data-testid=sources-errors]")
    errors.wait_for()
    assert "Line 1" in errors.text_content()
    assert not Verdict.objects.exists()


def test_an_annotator_is_refused_the_review_page(page, live_server, sign_in, alice, claims):
    sign_in(alice)
    response = page.goto(f"{live_server.url}/review/")
    assert response.status == 403
    assert "reviewer role" in page.locator("[data-testid=forbidden]").text_content()
    # The claim page shows no verdict form to an annotator.
    page.goto(f"{live_server.url}/claims/{claims[0].pk}/")
    assert page.locator("[data-testid=verdict-form]").count() == 0


def test_draft_and_submit_say_different_things_and_a_blank_why_is_refused(
    page, live_server, sign_in, bob, claims, ratings
):
    """Issue 15, bug 11: "Save draft" said what "Submit verdict" said, and a verdict with no
    rationale was submitted."""
    ferry, _ = claims
    sign_in(bob)
    page.goto(f"{live_server.url}/claims/{ferry.pk}/")
    form = page.locator("[data-testid=verdict-form]")
    form.locator("[name=rating]").select_option(label="False")
    form.locator("[data-testid=verdict-draft]").click()
    page.wait_for_selector(".messages")
    draft_said = page.locator(".messages").inner_text()
    assert draft_said.startswith("Draft saved.")
    form.locator("[data-testid=verdict-save]").click()  # still no rationale
    errors = page.locator("[data-testid=rationale-errors]")
    errors.wait_for()
    assert "Say why" in errors.inner_text()
    assert Verdict.objects.get(claim=ferry).status == "draft"
    form.locator("[name=rationale]").fill("The operator's filings say a fifth, not a third.")
    form.locator("[data-testid=verdict-save]").click()
    page.wait_for_selector("[data-testid=my-verdict]")
    submit_said = page.locator(".messages").inner_text()
    assert submit_said.startswith("Verdict submitted for moderation.")
    assert submit_said != draft_said
    assert Verdict.objects.get(claim=ferry).status == "submitted"


def test_the_next_claim_button_walks_the_filtered_queue(
    page, live_server, sign_in, screenshot, bob, claims, ratings, article, alice
):
    ferry, bridge = claims
    q = "The mayor said the bridge"
    again = actions.create_claim(
        article=article,
        by=alice,
        start=ARTICLE_TEXT.index(q),
        end=ARTICLE_TEXT.index(q) + len(q),
        speaker_name="Regional Transport Authority",
    )
    sign_in(bob)
    page.goto(f"{live_server.url}/review/")
    page.select_option("#filter-speaker", label="Regional Transport Authority")
    page.click("[data-testid=review-filters] button[type=submit]")
    assert page.locator("[data-testid=queue-waiting]").inner_text() == "2"
    page.locator("[data-testid=review-open]").first.click()
    page.wait_for_url(f"**/claims/{bridge.pk}/?speaker={bridge.speaker_id}")
    form = page.locator("[data-testid=verdict-form]")
    form.locator("[name=rating]").select_option(label="True")
    form.locator("[name=rationale]").fill("The 2025 counter data agree.")
    form.locator("[data-testid=verdict-save]").click()
    page.locator("[data-testid=next-claim]").click()
    page.wait_for_url(f"**/claims/{again.pk}/?speaker={bridge.speaker_id}")  # not the ferry
    screenshot("claim-next-in-queue")
    page.locator("[data-testid=back-to-queue]").click()
    assert page.locator("#filter-speaker option:checked").inner_text() == (
        "Regional Transport Authority"
    )
    assert page.locator("[data-testid=queue-waiting]").inner_text() == "1"
    assert page.locator("[data-testid=queue-done]").inner_text() == "1"
    assert ferry.pk not in [
        int(x)
        for x in page.locator("li[data-claim-id]").evaluate_all(
            "els => els.map(e => e.dataset.claimId)"
        )
    ]


def test_the_context_is_cut_between_words(
    page, live_server, sign_in, alice, bob, sample_article_text
):
    """Issue 15: the claim page's context excerpt began and ended inside words ("…ouncil")."""
    article = actions.create_article(title="Sample", text=sample_article_text, by=alice)
    text = article.text
    start = text.index(" ", len(text) // 2) + 1
    end = text.index(" ", start + 40)
    claim = actions.create_claim(article=article, by=alice, start=start, end=end)
    sign_in(bob)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    context = page.locator("[data-testid=claim-context]").text_content()
    assert context.startswith("…") and context.endswith("…")
    shown = context[1:-1]
    at = text.index(shown)  # the excerpt is the article's own text, in one piece
    assert at < start and at + len(shown) > end
    over = at + len(shown)
    assert not (text[at - 1].isalnum() and text[at].isalnum()), shown[:40]
    assert not (text[over - 1].isalnum() and text[over].isalnum()), shown[-40:]
