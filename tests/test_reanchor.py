"""The re-anchoring engine (factcheck/reanchor.py): each step on small corrections, and that no
correction ever yields a placement on words other than new_text[start:end]."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.reanchor import Anchor, Placement, follow, reanchor
from factcheck.text import context_of, is_grapheme_boundary

OLD = (
    "The council voted on Tuesday to raise the toll from 2.50 to 4.00 euros.\n\n"
    'Mayor Solberg said: "The toll has not changed since 2015." She added that the money '
    "would pay for repairs.\n\n"
    "The ferry operator said the toll would push 3,000 cars onto its boats."
)


def anchor(text: str, quote: str, key="claim", occurrence: int = 0) -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    end = start + len(quote)
    return Anchor(key, start, end, quote, *context_of(text, start, end))


def place(old: str, new: str, quote: str, occurrence: int = 0) -> Placement:
    (placement,) = reanchor(old, new, [anchor(old, quote, occurrence=occurrence)])
    if placement.outcome != "orphaned":
        assert new[placement.start : placement.end] == placement.quote
    return placement


def test_unchanged_text_keeps_every_span():
    quote = "raise the toll from 2.50 to 4.00 euros"
    p = place(OLD, OLD, quote)
    assert (p.outcome, p.start, p.quote, p.score) == ("unchanged", OLD.index(quote), quote, 1.0)


def test_an_edit_elsewhere_leaves_a_claim_unchanged():
    new = OLD.replace("3,000 cars", "3,000 vehicles")
    p = place(OLD, new, "The council voted on Tuesday")
    assert (p.outcome, p.start, p.end) == ("unchanged", 0, len("The council voted on Tuesday"))


def test_a_paragraph_inserted_before_moves_the_claim_by_its_length():
    inserted = "Update: the vote was confirmed on Wednesday.\n\n"
    quote = "the toll would push 3,000 cars onto its boats"
    p = place(OLD, inserted + OLD, quote)
    assert p.outcome == "moved"
    assert p.start == OLD.index(quote) + len(inserted)
    assert p.end == p.start + len(quote)
    assert p.step == 1


def test_a_moved_paragraph_is_found_by_its_exact_quote():
    paragraphs = OLD.split("\n\n")
    new = "\n\n".join([paragraphs[2], paragraphs[0], paragraphs[1]])
    quote = "the money would pay for repairs"
    p = place(OLD, new, quote)
    assert (p.outcome, p.start) == ("moved", new.index(quote))


def test_h2798_an_earlier_occurrence_of_the_same_words_does_not_capture_the_claim():
    # Hypothesis issue 2798: the note jumped to an earlier occurrence of its word instead of
    # becoming an orphan. Here the claim's sentence is deleted and the same words appear
    # earlier in a new sentence: the claim is an orphan.
    quote = "the toll would push 3,000 cars"
    new = "Readers asked whether the toll would push 3,000 cars anywhere.\n\n" + OLD.replace(
        "The ferry operator said the toll would push 3,000 cars onto its boats.", ""
    )
    assert place(OLD, new, quote).outcome == "orphaned"


def test_h2798_the_claim_stays_on_its_own_words_when_a_repeat_is_inserted_before():
    quote = "the toll"
    new = "Everyone talks about the toll.\n\n" + OLD
    p = place(OLD, new, quote, occurrence=0)  # "raise the toll", the claim's own
    assert p.outcome == "moved"
    assert p.start == new.index("raise the toll") + len("raise ")


def test_an_edited_claim_does_not_jump_to_another_occurrence_of_its_words():
    # The claim's own "toll" became "fee"; the other "toll"s are other passages' words.
    old = "The toll rose. Drivers hate the toll. The toll funds repairs."
    new = "The toll rose. Drivers hate the fee. The toll funds repairs."
    p = place(old, new, "the toll", occurrence=0)  # "hate the toll"
    assert p.outcome in ("edited", "orphaned")
    if p.outcome == "edited":
        assert p.quote == "the fee"


def test_a_new_sentence_with_the_same_words_in_place_of_the_deleted_one_is_not_the_claim():
    # A character diff lines the words up (deleted here, inserted at the same place), but
    # the sentence around them is new: the claim's words are gone.
    quote = "the toll would push 3,000 cars"
    new = OLD.replace(
        "The ferry operator said the toll would push 3,000 cars onto its boats.",
        "Readers asked whether the toll would push 3,000 cars at all.",
    )
    assert place(OLD, new, quote).outcome == "orphaned"


def test_equal_repeats_that_context_cannot_tell_apart_make_an_orphan():
    old = "A. Prices rose. B. Prices rose. C."
    # The claim's passage is rewritten: two identical candidates, neither where it was.
    new = "X. Prices rose. Y. Prices rose. Z."
    p = place(old, new, "Prices rose.", occurrence=0)
    assert p.outcome == "orphaned" or p.start == new.index("Prices rose.")


def test_a_quoted_sentence_deleted_is_an_orphan():
    quote = "The toll has not changed since 2015."
    new = OLD.replace('"The toll has not changed since 2015." ', "")
    p = place(OLD, new, quote)
    assert (p.outcome, p.start, p.end, p.quote, p.score) == ("orphaned", None, None, None, 0.0)


def test_a_typo_fixed_inside_the_quote_is_edited_on_the_fixed_words():
    old = OLD.replace("would pay for repairs", "would pay for repiars")
    quote = "the money would pay for repiars"
    p = place(old, OLD, quote)
    assert p.outcome == "edited"
    assert p.quote == "the money would pay for repairs"
    assert 0.75 <= p.score < 1.0


def test_words_replaced_inside_the_quote_are_edited_and_snapped_to_words():
    quote = "raise the toll from 2.50 to 4.00 euros"
    new = OLD.replace("from 2.50 to 4.00", "from 2.50 to 3.80")
    p = place(OLD, new, quote)
    assert (p.outcome, p.quote) == ("edited", "raise the toll from 2.50 to 3.80 euros")


def test_curly_quotes_and_a_line_break_inside_the_quote_are_edited_with_a_high_score():
    quote = '"The toll has not changed since 2015."'
    new = OLD.replace(quote, "“The toll has not\nchanged since 2015.”")
    p = place(OLD, new, quote)
    assert p.outcome == "edited"
    assert p.quote == "“The toll has not\nchanged since 2015.”"
    assert p.score >= 0.95


def test_line_breaks_put_into_the_context_on_both_sides_keep_the_claim_on_its_words():
    # Lines wrapped on both sides of the quote, close to it: the diff keeps no old text beside
    # it, and a line end splits each side's context off into "another paragraph"; folded, the
    # context is the same words.
    quote = "has not changed since"
    new = OLD.replace(
        "The toll has not changed since 2015", "The toll\nhas not changed since\n2015"
    )
    p = place(OLD, new, quote)
    assert (p.outcome, p.start, p.quote) == ("unchanged", new.index(quote), quote)


def test_a_rewritten_sentence_is_an_orphan_not_a_guess():
    quote = "the toll would push 3,000 cars onto its boats"
    new = OLD.replace(
        "The ferry operator said the toll would push 3,000 cars onto its boats.",
        "The ferry operator declined to comment.",
    )
    assert place(OLD, new, quote).outcome == "orphaned"


def test_an_edited_span_keeps_whole_characters():
    old = "Le maire a dit: le pont coûte cher. Fin."
    new = "Le maire a dit: le pont coûte tres cher. Fin.".replace("tres", "tre\u0300s")
    p = place(old, new, "le pont coûte cher")
    assert p.outcome == "edited"
    assert is_grapheme_boundary(new, p.start) and is_grapheme_boundary(new, p.end)
    assert p.quote.endswith("cher")


def test_anchors_out_of_range_or_empty_are_orphans_not_errors():
    bad = [Anchor(1, 5, 2, "x"), Anchor(2, 0, 10_000, "y"), Anchor(3, 0, 0, "")]
    assert [p.outcome for p in reanchor(OLD, OLD + "!", bad)] == ["orphaned"] * 3


def test_a_cue_follows_its_claim():
    claim = anchor(OLD, 'Mayor Solberg said: "The toll has not changed since 2015."')
    cue = anchor(OLD, "said", key="cue")
    inserted = "Update.\n\n"
    new = inserted + OLD
    (placed,) = reanchor(OLD, new, [claim])
    p = follow(claim, placed, cue, OLD, new)
    assert (p.outcome, p.start, p.quote) == ("moved", cue.start + len(inserted), "said")


def test_a_cue_outside_its_edited_claim_is_an_orphan():
    claim = anchor(OLD, "The ferry operator said the toll would push 3,000 cars")
    cue = anchor(OLD, "said", key="cue", occurrence=1)
    new = OLD.replace("The ferry operator said", "The ferry company said").replace(
        "Mayor Solberg said", "Mayor Solberg stated"
    )
    (placed,) = reanchor(OLD, new, [claim])
    p = follow(claim, placed, cue, OLD, new)
    if p.outcome != "orphaned":
        assert placed.start <= p.start and p.end <= placed.end
        assert new[p.start : p.end] == "said"


def test_a_thousand_claims_on_a_hundred_thousand_characters_in_under_a_second():
    sentences = [
        f"Sentence {i} says that the figure was {i * 37 % 1000} percent in {1900 + i % 120}."
        for i in range(2000)
    ]
    old = "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5))
    assert len(old) >= 100_000
    anchors = [anchor(old, s, key=i) for i, s in enumerate(sentences[::2])]
    assert len(anchors) == 1000
    new = "A new first paragraph.\n\n" + old.replace("was 37 percent", "was 38 percent")
    began = time.perf_counter()
    placements = reanchor(old, new, anchors)
    assert time.perf_counter() - began < 1.0
    assert [p.outcome for p in placements] == ["moved"] * 1000


WORDS = st.sampled_from(
    ["the", "toll", "rose", "said", "“", '"', "3,000", "é", "e\u0301", "\n", "  ", "👍🏽", "."]
)
TEXTS = st.lists(WORDS, min_size=1, max_size=40).map(" ".join)


@st.composite
def corrections(draw):
    old = draw(TEXTS)
    new = old
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(new)))
        j = draw(st.integers(i, min(len(new), i + 12)))
        new = new[:i] + draw(st.sampled_from(["", "the", " toll ", "\n\n", "x", "“"])) + new[j:]
    spans = []
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(old) - 1))
        j = draw(st.integers(i + 1, len(old)))
        spans.append((i, j))
    return old, new, spans


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrections())
def test_no_correction_crashes_or_places_a_claim_off_its_quote(case):
    old, new, spans = case
    anchors = [Anchor(k, s, e, old[s:e], *context_of(old, s, e)) for k, (s, e) in enumerate(spans)]
    placements = reanchor(old, new, anchors)
    assert [p.key for p in placements] == [a.key for a in anchors]
    for a, p in zip(anchors, placements, strict=True):
        if p.outcome == "orphaned":
            assert (p.start, p.end, p.quote) == (None, None, None)
            continue
        assert 0 <= p.start < p.end <= len(new)
        assert new[p.start : p.end] == p.quote
        assert 0.0 < p.score <= 1.0
        if p.outcome in ("unchanged", "moved"):
            assert p.quote == a.quote
        if p.outcome == "unchanged":
            assert (p.start, p.end) == (a.start, a.end)
