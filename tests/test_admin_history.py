"""Audit history in the admin: every edit and decision keeps a row saying who and when."""

import pytest

from factcheck import actions
from factcheck.models import Rating, Speaker


@pytest.fixture
def desk(client, dana):
    client.force_login(dana)
    return client


def test_moderator_edits_the_rating_scale_and_history_keeps_the_old_label(desk, dana):
    rating = Rating.objects.get(label="Unproven")
    response = desk.post(
        f"/admin/factcheck/rating/{rating.pk}/change/",
        {
            "label": "Unsupported",
            "description": rating.description,
            "value": "",
            "order": rating.order,
            "colour": "#57606a",
        },
    )
    assert response.status_code == 302
    labels = list(rating.history.order_by("history_date").values_list("label", flat=True))
    assert labels[-2:] == ["Unproven", "Unsupported"]
    assert rating.history.latest().history_user == dana
    page = desk.get(f"/admin/factcheck/rating/{rating.pk}/history/").text
    assert "dana" in page and "Unsupported" in page


def test_rating_colour_is_validated(desk):
    rating = Rating.objects.get(label="True")
    response = desk.post(
        f"/admin/factcheck/rating/{rating.pk}/change/",
        {"label": "True", "value": 5, "order": 0, "colour": "red;background:url(x)"},
    )
    assert response.status_code == 200
    assert "errornote" in response.text
    assert Rating.objects.get(pk=rating.pk).colour != "red;background:url(x)"


def test_moderator_edits_a_speaker_and_the_old_name_stays_in_history(desk, claim, dana):
    speaker = claim.speaker
    response = desk.post(
        f"/admin/factcheck/speaker/{speaker.pk}/change/",
        {
            "name": "Tomas Berg Jr.",
            "kind": "person",
            "description": "",
            "aliases": "Berg",
            "wikidata_id": "",
        },
    )
    assert response.status_code == 302
    assert Speaker.objects.get(pk=speaker.pk).name == "Tomas Berg Jr."
    names = set(speaker.history.values_list("name", flat=True))
    assert names == {"Tomas Berg", "Tomas Berg Jr."}
    assert speaker.history.latest().history_user == dana


@pytest.mark.parametrize("model", ["claim", "verdict", "speaker", "statement", "rating", "article"])
def test_every_history_page_opens(desk, claim, bob, ratings, dana, model):
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    pk = {
        "claim": claim.pk,
        "verdict": verdict.pk,
        "speaker": claim.speaker_id,
        "statement": claim.statement_id,
        "rating": ratings["True"].pk,
        "article": claim.article_id,
    }[model]
    response = desk.get(f"/admin/factcheck/{model}/{pk}/history/")
    assert response.status_code == 200
    assert "Revert" not in response.text


def test_the_history_page_says_nothing_as_a_dash_and_times_to_the_second(desk, claim, dana):
    """Issue 15: the history showed "None" for empty values and times with microseconds."""
    import re

    actions.reject_claim(claim=claim, by=dana, note="Opinion, not a checkable fact.")
    page = desk.get(f"/admin/factcheck/claim/{claim.pk}/history/").text
    table = page[page.index('id="change-history"') :]
    table = table[: table.index("</table>")]
    text = re.sub(r"<[^>]+>", " ", table)
    assert "None" not in text
    assert not re.search(r"\d\d:\d\d:\d\d\.\d+", text)
    assert "Moderated at" in text and "Opinion, not a checkable fact." in text
