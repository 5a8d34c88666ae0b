"""The rating scale: everyone reads it; only moderators change it."""

from factcheck import actions
from factcheck.models import Rating
from tests.conftest import api

URL = "/api/v1/ratings/"


def test_everyone_reads_the_scale_in_order(ratings):
    body = api().get(URL).json()
    assert [r["label"] for r in body] == [r.label for r in Rating.objects.all()]


def test_only_moderators_change_it(alice, bob, dana):
    new = {"label": "Satire", "value": None, "order": 99, "colour": "#123456"}
    for user in (None, alice, bob):
        assert api(user).post(URL, new, format="json").status_code == 403
    r = api(dana).post(URL, new, format="json")
    assert r.status_code == 201, r.json()
    r = api(dana).patch(f"{URL}{r.json()['id']}/", {"colour": "red"}, format="json")
    assert r.status_code == 400 and "colour" in r.json()


def test_a_rating_in_use_is_not_deleted(bob, dana, claim, ratings):
    rating = next(iter(ratings.values()))
    actions.save_verdict(
        claim=claim, reviewer=bob, rating=rating, rationale="Checked against the record."
    )
    assert api(dana).delete(f"{URL}{rating.pk}/").status_code == 409
