"""The claim and verdict transition table (factcheck/lifecycle.py), row by row, through the actions.

Every (from state, action, persona) is tried through the action that makes it: the table says
allowed, the action does it; the table says refused, the action refuses and nothing changes.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from factcheck import actions, lifecycle
from factcheck.models import Claim, Verdict
from tests.conftest import api

C, V = Claim.Status, Verdict.Status


# --------------------------------------------------------------------------- the bugs


def test_a_verdict_without_a_rationale_is_refused_by_every_door(claim, bob, dana, ratings):
    """Issue 15, bug 11: the rule is the lifecycle's, so the action, the API and the admin's
    approval all refuse a submitted (or approved) verdict with no rationale; drafts may be empty."""
    with pytest.raises(ValidationError, match="Say why"):
        actions.save_verdict(claim=claim, reviewer=bob, rating=ratings["True"], rationale="  ")
    assert not Verdict.objects.exists()
    response = api(bob).post(
        "/api/v1/verdicts/",
        {"claim": claim.pk, "rating": ratings["True"].pk, "submit": True},
        format="json",
    )
    assert response.status_code == 400 and "rationale" in response.json()
    draft = actions.save_verdict(claim=claim, reviewer=bob, rating=ratings["True"], submit=False)
    assert draft.status == V.DRAFT
    response = api(bob).patch(
        f"/api/v1/verdicts/{draft.pk}/", {"submit": True}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400 and "rationale" in response.json()
    draft.refresh_from_db()
    assert draft.status == V.DRAFT
    # A submitted verdict from before the rule (a row written straight to the table) is not
    # published with an empty "why" either.
    Verdict.objects.filter(pk=draft.pk).update(status=V.SUBMITTED)
    with pytest.raises(ValidationError, match="Say why"):
        actions.approve_verdict(verdict=draft, by=dana)
    claim.refresh_from_db()
    assert claim.status != C.PUBLISHED


def test_reopen_claim_on_a_published_claim_left_its_verdict_approved(claim, bob, dana, ratings):
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    # A published claim is taken back to review by unpublishing it, which also sends its
    # verdict back to the queue; "reopen" is for rejected claims and must not half-do that.
    with pytest.raises(ValidationError, match="unpublish"):
        actions.reopen_claim(claim=claim, by=dana)
    claim.refresh_from_db()
    verdict.refresh_from_db()
    assert (claim.status, verdict.status) == (C.PUBLISHED, V.APPROVED)


def test_deleting_the_last_submitted_verdict_left_the_claim_in_review(
    client, claim, bob, dana, ratings
):
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    claim.refresh_from_db()
    assert claim.status == C.IN_REVIEW
    response = api(dana).delete(f"/api/v1/verdicts/{verdict.pk}/")
    assert response.status_code == 204
    claim.refresh_from_db()
    assert claim.status == C.OPEN  # nothing left to review
    assert not Verdict.objects.filter(pk=verdict.pk).exists()


def test_delete_verdict_keeps_the_claim_in_review_while_another_waits(
    claim, bob, carol, dana, ratings
):
    bobs = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    actions.save_verdict(
        claim=claim,
        reviewer=carol,
        rating=ratings["False"],
        rationale="Checked against the record.",
    )
    actions.delete_verdict(verdict=bobs, by=dana)
    claim.refresh_from_db()
    assert claim.status == C.IN_REVIEW


def test_a_claim_rejection_note_was_silently_dropped(claim, dana):
    actions.reject_claim(claim=claim, by=dana, note="Opinion, not a checkable fact.")
    claim.refresh_from_db()
    assert claim.status == C.REJECTED
    assert claim.moderation_note == "Opinion, not a checkable fact."
    assert claim.moderated_by == dana and claim.moderated_at is not None
    assert claim.history.latest().moderation_note == "Opinion, not a checkable fact."


def test_a_claim_rejection_note_through_the_api_is_stored(claim, dana):
    r = api(dana).patch(
        f"/api/v1/claims/{claim.pk}/",
        {"status": "rejected", "moderation_note": "Duplicate of #12."},
        format="json",
    )
    assert r.status_code == 200, r.json()
    claim.refresh_from_db()
    assert claim.moderation_note == "Duplicate of #12."


def test_delete_ignored_a_stale_if_match_on_a_claim(claim, alice):
    actions.update_claim(claim=claim, by=alice, summary="Edited in another tab")
    r = api(alice).delete(f"/api/v1/claims/{claim.pk}/", HTTP_IF_MATCH='"1"')
    assert r.status_code == 412
    assert r.json()["current_version"] == 2
    assert Claim.objects.filter(pk=claim.pk).exists()
    r = api(alice).delete(f"/api/v1/claims/{claim.pk}/", HTTP_IF_MATCH='"2"')
    assert r.status_code == 204


def test_delete_ignored_a_stale_if_match_on_a_verdict(claim, bob, ratings):
    draft = actions.save_verdict(claim=claim, reviewer=bob, rating=ratings["True"], submit=False)
    actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["False"], submit=False, version=1
    )
    r = api(bob).delete(f"/api/v1/verdicts/{draft.pk}/", HTTP_IF_MATCH='"1"')
    assert r.status_code == 412
    assert Verdict.objects.filter(pk=draft.pk).exists()
    assert api(bob).delete(f"/api/v1/verdicts/{draft.pk}/", HTTP_IF_MATCH='"2"').status_code == 204


def test_approving_a_verdict_whose_rating_changed_since_it_was_read_is_refused(
    claim, bob, dana, ratings
):
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    read = (verdict.version, Claim.objects.get(pk=claim.pk).version)
    actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["False"],
        version=1,
        rationale="Checked against the record.",
    )
    with pytest.raises(actions.StaleVersion):
        actions.approve_verdict(verdict=verdict, by=dana, version=read[0], claim_version=read[1])
    assert Verdict.objects.get(pk=verdict.pk).status == V.SUBMITTED


def test_replacing_the_approved_verdict_needs_the_claim_version_seen(
    claim, bob, carol, dana, ratings
):
    bobs = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    carols = actions.save_verdict(
        claim=claim,
        reviewer=carol,
        rating=ratings["False"],
        rationale="Checked against the record.",
    )
    seen = Claim.objects.get(pk=claim.pk).version
    actions.approve_verdict(verdict=bobs, by=dana)
    # Approved on what the moderator saw before bob's verdict was published: refused.
    with pytest.raises(actions.ClaimChanged):
        actions.approve_verdict(verdict=carols, by=dana, claim_version=seen)
    # And without saying which claim version: refused too, the demotion must be meant.
    with pytest.raises(actions.ClaimChanged, match="already published"):
        actions.approve_verdict(verdict=carols, by=dana)
    now = Claim.objects.get(pk=claim.pk).version
    actions.approve_verdict(verdict=carols, by=dana, claim_version=now)
    statuses = dict(Verdict.objects.values_list("pk", "status"))
    assert statuses == {bobs.pk: V.SUBMITTED, carols.pk: V.APPROVED}


def test_a_stale_claim_version_on_approval_is_409_in_the_api(claim, bob, carol, dana, ratings):
    bobs = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    carols = actions.save_verdict(
        claim=claim,
        reviewer=carol,
        rating=ratings["False"],
        rationale="Checked against the record.",
    )
    seen = Claim.objects.get(pk=claim.pk).version
    actions.approve_verdict(verdict=bobs, by=dana)
    r = api(dana).patch(
        f"/api/v1/verdicts/{carols.pk}/",
        {"status": "approved", "claim_version": seen},
        format="json",
    )
    assert r.status_code == 409
    assert "claim changed" in r.json()["detail"]
    assert r.json()["current_claim_version"] == seen + 1
    assert Verdict.objects.get(pk=bobs.pk).status == V.APPROVED


# --------------------------------------------------------------------------- the table


@pytest.fixture
def people(alice, mallory, bob, carol, dana):
    return {"alice": alice, "mallory": mallory, "bob": bob, "carol": carol, "dana": dana}


def make_claim(article, alice, bob, carol, dana, ratings, state):
    """A claim of alice's in ``state``; bob's verdict submitted (approved when published)."""
    claim = actions.create_claim(article=article, by=alice, start=0, end=9)
    if state == C.OPEN:
        return claim
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    if state == C.PUBLISHED:
        actions.approve_verdict(verdict=verdict, by=dana)
    if state == C.REJECTED:
        actions.reject_claim(claim=claim, by=dana, note="no")
    return Claim.objects.get(pk=claim.pk)


CLAIM_ACTIONS = {
    "unpublish": lambda claim, user: actions.unpublish_claim(claim=claim, by=user),
    "reject": lambda claim, user: actions.reject_claim(claim=claim, by=user, note="x"),
    "reopen": lambda claim, user: actions.reopen_claim(claim=claim, by=user),
    "edit": lambda claim, user: actions.update_claim(claim=claim, by=user, summary="edited"),
    "delete": lambda claim, user: actions.delete_claim(claim=claim, by=user),
}


@pytest.mark.parametrize("state", C.values)
@pytest.mark.parametrize("action", CLAIM_ACTIONS)
@pytest.mark.parametrize("who", ["alice", "mallory", "bob", "dana"])
def test_claim_transitions_follow_the_table(
    article, people, ratings, state, action, who, alice, bob, carol, dana
):
    claim = make_claim(article, alice, bob, carol, dana, ratings, state)
    user = people[who]
    allowed = lifecycle.allows(user, action, claim=claim)
    expected = {
        # Only the annotator who made an open claim (and moderators) edit or delete it.
        "edit": who == "dana" or (who == "alice" and state == C.OPEN),
        "delete": who == "dana" or (who == "alice" and state == C.OPEN),
        "unpublish": who == "dana" and state == C.PUBLISHED,
        "reject": who == "dana" and state != C.REJECTED,
        "reopen": who == "dana" and state == C.REJECTED,
    }[action]
    assert allowed == expected
    before = Claim.objects.get(pk=claim.pk)
    if allowed:
        CLAIM_ACTIONS[action](claim, user)
        after = Claim.objects.filter(pk=claim.pk).first()
        if action == "delete":
            assert after is None
            return
        target = lifecycle.check(user, action, claim=before).targets
        assert after.status in target
        assert after.version > before.version
        approved = after.verdicts.filter(status=V.APPROVED).exists()
        assert approved == (after.status == C.PUBLISHED)  # the page and the API agree
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            CLAIM_ACTIONS[action](claim, user)
        after = Claim.objects.get(pk=claim.pk)
        assert (after.status, after.version) == (before.status, before.version)


def verdict_in(claim, bob, dana, ratings, state):
    if state == lifecycle.NEW:
        return None
    verdict = actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["True"],
        submit=state != V.DRAFT,
        rationale="Checked against the record.",
    )
    if state == V.APPROVED:
        actions.approve_verdict(verdict=verdict, by=dana)
    if state == V.REJECTED:
        actions.reject_verdict(verdict=verdict, by=dana, note="weak")
    return Verdict.objects.get(pk=verdict.pk)


def run_verdict(action, claim, verdict, user, ratings):
    if action in ("draft", "submit"):
        return actions.save_verdict(
            claim=claim,
            reviewer=user,
            rating=ratings["False"],
            submit=action == "submit",
            rationale="Checked against the record.",
        )
    if action == "approve":
        return actions.approve_verdict(verdict=verdict, by=user)
    if action == "reject":
        return actions.reject_verdict(verdict=verdict, by=user, note="weak")
    return actions.delete_verdict(verdict=verdict, by=user)


@pytest.mark.parametrize("state", [lifecycle.NEW, *V.values])
@pytest.mark.parametrize("action", ["draft", "submit", "approve", "reject", "delete"])
@pytest.mark.parametrize("who", ["alice", "bob", "carol", "dana"])
def test_verdict_transitions_follow_the_table(
    claim, people, ratings, state, action, who, bob, dana
):
    verdict = verdict_in(claim, bob, dana, ratings, state)
    if verdict is None and action not in ("draft", "submit"):
        return  # only writing a verdict starts from none
    user = people[who]
    # Writing is always about the user's own verdict.
    mine = verdict if verdict is not None and verdict.reviewer_id == user.pk else None
    subject = mine if action in ("draft", "submit") else verdict
    claim = Claim.objects.get(pk=claim.pk)
    allowed = lifecycle.allows(user, action, claim=claim, verdict=subject, subject="verdict")
    own_state = state if who == "bob" else lifecycle.NEW
    expected = {
        "draft": who in ("bob", "carol", "dana")
        and own_state in (lifecycle.NEW, V.DRAFT)
        and claim.status in (C.OPEN, C.IN_REVIEW),
        "submit": who in ("bob", "carol", "dana")
        and own_state in (lifecycle.NEW, V.DRAFT, V.SUBMITTED)
        and claim.status in (C.OPEN, C.IN_REVIEW),
        "approve": who == "dana" and state in (V.SUBMITTED, V.REJECTED),
        "reject": who == "dana" and state in (V.SUBMITTED, V.APPROVED),
        "delete": (state == V.DRAFT and who in ("bob", "dana"))
        or (state in (V.SUBMITTED, V.REJECTED) and who == "dana"),
    }[action]
    assert allowed == expected
    before = set(Verdict.objects.values_list("pk", "status", "version"))
    if allowed:
        run_verdict(action, claim, verdict, user, ratings)
        after = Claim.objects.get(pk=claim.pk)
        approved = after.verdicts.filter(status=V.APPROVED).exists()
        assert approved == (after.status == C.PUBLISHED)
    elif action == "draft" and own_state == V.SUBMITTED and claim.status == C.IN_REVIEW:
        # Saving without submitting edits a submitted verdict; it never goes back to draft.
        run_verdict(action, claim, verdict, user, ratings)
        assert Verdict.objects.get(pk=verdict.pk).status == V.SUBMITTED
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            run_verdict(action, claim, verdict, user, ratings)
        assert set(Verdict.objects.values_list("pk", "status", "version")) == before


def test_every_row_names_known_states_and_an_action_that_refuses_strangers(claim, mallory):
    states = {
        lifecycle.CLAIM: set(C.values) | {lifecycle.DELETED},
        lifecycle.VERDICT: set(V.values) | {lifecycle.NEW, lifecycle.DELETED},
        lifecycle.LINK: set(lifecycle.L.values) | {lifecycle.NEW},
    }
    for row in lifecycle.TRANSITIONS:
        assert set(row.sources) <= states[row.subject], row
        assert set(row.targets) <= states[row.subject], row
        assert set(row.claim_in) <= set(C.values), row
        if lifecycle.Who.DESK in row.who:
            # Any desk member (mallory too) proposes a link: tests/test_actions_links.py.
            assert lifecycle.allows(mallory, row.action, claim=claim, subject=row.subject)
        elif lifecycle.Who.FOLLOWS not in row.who:
            # mallory is an outsider: no row lets her do anything.
            assert not lifecycle.allows(mallory, row.action, claim=claim, subject=row.subject)
