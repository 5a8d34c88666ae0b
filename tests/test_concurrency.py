"""Concurrent writers lose nothing, and a stale edit is refused instead of overwriting.

The load test runs scripts/load.py for a few seconds against a real gunicorn on the
database this suite runs on (SQLite in WAL mode, or PostgreSQL when DATABASE_URL says so);
``make load`` runs it for 30 seconds on both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from factcheck import actions
from factcheck.models import Claim, Verdict

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
    assert second["ETag"] == first["ETag"]
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
    verdict = actions.save_verdict(claim=claim, reviewer=bob, rating=ratings["True"])
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
    verdict = actions.save_verdict(claim=claim, reviewer=bob, rating=ratings["True"])
    client.force_login(bob)
    page = client.get(f"/claims/{claim.pk}/")
    assert f'name="version" value="{verdict.version}"'.encode() in page.content
    # Another tab saves first.
    actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["False"], version=verdict.version
    )
    response = client.post(
        f"/claims/{claim.pk}/",
        {"rating": ratings["True"].pk, "rationale": "stale", "version": verdict.version},
    )
    assert b"changed by someone else" in response.content
    assert Verdict.objects.get(pk=verdict.pk).rating == ratings["False"]
    assert response.status_code == 409
