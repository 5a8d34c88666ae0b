"""GET /api/v1/search/: factcheck.search through the API (every answer checked against the
schema by tests/conftest.py)."""

import datetime

import pytest

from factcheck import actions
from tests.conftest import api

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/"


@pytest.fixture
def kremlin(alice):
    return actions.create_article(
        title="Talks to resume",
        text="Vladimir Putin told reporters that grain exports had doubled.\n",
        published_on=datetime.date(2026, 3, 4),
        by=alice,
    )


def test_it_finds_the_article_that_quotes_putin(kremlin, alice):
    answer = api(alice).get(URL, {"q": "Putin"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1 and body["counts"]["article"] == 1
    [hit] = body["results"]
    assert (hit["type"], hit["id"], hit["title"]) == ("article", kremlin.pk, "Talks to resume")
    assert "<mark>Putin</mark>" in hit["snippet"]
    assert hit["url"] == f"/articles/{kremlin.pk}/"


def test_type_and_claim_filters(attributed, claim, alice):
    body = api(alice).get(URL, {"q": "ridership", "type": "claim"}).json()
    assert {h["id"] for h in body["results"]} == {attributed.pk, claim.pk}
    assert {h["type"] for h in body["results"]} == {"claim"}
    body = api(alice).get(URL, {"q": "ridership", "type": "claim", "status": "open"}).json()
    assert [h["id"] for h in body["results"]] == [claim.pk]
    assert body["results"][0]["details"]["speaker_name"] == "Tomas Berg"
    body = api(alice).get(URL, {"q": "ferry", "speaker": attributed.speaker_id}).json()
    assert {(h["type"], h["id"]) for h in body["results"]} >= {
        ("claim", attributed.pk),
        ("article", attributed.article_id),
        ("speaker", attributed.speaker_id),
    }


def test_dates(kremlin, article, alice):
    body = api(alice).get(URL, {"q": "said or putin", "date_before": "2026-03-04"}).json()
    assert [(h["type"], h["id"]) for h in body["results"]] == [("article", kremlin.pk)]


def test_anonymous_callers_find_published_material_only(attributed, claim, kremlin):
    body = api().get(URL, {"q": "ridership or putin", "type": "claim"}).json()
    assert [h["id"] for h in body["results"]] == [attributed.pk]
    assert body["results"][0]["url"] == f"/factchecks/{attributed.pk}/"
    assert api().get(URL, {"q": "putin"}).json()["count"] == 0


def test_pages(alice):
    for n in range(7):
        actions.create_article(title=f"Harbour {n}", text="The harbour is full.", by=alice)
    client = api(alice)
    first = client.get(URL, {"q": "harbour", "page_size": "3"}).json()
    assert first["count"] == 7 and len(first["results"]) == 3 and first["previous"] is None
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert len(third["results"]) == 1 and third["next"] is None
    ids = [h["id"] for page in (first, second, third) for h in page["results"]]
    assert len(set(ids)) == 7


def test_a_hostile_text_is_escaped_in_the_snippet(alice):
    actions.create_article(
        title="x", text='The minister <img src=x onerror="alert(1)"> spoke.', by=alice
    )
    [hit] = api(alice).get(URL, {"q": "minister"}).json()["results"]
    # Only the marks are markup (PostgreSQL's headline drops what looks like a tag itself).
    assert "<" not in hit["snippet"].replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a", "type": "verdict"}, "type"),
        ({"q": "a", "speaker": "-1"}, "speaker"),
        ({"q": "a", "status": "done"}, "status"),
        ({"q": "a", "date_after": "yesterday"}, "date_after"),
        ({"q": "a", "page": "0"}, "page"),
        ({"q": "a", "page_size": "1000"}, "page_size"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(params, field, alice):
    answer = api(alice).get(URL, params)
    assert answer.status_code == 400
    assert field in answer.json()
