"""Suggestions on the reading page are the desk's: never on a public page, in an export, or in
anything an outsider reads."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client

from factcheck import actions
from factcheck.models import Suggestion, text_hash
from tests.test_leaks import body, client_for, read_urls
from tests.world import ROLES, world_in_transaction

MARKER = "SUGGESTED-SPEAKER-MARKER"


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), world_in_transaction() as world:
        text = world.article.text
        Suggestion.objects.create(
            article=world.article,
            detector_version="test",
            text_hash=text_hash(text),
            kind="direct_quote",
            start=0,
            end=12,
            quote=text[:12],
            speaker_name=MARKER,
            statement_title=f"{MARKER} statement",
            confidence=0.8,
        )
        yield world


@pytest.fixture
def world(module_world, db):
    cache.clear()
    return module_world


def page_data(response) -> dict:
    found = re.search(
        r'<script id="annotate-data" type="application/json">(.*?)</script>', body(response)
    )
    return json.loads(found.group(1))


@pytest.mark.parametrize("persona", ROLES)
def test_exports_and_public_reads_never_carry_a_suggestion(world, persona):
    client = client_for(world, persona)
    desk = persona not in ("anon", "eve")
    for url in read_urls(world):
        response = client.get(url)
        text = body(response)
        if "export" in url or "factchecks" in url or not desk:
            assert MARKER not in text, (persona, url)


def test_the_desk_sees_them_on_the_reading_page(world):
    response = client_for(world, "alice").get(f"/articles/{world.article.pk}/")
    (suggestion,) = page_data(response)["suggestions"]
    assert suggestion["speaker"] == {"id": None, "name": MARKER, "kind": "person"}
    assert 'data-testid="suggest-button"' in body(response)
    # The moderator's door only for moderators.
    assert 'data-testid="accept-above-form"' not in body(response)
    dana = client_for(world, "dana").get(f"/articles/{world.article.pk}/")
    assert 'data-testid="accept-above-form"' in body(dana)


@pytest.mark.parametrize("persona", ["anon", "eve"])
def test_outsiders_get_no_suggestions_on_the_reading_page(world, persona):
    response = client_for(world, persona).get(f"/articles/{world.article.pk}/", follow=True)
    assert MARKER not in body(response)
    assert 'data-testid="suggestions"' not in body(response)
    assert response.status_code in (200, 403)  # the sign-in page, or refused


def test_only_pending_suggestions_on_the_current_text_are_drawn(world):
    actions.reject_suggestion(suggestion=Suggestion.objects.get(), by=world.users["alice"])
    response = Client()
    response.force_login(world.users["alice"])
    data = page_data(response.get(f"/articles/{world.article.pk}/"))
    assert data["suggestions"] == []
