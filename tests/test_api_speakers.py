"""Speakers and statements: annotators add them, moderators edit; search finds aliases."""

import json

import pytest

from factcheck.models import Claim, Speaker, Statement
from tests.conftest import api

SPEAKERS, STATEMENTS = "/api/v1/speakers/", "/api/v1/statements/"


def test_an_annotator_adds_a_speaker_and_search_finds_aliases(alice):
    r = api(alice).post(
        SPEAKERS,
        {
            "name": "Ingrid Solberg",
            "kind": "person",
            "aliases": ["Mayor Solberg"],
            "wikidata_id": "Q42",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["aliases"] == ["Mayor Solberg"]
    found = api(alice).get(f"{SPEAKERS}?search=mayor").json()["results"]
    assert [s["name"] for s in found] == ["Ingrid Solberg"]


def test_duplicate_and_invalid_speakers_are_400(alice):
    Speaker.objects.create(name="Tomas Berg")
    r = api(alice).post(SPEAKERS, {"name": "tomas berg"}, format="json")
    assert r.status_code == 400 and "name" in r.json()
    r = api(alice).post(SPEAKERS, {"name": "X", "wikidata_id": "42"}, format="json")
    assert r.status_code == 400 and "wikidata_id" in r.json()


def test_only_moderators_edit_or_delete_speakers(alice, dana, claim):
    speaker = claim.speaker
    assert (
        api(alice)
        .patch(f"{SPEAKERS}{speaker.pk}/", {"description": "x"}, format="json")
        .status_code
        == 403
    )
    r = api(dana).patch(f"{SPEAKERS}{speaker.pk}/", {"description": "CEO"}, format="json")
    assert r.status_code == 200 and r.json()["description"] == "CEO"
    assert api(dana).delete(f"{SPEAKERS}{speaker.pk}/").status_code == 409
    lonely = Speaker.objects.create(name="Nobody")
    assert api(dana).delete(f"{SPEAKERS}{lonely.pk}/").status_code == 204


def test_statements_by_speaker_name_and_search(alice, eve, claim):
    r = api(alice).post(
        STATEMENTS,
        {
            "speaker_name": "Mette Lund",
            "title": "Interview",
            "kind": "interview",
            "date": "2026-03-01",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["speaker_name"] == "Mette Lund"
    assert Statement.objects.get(pk=r.json()["id"]).speaker.name == "Mette Lund"
    found = api(alice).get(f"{STATEMENTS}?search=radio").json()["results"]
    assert [s["id"] for s in found] == [claim.statement_id]
    assert (
        api(alice).get(f"{STATEMENTS}?speaker={claim.speaker_id}").json()["results"][0]["id"]
        == claim.statement_id
    )
    # Outsiders see no speaker or statement until a claim is published.
    assert api(eve).get(SPEAKERS).json()["results"] == []
    assert api(eve).get(STATEMENTS).json()["results"] == []
    assert api(eve).post(STATEMENTS, {"title": "x"}, format="json").status_code == 403


# --------------------------------------------------------------------------- direction controls

RLO_NAME = "Mayor \u202eregloS"  # displays as "Mayor Solberg"


@pytest.mark.parametrize(
    "control", ["\u202e", "\u202d", "\u202a", "\u202b", "\u2066", "\u2067", "\u2068"]
)
def test_a_speaker_name_with_a_direction_override_is_refused(dana, control):
    # The attack: an invisible override makes one name display as another.
    client = api(dana)
    r = client.post("/api/v1/speakers/", {"name": f"Mayor {control}x"}, format="json")
    assert r.status_code == 400 and "name" in r.json(), r.json()
    r = client.post(
        "/api/v1/speakers/", {"name": "Mayor", "aliases": [f"a{control}b"]}, format="json"
    )
    assert r.status_code == 400, r.json()
    assert not Speaker.objects.exists()


def test_names_with_direction_overrides_are_refused_at_every_door(alice, article):
    client = api(alice)
    r = client.post(
        "/api/v1/claims/",
        {"article": article.pk, "start": 0, "end": 3, "speaker_name": RLO_NAME},
        format="json",
    )
    assert r.status_code == 400, r.json()
    r = client.post(
        "/api/v1/claims/",
        {"article": article.pk, "start": 0, "end": 3, "statement_title": "Spee\u202ech"},
        format="json",
    )
    assert r.status_code == 400, r.json()
    record = {
        "text": "A text.",
        "title": "t",
        "claims": [{"start": 0, "end": 1, "speaker": RLO_NAME}],
    }
    r = client.post(
        "/api/v1/import/?format=ours", json.dumps(record), content_type="application/x-ndjson"
    )
    task = client.get(r["Location"]).json()
    assert task["status"] == "failed" and "direction" in json.dumps(task["problems"])
    assert not Speaker.objects.exists() and not Claim.objects.exists()


def test_right_to_left_names_and_marks_are_welcome(dana):
    r = api(dana).post(
        "/api/v1/speakers/", {"name": "\u200fمحمد \u05d3\u05d5\u05d3"}, format="json"
    )
    assert r.status_code == 201, r.json()
