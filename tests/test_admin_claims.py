"""The claim admin: the moderation queue, its filters, the change page and claim decisions."""

import pytest

from factcheck import actions
from factcheck.models import Article, Claim, Speaker, Verdict
from tests.conftest import ARTICLE_TEXT

LIST = "/admin/factcheck/claim/"


def claim_on(article, by, quote="the bridge carries 38,000 vehicles a day", **fields):
    start = article.text.index(quote)
    return actions.create_claim(
        article=article, by=by, start=start, end=start + len(quote), **fields
    )


def rate(claim, reviewer, rating):
    return actions.save_verdict(claim=claim, reviewer=reviewer, rating=rating, rationale="why")


@pytest.fixture
def desk(client, dana):
    client.force_login(dana)
    return client


@pytest.fixture
def disputed(article, alice, bob, carol, ratings):
    claim = claim_on(article, alice, speaker_name="Ada Mayor", summary="Disputed figure")
    rate(claim, bob, ratings["True"])
    rate(claim, carol, ratings["False"])
    return claim


@pytest.fixture
def agreed(article, alice, bob, carol, ratings):
    claim = claim_on(article, alice, speaker_name="Ada Mayor", summary="Agreed figure")
    rate(claim, bob, ratings["Mostly true"])
    rate(claim, carol, ratings["Mostly true"])
    return claim


def listed(response):
    return {c.pk for c in response.context["cl"].result_list}


def test_list_shows_counts_agreement_and_published_rating(desk, disputed, agreed, claim):
    response = desk.get(LIST)
    assert response.status_code == 200
    assert listed(response) == {disputed.pk, agreed.pk, claim.pk}
    page = response.text
    assert "✘ disagree" in page and "False, True" in page
    assert "✔ agree" in page and "2 × Mostly true" in page


def test_queue_filters(desk, disputed, agreed, claim, dana):
    assert listed(desk.get(LIST, {"queue": "disagree"})) == {disputed.pk}
    assert listed(desk.get(LIST, {"queue": "agree"})) == {agreed.pk}
    assert listed(desk.get(LIST, {"queue": "moderation"})) == {disputed.pk, agreed.pk}
    assert listed(desk.get(LIST, {"queue": "verdicts"})) == {claim.pk}
    actions.approve_verdict(verdict=agreed.verdicts.first(), by=dana)
    assert listed(desk.get(LIST, {"queue": "published"})) == {agreed.pk}
    assert listed(desk.get(LIST, {"queue": "moderation"})) == {disputed.pk}


def test_rating_speaker_statement_and_article_filters(desk, disputed, agreed, claim, ratings):
    assert listed(desk.get(LIST, {"rating": ratings["False"].pk})) == {disputed.pk}
    assert listed(desk.get(LIST, {"rating": "not-a-number"})) == {disputed.pk, agreed.pk, claim.pk}
    berg = Speaker.objects.get(name="Tomas Berg")
    assert listed(desk.get(LIST, {"speaker__id__exact": berg.pk})) == {claim.pk}
    assert listed(desk.get(LIST, {"statement__id__exact": claim.statement_id})) == {claim.pk}
    assert len(listed(desk.get(LIST, {"article__id__exact": claim.article_id}))) == 3


def test_filters_stay_short_on_a_big_desk(desk, claim, monkeypatch):
    """Past the limit the sidebar lists only the chosen speaker; filtering still works."""
    from factcheck.admin import BoundedRelatedFilter

    monkeypatch.setattr(BoundedRelatedFilter, "limit", 3)
    Speaker.objects.bulk_create(Speaker(name=f"Extra speaker {i}") for i in range(5))
    page = desk.get(LIST).text
    assert "Extra speaker" not in page
    response = desk.get(LIST, {"speaker__id__exact": claim.speaker_id})
    assert listed(response) == {claim.pk}
    assert "Tomas Berg" in response.text and "Extra speaker" not in response.text
    # An article's text (up to a megabyte) is never loaded for the list: only its title shows.
    row = response.context["cl"].result_list[0]
    assert "text" in row.article.get_deferred_fields()


def test_search_covers_quote_summary_speaker_names_and_aliases(desk, disputed, claim):
    berg = claim.speaker
    berg.aliases = "Ferry boss"
    berg.save()
    assert listed(desk.get(LIST, {"q": "ridership"})) == {claim.pk}
    assert listed(desk.get(LIST, {"q": "Disputed figure"})) == {disputed.pk}
    assert listed(desk.get(LIST, {"q": "Ada Mayor"})) == {disputed.pk}
    assert listed(desk.get(LIST, {"q": "ferry boss"})) == {claim.pk}


def many_claims(article, alice, bob, carol, ratings, n):
    for i in range(n):
        c = claim_on(article, alice, speaker_name=f"Speaker {i}", statement_title=f"Talk {i}")
        rate(c, bob, ratings["True"])
        rate(c, carol, ratings["False" if i % 2 else "True"])


@pytest.mark.parametrize("rows", [2, 12])
def test_list_costs_the_same_queries_for_few_or_many_rows(
    desk, article, alice, bob, carol, ratings, rows, django_assert_max_num_queries
):
    many_claims(article, alice, bob, carol, ratings, rows)
    # Session, user, groups, count(s), page, verdict prefetch and the filters' choices
    # (speakers, statements, articles, ratings): a fixed budget whatever the row count.
    with django_assert_max_num_queries(16):
        response = desk.get(LIST)
    assert len(listed(response)) == rows
    with django_assert_max_num_queries(16):
        desk.get(LIST, {"queue": "disagree", "q": "bridge"})


def test_change_page_highlights_the_quote_and_escapes_the_text(desk, alice, bob, ratings):
    article = actions.create_article(
        title="<b>Markup</b> & co",
        text="Before <script>alert('x')</script> the mayor said <i>tolls</i> rise. After & after.",
        by=alice,
    )
    claim = claim_on(article, alice, quote="<i>tolls</i> rise")
    rate(claim, bob, ratings["False"])
    page = desk.get(f"{LIST}{claim.pk}/change/").text
    assert '<mark class="fc-quote" title="claim">&lt;i&gt;tolls&lt;/i&gt; rise</mark>' in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    # The verdict is inline, with its rationale and decision buttons.
    assert "fc-approve" in page and "Reject…" in page


def test_change_page_marks_cue_and_source_spans(desk, article, alice):
    text = article.text
    quote = "ridership fell by a third"
    start = text.index(quote)
    cue = text.index("said", text.index("ferry operator"))
    claim = actions.create_claim(
        article=article, by=alice, start=start, end=start + len(quote), cue=(cue, cue + 4)
    )
    page = desk.get(f"{LIST}{claim.pk}/change/").text
    assert '<mark class="fc-cue" title="cue">said</mark>' in page


def test_moderator_edits_a_claim_through_update_claim(desk, claim, dana):
    url = f"{LIST}{claim.pk}/change/"
    form = {
        "kind": claim.kind,
        "speaker": claim.speaker_id,
        "statement": claim.statement_id,
        "summary": "Ridership fell by one third",
        "check_worthy": "on",
        "read_version": claim.version,
        "verdicts-TOTAL_FORMS": 0,
        "verdicts-INITIAL_FORMS": 0,
        "verdicts-MIN_NUM_FORMS": 0,
        "verdicts-MAX_NUM_FORMS": 0,
        # The "same claim as" links inline (read-only, as the verdicts').
        "links-TOTAL_FORMS": 0,
        "links-INITIAL_FORMS": 0,
        "links-MIN_NUM_FORMS": 0,
        "links-MAX_NUM_FORMS": 0,
    }
    response = desk.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim.refresh_from_db()
    assert claim.summary == "Ridership fell by one third"
    assert claim.version == 2
    assert claim.history.latest().history_user == dana

    # A second moderator form still carrying version 1 is refused, not silently applied.
    form["summary"] = "Stale edit"
    response = desk.post(url, form, follow=True)
    assert "Not saved" in response.text
    claim.refresh_from_db()
    assert claim.summary == "Ridership fell by one third"


def test_claims_are_not_added_in_the_admin(desk, db):
    assert desk.get(f"{LIST}add/").status_code == 403


def test_reject_reopen_and_unpublish_decisions(desk, agreed, dana):
    reject = f"{LIST}{agreed.pk}/decide/reject/"
    page = desk.get(reject)
    assert page.status_code == 200 and "Reject this claim" in page.text
    response = desk.post(reject, {"note": "Not check-worthy", "_confirm": "1"}, follow=True)
    assert "Rejected" in response.text
    agreed.refresh_from_db()
    assert agreed.status == Claim.Status.REJECTED
    assert agreed.history.latest().history_user == dana

    desk.post(f"{LIST}{agreed.pk}/decide/reopen/", {"_confirm": "1"})
    agreed.refresh_from_db()
    assert agreed.status == Claim.Status.IN_REVIEW

    actions.approve_verdict(verdict=agreed.verdicts.first(), by=dana)
    response = desk.post(
        f"{LIST}{agreed.pk}/decide/unpublish/", {"note": "Source retracted", "_confirm": "1"}
    )
    assert response.status_code == 302
    agreed.refresh_from_db()
    assert agreed.status == Claim.Status.IN_REVIEW
    demoted = agreed.verdicts.get(moderation_note="Source retracted")
    assert demoted.status == Verdict.Status.SUBMITTED and demoted.moderator == dana


def test_a_decision_that_does_not_fit_the_status_is_refused(desk, claim):
    response = desk.post(f"{LIST}{claim.pk}/decide/unpublish/", {"_confirm": "1"}, follow=True)
    assert "not available" in response.text
    claim.refresh_from_db()
    assert claim.status == Claim.Status.OPEN
    assert desk.get(f"{LIST}{claim.pk}/decide/explode/").status_code == 302
    assert desk.get(f"{LIST}999999/decide/reject/").status_code == 404
    assert desk.get(f"{LIST}abc/decide/reject/").status_code == 404
    assert desk.post("/admin/factcheck/verdict/1x/decide/approve/").status_code == 404


def test_bulk_approve_publishes_only_unanimous_claims(desk, disputed, agreed, claim):
    response = desk.post(
        LIST,
        {"action": "approve_agreed", "_selected_action": [disputed.pk, agreed.pk, claim.pk]},
        follow=True,
    )
    assert "Published 1 claim." in response.text
    assert "Skipped 2" in response.text
    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert statuses[agreed.pk] == "published"
    assert statuses[disputed.pk] == "in_review"
    assert agreed.verdicts.filter(status="approved").count() == 1


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_bulk_approve_says_what_it_did_and_nothing_contradicts_it(desk, agreed, disputed):
    """Issue 15, bug 4: "Published 1 claim." came with "Nothing was approved." beside it."""
    response = desk.post(
        LIST,
        {"action": "approve_agreed", "_selected_action": [agreed.pk, disputed.pk]},
        follow=True,
    )
    said = messages_of(response)
    assert "Published 1 claim." in said
    assert not any("Nothing was" in m for m in said)
    assert len(said) == 2  # published one, skipped one: no third, contradicting message


def test_bulk_approve_with_nothing_to_approve_says_so_once(desk, disputed):
    response = desk.post(
        LIST, {"action": "approve_agreed", "_selected_action": [disputed.pk]}, follow=True
    )
    said = messages_of(response)
    assert len(said) == 1 and said[0].startswith("Skipped 1")


def test_bulk_reject_reopen_and_unpublish(desk, disputed, agreed, dana):
    actions.approve_verdict(verdict=agreed.verdicts.first(), by=dana)
    desk.post(LIST, {"action": "unpublish_selected", "_selected_action": [agreed.pk]})
    agreed.refresh_from_db()
    assert agreed.status == "in_review"

    response = desk.post(
        LIST,
        {"action": "reject_selected", "_selected_action": [disputed.pk, agreed.pk]},
        follow=True,
    )
    assert "Rejected 2 claims." in response.text
    assert set(Claim.objects.values_list("status", flat=True)) == {"rejected"}

    desk.post(LIST, {"action": "reopen_selected", "_selected_action": [disputed.pk, agreed.pk]})
    assert set(Claim.objects.values_list("status", flat=True)) == {"in_review"}


def test_bulk_unpublish_reports_claims_that_were_not_published(desk, claim):
    response = desk.post(
        LIST, {"action": "unpublish_selected", "_selected_action": [claim.pk]}, follow=True
    )
    assert "not unpublished" in response.text and "Only a published claim" in response.text


def test_moderator_deletes_a_claim_through_delete_claim(desk, disputed):
    response = desk.post(f"{LIST}{disputed.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Claim.objects.filter(pk=disputed.pk).exists()
    assert disputed.history.filter(history_type="-").exists()


def test_history_page_lists_changes_and_cannot_revert(desk, claim, dana):
    actions.reject_claim(claim=claim, by=dana)
    page = desk.get(f"{LIST}{claim.pk}/history/")
    assert page.status_code == 200
    record = claim.history.earliest()
    url = f"{LIST}{claim.pk}/history/{record.history_id}/"
    assert desk.get(url).status_code == 200
    assert desk.post(url, {"kind": "direct_quote"}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == "rejected"


def test_article_text_is_never_lost_in_the_list(desk, article):
    # The article admin lists claim counts without loading texts row by row.
    response = desk.get("/admin/factcheck/article/")
    assert response.status_code == 200
    assert Article.objects.get().text == ARTICLE_TEXT
