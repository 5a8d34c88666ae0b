"""The verdicts API: blind review, reviewers' edits, moderators' approve and reject."""

import pytest

from factcheck import actions
from factcheck.models import Claim, Verdict
from tests.conftest import api

URL = "/api/v1/verdicts/"


@pytest.fixture
def rating(ratings):
    return next(iter(ratings.values()))


def test_a_reviewer_gives_a_verdict_with_sources(bob, claim, rating):
    r = api(bob).post(
        URL,
        {
            "claim": claim.pk,
            "rating": rating.pk,
            "rationale": "Ridership data says so.",
            "sources": [{"url": "https://stats.example.org/ferry", "title": "Ferry stats"}],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "submitted" and body["reviewer"] == "bob"
    assert body["sources"][0]["url"] == "https://stats.example.org/ferry"
    assert r["ETag"].startswith(f'"{body["version"]}-')
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW
    again = api(bob).post(URL, {"claim": claim.pk, "rating": rating.pk}, format="json")
    assert again.status_code == 400 and "PATCH" in again.json()["claim"][0]


def test_bad_sources_and_non_reviewers_are_refused(alice, bob, claim, rating):
    r = api(bob).post(
        URL,
        {"claim": claim.pk, "rating": rating.pk, "sources": [{"url": "javascript:alert(1)"}]},
        format="json",
    )
    assert r.status_code == 400
    assert (
        api(alice).post(URL, {"claim": claim.pk, "rating": rating.pk}, format="json").status_code
        == 403
    )
    assert not Verdict.objects.exists()


def test_review_is_blind_until_you_submit(bob, carol, claim, rating):
    actions.save_verdict(
        claim=claim, reviewer=bob, rating=rating, rationale="Checked against the record."
    )
    assert api(carol).get(URL).json()["results"] == []
    actions.save_verdict(
        claim=claim, reviewer=carol, rating=rating, rationale="Checked against the record."
    )
    reviewers = {v["reviewer"] for v in api(carol).get(URL).json()["results"]}
    assert reviewers == {"bob", "carol"}


def test_the_reviewer_edits_her_verdict_with_if_match(bob, carol, claim, rating, ratings):
    verdict = actions.save_verdict(claim=claim, reviewer=bob, rating=rating, submit=False)
    other = list(ratings.values())[-1]
    r = api(bob).patch(
        f"{URL}{verdict.pk}/",
        {"rating": other.pk, "rationale": "The register says 12.", "submit": True},
        format="json",
        HTTP_IF_MATCH=f'"{verdict.version}"',
    )
    assert r.status_code == 200, r.json()
    assert r.json()["rating"] == other.pk and r.json()["status"] == "submitted"
    stale = api(bob).patch(
        f"{URL}{verdict.pk}/",
        {"rationale": "x"},
        format="json",
        HTTP_IF_MATCH=f'"{verdict.version}"',
    )
    assert stale.status_code == 412
    assert api(carol).patch(
        f"{URL}{verdict.pk}/", {"rationale": "x"}, format="json"
    ).status_code in (403, 404)


def test_a_moderator_approves_and_the_claim_is_published(bob, dana, claim, rating):
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=rating, rationale="Checked against the record."
    )
    r = api(dana).patch(
        f"{URL}{verdict.pk}/", {"status": "approved", "moderation_note": "Solid"}, format="json"
    )
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "approved" and r.json()["moderator"] == "dana"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED and claim.published_at
    # The public now sees the verdict.
    assert [v["id"] for v in api().get(URL).json()["results"]] == [verdict.pk]


def test_nobody_else_moderates(bob, carol, alice, claim, rating):
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=rating, rationale="Checked against the record."
    )
    actions.save_verdict(
        claim=claim, reviewer=carol, rating=rating, rationale="Checked against the record."
    )
    for user in (bob, carol, alice):
        r = api(user).patch(f"{URL}{verdict.pk}/", {"status": "approved"}, format="json")
        assert r.status_code == 403, user
    assert Verdict.objects.get(pk=verdict.pk).status == Verdict.Status.SUBMITTED


def test_rejection_needs_a_note_and_a_fresh_version(bob, dana, claim, rating):
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=rating, rationale="Checked against the record."
    )
    r = api(dana).patch(f"{URL}{verdict.pk}/", {"status": "rejected"}, format="json")
    assert r.status_code == 400 and "moderation_note" in r.json()
    r = api(dana).patch(
        f"{URL}{verdict.pk}/",
        {"status": "rejected", "moderation_note": "Weak sources"},
        format="json",
        HTTP_IF_MATCH='"99"',
    )
    assert r.status_code == 412
    r = api(dana).patch(
        f"{URL}{verdict.pk}/",
        {"status": "rejected", "moderation_note": "Weak sources"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    # Once moderated, the reviewer can no longer edit it.
    r = api(bob).patch(f"{URL}{verdict.pk}/", {"rationale": "more"}, format="json")
    assert r.status_code == 403


def test_drafts_are_deleted_by_their_author_only(bob, carol, dana, claim, rating):
    draft = actions.save_verdict(claim=claim, reviewer=bob, rating=rating, submit=False)
    assert api(carol).delete(f"{URL}{draft.pk}/").status_code == 404  # carol cannot even see it
    assert api(bob).delete(f"{URL}{draft.pk}/").status_code == 204
    submitted = actions.save_verdict(
        claim=claim, reviewer=carol, rating=rating, rationale="Checked against the record."
    )
    actions.approve_verdict(verdict=submitted, by=dana)
    r = api(dana).delete(f"{URL}{submitted.pk}/")
    assert r.status_code == 400 and "reject" in r.json()["status"][0]
