"""Offsets are code points; normalization is NFC + \\n; quotes anchor unambiguously."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck import text as t

FAMILY = "👩\u200d👩\u200d👧\u200d👦"  # one ZWJ sequence: 7 code points, 11 UTF-16 units
E_ACUTE_DECOMPOSED = "e\u0301"


def test_normalize_turns_crlf_and_cr_into_lf():
    assert t.normalize_text("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_normalize_composes_combining_marks():
    assert t.normalize_text(f"caf{E_ACUTE_DECOMPOSED}") == "café"
    assert len(t.normalize_text(f"caf{E_ACUTE_DECOMPOSED}")) == 4


def test_normalize_changes_nothing_else():
    text = "  two  spaces\tand a tab, trailing space \n\n"
    assert t.normalize_text(text) == text


def test_span_at_counts_code_points_through_emoji_and_zwj():
    text = f"Family {FAMILY} says: “we’re fine” — done"
    quote = "“we’re fine”"
    start = text.index(quote)
    span = t.span_at(text, start, start + len(quote))
    assert span.quote == quote
    assert span.prefix.endswith(f"{FAMILY} says: ")
    assert start == 7 + len(FAMILY) + len(" says: ")


def test_span_at_refuses_bad_positions():
    with pytest.raises(ValueError, match="0 or more"):
        t.span_at("abc", -1, 2)
    with pytest.raises(ValueError, match="greater than start"):
        t.span_at("abc", 2, 2)
    with pytest.raises(ValueError, match="past the end"):
        t.span_at("abc", 1, 4)


def test_context_is_at_most_32_code_points():
    text = "x" * 100 + "QUOTE" + "y" * 100
    span = t.span_at(text, 100, 105)
    assert span.prefix == "x" * 32 and span.suffix == "y" * 32


def test_anchor_finds_a_unique_quote():
    text = "Alpha beta gamma."
    assert (t.anchor_quote(text, "beta").start, t.anchor_quote(text, "beta").end) == (6, 10)


def test_anchor_refuses_an_absent_quote():
    with pytest.raises(t.AnchorError, match="does not occur"):
        t.anchor_quote("Alpha beta", "delta")


def test_anchor_refuses_an_ambiguous_quote_without_context():
    with pytest.raises(t.AnchorError, match="occurs 2 times"):
        t.anchor_quote("say yes, then say yes again", "say yes")


def test_anchor_uses_prefix_and_suffix_to_choose():
    text = "say yes, then say yes again"
    assert t.anchor_quote(text, "say yes", suffix=" again").start == 14
    assert t.anchor_quote(text, "say yes", prefix="then ").start == 14
    assert t.anchor_quote(text, "say yes", suffix=", then").start == 0


def test_anchor_refuses_context_that_matches_nowhere():
    with pytest.raises(t.AnchorError, match="never with this prefix"):
        t.anchor_quote("say yes, then say yes again", "say yes", prefix="nope ")


def test_anchor_normalizes_the_quote_like_the_text():
    text = "Le café est fermé."
    assert t.anchor_quote(text, f"caf{E_ACUTE_DECOMPOSED}").start == 3


def test_utf16_conversion_round_trips_over_astral_characters():
    text = f"a{FAMILY}b😀c"
    # JavaScript would say text.length == 1 + 11 + 1 + 2 + 1
    assert t.utf16_length(text) == 16
    for cp in range(len(text) + 1):
        assert t.utf16_to_codepoint(text, t.codepoint_to_utf16(text, cp)) == cp


def test_utf16_offset_inside_a_surrogate_pair_moves_to_the_character_start():
    text = "a😀b"
    assert t.utf16_to_codepoint(text, 2) == 1  # between the two halves of 😀
    assert t.utf16_to_codepoint(text, 3) == 2


def test_utf16_offset_past_the_end_is_refused():
    with pytest.raises(ValueError):
        t.utf16_to_codepoint("abc", 4)


@pytest.mark.parametrize(
    ("text", "selected", "expected"),
    [
        ("The quick brown fox", "ick bro", "quick brown"),
        ("  padded  words ", "  padded  ", "padded"),
        (f"un café {E_ACUTE_DECOMPOSED}lu", "caf", "café"),
        (f"hi {FAMILY} there", "\u200d👩", FAMILY),
        ("مرحبا بالعالم اليوم", "بالع", "بالعالم"),
        ("שלום עולם", "ולם", "עולם"),
        ("東京は大きい", "京", "東京は大きい"),
    ],
)
def test_expand_to_words(text, selected, expected):
    text = t.normalize_text(text)
    selected = t.normalize_text(selected)
    start = text.index(selected)
    s, e = t.expand_to_words(text, start, start + len(selected))
    assert text[s:e] == expected


def test_expand_refuses_whitespace_only():
    with pytest.raises(ValueError, match="whitespace"):
        t.expand_to_words("a   b", 1, 4)


# Text built from the characters that break naive offset code.
tricky = st.lists(
    st.sampled_from(
        list("ab \n\r.")
        + ["é", E_ACUTE_DECOMPOSED, "😀", FAMILY, "\u200d", "ש", "م", "東", "\ufe0f"]
    ),
    max_size=40,
).map("".join)


@given(tricky)
def test_normalize_is_idempotent_and_nfc(text):
    once = t.normalize_text(text)
    assert t.normalize_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\r" not in once


@given(tricky, st.data())
def test_any_span_round_trips_through_its_quote_selector(text, data):
    text = t.normalize_text(text)
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    start, end = t.to_grapheme_boundaries(text, start, end)  # spans hold whole characters
    span = t.span_at(text, start, end)
    assert text[span.start : span.end] == span.quote
    again = t.anchor_quote(text, span.quote, span.prefix, span.suffix, hint=start)
    assert again.quote == span.quote
    # When the context is complete (both within the 32-point window) it pins the span exactly.
    if start <= t.CONTEXT_LENGTH and len(text) - end <= t.CONTEXT_LENGTH:
        assert (again.start, again.end) == (start, end)


@given(tricky, st.data())
def test_utf16_and_code_points_agree_with_python(text, data):
    cp = data.draw(st.integers(0, len(text)))
    units = t.codepoint_to_utf16(text, cp)
    assert units == len(text[:cp].encode("utf-16-le")) // 2
    assert t.utf16_to_codepoint(text, units) == cp


TRIO = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl: one character
FLAGS = "\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea"  # FR DE: two characters of two code points
THUMB = "\U0001f44d\U0001f3fd"  # thumbs up, medium skin tone
ACCENTED = "e\u0301"  # e + combining acute (no precomposed form after NFC? it has one: é)
HANGUL = "\u1100\u1161\u11a8"  # ㄱ ㅏ ㄱ spelt in jamo: one syllable


@pytest.mark.parametrize(
    "text, inside",
    [
        (TRIO, [1, 2, 3, 4]),
        (FLAGS, [1, 3]),
        (THUMB, [1]),
        ("q\u0307\u0323x", [1, 2]),  # q with two combining marks (no precomposed form)
        (HANGUL, [1, 2]),
        ("\u2764\ufe0f", [1]),  # heart + emoji variation selector
    ],
)
def test_offsets_inside_one_perceived_character_are_not_boundaries(text, inside):
    for offset in range(len(text) + 1):
        assert t.is_grapheme_boundary(text, offset) == (offset not in inside), offset


def test_a_zwj_followed_by_a_letter_is_not_joined():
    assert t.is_grapheme_boundary("a\u200db", 2)


def test_check_span_refuses_a_span_that_cuts_an_emoji_sequence_or_combining_sequence():
    text = f"Say {TRIO} and q\u0307\u0323 now."
    start = text.index(TRIO)
    with pytest.raises(ValueError, match="start"):
        t.check_span(text, start + 2, start + len(TRIO))
    with pytest.raises(ValueError, match="end"):
        t.check_span(text, start, start + 3)
    q = text.index("q")
    with pytest.raises(ValueError, match="end"):
        t.check_span(text, q, q + 1)
    t.check_span(text, start, start + len(TRIO))  # whole: fine
    t.check_span(text, q, q + 3)


def test_snapping_widens_to_whole_perceived_characters():
    text = f"Say {TRIO}{TRIO} now"
    start = text.index(TRIO)
    assert t.expand_to_words(text, start + 2, start + 3) == (start, start + 2 * len(TRIO))
    assert t.to_grapheme_boundaries(text, start + 2, start + 3) == (start, start + len(TRIO))


def test_the_fast_path_for_simple_code_points_agrees_with_uax_29():
    # Below U+0300 every offset is a boundary but CR LF; checked against the regex module's
    # own clusters, on text mixing such code points with combining marks, ZWJ, © and emoji.
    import random

    import regex

    pieces = ["a", "é", "©", "\r", "\n", "\u0301", "\u200d", "👍", "🏽", "ﬁ", " ", "\u00ad", "x"]
    rng = random.Random(4)
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        ends, at = {0}, 0
        for cluster in regex.findall(r"\X", text):
            at += len(cluster)
            ends.add(at)
        for offset in range(len(text) + 1):
            assert t.is_grapheme_boundary(text, offset) == (offset in ends), (text, offset)


# --------------------------------------------------------------------------- offsets through
# normalisation (imports map every offset of the text as it came through this one function)

# What normalisation touches, mixed with anything: line ends, letters with accents that compose
# (and some that do not), Hangul jamo, singletons (Å, ̀ as U+0340), an expanding one (U+0344),
# an Oriya vowel pair that composes, emoji beyond the BMP.
TRICKY = st.sampled_from(
    ["\r", "\n", "a", "e", "o", " ", "\u0301", "\u0308", "\u0323", "\u0302", "\u0327", "\u1100",
     "\u1161", "\u11a8", "\uac00", "\u212b", "\u0340", "\u0344", "\u0b47", "\u0b3e", "\u0f73",
     "\u0915", "\u093c", "😀", "\u200d", "\u00e9", "\u0cbf", "\u0cd5"]
)  # fmt: skip
TEXTS = st.lists(TRICKY | st.characters(exclude_categories=["Cs"]), max_size=40).map("".join)


@given(TEXTS, st.data())
def test_a_mapped_span_is_the_normalisation_of_the_original_span(original, data):
    mapped = t.normalize_with_offsets(original)
    assert mapped.text == t.normalize_text(original)
    start = data.draw(st.integers(0, len(original)))
    end = data.draw(st.integers(start, len(original)))
    try:
        new_start, new_end = mapped.span(start, end)
    except t.UnmappableOffset:
        return
    assert mapped.text[new_start:new_end] == t.normalize_text(original[start:end])


@given(TEXTS, st.data())
def test_an_offset_is_refused_only_where_cutting_would_change_the_text(original, data):
    mapped = t.normalize_with_offsets(original)
    offset = data.draw(st.integers(0, len(original)))
    try:
        mapped.offset(offset)
    except t.UnmappableOffset:
        cut = t.normalize_text(original[:offset]) + t.normalize_text(original[offset:])
        assert cut != mapped.text


def test_crlf_and_decomposed_accents_move_later_offsets():
    original = "Rents doubled.\r\nTaxes fell in Mu\u0308nchen.\r\nTaxes fell."
    mapped = t.normalize_with_offsets(original)
    start = original.rindex("Taxes fell")
    new_start, new_end = mapped.span(start, start + len("Taxes fell"))
    assert mapped.text[new_start:new_end] == "Taxes fell"
    assert (new_start, new_end) == (start - 3, start - 3 + 10)  # two \r and one accent fewer


def test_offsets_inside_a_crlf_or_between_a_letter_and_its_accent_are_refused():
    mapped = t.normalize_with_offsets("a\r\nMu\u0308nchen")
    with pytest.raises(t.UnmappableOffset, match=r"\\r\\n"):
        mapped.offset(2)
    with pytest.raises(t.UnmappableOffset, match="2 code points in the file"):
        mapped.offset(5)
    assert mapped.offset(6) == 4  # after "a\nMü"


def test_text_already_normalised_maps_to_itself_cheaply():
    mapped = t.normalize_with_offsets("plain text, café, 😀")
    assert mapped.edits == ()
    assert mapped.offset(7) == 7


@pytest.mark.parametrize("unit", t.OFFSET_UNITS)
@given(TEXTS)
def test_offsets_convert_to_and_from_each_unit(unit, text):
    units = t.Units(text)
    for i, start in enumerate(units.graphemes):
        counted = units.from_codepoint(start, unit)
        assert units.to_codepoint(counted, unit) == start
        if unit == "utf16":
            assert counted == t.utf16_length(text[:start])
        if unit == "grapheme":
            assert counted == i


def test_a_utf16_offset_inside_a_surrogate_pair_is_refused():
    units = t.Units("🚒 firetrucks")
    assert units.to_codepoint(3, "utf16") == 2
    with pytest.raises(ValueError, match="splits"):
        units.to_codepoint(1, "utf16")
    with pytest.raises(ValueError, match="past the end"):
        units.to_codepoint(14, "utf16")
    assert t.Units("a\r\nb").to_codepoint(2, "grapheme") == 3  # \r\n is one character
