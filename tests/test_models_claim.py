"""Claims: code-point spans whose quote must match the text, guarded by the database too."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from factcheck import actions
from factcheck.models import Claim, Speaker, Statement
from tests.conftest import ARTICLE_TEXT

QUOTE = "ridership fell by a third"


def test_create_from_positions_fills_quote_and_context(claim):
    start = ARTICLE_TEXT.index(QUOTE)
    assert (claim.start, claim.end, claim.quote) == (start, start + len(QUOTE), QUOTE)
    assert claim.prefix == ARTICLE_TEXT[start - 32 : start]
    assert claim.suffix == ARTICLE_TEXT[start + len(QUOTE) : start + len(QUOTE) + 32]
    assert claim.speaker.name == "Tomas Berg"
    assert claim.statement.speaker == claim.speaker
    assert claim.status == Claim.Status.OPEN


def test_create_from_a_quote_selector(article, alice):
    claim = actions.create_claim(article=article, by=alice, quote=QUOTE)
    assert claim.start == ARTICLE_TEXT.index(QUOTE)


def test_an_ambiguous_quote_needs_context(article, alice):
    quote = "the bridge carries 38,000 vehicles a day"
    with pytest.raises(ValidationError, match="occurs 2 times"):
        actions.create_claim(article=article, by=alice, quote=quote)
    second = actions.create_claim(
        article=article, by=alice, quote=quote, prefix="third.\nThe mayor said "
    )
    assert second.start == ARTICLE_TEXT.rindex(quote)


def test_positions_and_quote_must_agree(article, alice):
    with pytest.raises(ValidationError, match="does not match"):
        actions.create_claim(article=article, by=alice, start=0, end=9, quote="The ferry")
    assert not Claim.objects.exists()


def test_model_refuses_end_past_the_text(article, alice):
    claim = Claim(article=article, start=0, end=len(ARTICLE_TEXT) + 1, quote=ARTICLE_TEXT)
    with pytest.raises(ValidationError, match="past the end"):
        claim.save()


def test_model_refuses_a_quote_that_does_not_match(article):
    claim = Claim(article=article, start=0, end=3, quote="Thx")
    with pytest.raises(ValidationError, match="does not match"):
        claim.save()


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 5), (5, 2)])
def test_database_refuses_bad_spans(article, start, end):
    # Bypass the model's own checks: the constraint must hold even for raw SQL writers.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO factcheck_claim (article_id, start, "end", quote, prefix, suffix, kind,'
            " summary, check_worthy, status, created_at, updated_at, version)"
            " VALUES (%s, %s, %s, 'x', '', '', 'direct_quote', '', true, 'open',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)",
            [article.pk, start, end],
        )


def test_overlapping_and_nested_claims_are_allowed(article, alice, claim):
    outer = actions.create_claim(
        article=article, by=alice, quote="The ferry operator said ridership fell"
    )
    inner = actions.create_claim(article=article, by=alice, quote="fell by a third")
    spans = list(article.claims.in_text_order().values_list("pk", flat=True))
    assert set(spans) == {outer.pk, inner.pk, claim.pk}


def test_cue_and_source_mention_spans_are_checked(article, alice):
    cue = (ARTICLE_TEXT.index("said"), ARTICLE_TEXT.index("said") + 4)
    claim = actions.create_claim(
        article=article, by=alice, quote=QUOTE, cue=cue, source_mention=(57, 74)
    )
    assert ARTICLE_TEXT[claim.cue_start : claim.cue_end] == "said"
    with pytest.raises(ValidationError, match="cue"):
        actions.create_claim(article=article, by=alice, quote="fell by", cue=(10, 10_000))


def test_typed_speaker_and_statement_are_reused_case_insensitively(article, alice, claim):
    again = actions.create_claim(
        article=article,
        by=alice,
        quote="fell by a third",
        speaker_name="tomas BERG",
        statement_title="interview with radio nordhavn",
    )
    assert again.speaker == claim.speaker and again.statement == claim.statement
    assert Speaker.objects.count() == 1 and Statement.objects.count() == 1


def test_a_speaker_alias_finds_the_speaker(article, alice, claim):
    claim.speaker.aliases = "Mr Berg\nCEO of Coastal Ferries"
    claim.speaker.save()
    again = actions.create_claim(article=article, by=alice, quote="fell by", speaker_name="mr berg")
    assert again.speaker == claim.speaker


def test_a_statement_of_another_speaker_is_refused(article, alice, claim):
    other, _ = Speaker.objects.resolve("Ingrid Solberg")
    with pytest.raises(ValidationError, match="another speaker"):
        actions.create_claim(
            article=article, by=alice, quote="fell by", speaker=other, statement=claim.statement
        )


def test_author_claims_have_no_speaker(article, alice):
    claim = actions.create_claim(
        article=article, by=alice, quote="The ferry operator", kind="author_claim"
    )
    assert claim.speaker is None and claim.get_kind_display() == "Author's own claim"


def test_editing_bumps_the_version_and_refuses_stale_edits(claim, alice):
    edited = actions.update_claim(claim=claim, by=alice, version=1, summary="  Ridership   down  ")
    assert (edited.version, edited.summary) == (2, "Ridership down")
    with pytest.raises(actions.StaleVersion):
        actions.update_claim(claim=claim, by=alice, version=1, summary="lost update")
    assert Claim.objects.get(pk=claim.pk).summary == "Ridership down"


def test_moving_a_claim_reanchors_its_quote(claim, alice):
    edited = actions.update_claim(claim=claim, by=alice, start=0, end=9)
    assert edited.quote == "The mayor"


def test_only_the_owner_edits_an_open_claim(claim, mallory, dana):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.update_claim(claim=claim, by=mallory, summary="not mine")
    assert actions.update_claim(claim=claim, by=dana, summary="moderated").summary == "moderated"


def test_delete_by_owner(claim, alice):
    actions.delete_claim(claim=claim, by=alice)
    assert not Claim.objects.exists()


def test_outsiders_see_only_published_claims(claim, eve, alice):
    assert Claim.objects.visible_to(alice).count() == 1
    assert Claim.objects.visible_to(eve).count() == 0


def test_history_keeps_every_version(claim, alice):
    actions.update_claim(claim=claim, by=alice, summary="second")
    assert [h.summary for h in claim.history.order_by("history_id")] == [
        "Ferry ridership fell by a third",
        "second",
    ]
