"""GET /api/v1/factchecks/match/?q=… and GET /api/v1/claims/{id}/matches/: earlier fact-checks
for a text or a claim (every answer checked against the schema by tests/conftest.py)."""

import pytest

from factcheck import actions, search
from factcheck.api.matching import MatchSerializer
from factcheck.matching import STRONG
from tests.conftest import api

pytestmark = pytest.mark.django_db

URL = "/api/v1/factchecks/match/"

EARLIER = (
    "The health minister said hospital waiting lists grew by 40,000 patients last winter.\n"
    "The transport agency said the new tram line carried 12 million passengers in 2025.\n"
)
# An unpublished claim that says the same as a published one: its marker must never reach
# anyone outside the desk.
SECRET = "SECRETMARKER hospital waiting lists grew by 40,000 patients last winter"


def published(article, quote, by, bob, dana, rating, speaker_name="Ada Berg"):
    start = article.text.index(quote)
    claim = actions.create_claim(
        article=article,
        by=by,
        start=start,
        end=start + len(quote),
        speaker_name=speaker_name,
        summary=quote[:60],
    )
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=rating, rationale="Checked against the record."
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def earlier(alice, bob, dana, ratings):
    """Two published fact-checks (hospital waiting lists, a tram line)."""
    article = actions.create_article(title="Winter in the wards", text=EARLIER, by=alice)
    rating = ratings["False"]
    return [
        published(article, quote, alice, bob, dana, rating)
        for quote in (
            "hospital waiting lists grew by 40,000 patients last winter",
            "the new tram line carried 12 million passengers in 2025",
        )
    ]


@pytest.fixture
def secret(alice):
    article = actions.create_article(title="Draft", text=f"The minister: {SECRET}.\n", by=alice)
    start = article.text.index(SECRET)
    return actions.create_claim(
        article=article, by=alice, start=start, end=start + len(SECRET), speaker_name="Hidden"
    )


def test_it_finds_the_earlier_fact_check_best_first(earlier, alice):
    answer = api(alice).get(URL, {"q": "Waiting lists at hospitals grew by 40,000 patients"})
    assert answer.status_code == 200
    matches = answer.json()
    assert matches[0]["claim"] == earlier[0].pk
    assert matches[0]["url"] == f"/factchecks/{earlier[0].pk}/"
    assert matches[0]["rating"] == "False"
    assert matches[0]["quote"] == earlier[0].quote
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True)
    for m in matches:
        assert m["strong"] == (m["score"] >= STRONG)
    # The schema's declaration names what Match.as_dict() writes, no more, no less.
    assert set(matches[0]) == set(MatchSerializer().fields) >= {"claim", "score", "quote"}


def test_anonymous_callers_never_see_unpublished_claims(earlier, secret, client):
    for url in (
        URL + "?q=hospital waiting lists grew by 40,000 patients last winter",
        f"/api/v1/claims/{earlier[0].pk}/matches/",
    ):
        answer = api().get(url)
        assert answer.status_code == 200
        assert "SECRETMARKER" not in answer.content.decode()
        assert secret.pk not in {m["claim"] for m in answer.json()}
    # Nor by its number.
    assert api().get(f"/api/v1/claims/{secret.pk}/matches/").status_code == 404


def test_a_claims_matches_leave_the_claim_out(earlier, secret, alice):
    matches = api(alice).get(f"/api/v1/claims/{secret.pk}/matches/").json()
    assert matches[0]["claim"] == earlier[0].pk
    own = api(alice).get(f"/api/v1/claims/{earlier[0].pk}/matches/").json()
    assert earlier[0].pk not in {m["claim"] for m in own}


def test_a_claim_not_visible_to_the_caller_is_a_404(claim, eve):
    for user in (None, eve):
        answer = api(user).get(f"/api/v1/claims/{claim.pk}/matches/")
        assert answer.status_code == 404
        assert "detail" in answer.json()
    assert api().get("/api/v1/claims/999999/matches/").status_code == 404


def test_limit(earlier, alice):
    q = {"q": "hospital waiting lists, tram passengers in 2025"}
    assert len(api(alice).get(URL, {**q, "limit": "1"}).json()) == 1
    assert len(api(alice).get(URL, q).json()) <= 5


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * (search.MAX_QUERY_CHARS + 1)}, "q"),
        ({"q": "\x00tram"}, "q"),
        ({"q": "tram", "limit": "0"}, "limit"),
        ({"q": "tram", "limit": "21"}, "limit"),
        ({"q": "tram", "limit": "five"}, "limit"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(params, field, alice):
    for user in (None, alice):
        answer = api(user).get(URL, params)
        assert answer.status_code == 400
        assert list(answer.json()) == [field]


def test_a_bad_limit_on_a_claim_is_a_400(attributed):
    answer = api().get(f"/api/v1/claims/{attributed.pk}/matches/", {"limit": "99"})
    assert answer.status_code == 400
    assert list(answer.json()) == ["limit"]


def test_odd_text_is_answered_not_failed(earlier):
    for q in ("!!!", "<script>alert(1)</script>", "٣٠٪ 🙂", "tram " * 40):
        answer = api().get(URL, {"q": q})
        assert answer.status_code == 200, q


def test_it_is_rate_limited(earlier, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "match": "2/min",
        },
    }
    client = api()
    assert [client.get(URL, {"q": "tram"}).status_code for _ in range(3)] == [200, 200, 429]
