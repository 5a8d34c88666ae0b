"""The suggestions API: run the detector on an article, list, accept (a claim), reject."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from factcheck import actions
from factcheck.models import Claim, Speaker, Suggestion
from tests import fake_detector
from tests.conftest import api

TEXT = (
    'The council met on Tuesday. "Rents rose 12 percent last year," said Ana Ruiz.\n'
    'The mayor called it "a plan". "We will build 400 homes," Ana Ruiz added.\n'
)


@pytest.fixture(autouse=True)
def fake(settings):
    settings.FACTCHECK_DETECTOR = "tests.fake_detector.detect"
    fake_detector.OVERRIDE = None


@pytest.fixture
def council(alice):
    return actions.create_article(title="Council", text=TEXT, by=alice)


def url(article):
    return f"/api/v1/articles/{article.pk}/suggestions/"


def test_it_runs_the_detector_and_answers_with_the_suggestions(council, alice):
    r = api(alice).post(url(council))

    assert r.status_code == 200
    first, plan, second = r.json()
    cue = TEXT.index("said")
    source = TEXT.index("Ana Ruiz")
    assert first == {
        "id": first["id"],
        "kind": "direct_quote",
        "start": TEXT.index("Rents"),
        "end": TEXT.index(',"'),
        "quote": "Rents rose 12 percent last year",
        "cue": {"start": cue, "end": cue + 4, "text": "said"},
        "source_mention": {"start": source, "end": source + 8, "text": "Ana Ruiz"},
        "speaker": {"id": None, "name": "Ana Ruiz", "kind": "person"},
        "statement": {
            "id": None,
            "title": "Remarks by Ana Ruiz",
            "kind": "interview",
            "date": "2026-03-05",
        },
        "confidence": 0.9,
        "check_worthiness": 0.7,
        "status": "pending",
    }
    # Unattributed: the author's, no occasion.
    assert (plan["quote"], plan["speaker"], plan["statement"], plan["cue"]) == (
        "a plan",
        None,
        None,
        None,
    )
    assert Suggestion.objects.count() == 3 and not Claim.objects.exists()


def test_it_lists_them_and_filters_by_status(council, alice):
    client = api(alice)
    made = client.post(url(council)).json()
    client.post(f"/api/v1/suggestions/{made[1]['id']}/reject/")

    listed = client.get(url(council)).json()
    pending = client.get(url(council), {"status": "pending"}).json()

    assert [s["id"] for s in listed] == [s["id"] for s in made]
    assert [s["status"] for s in listed] == ["pending", "rejected", "pending"]
    assert [s["id"] for s in pending] == [made[0]["id"], made[2]["id"]]
    assert client.get(url(council), {"status": "maybe"}).status_code == 400


def test_accepting_answers_with_the_claim(council, alice):
    client = api(alice)
    first = client.post(url(council)).json()[0]

    r = client.post(f"/api/v1/suggestions/{first['id']}/accept/", {}, format="json")

    assert r.status_code == 201
    claim = r.json()
    assert r["Location"].endswith(f"/api/v1/claims/{claim['id']}/")
    # The claim read shape, as GET /api/v1/claims/<id>/ answers.
    assert claim == client.get(f"/api/v1/claims/{claim['id']}/").json()
    assert (claim["start"], claim["end"], claim["quote"]) == (
        first["start"],
        first["end"],
        first["quote"],
    )
    assert claim["speaker_name"] == "Ana Ruiz"
    assert claim["statement_title"] == "Remarks by Ana Ruiz"
    assert (claim["cue_start"], claim["source_start"]) == (
        first["cue"]["start"],
        first["source_mention"]["start"],
    )
    assert Suggestion.objects.get(pk=first["id"]).status == "accepted"


def test_overrides_in_the_body(council, alice):
    client = api(alice)
    first = client.post(url(council)).json()[0]

    r = client.post(
        f"/api/v1/suggestions/{first['id']}/accept/",
        {"kind": "mixed_quote", "speaker_name": "Ana María Ruiz", "speaker_kind": "government"},
        format="json",
    )

    assert r.status_code == 201, r.json()
    assert r.json()["kind"] == "mixed_quote"
    assert Speaker.objects.get().kind == "government"


def test_bad_overrides_are_a_400_and_write_nothing(council, alice):
    client = api(alice)
    first = client.post(url(council)).json()[0]

    for body in ({"kind": "rumour"}, {"end": 10**6}, {"cue_start": 1}, {"quote": "x"}):
        r = client.post(f"/api/v1/suggestions/{first['id']}/accept/", body, format="json")
        assert r.status_code == 400, body

    assert not Claim.objects.exists()
    assert Suggestion.objects.get(pk=first["id"]).status == "pending"


def test_deciding_twice_is_a_409(council, alice, mallory):
    first = api(alice).post(url(council)).json()[0]
    assert api(alice).post(f"/api/v1/suggestions/{first['id']}/reject/").status_code == 200

    r = api(mallory).post(f"/api/v1/suggestions/{first['id']}/accept/", {}, format="json")

    assert r.status_code == 409
    assert "rejected" in r.json()["detail"]
    assert api(mallory).post(f"/api/v1/suggestions/{first['id']}/reject/").status_code == 409


def test_reject_answers_with_the_suggestion(council, alice):
    first = api(alice).post(url(council)).json()[0]

    r = api(alice).post(f"/api/v1/suggestions/{first['id']}/reject/")

    assert r.json() == {**first, "status": "rejected"}


def test_accept_above_is_for_moderators(council, alice, dana):
    api(alice).post(url(council))
    above = f"{url(council)}accept-above/"

    assert api(alice).post(above, {"confidence": 0.8}, format="json").status_code == 403
    r = api(dana).post(above, {"confidence": 0.8}, format="json")

    assert r.status_code == 200
    assert r.json()["accepted"] == 2
    assert [c["quote"] for c in r.json()["claims"]] == [
        "Rents rose 12 percent last year",
        "We will build 400 homes",
    ]
    assert api(dana).post(above, {"confidence": 2}, format="json").status_code == 400


def test_suggestions_are_for_the_desk_only(council, alice, eve):
    made = api(alice).post(url(council)).json()
    token = Token.objects.create(user=eve)
    outsider = api()
    outsider.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api().get(url(council)).status_code in (401, 403)
    assert api(eve).get(url(council)).status_code == 403
    assert outsider.post(url(council)).status_code == 403
    assert outsider.post(f"/api/v1/suggestions/{made[0]['id']}/accept/").status_code == 403
    assert not Claim.objects.exists()


def test_unknown_ids_are_404(alice):
    assert api(alice).get("/api/v1/articles/999/suggestions/").status_code == 404
    assert api(alice).post("/api/v1/suggestions/999/accept/").status_code == 404
    assert api(alice).post("/api/v1/suggestions/999/reject/").status_code == 404
