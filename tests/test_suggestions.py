"""Suggestions: the detector's proposals stored, accepted into claims, rejected, re-run."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from factcheck import actions
from factcheck.detect import Part, Proposal, SpeakerGuess, StatementGuess
from factcheck.models import Claim, Speaker, Statement, Suggestion, text_hash
from tests import fake_detector

TEXT = (
    'The council met on Tuesday. "Rents rose 12 percent last year," said Ana Ruiz, '
    "the housing chair.\n"
    '"We will build 400 homes," Ana Ruiz added. The mayor called it "a plan".\n'
    'Tom Berg disagreed. "The budget cannot carry it," Tom Berg said.\n'
)


@pytest.fixture(autouse=True)
def fake(settings):
    settings.FACTCHECK_DETECTOR = "tests.fake_detector.detect"
    fake_detector.OVERRIDE = None
    yield
    fake_detector.OVERRIDE = None


@pytest.fixture
def council(alice):
    return actions.create_article(title="Council", text=TEXT, by=alice)


def test_it_stores_the_proposals_in_text_order(council, alice):
    suggestions = actions.suggest_for_article(article=council, by=alice)

    assert [s.quote for s in suggestions] == [
        "Rents rose 12 percent last year",
        "We will build 400 homes",
        "a plan",
        "The budget cannot carry it",
    ]
    first = suggestions[0]
    assert TEXT[first.start : first.end] == first.quote
    assert TEXT[first.cue_start : first.cue_end] == "said"
    assert TEXT[first.source_start : first.source_end] == "Ana Ruiz"
    assert (first.speaker_id, first.speaker_name, first.speaker_kind) == (
        None,
        "Ana Ruiz",
        "person",
    )
    assert first.statement_title == "Remarks by Ana Ruiz"
    assert first.status == "pending"
    assert first.text_hash == text_hash(TEXT)
    assert first.detector_version  # provenance
    assert first.prefix and first.suffix  # for re-anchoring later
    # Nothing is a claim until someone accepts it.
    assert not Claim.objects.exists()


def test_it_matches_the_registry(council, alice):
    ana = Speaker.objects.create(name="Ana Ruiz", kind="government")
    remarks = Statement.objects.create(speaker=ana, title="Remarks by Ana Ruiz", kind="speech")

    first = actions.suggest_for_article(article=council, by=alice)[0]

    assert first.speaker_id == ana.pk
    assert first.statement_id == remarks.pk


def test_accepting_makes_the_claim_with_new_speaker_and_statement(council, alice):
    first = actions.suggest_for_article(article=council, by=alice)[0]

    claim = actions.accept_suggestion(suggestion=first, by=alice)

    assert (claim.start, claim.end, claim.quote) == (first.start, first.end, first.quote)
    assert claim.kind == "direct_quote"
    assert claim.speaker.name == "Ana Ruiz" and claim.speaker.kind == "person"
    assert claim.statement.title == "Remarks by Ana Ruiz"
    assert claim.statement.kind == "interview"
    assert claim.statement.date == datetime.date(2026, 3, 5)
    assert claim.statement.speaker == claim.speaker
    assert TEXT[claim.cue_start : claim.cue_end] == "said"
    assert TEXT[claim.source_start : claim.source_end] == "Ana Ruiz"
    assert claim.created_by == alice
    first.refresh_from_db()
    assert (first.status, first.claim, first.decided_by) == ("accepted", claim, alice)
    assert first.decided_at is not None


def test_quotes_of_one_occasion_share_the_statement(council, alice):
    first, second, *_ = actions.suggest_for_article(article=council, by=alice)

    a = actions.accept_suggestion(suggestion=first, by=alice)
    b = actions.accept_suggestion(suggestion=second, by=alice)

    assert a.statement == b.statement
    assert Statement.objects.count() == 1 and Speaker.objects.count() == 1


def test_overrides_win(council, alice):
    first = actions.suggest_for_article(article=council, by=alice)[0]

    claim = actions.accept_suggestion(
        suggestion=first,
        by=alice,
        overrides={
            "kind": "mixed_quote",
            "speaker_name": "Housing Committee",
            "speaker_kind": "organisation",
            "summary": "Rents up 12%",
        },
    )

    assert claim.kind == "mixed_quote"
    assert (claim.speaker.name, claim.speaker.kind) == ("Housing Committee", "organisation")
    # The proposed occasion follows the speaker chosen.
    assert claim.statement.title == "Remarks by Ana Ruiz"
    assert claim.statement.speaker == claim.speaker
    assert claim.summary == "Rents up 12%"


def test_an_empty_speaker_name_makes_it_the_authors(council, alice):
    first = actions.suggest_for_article(article=council, by=alice)[0]

    claim = actions.accept_suggestion(
        suggestion=first, by=alice, overrides={"speaker_name": "", "statement_title": ""}
    )

    assert claim.speaker is None and claim.statement is None


def test_a_bad_override_writes_nothing(council, alice):
    first = actions.suggest_for_article(article=council, by=alice)[0]

    with pytest.raises(ValidationError):
        actions.accept_suggestion(suggestion=first, by=alice, overrides={"end": 10_000})

    first.refresh_from_db()
    assert first.status == "pending"
    assert not Claim.objects.exists() and not Speaker.objects.exists()


def test_a_decided_suggestion_cannot_be_decided_again(council, alice, mallory):
    first = actions.suggest_for_article(article=council, by=alice)[0]
    actions.reject_suggestion(suggestion=first, by=alice)

    with pytest.raises(actions.SuggestionDecided):
        actions.accept_suggestion(suggestion=first, by=mallory)
    with pytest.raises(actions.SuggestionDecided):
        actions.reject_suggestion(suggestion=first, by=mallory)
    assert not Claim.objects.exists()


def test_running_again_replaces_pending_and_keeps_decided(council, alice):
    first, second, third, fourth = actions.suggest_for_article(article=council, by=alice)
    actions.reject_suggestion(suggestion=third, by=alice)  # "a plan": nobody's quote
    actions.accept_suggestion(suggestion=first, by=alice)

    again = actions.suggest_for_article(article=council, by=alice)

    by_quote = {s.quote: s for s in again}
    assert len(again) == 4  # the two decided, two fresh pending ones; none twice
    assert by_quote["a plan"].pk == third.pk and by_quote["a plan"].status == "rejected"
    assert by_quote["Rents rose 12 percent last year"].status == "accepted"
    assert by_quote["We will build 400 homes"].pk != second.pk  # replaced
    assert by_quote["We will build 400 homes"].status == "pending"
    assert not Suggestion.objects.filter(pk__in=[second.pk, fourth.pk]).exists()


def test_words_already_claimed_are_not_proposed(council, alice):
    quote = "We will build 400 homes"
    actions.create_claim(
        article=council, by=alice, start=TEXT.index(quote), end=TEXT.index(quote) + len(quote)
    )

    suggestions = actions.suggest_for_article(article=council, by=alice)

    assert quote not in [s.quote for s in suggestions] and len(suggestions) == 3


def test_a_rejected_suggestion_comes_back_on_another_text(alice):
    article = actions.create_article(title="Short", text='"A quote here," said Ana Ruiz.', by=alice)
    (only,) = actions.suggest_for_article(article=article, by=alice)
    actions.reject_suggestion(suggestion=only, by=alice)
    article.text = '"A quote here," said Ana Ruiz. More text.'
    article.save()

    (fresh,) = actions.suggest_for_article(article=article, by=alice)

    assert fresh.status == "pending" and fresh.pk != only.pk


def test_accept_refuses_a_suggestion_made_on_an_older_text(alice):
    article = actions.create_article(title="Short", text='"A quote here," said Ana Ruiz.', by=alice)
    (only,) = actions.suggest_for_article(article=article, by=alice)
    article.text = 'Now: "A quote here," said Ana Ruiz.'
    article.save()

    with pytest.raises(actions.SuggestionDecided, match="text changed"):
        actions.accept_suggestion(suggestion=only, by=alice)


def test_proposals_outside_the_text_are_left_out(council, alice):
    fake_detector.OVERRIDE = [
        Proposal("direct_quote", 5, 10_000, "x", None, None, None, None, 0.9, 0.1),
        Proposal("no_such_kind", 0, 3, TEXT[:3], None, None, None, None, 0.9, 0.1),
        Proposal("author_claim", 0, 27, TEXT[:27], Part(500, 400, "?"), None, None, None, 1.7, -2),
    ]

    (kept,) = actions.suggest_for_article(article=council, by=alice)

    assert (kept.kind, kept.start, kept.end) == ("author_claim", 0, 27)
    assert kept.cue_start is None  # the impossible cue dropped, the quote kept
    assert (kept.confidence, kept.check_worthiness) == (1.0, 0.0)


def test_a_registry_id_that_does_not_exist_is_a_new_name(council, alice):
    fake_detector.OVERRIDE = [
        Proposal(
            "indirect_quote",
            0,
            27,
            TEXT[:27],
            None,
            None,
            SpeakerGuess(id=99999, name="Ghost", kind="person"),
            StatementGuess(id=99999, title="Nowhere", kind="other", date=None, group="g"),
            0.5,
            0.5,
        )
    ]

    (s,) = actions.suggest_for_article(article=council, by=alice)

    assert (s.speaker_id, s.speaker_name, s.statement_id, s.statement_title) == (
        None,
        "Ghost",
        None,
        "Nowhere",
    )


def test_roles(council, alice, bob, dana, eve):
    with pytest.raises(PermissionDenied):
        actions.suggest_for_article(article=council, by=eve)
    suggestions = actions.suggest_for_article(
        article=council, by=bob
    )  # a reviewer is a desk member
    with pytest.raises(PermissionDenied):
        actions.accept_suggestion(suggestion=suggestions[0], by=eve)
    with pytest.raises(PermissionDenied):
        actions.accept_all_above(article=council, threshold=0.5, by=alice)
    assert not Claim.objects.exists()


def test_accept_all_above_a_confidence(council, dana):
    actions.suggest_for_article(article=council, by=dana)

    claims = actions.accept_all_above(article=council, threshold=0.8, by=dana)

    # The three attributed quotes (0.9), not "a plan" (0.4).
    assert [c.quote for c in claims] == [
        "Rents rose 12 percent last year",
        "We will build 400 homes",
        "The budget cannot carry it",
    ]
    assert Suggestion.objects.filter(status="pending").get().quote == "a plan"
    assert {c.speaker.name for c in claims} == {"Ana Ruiz", "Tom Berg"}


def test_accept_all_is_all_or_nothing(council, dana):
    ana = Speaker.objects.create(name="Ana Ruiz")
    tom = Speaker.objects.create(name="Tom Berg")
    Statement.objects.create(speaker=tom, title="Budget")
    actions.suggest_for_article(article=council, by=dana)
    # A proposal whose statement is another speaker's cannot become a claim.
    bad = Suggestion.objects.get(quote="The budget cannot carry it")
    bad.speaker, bad.statement = ana, Statement.objects.get(title="Budget")
    bad.save()

    with pytest.raises(ValidationError, match="The budget"):
        actions.accept_all_above(article=council, threshold=0.8, by=dana)

    assert not Claim.objects.exists()
    assert not Suggestion.objects.exclude(status="pending").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"start": -1},
        {"end": 0},
        {"confidence": 1.5},
        {"check_worthiness": -0.1},
        {"cue_start": 3, "cue_end": None},
        {"status": "accepted"},  # accepted without saying when
        {"status": "maybe"},
    ],
)
def test_the_database_refuses_a_broken_suggestion(council, alice, change):
    s = actions.suggest_for_article(article=council, by=alice)[0]
    for name, value in change.items():
        setattr(s, name, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        s.save()


def test_the_database_refuses_the_same_proposal_twice(council, alice):
    s = actions.suggest_for_article(article=council, by=alice)[0]
    s.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        s.save()


def test_a_correction_carries_pending_suggestions_whose_words_survive(alice):
    """Issue 18: pending suggestions are re-anchored with the claims. One whose words moved
    follows them (with its cue and source mention); one whose words went is dropped."""
    text = (
        '"Fares will not rise this year," said Ingrid Solberg.\n'
        '"The bridge is safe," said Tomas Berg.\n'
    )
    article = actions.create_article(title="Fares", text=text, by=alice)
    actions.suggest_for_article(article=article, by=alice)
    assert Suggestion.objects.filter(article=article).count() == 2
    new = "Updated at noon.\n\n" + text.replace('"The bridge is safe," said Tomas Berg.\n', "")
    actions.correct_article(article=article, text=new, by=alice, version=article.version)
    (kept,) = Suggestion.objects.filter(article=article)
    assert new[kept.start : kept.end] == kept.quote
    assert new[kept.cue_start : kept.cue_end] == "said"
    assert new[kept.source_start : kept.source_end] == "Ingrid Solberg"
    assert kept.made_on(new)
    article.refresh_from_db()
    assert list(Suggestion.objects.for_text_of(article)) == [kept]  # acceptable on the new text
