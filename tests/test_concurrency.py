"""Concurrent writers lose nothing, and a stale edit is refused instead of overwriting.

The load test runs scripts/load.py for a few seconds against a real gunicorn on the
database this suite runs on (SQLite in WAL mode, or PostgreSQL when DATABASE_URL says so);
``make load`` runs it for 30 seconds on both.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connections, transaction

from factcheck import actions
from factcheck.models import Claim, Role, Speaker, Verdict
from tests.conftest import make_user

ROOT = Path(__file__).resolve().parents[1]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


def test_concurrent_writers_lose_no_acknowledged_write():
    db = "postgres" if ON_POSTGRES else "sqlite"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if ON_POSTGRES:
        env["PG_URL"] = os.environ["DATABASE_URL"]
    result = subprocess.run(
        [sys.executable, "scripts/load.py", "--db", db, "--seconds", "3", "--writers", "16"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["errors"] == 0
    assert summary["claims_found"] == summary["claims_acknowledged"] > 0
    assert summary["verdicts_found"] == summary["verdicts_acknowledged"] > 0
    assert summary["missing_or_wrong"] == 0


# --------------------------------------------------------------------------- stale edits


def api(client, user):
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {token.key}"}


def test_a_stale_claim_edit_through_the_api_is_refused_with_412(client, claim, alice, dana):
    url = f"/api/v1/claims/{claim.pk}/"
    read = client.get(url, **api(client, alice))
    etag = read["ETag"]
    # The moderator edits first, from the same version.
    first = client.patch(
        url,
        {"summary": "Moderator's wording"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **api(client, dana),
    )
    assert first.status_code == 200
    assert first["ETag"] != etag
    # alice's edit, based on what she read, must not silently overwrite it.
    second = client.patch(
        url,
        {"summary": "Alice's wording"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **api(client, alice),
    )
    assert second.status_code == 412
    assert "changed by someone else" in second.json()["detail"]
    # The 412 names the current version (the first part of the ETag the moderator got).
    assert second["ETag"] == first["ETag"].split("-")[0] + '"'
    claim.refresh_from_db()
    assert claim.summary == "Moderator's wording"


def test_a_stale_version_in_the_body_is_refused_too(client, claim, alice):
    url = f"/api/v1/claims/{claim.pk}/"
    actions.update_claim(claim=claim, by=alice, summary="Newer")
    response = client.patch(
        url,
        {"summary": "Older", "version": 1},
        content_type="application/json",
        **api(client, alice),
    )
    assert response.status_code == 412
    assert response.json()["current_version"] == 2


def test_a_malformed_if_match_is_refused(client, claim, alice):
    response = client.patch(
        f"/api/v1/claims/{claim.pk}/",
        {"summary": "x"},
        content_type="application/json",
        HTTP_IF_MATCH="yesterday",
        **api(client, alice),
    )
    assert response.status_code == 412
    assert "If-Match" in response.json()["detail"]


def test_a_stale_verdict_edit_through_the_api_is_refused_with_412(client, claim, bob, ratings):
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    url = f"/api/v1/verdicts/{verdict.pk}/"
    etag = client.get(url, **api(client, bob))["ETag"]
    # bob edits in another tab first.
    assert (
        client.patch(
            url,
            {"rationale": "Tab one"},
            content_type="application/json",
            HTTP_IF_MATCH=etag,
            **api(client, bob),
        ).status_code
        == 200
    )
    response = client.patch(
        url,
        {"rationale": "Tab two"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **api(client, bob),
    )
    assert response.status_code == 412
    assert "reload" in response.json()["detail"]
    assert Verdict.objects.get(pk=verdict.pk).rationale == "Tab one"


def test_a_stale_claim_edit_from_the_annotation_page_is_refused_with_412(
    client, claim, alice, dana
):
    # The page edits through the API with its session, sending the version it read as If-Match.
    client.force_login(dana)
    url = f"/api/v1/claims/{claim.pk}/"
    body = {"start": claim.start, "end": claim.end, "summary": "Moderator's"}
    response = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    client.force_login(alice)
    body["summary"] = "Alice's"
    response = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert "changed by someone else" in response.json()["detail"]
    assert Claim.objects.get(pk=claim.pk).summary == "Moderator's"


def test_a_stale_verdict_form_is_refused_with_409(client, claim, bob, ratings):
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    client.force_login(bob)
    page = client.get(f"/claims/{claim.pk}/")
    assert f'name="version" value="{verdict.version}"'.encode() in page.content
    # Another tab saves first.
    actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["False"],
        version=verdict.version,
        rationale="Checked against the record.",
    )
    response = client.post(
        f"/claims/{claim.pk}/",
        {"rating": ratings["True"].pk, "rationale": "stale", "version": verdict.version},
    )
    assert b"changed by someone else" in response.content
    assert Verdict.objects.get(pk=verdict.pk).rating == ratings["False"]
    assert response.status_code == 409


# --------------------------------------------------------------------------- races
# Real threads against the real database (SQLite in WAL mode, or PostgreSQL when DATABASE_URL
# says so), each with its own connection: what two people clicking at once do.


def race(*jobs):
    """Run ``jobs`` at the same moment, each in its own thread; their results (or exceptions)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each one got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def signed_in(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client


def patching(client, url, data, **headers):
    return lambda: client.patch(url, data, format="json", **headers)


def test_two_moderators_approving_two_verdicts_of_one_claim_one_wins(
    transactional_db, claim, bob, carol, dana, ratings
):
    erik = make_user("erik", Role.MODERATOR)
    for _ in range(3):
        bobs = actions.save_verdict(
            claim=claim,
            reviewer=bob,
            rating=ratings["True"],
            rationale="Checked against the record.",
        )
        carols = actions.save_verdict(
            claim=claim,
            reviewer=carol,
            rating=ratings["False"],
            rationale="Checked against the record.",
        )
        seen = Claim.objects.get(pk=claim.pk)
        answers = race(
            patching(
                signed_in(dana),
                f"/api/v1/verdicts/{bobs.pk}/",
                {"status": "approved", "claim_version": seen.version},
                HTTP_IF_MATCH=f'"{bobs.version}"',
            ),
            patching(
                signed_in(erik),
                f"/api/v1/verdicts/{carols.pk}/",
                {"status": "approved", "claim_version": seen.version},
                HTTP_IF_MATCH=f'"{carols.version}"',
            ),
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409], [getattr(a, "content", a) for a in answers]
        loser = next(a for a in answers if a.status_code == 409)
        assert "claim changed" in loser.json()["detail"]
        winner = next(a for a in answers if a.status_code == 200).json()["id"]
        assert list(Verdict.objects.filter(status="approved").values_list("pk", flat=True)) == [
            winner
        ]
        assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PUBLISHED
        # Next round: the claim back to review, fresh verdicts.
        actions.unpublish_claim(claim=claim, by=dana)
        Verdict.objects.filter(claim=claim).delete()


def test_approve_racing_the_reviewers_own_edit_one_wins_no_deadlock(
    transactional_db, claim, bob, dana, ratings
):
    for round_ in range(4):
        verdict = actions.save_verdict(
            claim=claim,
            reviewer=bob,
            rating=ratings["True"],
            rationale="Checked against the record.",
        )
        seen = Claim.objects.get(pk=claim.pk)
        approve = patching(
            signed_in(dana),
            f"/api/v1/verdicts/{verdict.pk}/",
            {"status": "approved", "claim_version": seen.version},
            HTTP_IF_MATCH=f'"{verdict.version}"',
        )
        edit = patching(
            signed_in(bob),
            f"/api/v1/verdicts/{verdict.pk}/",
            {"rating": ratings["False"].pk},
            HTTP_IF_MATCH=f'"{verdict.version}"',
        )
        approved, edited = race(approve, edit) if round_ % 2 else race(edit, approve)[::-1]
        assert approved.status_code in (200, 412), approved.content
        assert edited.status_code in (200, 400, 403), edited.content
        stored = Verdict.objects.get(pk=verdict.pk)
        if approved.status_code == 200:
            # Approved what the moderator saw; the reviewer is told it is too late to edit.
            assert edited.status_code in (400, 403)
            assert "published" in edited.text or "moderated" in edited.text
            assert (stored.status, stored.rating) == ("approved", ratings["True"])
        else:
            # The reviewer changed the rating first: the approval of the old one is refused.
            assert edited.status_code == 200
            assert (stored.status, stored.rating) == ("submitted", ratings["False"])
        # Next round from a claim without verdicts.
        if stored.status == "approved":
            actions.unpublish_claim(claim=claim, by=dana)
        actions.delete_verdict(verdict=stored, by=dana)


def test_overlapping_speaker_merges_never_fail_with_an_error(
    transactional_db, article, alice, dana
):
    for _ in range(3):
        names = ["Ana Lind", "A. Lind", "Ana M. Lind"]
        claims = [
            actions.create_claim(article=article, by=alice, start=0, end=9, speaker_name=n)
            for n in names
        ]
        a, b, c = (claim.speaker for claim in claims)
        results = race(
            functools.partial(actions.merge_speakers, survivor=a, others=[b, c], by=dana),
            functools.partial(actions.merge_speakers, survivor=b, others=[a, c], by=dana),
            functools.partial(actions.merge_speakers, survivor=c, others=[b], by=dana),
        )
        refused = [r for r in results if isinstance(r, Exception)]
        assert all(
            isinstance(r, ValidationError) and "Already merged" in r.messages[0] for r in refused
        ), refused
        assert len(refused) < len(results)  # somebody merged
        # Nothing lost: every claim points at a speaker that exists, and it knows all names.
        for claim in Claim.objects.filter(pk__in=[c.pk for c in claims]):
            assert claim.speaker_id is not None
        for name in names:
            assert len(Speaker.objects.matching(name)) == 1
        Claim.objects.all().delete()
        Speaker.objects.all().delete()


def test_sixteen_annotators_naming_one_new_speaker_at_once_all_save(
    transactional_db, article, alice
):
    annotators = [make_user(f"annotator{i}", Role.ANNOTATOR) for i in range(16)]
    for round_ in range(2):
        body = {
            "article": article.pk,
            "start": 0,
            "end": 9,
            "speaker_name": f"Nils Hovde {round_}",
            "statement_title": f"Press release {round_}",
        }
        jobs = [
            functools.partial(signed_in(user).post, "/api/v1/claims/", body, format="json")
            for user in annotators
        ]
        answers = race(*jobs)
        assert [getattr(a, "status_code", a) for a in answers] == [201] * 16
        made = Claim.objects.filter(speaker__name=body["speaker_name"])
        assert made.count() == 16
        assert Speaker.objects.filter(name=body["speaker_name"]).count() == 1
        assert made.values("statement").distinct().count() == 1


def test_a_transaction_that_met_a_busy_database_is_run_once_more(transactional_db, claim, alice):
    tries = []

    @actions.retry_once
    @transaction.atomic
    def edit():
        tries.append(1)
        actions.update_claim(claim=claim, by=alice, summary=f"Try {len(tries)}")
        if len(tries) == 1:
            # What SQLite says when another writer held the lock past the busy timeout.
            raise OperationalError("database is locked")

    edit()
    assert len(tries) == 2
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.summary, stored.version) == ("Try 2", 2)  # the first try left nothing


def test_other_database_errors_and_nested_transactions_are_not_retried(
    transactional_db, claim, alice
):
    tries = []

    @actions.retry_once
    def broken():
        tries.append(1)
        raise OperationalError("no such table: factcheck_nothing")

    with pytest.raises(OperationalError):
        broken()
    assert len(tries) == 1

    @actions.retry_once
    def busy():
        tries.append(1)
        raise OperationalError("database is locked")

    # Inside someone else's transaction only its owner can start again.
    with pytest.raises(OperationalError), transaction.atomic():
        busy()
    assert len(tries) == 2
