"""Whatever a client sends, the answer is a clear 4xx, never a 500."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from factcheck.models import BackgroundTask

HUGE = 99999999999999999999999


@pytest.fixture
def client(dana):
    # The moderator may write everywhere, so bad input (not permissions) is what is tested.
    api = APIClient(raise_request_exception=False)
    api.force_login(dana)
    return api


BODIES = [
    ("/api/v1/claims/", {"article": HUGE, "start": 0, "end": 3}),
    ("/api/v1/claims/", {"article": "1", "start": HUGE, "end": HUGE}),
    ("/api/v1/claims/", {"article": 1, "speaker": HUGE, "start": 0, "end": 2}),
    ("/api/v1/claims/", {"article": 1, "quote": ["a"], "prefix": {"x": 1}}),
    ("/api/v1/claims/", [1, 2, 3]),
    ("/api/v1/claims/", {"article": 1, "start": -1, "end": 2, "kind": "nonsense"}),
    ("/api/v1/verdicts/", {"claim": HUGE, "rating": "abc"}),
    ("/api/v1/verdicts/", {"claim": 1, "rating": 1, "sources": "not a list"}),
    ("/api/v1/verdicts/", {"claim": 1, "rating": 1, "sources": [{"url": 5}]}),
    ("/api/v1/articles/", {"title": "x" * 1000, "text": "y", "published_on": "2026-13-45"}),
    ("/api/v1/speakers/", {"name": "", "aliases": "not a list", "kind": 3}),
    ("/api/v1/statements/", {"title": "t", "speaker": HUGE, "url": "ftp://x"}),
    ("/api/v1/ratings/", {"label": "", "value": HUGE, "order": -1}),
    ("/api/v1/auth/token/", {"username": ["x"], "password": None}),
]


@pytest.mark.parametrize(("url", "body"), BODIES)
def test_bad_bodies_are_400(client, claim, url, body):
    r = client.post(url, body, format="json")
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])


@pytest.mark.parametrize(
    "body",
    [
        {"status": "weird"},
        {"version": "x"},
        {"start": 500},
        {"end": HUGE},
        {"cue_start": 1},
        {"speaker": HUGE},
        {"quote": "absent from the text"},
        {"statement_title": "x" * 400},
    ],
)
def test_bad_claim_edits_are_400(client, claim, body):
    r = client.patch(f"/api/v1/claims/{claim.pk}/", body, format="json")
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/?speaker=1e400",
        "/api/v1/claims/?ordering=-quote,,id",
        "/api/v1/claims/?search=" + "%00" * 5,
        "/api/v1/verdicts/?claim=-1",
        "/api/v1/statements/?date_after=yesterday",
        "/api/v1/speakers/?page_size=-3",
        "/api/v1/export/annotations/?page=99999999999999999999999",
        "/api/v1/export/claims.csv?article=x",
        "/api/v1/export/claims.jsonl?article=0",
        "/api/v1/export/annotations/?page=0&after=99999999999999999999999999",
    ],
)
def test_bad_queries_are_4xx_or_empty(client, claim, url):
    r = client.get(url)
    assert r.status_code < 500, (r.status_code, r.content[:300])


def test_exports_ignore_the_accept_header(client, claim):
    for url in ("/api/v1/export/annotations/", "/api/v1/export/claims.csv"):
        r = client.get(url, HTTP_ACCEPT="application/ld+json; profile=x, text/html;q=0.1")
        assert r.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/",
        "/api/v1/claims/",
        "/api/v1/claims/{claim}/",
        "/api/v1/verdicts/",
        "/api/v1/articles/",
        "/api/v1/articles/{article}/",
        "/api/v1/speakers/",
        "/api/v1/statements/",
        "/api/v1/ratings/",
        "/api/v1/auth/token/",
        "/api/v1/import/",
    ],
)
def test_the_browsable_api_renders(client, claim, url):
    url = url.format(claim=claim.pk, article=claim.article_id)
    r = client.get(url, HTTP_ACCEPT="text/html")
    assert r.status_code in (200, 405, 406), (r.status_code, r.content[:300])


# --------------------------------------------------------------------------- hostile JSON

DEEP = "[" * 100_000


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/api/v1/claims/", "application/json"),
        ("/api/v1/articles/", "application/json"),
        ("/api/v1/verdicts/", "application/json"),
        ("/api/v1/auth/token/", "application/json"),
    ],
)
def test_deeply_nested_json_is_a_400_not_a_500(client, claim, url, content_type):
    # The attack: `[` x 100,000 made the JSON parser raise RecursionError, a 500.
    r = client.post(url, DEEP, content_type=content_type)
    assert r.status_code == 400, (r.status_code, r.content[:300])
    assert "nested too deeply" in r.content.decode()


@pytest.mark.parametrize(
    ("url", "content_type", "body"),
    [
        ("/api/v1/import/", "application/json", DEEP),
        ("/api/v1/import/?format=labelstudio", "application/json", DEEP),
        ("/api/v1/import/?format=w3c", "application/ld+json", DEEP),
        ("/api/v1/import/?format=doccano", "application/x-ndjson", DEEP),
        ("/api/v1/import/", "application/json", '{"weird": "form"}'),
    ],
)
def test_a_hostile_import_is_queued_and_fails_with_its_problem(client, url, content_type, body):
    # The import is a background task: the upload is accepted (202) and the task it names
    # ends failed, saying why, in the API's error shape; nothing is written.
    r = client.post(url, body, content_type=content_type)
    assert r.status_code == 202, (r.status_code, r.content[:300])
    task = client.get(r["Location"]).json()
    assert task["status"] == "failed"
    assert task["detail"] and task["problems"]
    if body is DEEP:
        assert "nested too deeply" in json.dumps(task["problems"])


def test_a_deeply_nested_label_map_for_an_import_is_a_400(client):
    # The attack: the import's `labels` option, given as JSON, went to json.loads unguarded.
    upload = SimpleUploadedFile("speech.jsonl", b'{"text": "x"}\n')
    r = client.post("/api/v1/import/", {"file": upload, "labels": '{"A": ' + DEEP})
    assert r.status_code == 400, (r.status_code, r.content[:300])
    assert "nested too deeply" in r.json()["labels"][0]
    assert not BackgroundTask.objects.exists()


def test_deeply_nested_json_in_a_claim_edit_is_a_400(client, claim):
    r = client.patch(f"/api/v1/claims/{claim.pk}/", DEEP, content_type="application/json")
    assert r.status_code == 400
