"""Speakers and statements: case-insensitive names, aliases, merges that lose nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from factcheck import actions
from factcheck.models import Claim, Speaker, Statement


def test_names_are_unique_ignoring_case(db):
    Speaker.objects.create(name="Ingrid Solberg")
    with pytest.raises(ValidationError, match="already exists"):
        Speaker(name="ingrid solberg").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Speaker.objects.create(name="INGRID SOLBERG")


def test_resolve_reuses_by_name_or_alias_and_creates_otherwise(db):
    solberg = Speaker.objects.create(name="Ingrid Solberg", aliases="Mayor Solberg\nSolberg")
    assert Speaker.objects.resolve("  mayor   SOLBERG ") == (solberg, False)
    # A substring of an alias is not the alias.
    berg, created = Speaker.objects.resolve("Berg")
    assert created and berg.name == "Berg"


def test_wikidata_id_is_validated(db):
    with pytest.raises(ValidationError, match="Q42"):
        Speaker(name="X", wikidata_id="42").full_clean()
    Speaker(name="Douglas Adams", wikidata_id="Q42").full_clean()


def test_statement_titles_are_unique_per_speaker_ignoring_case(db):
    solberg = Speaker.objects.create(name="Ingrid Solberg")
    first, created = Statement.objects.resolve(solberg, "Press release")
    assert created
    assert Statement.objects.resolve(solberg, "PRESS RELEASE") == (first, False)
    other = Speaker.objects.create(name="Tomas Berg")
    assert Statement.objects.resolve(other, "Press release")[0] != first


def test_merge_speakers_moves_claims_and_statements_and_keeps_names(article, alice, dana):
    a = actions.create_claim(
        article=article,
        by=alice,
        quote="ridership fell",
        speaker_name="Tomas Berg",
        statement_title="Radio interview",
    )
    b = actions.create_claim(
        article=article,
        by=alice,
        quote="ferry operator",
        speaker_name="T. Berg",
        statement_title="Radio interview",
    )
    c = actions.create_claim(
        article=article,
        by=alice,
        quote="by a third",
        speaker_name="T. Berg",
        statement_title="Press conference",
    )
    survivor = Speaker.objects.get(name="Tomas Berg")
    actions.merge_speakers(survivor=survivor, others=[Speaker.objects.get(name="T. Berg")], by=dana)
    assert list(Speaker.objects.values_list("name", flat=True)) == ["Tomas Berg"]
    assert Claim.objects.count() == 3
    assert set(Claim.objects.values_list("speaker", flat=True)) == {survivor.pk}
    survivor.refresh_from_db()
    assert survivor.alias_list == ["T. Berg"]
    # The two "Radio interview" statements were one occasion: they are merged too.
    assert sorted(survivor.statements.values_list("title", flat=True)) == [
        "Press conference",
        "Radio interview",
    ]
    for claim in (a, b, c):
        claim.refresh_from_db()
        assert claim.statement.speaker == survivor
    # History recorded the move of b.
    assert b.history.count() >= 2


def test_merge_needs_a_moderator(article, alice):
    one, _ = Speaker.objects.resolve("One")
    two, _ = Speaker.objects.resolve("Two")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.merge_speakers(survivor=one, others=[two], by=alice)
    assert Speaker.objects.count() == 2


def test_merge_statements(article, alice, dana):
    a = actions.create_claim(
        article=article,
        by=alice,
        quote="ridership fell",
        speaker_name="Tomas Berg",
        statement_title="Radio interview",
    )
    b = actions.create_claim(
        article=article,
        by=alice,
        quote="ferry operator",
        speaker_name="Tomas Berg",
        statement_title="Interview on the radio",
    )
    actions.merge_statements(survivor=a.statement, others=[b.statement], by=dana)
    b.refresh_from_db()
    assert b.statement == a.statement and Statement.objects.count() == 1
