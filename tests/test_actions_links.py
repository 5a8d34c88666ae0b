""" "Same claim as …": linking a claim to an earlier fact-check, confirming (the verdict reused),
unlinking, and what happens to reuses when the earlier fact-check is withdrawn
(factcheck.actions link_claim / confirm_link / unlink_claim; lifecycle's "link" rows)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from factcheck import actions, lifecycle
from factcheck.models import Claim, ClaimLink, Verdict

C, V, L = Claim.Status, Verdict.Status, ClaimLink.Status


def confirmed(repeat, attributed, alice, dana) -> ClaimLink:
    actions.link_claim(claim=repeat, earlier=attributed, by=alice, note="same figure", score=0.93)
    return actions.confirm_link(claim=repeat, by=dana)


def test_it_links_confirms_and_publishes_with_the_earlier_verdict(
    repeat, attributed, alice, dana, bob
):
    link = actions.link_claim(claim=repeat, earlier=attributed, by=alice, score=0.93, note="n")
    assert (link.status, link.earlier, link.proposed_by, link.score) == (
        L.PROPOSED,
        attributed,
        alice,
        0.93,
    )
    repeat.refresh_from_db()
    assert repeat.status == C.OPEN  # a proposal changes nothing public
    assert repeat.version == 2  # but what the claim reads as: a new version

    link = actions.confirm_link(claim=repeat, by=dana)
    repeat.refresh_from_db()
    assert repeat.status == C.PUBLISHED and repeat.published_at is not None
    copy = repeat.approved_verdict
    original = attributed.approved_verdict
    assert link.status == L.CONFIRMED and link.confirmed_by == dana
    assert link.verdict == copy and link.earlier_verdict == original
    assert (copy.rating, copy.rationale, copy.reviewer, copy.moderator) == (
        original.rating,
        original.rationale,
        bob,
        dana,
    )
    assert [(s.url, s.title, s.excerpt) for s in copy.sources.all()] == [
        (s.url, s.title, s.excerpt) for s in original.sources.all()
    ]
    # Its own attribution stays its own.
    assert repeat.speaker.name == "Harbour master Ines Holm"
    assert repeat.article != attributed.article
    assert link.history.count() == 2  # proposed, confirmed


def test_a_moderator_unlinks_a_confirmed_link_and_the_claim_goes_back_to_review(
    repeat, attributed, alice, dana
):
    link = confirmed(repeat, attributed, alice, dana)
    copy_pk = link.verdict_id
    actions.unlink_claim(claim=repeat, by=dana, note="different year")
    link.refresh_from_db()
    repeat.refresh_from_db()
    assert (link.status, link.unlinked_by, link.unlink_note) == (L.UNLINKED, dana, "different year")
    assert link.unlinked_at is not None and link.verdict is None
    assert not Verdict.objects.filter(pk=copy_pk).exists()
    assert Verdict.history.filter(id=copy_pk, history_type="-").exists()  # kept in history
    # No verdict of its own waits: open, not published, no approved verdict anywhere.
    assert repeat.status == C.OPEN and repeat.published_at is None
    assert not repeat.verdicts.filter(status=V.APPROVED).exists()
    assert attributed.approved_verdict is not None  # the earlier one is untouched
    # It can be linked again: a new row, the old one kept.
    actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    assert ClaimLink.objects.filter(claim=repeat).count() == 2


def test_unlinking_a_claim_with_its_own_submitted_verdict_leaves_it_in_review(
    repeat, attributed, alice, carol, dana, ratings
):
    # Linking a claim that already has reviewers' verdicts: they stay, untouched.
    own = actions.save_verdict(
        claim=repeat, reviewer=carol, rating=ratings["False"], rationale="Not what he said."
    )
    confirmed(repeat, attributed, alice, dana)
    own.refresh_from_db()
    assert own.status == V.SUBMITTED
    repeat.refresh_from_db()
    assert repeat.status == C.PUBLISHED
    # While the reuse holds, the claim is not given another verdict, unpublished or rejected:
    # it is unlinked (otherwise the copy would be left behind, or shown beside another).
    for attempt in (
        lambda: actions.approve_verdict(verdict=own, by=dana, claim_version=repeat.version),
        lambda: actions.unpublish_claim(claim=repeat, by=dana),
        lambda: actions.reject_claim(claim=repeat, by=dana),
        lambda: actions.reject_verdict(verdict=repeat.approved_verdict, by=dana, note="x"),
    ):
        with pytest.raises(ValidationError, match="unlink it instead"):
            attempt()
    actions.unlink_claim(claim=repeat, by=dana)
    repeat.refresh_from_db()
    assert repeat.status == C.IN_REVIEW
    actions.approve_verdict(verdict=own, by=dana)  # and now its own verdict may be approved
    assert Claim.objects.get(pk=repeat.pk).status == C.PUBLISHED


def test_the_proposer_may_withdraw_a_proposal_but_not_undo_a_confirmation(
    repeat, attributed, alice, mallory, bob, dana
):
    actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    with pytest.raises(PermissionDenied):
        actions.unlink_claim(claim=repeat, by=mallory)  # not hers
    with pytest.raises(PermissionDenied):
        actions.confirm_link(claim=repeat, by=bob)  # reviewers do not confirm
    actions.unlink_claim(claim=repeat, by=alice, note="wrong one")
    assert ClaimLink.objects.get(claim=repeat).status == L.UNLINKED
    confirmed(repeat, attributed, alice, dana)
    with pytest.raises(PermissionDenied):
        actions.unlink_claim(claim=repeat, by=alice)
    assert ClaimLink.objects.live().get(claim=repeat).status == L.CONFIRMED


def test_it_refuses_what_is_not_a_published_fact_check(repeat, claim, attributed, alice, dana):
    with pytest.raises(ValidationError, match="not a published fact-check"):
        actions.link_claim(claim=repeat, earlier=claim, by=alice)  # open
    with pytest.raises(ValidationError, match="itself"):
        actions.link_claim(claim=repeat, earlier=repeat, by=alice)
    with pytest.raises(ValidationError, match="between 0 and 1"):
        actions.link_claim(claim=repeat, earlier=attributed, by=alice, score=1.5)
    # A published claim is not linked (it has its own verdict).
    with pytest.raises(ValidationError, match="published"):
        actions.link_claim(claim=attributed, earlier=repeat, by=dana)
    assert not ClaimLink.objects.exists()
    # One live link per claim.
    actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    with pytest.raises(ValidationError, match="already linked"):
        actions.link_claim(claim=repeat, earlier=attributed, by=dana)


def test_a_stale_version_is_refused(repeat, attributed, alice, dana):
    with pytest.raises(actions.StaleVersion):
        actions.link_claim(claim=repeat, earlier=attributed, by=alice, version=repeat.version + 5)
    link = actions.link_claim(claim=repeat, earlier=attributed, by=alice, version=repeat.version)
    with pytest.raises(actions.StaleVersion):
        actions.confirm_link(claim=repeat, by=dana, version=repeat.version)  # read before the link
    assert ClaimLink.objects.get(pk=link.pk).status == L.PROPOSED


def test_a_link_to_a_reuse_goes_to_its_root(repeat, attributed, claim, alice, dana):
    confirmed(repeat, attributed, alice, dana)
    # ``claim`` (ferry ridership in the first article) said again: linked to the reused one.
    link = actions.link_claim(claim=claim, earlier=repeat, by=alice)
    assert link.earlier == attributed


@pytest.mark.parametrize(
    "withdrawal", ["unpublish", "reject", "reject verdict", "replace", "delete"]
)
def test_withdrawing_the_earlier_fact_check_takes_its_reuses_back(
    repeat, attributed, claim, alice, bob, carol, dana, ratings, withdrawal
):
    confirmed(repeat, attributed, alice, dana)
    proposal = actions.link_claim(claim=claim, earlier=attributed, by=alice)
    approved = attributed.approved_verdict
    attributed.refresh_from_db()
    if withdrawal == "unpublish":
        actions.unpublish_claim(claim=attributed, by=dana, note="wrong figure")
    elif withdrawal == "reject":
        actions.reject_claim(claim=attributed, by=dana, note="not check-worthy")
    elif withdrawal == "reject verdict":
        actions.reject_verdict(verdict=approved, by=dana, note="wrong figure")
    elif withdrawal == "replace":
        # carol's verdict, submitted before the claim was published, approved instead.
        other = Verdict.objects.create(
            claim=attributed,
            reviewer=carol,
            rating=ratings["False"],
            rationale="Revised.",
            status=V.SUBMITTED,
        )
        actions.approve_verdict(verdict=other, by=dana, claim_version=attributed.version)
    else:
        actions.delete_claim(claim=attributed, by=dana)
    repeat.refresh_from_db()
    # The reuse keeps no verdict of a withdrawn fact-check: back to review, the copy gone.
    assert repeat.status == C.OPEN
    assert not repeat.verdicts.exists()
    if withdrawal == "delete":
        assert not ClaimLink.objects.exists()  # went with it; the history keeps them
        assert ClaimLink.history.filter(status=L.UNLINKED, history_type="~").count() == 2
        return
    links = {link.claim_id: link for link in ClaimLink.objects.all()}
    assert {link.status for link in links.values()} == {L.UNLINKED}
    assert links[repeat.pk].unlinked_by == dana
    assert links[repeat.pk].unlink_note.startswith("Withdrawn:")
    assert links[proposal.claim_id].unlink_note.startswith("Withdrawn:")


def test_the_earlier_reviewer_with_a_verdict_of_their_own_is_not_overwritten(
    repeat, attributed, alice, bob, dana, ratings
):
    actions.save_verdict(claim=repeat, reviewer=bob, rating=ratings["False"], rationale="Mine.")
    actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    with pytest.raises(ValidationError, match="verdict of their own"):
        actions.confirm_link(claim=repeat, by=dana)
    assert ClaimLink.objects.get(claim=repeat).status == L.PROPOSED


def test_the_database_refuses_two_live_links_and_a_link_to_itself(repeat, attributed, alice):
    ClaimLink.objects.create(claim=repeat, earlier=attributed, proposed_by=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLink.objects.create(claim=repeat, earlier=attributed, status=L.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLink.objects.create(claim=attributed, earlier=attributed)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLink.objects.create(claim=attributed, earlier=repeat, score=2)


def test_the_table_offers_what_the_actions_do(repeat, attributed, alice, mallory, bob, dana):
    def offered(user):
        link = ClaimLink.objects.live().filter(claim=repeat).first()
        claim = Claim.objects.get(pk=repeat.pk)
        return lifecycle.link_actions(user, claim, link)

    assert offered(alice) == offered(mallory) == offered(bob) == ["link"]
    assert offered(dana) == ["link"]
    actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    assert offered(alice) == ["unlink"]
    assert offered(mallory) == []
    assert offered(dana) == ["confirm", "unlink"]
    actions.confirm_link(claim=repeat, by=dana)
    assert offered(alice) == []
    assert offered(dana) == ["unlink"]


def test_a_reused_verdict_is_no_judgement_of_its_reviewer(repeat, attributed, alice, dana, bob):
    from factcheck import agreement

    confirmed(repeat, attributed, alice, dana)
    assert set(Verdict.objects.filter(reviewer=bob)) == {
        attributed.approved_verdict,
        repeat.approved_verdict,
    }
    assert list(Verdict.objects.filter(reviewer=bob).written()) == [attributed.approved_verdict]
    # The copy is no judgement of the reused claim: agreement finds none there.
    judged = agreement.judgements(Claim.objects.filter(pk=repeat.pk))
    assert judged == {}


def test_a_confirmation_racing_the_earlier_fact_checks_withdrawal_never_keeps_its_verdict(
    transactional_db, attributed, repeat, alice, dana
):
    """Two moderators at once: one confirms the reuse, the other unpublishes the earlier
    fact-check. Whichever wins, no claim is left published with a withdrawn verdict."""
    from tests.test_concurrency import race

    for round_ in range(4):
        actions.link_claim(claim=repeat, earlier=attributed, by=alice)
        confirm = lambda: actions.confirm_link(claim=repeat, by=dana)  # noqa: E731
        unpublish = lambda: actions.unpublish_claim(claim=attributed, by=dana)  # noqa: E731
        results = race(confirm, unpublish) if round_ % 2 else race(unpublish, confirm)
        assert not any(isinstance(r, Exception) and "deadlock" in str(r) for r in results)
        repeat.refresh_from_db()
        attributed.refresh_from_db()
        assert attributed.status == C.IN_REVIEW
        assert repeat.status == C.OPEN and not repeat.verdicts.exists()
        assert not ClaimLink.objects.live().exists()
        # Next round: the earlier fact-check published again.
        actions.approve_verdict(verdict=attributed.verdicts.get(), by=dana)


def test_a_reuse_confirmed_after_a_correction_is_not_flagged_as_of_the_earlier_wording(
    repeat, attributed, alice, dana
):
    # A correction changed the open claim's words; the moderator confirms the reuse for the
    # words it has now, so it is published unflagged.
    text = repeat.article.text.replace("ferry ridership fell", "ferry ridership dropped")
    actions.correct_article(article=repeat.article, text=text, by=alice)
    repeat.refresh_from_db()
    assert repeat.anchor_state == "edited"
    confirmed(repeat, attributed, alice, dana)
    repeat.refresh_from_db()
    assert (repeat.status, repeat.anchor_state) == (C.PUBLISHED, "ok")
    assert not Claim.objects.flagged().exists()
