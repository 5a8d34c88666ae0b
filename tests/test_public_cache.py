"""Public exports from the cache, refreshed on publish and take-down; per-client rate limits
on exports and the token endpoint; the OpenAPI schema cached."""

import json

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils.cache import get_cache_key
from rest_framework.test import APIClient

from factcheck import actions
from factcheck.api.urls import SCHEMA_KEY_PREFIX
from factcheck.models import Claim, Rating

CLAIMREVIEW = "/api/v1/export/claimreview/"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def reviewed(response) -> list[str]:
    return [r["claimReviewed"] for r in json.loads(body(response))["@graph"]]


@pytest.fixture
def rating(ratings):
    return Rating.objects.exclude(value=None).order_by("value").first()


def publish(claim, bob, dana, rating, capture):
    verdict = actions.save_verdict(claim=claim, reviewer=bob, rating=rating, rationale="Counts.")
    with capture(execute=True):  # the publication commits
        actions.approve_verdict(verdict=verdict, by=dana)


def test_an_anonymous_export_is_served_from_the_cache(
    claim, bob, dana, rating, django_capture_on_commit_callbacks
):
    publish(claim, bob, dana, rating, django_capture_on_commit_callbacks)
    first = APIClient().get(CLAIMREVIEW)
    assert first.status_code == 200 and "X-Export-Cache" not in first
    first_body = body(first)
    # A change made behind the actions' back is not seen: the second answer is the cache's.
    Claim.objects.filter(pk=claim.pk).update(summary="Changed in the database")
    second = APIClient().get(CLAIMREVIEW)
    assert second["X-Export-Cache"] == "hit"
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Cache-Control"] == "public, max-age=60"
    assert body(second) == first_body
    # Another query is another entry.
    assert "X-Export-Cache" not in APIClient().get(CLAIMREVIEW, {"article": claim.article_id})


def test_a_publication_refreshes_the_public_exports(
    claim, article, alice, bob, dana, rating, django_capture_on_commit_callbacks
):
    publish(claim, bob, dana, rating, django_capture_on_commit_callbacks)
    assert len(reviewed(APIClient().get(CLAIMREVIEW))) == 1
    other = actions.create_claim(article=article, by=alice, start=0, end=5, summary="Another")
    publish(other, bob, dana, rating, django_capture_on_commit_callbacks)
    response = APIClient().get(CLAIMREVIEW)
    assert "X-Export-Cache" not in response
    assert len(reviewed(response)) == 2


def test_a_take_down_refreshes_the_public_exports(
    claim, bob, dana, rating, django_capture_on_commit_callbacks
):
    publish(claim, bob, dana, rating, django_capture_on_commit_callbacks)
    assert len(reviewed(APIClient().get(CLAIMREVIEW))) == 1
    with django_capture_on_commit_callbacks(execute=True):
        actions.unpublish_claim(claim=Claim.objects.get(pk=claim.pk), by=dana, note="Wrong")
    assert reviewed(APIClient().get(CLAIMREVIEW)) == []


def test_the_desk_is_never_served_from_the_cache(claim, alice):
    client = APIClient()
    client.force_authenticate(alice)
    for _ in range(2):
        response = client.get("/api/v1/export/claims.csv")
        assert "X-Export-Cache" not in response
        assert response["Cache-Control"] == "no-store"
        assert claim.quote in body(response).decode("utf-8-sig")  # open claims too


def test_exports_are_rate_limited_per_client_address(settings, db):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"export": "3/min", "token": "2/min"},
    }
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert client.get(CLAIMREVIEW).status_code == 200
    # A forged X-Forwarded-For (no trusted proxy here) is no new client.
    refused = client.get(CLAIMREVIEW, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"].lower()
    # Another address has its own count.
    assert APIClient(REMOTE_ADDR="203.0.113.8").get(CLAIMREVIEW).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings, db):
    settings.TRUSTED_PROXIES = 1
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"export": "1/min", "token": "1/min"},
    }
    proxy = APIClient(REMOTE_ADDR="10.0.0.1")
    assert proxy.get(CLAIMREVIEW, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 200
    assert proxy.get(CLAIMREVIEW, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert proxy.get(CLAIMREVIEW, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200


def test_the_token_endpoint_is_rate_limited(settings, alice):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"export": "100/min", "token": "2/min"},
    }
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    login = {"username": "alice", "password": "nope"}
    for _ in range(2):
        assert client.post("/api/v1/auth/token/", login).status_code == 400
    refused = client.post("/api/v1/auth/token/", login)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_the_schema_is_made_once_and_served_from_the_cache(client):
    first = client.get("/api/v1/schema/")
    assert first.status_code == 200
    request = RequestFactory().get("/api/v1/schema/")
    key = get_cache_key(request, key_prefix=SCHEMA_KEY_PREFIX, cache=cache)
    assert key is not None and cache.get(key) is not None
    again = client.get("/api/v1/schema/")
    assert again.content == first.content
