"""POST/GET /api/v1/articles/{id}/revisions/: correct an article, list and read its revisions."""

import pytest

from factcheck.models import Article, ArticleRevision, BackgroundTask, Claim
from tests.conftest import ARTICLE_TEXT, api

WITHOUT_FERRY = ARTICLE_TEXT.replace("The ferry operator said ridership fell by a third.\n", "")


def url(article, number=None):
    base = f"/api/v1/articles/{article.pk}/revisions/"
    return base if number is None else f"{base}{number}/"


def test_it_corrects_with_the_articles_etag_and_answers_per_claim(attributed, alice):
    client = api(alice)
    read = client.get(f"/api/v1/articles/{attributed.article_id}/")
    assert read.data["version"] == 1 and read["ETag"].startswith('"1-')
    response = client.post(
        url(attributed.article),
        {"text": WITHOUT_FERRY, "note": "The ferry figure was wrong."},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert response.status_code == 201, response.data
    assert response.data["revision"] == 2 and response.data["article_version"] == 2
    assert response["ETag"] == '"2"'
    assert response["Location"].endswith(url(attributed.article, 2))
    assert response.data["claims"] == [
        {
            "id": attributed.pk,
            "outcome": "orphaned",
            "start": None,
            "end": None,
            "quote": None,
            "score": 0.0,
        }
    ]
    assert response.data["counts"] == {"unchanged": 0, "moved": 0, "edited": 0, "orphaned": 1}
    assert Article.objects.get(pk=attributed.article_id).text == WITHOUT_FERRY


def test_a_stale_if_match_is_412_and_changes_nothing(claim, alice):
    response = api(alice).post(
        url(claim.article), {"text": WITHOUT_FERRY}, format="json", HTTP_IF_MATCH='"9"'
    )
    assert response.status_code == 412 and response.data["current_version"] == 1
    assert ArticleRevision.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"text": ""}, "text"), ({"text": ARTICLE_TEXT}, "text"), ({"note": "x"}, "text")],
)
def test_bad_input_is_400_in_the_apis_shape(claim, alice, body, field):
    response = api(alice).post(url(claim.article), body, format="json")
    assert response.status_code == 400 and field in response.data
    assert ArticleRevision.objects.count() == 1


def test_an_oversize_text_is_413(claim, alice, settings):
    settings.FACTCHECK_MAX_ARTICLE_CHARS = 10
    response = api(alice).post(url(claim.article), {"text": WITHOUT_FERRY}, format="json")
    assert response.status_code == 413


@pytest.mark.parametrize(("who", "code"), [(None, 403), ("eve", 403)])
def test_only_the_desk_corrects(claim, eve, who, code):
    response = api(eve if who else None).post(
        url(claim.article), {"text": WITHOUT_FERRY}, format="json"
    )
    assert response.status_code in (401, code)
    assert Article.objects.get(pk=claim.article_id).text == ARTICLE_TEXT


def test_it_lists_revisions_and_returns_any_one(attributed, alice):
    api(alice).post(url(attributed.article), {"text": WITHOUT_FERRY, "note": "n"}, format="json")
    listed = api(alice).get(url(attributed.article))
    assert [(r["number"], r["note"], r["created_by"]) for r in listed.data] == [
        (1, "", "alice"),
        (2, "n", "alice"),
    ]
    assert listed.data[0]["length"] == len(ARTICLE_TEXT)
    first = api(alice).get(url(attributed.article, 1))
    assert first.data["text"] == ARTICLE_TEXT and first.data["anchorings"] == []
    second = api(alice).get(url(attributed.article, 2))
    assert second.data["text"] == WITHOUT_FERRY
    assert [(a["claim"], a["outcome"], a["old_quote"]) for a in second.data["anchorings"]] == [
        (attributed.pk, "orphaned", "ridership fell by a third")
    ]
    assert api(alice).get(url(attributed.article, 3)).status_code == 404


def test_readers_see_only_published_claims_outcomes(attributed, claim, alice):
    # `claim` is an open claim on the same words: the public must not learn of it.
    api(alice).post(url(attributed.article), {"text": WITHOUT_FERRY}, format="json")
    public = api().get(url(attributed.article, 2))
    assert [a["claim"] for a in public.data["anchorings"]] == [attributed.pk]
    desk = api(alice).get(url(attributed.article, 2))
    assert sorted(a["claim"] for a in desk.data["anchorings"]) == sorted([attributed.pk, claim.pk])


def test_the_public_cannot_read_an_article_without_published_claims(claim):
    assert api().get(url(claim.article)).status_code == 404
    assert api().get(url(claim.article, 1)).status_code == 404


def test_many_claims_run_as_a_background_task(claim, alice, settings):
    settings.FACTCHECK_CORRECTION_TASK_CLAIMS = 0
    response = api(alice).post(url(claim.article), {"text": WITHOUT_FERRY}, format="json")
    assert response.status_code == 202
    # The test settings run tasks at once: it is done when polled.
    polled = api(alice).get(response.data["url"])
    assert polled.data["status"] == "succeeded" and polled.data["kind"] == "correction"
    assert polled.data["progress"]["unit"] == "claims"
    assert polled.data["result"]["revision"] == 2
    assert polled.data["result"]["page"] == f"/articles/{claim.article_id}/revisions/?to=2"
    assert polled.data["result"]["claims"][0]["outcome"] == "orphaned"
    assert Claim.objects.get(pk=claim.pk).anchor_state == "orphaned"
    assert BackgroundTask.objects.get().payload == b""


def test_a_background_correction_with_a_stale_version_fails_and_changes_nothing(
    claim, alice, settings
):
    settings.FACTCHECK_CORRECTION_TASK_CLAIMS = 0
    response = api(alice).post(
        url(claim.article), {"text": WITHOUT_FERRY}, format="json", HTTP_IF_MATCH='"4"'
    )
    assert response.status_code == 412
    assert not BackgroundTask.objects.exists()
