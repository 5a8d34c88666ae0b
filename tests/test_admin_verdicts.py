"""Verdict decisions in the admin: approve, reject with a note, in bulk; who and when."""

import re

import pytest

from factcheck import actions
from factcheck.models import Claim, Verdict

LIST = "/admin/factcheck/verdict/"


@pytest.fixture
def desk(client, dana):
    client.force_login(dana)
    return client


@pytest.fixture
def verdicts(claim, bob, carol, ratings):
    return (
        actions.save_verdict(
            claim=claim,
            reviewer=bob,
            rating=ratings["Mostly true"],
            rationale="Filings show 31%.",
            sources=[actions.Source(url="https://evidence.example.org/filing", title="Filing")],
        ),
        actions.save_verdict(
            claim=claim,
            reviewer=carol,
            rating=ratings["Half true"],
            rationale="Checked against the record.",
        ),
    )


def approve_button_post(client, claim, verdict):
    """What the Approve button in the claim page's verdict inline sends (formaction)."""
    return client.post(
        f"{LIST}{verdict.pk}/decide/approve/",
        {"_approve": verdict.pk, "summary": claim.summary, "csrfmiddlewaretoken": "x"},
    )


def test_claim_page_shows_verdicts_with_sources_and_buttons(desk, claim, verdicts):
    page = desk.get(f"/admin/factcheck/claim/{claim.pk}/change/").text
    assert "Filings show 31%." in page
    assert 'href="https://evidence.example.org/filing"' in page
    assert f'formaction="{LIST}{verdicts[0].pk}/decide/approve/"' in page
    assert f'href="{LIST}{verdicts[0].pk}/decide/reject/"' in page


def test_approve_publishes_the_claim_and_records_who_and_when(desk, claim, verdicts, dana):
    response = approve_button_post(desk, claim, verdicts[0])
    assert response.status_code == 302
    assert response["Location"] == f"/admin/factcheck/claim/{claim.pk}/change/"
    verdict = Verdict.objects.get(pk=verdicts[0].pk)
    assert verdict.status == "approved"
    assert verdict.moderator == dana and verdict.moderated_at is not None
    assert verdict.history.latest().history_user == dana
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED and claim.published_at is not None
    assert claim.history.latest().history_user == dana
    page = desk.get(response["Location"]).text
    assert "Approved" in page and "the claim is published" in page


def confirm_page_fields(client, url) -> dict:
    """The hidden fields of a decision's confirmation page (the versions it is made on)."""
    page = client.get(url).text
    return dict(re.findall(r'<input type="hidden" name="(\w+_version)" value="(\d+)">', page))


def test_approving_another_verdict_demotes_the_first(desk, claim, verdicts):
    approve_button_post(desk, claim, verdicts[0])
    url = f"{LIST}{verdicts[1].pk}/decide/approve/"
    # Without saying which claim version it is decided on, replacing is refused...
    blind = desk.post(url, {"note": "Carol is closer", "_confirm": "1"})
    assert blind.status_code == 400 and "already published" in blind.text
    # ...from the confirmation page (which carries the versions) it is done.
    fields = confirm_page_fields(desk, url)
    desk.post(url, {"note": "Carol is closer", "_confirm": "1", **fields})
    statuses = dict(Verdict.objects.values_list("pk", "status"))
    assert statuses == {verdicts[0].pk: "submitted", verdicts[1].pk: "approved"}
    assert Verdict.objects.get(pk=verdicts[1].pk).moderation_note == "Carol is closer"


def test_approving_a_verdict_whose_rating_changed_after_the_page_was_read_is_refused(
    desk, claim, verdicts, bob, ratings
):
    url = f"{LIST}{verdicts[0].pk}/decide/approve/"
    fields = confirm_page_fields(desk, url)
    assert fields == {"verdict_version": "1", "claim_version": str(Claim.objects.get().version)}
    # bob changes his rating while the moderator reads the page.
    actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["False"],
        version=1,
        rationale="Checked against the record.",
    )
    response = desk.post(url, {"_confirm": "1", **fields})
    assert response.status_code == 400
    assert "changed by someone else" in response.text
    assert Verdict.objects.get(pk=verdicts[0].pk).status == "submitted"
    # The page now carries the new version: confirming again approves what she now sees.
    assert confirm_page_fields(desk, url)["verdict_version"] == "2"


def test_the_claim_pages_approve_button_carries_both_versions(desk, claim, verdicts, bob, ratings):
    page = desk.get(f"/admin/factcheck/claim/{claim.pk}/change/").text
    assert f'name="verdict_version_{verdicts[0].pk}" value="{verdicts[0].version}"' in page
    assert 'name="read_version"' in page
    actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["False"],
        version=1,
        rationale="Checked against the record.",
    )
    response = desk.post(
        f"{LIST}{verdicts[0].pk}/decide/approve/",
        {f"verdict_version_{verdicts[0].pk}": "1", "read_version": str(claim.version)},
    )
    assert response.status_code == 400
    assert Verdict.objects.get(pk=verdicts[0].pk).status == "submitted"


def test_reject_asks_for_a_note_first(desk, claim, verdicts, dana):
    url = f"{LIST}{verdicts[1].pk}/decide/reject/"
    page = desk.get(url)
    assert page.status_code == 200
    assert 'name="note"' in page.text and "Reject this verdict" in page.text

    empty = desk.post(url, {"note": "  ", "_confirm": "1"})
    assert empty.status_code == 400
    assert "Write a note" in empty.text
    assert Verdict.objects.get(pk=verdicts[1].pk).status == "submitted"

    done = desk.post(url, {"note": "No source for the 50% figure.", "_confirm": "1"})
    assert done.status_code == 302
    verdict = Verdict.objects.get(pk=verdicts[1].pk)
    assert verdict.status == "rejected"
    assert verdict.moderation_note == "No source for the 50% figure."
    assert verdict.moderator == dana


def test_rejecting_the_published_verdict_unpublishes_the_claim(desk, claim, verdicts):
    approve_button_post(desk, claim, verdicts[0])
    desk.post(f"{LIST}{verdicts[0].pk}/decide/reject/", {"note": "Wrong", "_confirm": "1"})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW


def test_a_decision_the_table_refuses_is_not_offered_and_says_why(desk, claim, verdicts, dana):
    actions.reject_claim(claim=claim, by=dana)
    response = desk.post(f"{LIST}{verdicts[0].pk}/decide/approve/", {"_confirm": "1"}, follow=True)
    assert "not available" in response.text
    assert "reopen it before approving" in response.text
    assert Verdict.objects.get(pk=verdicts[0].pk).status == "submitted"


def test_a_draft_offers_no_decision(desk, claim, bob, ratings):
    draft = actions.save_verdict(claim=claim, reviewer=bob, rating=ratings["True"], submit=False)
    response = desk.post(f"{LIST}{draft.pk}/decide/approve/", {"_confirm": "1"}, follow=True)
    assert "not available" in response.text
    assert Verdict.objects.get(pk=draft.pk).status == "draft"


def test_verdict_pages_are_read_only(desk, verdicts):
    page = desk.get(f"{LIST}{verdicts[0].pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert "Approve" in page.text  # object tool
    assert desk.get(f"{LIST}add/").status_code == 403
    assert desk.post(f"{LIST}{verdicts[0].pk}/delete/", {"post": "yes"}).status_code == 403


def test_queue_filter_lists_verdicts_awaiting_moderation(desk, verdicts, claim, dana):
    response = desk.get(LIST, {"queue": "moderation"})
    assert {v.pk for v in response.context["cl"].result_list} == {v.pk for v in verdicts}
    actions.approve_verdict(verdict=verdicts[0], by=dana)
    response = desk.get(LIST, {"queue": "moderation"})
    assert list(response.context["cl"].result_list) == []


def test_bulk_approve_one_verdict_per_claim(desk, verdicts, article, alice, bob, ratings):
    other_claim = actions.create_claim(article=article, by=alice, start=0, end=9)
    other = actions.save_verdict(
        claim=other_claim,
        reviewer=bob,
        rating=ratings["False"],
        rationale="Checked against the record.",
    )
    response = desk.post(
        LIST,
        {"action": "approve_selected", "_selected_action": [verdicts[0].pk, verdicts[1].pk]},
        follow=True,
    )
    assert "select one verdict per claim" in response.text
    assert not Verdict.objects.filter(status="approved").exists()

    response = desk.post(
        LIST,
        {"action": "approve_selected", "_selected_action": [verdicts[0].pk, other.pk]},
        follow=True,
    )
    assert "Approved 2 verdicts." in response.text
    assert set(Claim.objects.values_list("status", flat=True)) == {"published"}


def test_bulk_reject_goes_through_a_note_page(desk, verdicts, dana):
    ids = [v.pk for v in verdicts]
    page = desk.post(LIST, {"action": "reject_selected", "_selected_action": ids})
    assert page.status_code == 200
    assert "Reject 2 verdicts" in page.text

    again = desk.post(
        LIST, {"action": "reject_selected", "_selected_action": ids, "_confirm": "1", "note": ""}
    )
    assert again.status_code == 400
    assert not Verdict.objects.filter(status="rejected").exists()

    done = desk.post(
        LIST,
        {"action": "reject_selected", "_selected_action": ids, "_confirm": "1", "note": "Redo"},
        follow=True,
    )
    assert "Rejected 2 verdicts." in done.text
    assert set(Verdict.objects.values_list("status", "moderation_note", "moderator")) == {
        ("rejected", "Redo", dana.pk)
    }


def test_verdict_history_keeps_every_decision(desk, claim, verdicts):
    approve_button_post(desk, claim, verdicts[0])
    desk.post(
        f"{LIST}{verdicts[0].pk}/decide/reject/", {"note": "Changed my mind", "_confirm": "1"}
    )
    statuses = list(
        Verdict.history.filter(id=verdicts[0].pk)
        .order_by("history_date")
        .values_list("status", flat=True)
    )
    assert statuses[-2:] == ["approved", "rejected"]
    page = desk.get(f"{LIST}{verdicts[0].pk}/history/")
    assert page.status_code == 200 and "Changed my mind" in page.text


@pytest.mark.parametrize("rows", [2, 10])
def test_verdict_list_costs_the_same_queries_for_few_or_many_rows(
    desk, article, alice, bob, ratings, rows, django_assert_max_num_queries
):
    for i in range(rows):
        claim = actions.create_claim(article=article, by=alice, start=i, end=i + 5)
        actions.save_verdict(
            claim=claim,
            reviewer=bob,
            rating=ratings["True"],
            rationale="Checked against the record.",
        )
    with django_assert_max_num_queries(12):
        response = desk.get(LIST)
    assert len(response.context["cl"].result_list) == rows


def moderation_cells(page: str) -> list[str]:
    """The text of the verdict inline's Moderation column, one per verdict."""
    cells = re.findall(r'<td class="field-moderation">(.*?)</td>', page, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in cells]


def test_the_claim_pages_verdicts_say_who_moderated_them_when_and_why(desk, claim, verdicts, dana):
    """Issue 15, bug 5: the inline showed "-" for approved and rejected verdicts."""
    actions.approve_verdict(verdict=verdicts[0], by=dana)
    actions.reject_verdict(verdict=verdicts[1], by=dana, note="No source for the figure.")
    page = desk.get(f"/admin/factcheck/claim/{claim.pk}/change/").text
    cells = moderation_cells(page)
    assert len(cells) == 2
    approved, rejected = cells
    assert approved.startswith("dana on 20") and "No source" not in approved
    assert rejected.startswith("dana on 20") and "“No source for the figure.”" in rejected
