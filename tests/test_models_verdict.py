"""Verdicts: one per reviewer, blind review, one approved per claim, moderation publishes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from factcheck import actions
from factcheck.models import Claim, Verdict

SOURCE = actions.Source(url="https://stats.example.org/ferries", title="Ferry statistics")


@pytest.fixture
def bobs(claim, bob, ratings):
    return actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["Mostly true"],
        rationale="Filings show a 31% fall.",
        sources=[SOURCE],
    )


def test_submitting_moves_the_claim_into_review(bobs, claim):
    claim.refresh_from_db()
    assert bobs.status == Verdict.Status.SUBMITTED and bobs.submitted_at is not None
    assert claim.status == Claim.Status.IN_REVIEW
    assert [s.url for s in bobs.sources.all()] == [SOURCE.url]


def test_a_draft_leaves_the_claim_open(claim, bob, ratings):
    draft = actions.save_verdict(claim=claim, reviewer=bob, rating=ratings["True"], submit=False)
    claim.refresh_from_db()
    assert draft.status == Verdict.Status.DRAFT and claim.status == Claim.Status.OPEN


def test_one_verdict_per_reviewer_editing_replaces_it(bobs, claim, bob, ratings):
    again = actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["True"],
        version=1,
        rationale="Checked against the record.",
    )
    assert again.pk == bobs.pk and again.rating.label == "True" and again.version == 2
    assert again.sources.count() == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        Verdict.objects.create(claim=claim, reviewer=bob, rating=ratings["False"])


def test_stale_verdict_edit_is_refused(bobs, claim, bob, ratings):
    with pytest.raises(actions.StaleVersion):
        actions.save_verdict(
            claim=claim,
            reviewer=bob,
            rating=ratings["False"],
            version=7,
            rationale="Checked against the record.",
        )
    assert Verdict.objects.get(pk=bobs.pk).rating.label == "Mostly true"


def test_annotators_cannot_give_verdicts(claim, alice, ratings):
    with pytest.raises(PermissionDenied):
        actions.save_verdict(
            claim=claim,
            reviewer=alice,
            rating=ratings["True"],
            rationale="Checked against the record.",
        )


def test_evidence_urls_must_be_http(claim, bob, ratings):
    with pytest.raises(ValidationError, match="sources"):
        actions.save_verdict(
            claim=claim,
            reviewer=bob,
            rating=ratings["True"],
            sources=[actions.Source(url="javascript:alert(1)")],
            rationale="Checked against the record.",
        )
    assert not Verdict.objects.exists()


def test_blind_review(bobs, claim, carol, ratings, bob, dana, alice):
    # carol cannot see bob's verdict before she submits her own...
    assert list(Verdict.objects.visible_to(carol)) == []
    carols = actions.save_verdict(
        claim=claim, reviewer=carol, rating=ratings["False"], submit=False
    )
    assert list(Verdict.objects.visible_to(carol)) == [carols]
    # ...nor while hers is only a draft, and bob never sees her draft.
    assert list(Verdict.objects.visible_to(bob)) == [bobs]
    actions.save_verdict(
        claim=claim,
        reviewer=carol,
        rating=ratings["False"],
        rationale="Checked against the record.",
    )
    assert set(Verdict.objects.visible_to(carol)) == {bobs, carols}
    assert set(Verdict.objects.visible_to(dana)) == {bobs, carols}
    assert list(Verdict.objects.visible_to(alice)) == []


def test_approving_publishes_and_demotes_the_other_approved(bobs, claim, carol, dana, ratings):
    carols = actions.save_verdict(
        claim=claim,
        reviewer=carol,
        rating=ratings["Half true"],
        rationale="Checked against the record.",
    )
    actions.approve_verdict(verdict=bobs, by=dana, note="good")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED and claim.published_at
    assert claim.approved_verdict == Verdict.objects.get(pk=bobs.pk)
    # Replacing a published verdict is meant: it names the claim version the moderator saw.
    actions.approve_verdict(verdict=carols, by=dana, claim_version=claim.version)
    bobs.refresh_from_db()
    assert bobs.status == Verdict.Status.SUBMITTED and "Demoted" in bobs.moderation_note
    assert Verdict.objects.filter(claim=claim, status="approved").get() == carols
    assert Verdict.objects.get(pk=carols.pk).moderator == dana


def test_database_allows_one_approved_verdict_per_claim(bobs, claim, carol, ratings):
    carols = actions.save_verdict(
        claim=claim,
        reviewer=carol,
        rating=ratings["False"],
        rationale="Checked against the record.",
    )
    Verdict.objects.filter(pk=bobs.pk).update(status="approved")
    with pytest.raises(IntegrityError), transaction.atomic():
        Verdict.objects.filter(pk=carols.pk).update(status="approved")


def test_reviewers_cannot_moderate(bobs, carol):
    with pytest.raises(PermissionDenied):
        actions.approve_verdict(verdict=bobs, by=carol)
    with pytest.raises(PermissionDenied):
        actions.reject_verdict(verdict=bobs, by=carol, note="no")


def test_rejecting_needs_a_note_and_unpublishes(bobs, claim, dana):
    with pytest.raises(ValidationError, match="why"):
        actions.reject_verdict(verdict=bobs, by=dana, note=" ")
    actions.approve_verdict(verdict=bobs, by=dana)
    actions.reject_verdict(verdict=bobs, by=dana, note="Source is a press release")
    claim.refresh_from_db()
    bobs.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW
    assert (bobs.status, bobs.moderation_note) == ("rejected", "Source is a press release")


def test_a_moderated_verdict_is_no_longer_editable(bobs, claim, bob, dana, ratings):
    actions.reject_verdict(verdict=bobs, by=dana, note="weak")
    with pytest.raises(PermissionDenied):
        actions.save_verdict(
            claim=claim,
            reviewer=bob,
            rating=ratings["True"],
            rationale="Checked against the record.",
        )


def test_unpublish_and_reject_claim(bobs, claim, dana, ratings, carol):
    actions.approve_verdict(verdict=bobs, by=dana)
    actions.unpublish_claim(claim=claim, by=dana, note="needs a second look")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW and claim.approved_verdict is None
    actions.reject_claim(claim=claim, by=dana, note="not check-worthy")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED
    with pytest.raises(ValidationError, match="rejected"):
        actions.save_verdict(
            claim=claim,
            reviewer=carol,
            rating=ratings["True"],
            rationale="Checked against the record.",
        )
    actions.reopen_claim(claim=claim, by=dana)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW


def test_review_queue_skips_claims_already_reviewed(bobs, claim, bob, carol):
    assert list(Claim.objects.awaiting_verdict_from(bob)) == []
    assert list(Claim.objects.awaiting_verdict_from(carol)) == [claim]
