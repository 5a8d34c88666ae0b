"""Text normalization, code-point offsets and quote anchoring.

Every offset in factcheck is a Unicode code point index into an article's
normalized text, i.e. a Python string index and the unit of W3C Web Annotation
``TextPositionSelector``. Browsers count UTF-16 code units; the conversions
below (and their JavaScript twin ``static/factcheck/offsets.js``) bridge the two.
All offset arithmetic lives here so it can be tested in one place.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass

import regex

CONTEXT_LENGTH = 32


class AnchorError(ValueError):
    """A quote selector could not be anchored in the text."""


def normalize_text(text: str) -> str:
    """Return ``text`` as stored: NFC, with ``\\r\\n`` and ``\\r`` turned into ``\\n``.

    Nothing else changes: no trimming, no whitespace folding.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def context_of(text: str, start: int, end: int, length: int = CONTEXT_LENGTH) -> tuple[str, str]:
    """The ``prefix`` and ``suffix`` (up to ``length`` code points) around ``text[start:end]``."""
    return text[max(0, start - length) : start], text[end : end + length]


def check_span(text: str, start: int, end: int) -> None:
    """Raise ``ValueError`` unless ``0 <= start < end <= len(text)`` and neither offset cuts a
    character that is made of several code points (``is_grapheme_boundary``)."""
    check_bounds(text, start, end)
    for name, offset in (("start", start), ("end", end)):
        if not is_grapheme_boundary(text, offset):
            raise ValueError(
                f"{name} ({offset}) falls inside one character made of several code points "
                "(an emoji sequence, or a letter with its accents); move it, or use snap."
            )


def check_bounds(text: str, start: int, end: int) -> None:
    """Raise ``ValueError`` unless ``0 <= start < end <= len(text)``."""
    if start < 0:
        raise ValueError("start must be 0 or more.")
    if end <= start:
        raise ValueError("end must be greater than start.")
    if end > len(text):
        raise ValueError(f"end ({end}) is past the end of the text ({len(text)} characters).")


# A user-perceived character (an extended grapheme cluster, Unicode's UAX #29), as the `regex`
# module implements it for the Unicode version it ships.
GRAPHEME = regex.compile(r"\X")


SIMPLE = "\u0300"  # the first combining mark


def is_grapheme_boundary(text: str, offset: int) -> bool:
    """May a span start or end at ``offset``? Not inside a user-perceived character (UAX #29):
    before a combining mark, variation selector, skin-tone modifier or ZWJ, inside an emoji
    sequence or a flag, inside a Hangul syllable spelt in jamo, and so on.

    Clusters are found from the line the offset is on (a line feed always ends one), from
    the last sure boundary before it, so the cost is that of a few characters."""
    if offset <= 0 or offset >= len(text):
        return True
    before, after = text[offset - 1], text[offset]
    if before < SIMPLE and after < SIMPLE and (before, after) != ("\r", "\n"):
        # Below U+0300 there is no Extend, SpacingMark, Prepend, ZWJ, Hangul jamo or regional
        # indicator: UAX #29 breaks between any two such code points but CR LF. Most offsets
        # are here, and walking the line's clusters cost 40 us an offset (70 % of an import).
        return True
    # Walked from the nearest point before it that is surely a boundary, by the rule above:
    # between two code points below U+0300 (but CR LF), else the line's start.
    line = text.rfind("\n", 0, offset) + 1
    sure = _SURE_BOUNDARY.search(text, line, offset)
    position = sure.start() + 1 if sure else line
    while position < offset:
        position = GRAPHEME.match(text, position).end()
    return position == offset


# Two code points below U+0300 but CR LF, the last such pair (searched in reverse).
_SURE_BOUNDARY = regex.compile(r"(?r)(?:[^\r\u0300-\U0010ffff]|\r(?!\n))[\x00-\u02ff]")


def to_grapheme_boundaries(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened to whole user-perceived characters."""
    while start > 0 and not is_grapheme_boundary(text, start):
        start -= 1
    while end < len(text) and not is_grapheme_boundary(text, end):
        end += 1
    return start, end


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


def span_at(text: str, start: int, end: int) -> Span:
    """The full selector (position + quote + context) for ``text[start:end]``."""
    check_span(text, start, end)
    prefix, suffix = context_of(text, start, end)
    return Span(start, end, text[start:end], prefix, suffix)


def _occurrences(text: str, quote: str) -> list[int]:
    found, at = [], text.find(quote)
    while at != -1:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def anchor_quote(
    text: str, quote: str, prefix: str = "", suffix: str = "", hint: int | None = None
) -> Span:
    """Find ``quote`` in ``text``, using ``prefix``/``suffix`` to tell repeats apart.

    Raises ``AnchorError`` with a message fit for a user when the quote is absent,
    or occurs more than once and the context does not pick exactly one. ``hint``
    (an expected start) breaks remaining ties by proximity, as annotation clients do.
    """
    quote = normalize_text(quote)
    prefix, suffix = normalize_text(prefix or ""), normalize_text(suffix or "")
    if not quote:
        raise AnchorError("The quote is empty.")
    starts = _occurrences(text, quote)
    if not starts:
        raise AnchorError("The quote does not occur in the article text.")
    starts = [
        s
        for s in starts
        if is_grapheme_boundary(text, s) and is_grapheme_boundary(text, s + len(quote))
    ]
    if not starts:
        raise AnchorError(
            "The quote occurs only as part of a larger character (an emoji sequence, or a "
            "letter with its accents); quote whole characters."
        )
    if len(starts) > 1 and (prefix or suffix):
        starts = [
            s
            for s in starts
            if text[:s].endswith(prefix) and text[s + len(quote) :].startswith(suffix)
        ]
        if not starts:
            raise AnchorError("The quote occurs in the text, but never with this prefix/suffix.")
    if len(starts) > 1:
        if hint is None:
            raise AnchorError(
                f"The quote occurs {len(starts)} times in the article; "
                "send a prefix/suffix or start/end to say which one."
            )
        starts.sort(key=lambda s: abs(s - hint))
    return span_at(text, starts[0], starts[0] + len(quote))


def utf16_length(s: str) -> int:
    """Number of UTF-16 code units in ``s`` (what JavaScript's ``length`` says)."""
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def utf16_to_codepoint(text: str, offset: int) -> int:
    """Convert a UTF-16 offset (as a browser counts) into a code-point offset.

    An offset that falls inside a surrogate pair is moved to the start of that character.
    """
    if offset < 0:
        raise ValueError("offset must be 0 or more.")
    units = 0
    for index, ch in enumerate(text):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > offset:
            return index
        units += width
    if offset > units:
        raise ValueError("offset is past the end of the text.")
    return len(text)


def codepoint_to_utf16(text: str, offset: int) -> int:
    """Convert a code-point offset into a UTF-16 offset."""
    if not 0 <= offset <= len(text):
        raise ValueError("offset is outside the text.")
    return utf16_length(text[:offset])


def expand_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words, and trim surrounding whitespace.

    A word is a run of letters, marks, digits and joiners, so a combining accent
    or an emoji ZWJ sequence is never cut in half.
    """

    def is_word(ch: str) -> bool:
        return ch.isalnum() or unicodedata.category(ch)[0] in "MS" or ch in "\u200d\ufe0f'’-"

    check_bounds(text, start, end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise ValueError("The selection holds only whitespace.")
    while start > 0 and is_word(text[start - 1]) and is_word(text[start]):
        start -= 1
    while end < len(text) and is_word(text[end]) and is_word(text[end - 1]):
        end += 1
    return to_grapheme_boundaries(text, start, end)


def shorten(text: str, width: int = 80) -> str:
    """One line of at most ``width`` characters, with an ellipsis when cut."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


# --------------------------------------------------------------------------- offsets through
# normalisation: what an import does with offsets counted in the text as it came.


class UnmappableOffset(ValueError):
    """An offset falls inside something the normalisation merges (``\\r\\n``, a letter and the
    accent it composes with): it has no place in the normalised text."""


# Where normalisation may change the text: a line end, or a run of code points from U+0300 up
# with the character before it. Below U+0300 nothing changes under NFC and nothing composes
# with what comes before (every second half of a canonical pair is U+0300 or above).
_MAY_CHANGE = regex.compile(r"\r\n?|[^\r]?[\u0300-\U0010ffff]+")


@dataclass(frozen=True)
class Normalized:
    """``normalize_text(original)`` with a map from offsets in ``original`` to offsets in
    ``text``. ``edits`` are the pieces that changed: (original start, original end,
    normalised start, normalised end), in order; an offset strictly inside one has no image."""

    original: str
    text: str
    edits: tuple[tuple[int, int, int, int], ...]

    def offset(self, offset: int) -> int:
        """``offset`` (a code point of ``original``) in ``text``; ``UnmappableOffset`` if it
        splits a ``\\r\\n`` or characters that compose into one."""
        if not 0 <= offset <= len(self.original):
            raise UnmappableOffset(f"offset {offset} is outside the text.")
        shift = 0
        i = bisect.bisect_right(self.edits, (offset, _AFTER))
        if i:
            start, end, new_start, new_end = self.edits[i - 1]
            if offset == start:
                return new_start
            if offset < end:
                # A cut inside a changed piece maps when the two halves normalise apart as
                # the piece does whole (between two accents that neither compose).
                piece, whole = self.original[start:end], self.text[new_start:new_end]
                left = unicodedata.normalize("NFC", piece[: offset - start])
                if left + unicodedata.normalize("NFC", piece[offset - start :]) == whole:
                    return new_start + len(left)
                if self.original[start] == "\r":
                    raise UnmappableOffset(
                        f"offset {offset} falls inside a \\r\\n line end, stored as one \\n."
                    )
                raise UnmappableOffset(
                    f"offset {offset} falls inside {whole!r}: {end - start} code points in the "
                    f"file (a letter and its accents, say), stored as {new_end - new_start}."
                )
            shift = new_end - end
        return offset + shift

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.offset(start), self.offset(end)


_AFTER = float("inf")


def normalize_with_offsets(original: str) -> Normalized:
    """``original`` normalised as ``normalize_text`` does, with the map of its offsets.

    The text is cut into pieces that normalise on their own (a starter with the marks after
    it; pieces merged while normalising them together differs from normalising them apart);
    a piece that changes is an edit, and an offset between pieces moves by the edits before."""
    if "\r" not in original and unicodedata.is_normalized("NFC", original):
        return Normalized(original, original, ())
    edits: list[tuple[int, int, int, int]] = []
    out: list[str] = []
    done = 0  # original code points copied to ``out``
    length = 0  # of ``out``

    def copy_to(position: int) -> None:
        nonlocal done, length
        out.append(original[done:position])
        length += position - done
        done = position

    def edit(start: int, end: int, new: str) -> None:
        nonlocal done, length
        copy_to(start)
        edits.append((start, end, length, length + len(new)))
        out.append(new)
        length += len(new)
        done = end

    for match in _MAY_CHANGE.finditer(original):
        start, end = match.span()
        if original[start] == "\r":
            edit(start, end, "\n")
            continue
        chunk = match.group()
        if unicodedata.is_normalized("NFC", chunk):
            continue
        for piece_start, piece_end in _pieces(chunk):
            piece = chunk[piece_start:piece_end]
            new = unicodedata.normalize("NFC", piece)
            if new != piece:
                edit(start + piece_start, start + piece_end, new)
    copy_to(len(original))
    return Normalized(original, "".join(out), tuple(edits))


def _pieces(chunk: str) -> list[tuple[int, int]]:
    """``chunk`` cut before each starter (a code point whose decomposition starts with one of
    combining class 0), the cuts across
    which normalisation works kept apart and the others undone."""
    cuts = [i for i in range(1, len(chunk)) if _starts_clean(chunk[i])]
    pieces, start = [], 0
    for cut in [*cuts, len(chunk)]:
        pieces.append([start, cut])
        start = cut
    merged = [pieces[0]]
    for piece in pieces[1:]:
        last = merged[-1]
        before, after = chunk[last[0] : last[1]], chunk[piece[0] : piece[1]]
        together = unicodedata.normalize("NFC", before + after)
        if together == unicodedata.normalize("NFC", before) + unicodedata.normalize("NFC", after):
            merged.append(piece)
        else:
            last[1] = piece[1]
    if "".join(unicodedata.normalize("NFC", chunk[s:e]) for s, e in merged) != (
        unicodedata.normalize("NFC", chunk)
    ):
        return [(0, len(chunk))]  # never seen; a guard, so the text is always right
    return [(s, e) for s, e in merged]


def _starts_clean(ch: str) -> bool:
    """Does ``ch`` decompose to something that starts with a starter (combining class 0)?"""
    return not unicodedata.combining(unicodedata.normalize("NFD", ch)[0])


# --------------------------------------------------------------------------- offset units
# What other tools count: doccano's editor counts UTF-16 code units (JavaScript's), or
# user-perceived characters in its grapheme mode; we count code points.

OFFSET_UNITS = ("utf16", "codepoint", "grapheme")
_SEVERAL = regex.compile(r"[\r\u0300-\U0010ffff]")  # what may join a character of several
_ASTRAL = regex.compile(r"[\U00010000-\U0010ffff]")  # two UTF-16 code units each


class Units:
    """Offsets of one text converted between code points and another unit, in O(log n) each
    after one pass over the text."""

    def __init__(self, text: str):
        self.text = text
        self.astral = [m.start() for m in _ASTRAL.finditer(text)]
        self._graphemes: list[int] | None = None
        self._uniform: bool | None = None
        self._astral16: list[int] | None = None  # where each astral character starts in UTF-16

    @property
    def graphemes(self) -> list[int]:
        """The code point where each user-perceived character starts, and the text's end."""
        if self._graphemes is None:
            self._graphemes = [m.start() for m in GRAPHEME.finditer(self.text)]
            self._graphemes.append(len(self.text))
        return self._graphemes

    @property
    def uniform(self) -> bool:
        """Do all units count this text alike (no character beyond the BMP or of several)?"""
        if self._uniform is None:
            # Below U+0300 but for CR LF, each code point is a character of its own (see
            # is_grapheme_boundary): no need to find the clusters.
            self._uniform = not self.astral and (
                not _SEVERAL.search(self.text) or len(self.graphemes) == len(self.text) + 1
            )
        return self._uniform

    def to_codepoint(self, offset: int, unit: str) -> int:
        """``offset`` counted in ``unit`` as a code point; ``ValueError`` if it is outside the
        text or splits a character (half a surrogate pair)."""
        if offset < 0:
            raise ValueError(f"offset {offset} is negative.")
        if unit == "codepoint" or (unit == "utf16" and not self.astral):
            if offset > len(self.text):
                raise ValueError(f"offset {offset} is past the end of the text.")
            return offset
        if unit == "grapheme":
            if offset >= len(self.graphemes):
                raise ValueError(f"offset {offset} is past the end of the text.")
            return self.graphemes[offset]
        # utf16: the code point at ``offset`` units is ``offset`` less the astral characters
        # (two units each) that end at or before it; one that starts a unit before it is cut.
        if offset > len(self.text) + len(self.astral):
            raise ValueError(f"offset {offset} is past the end of the text.")
        if self._astral16 is None:
            self._astral16 = [at + i for i, at in enumerate(self.astral)]
        before = bisect.bisect_right(self._astral16, offset - 2)
        if before < len(self._astral16) and self._astral16[before] == offset - 1:
            raise ValueError(f"offset {offset} splits a character beyond the BMP in two.")
        return offset - before

    def from_codepoint(self, offset: int, unit: str) -> int:
        """A code point ``offset`` counted in ``unit`` (a grapheme offset must start one)."""
        if unit == "codepoint":
            return offset
        if unit == "utf16":
            return offset + bisect.bisect_left(self.astral, offset)
        at = bisect.bisect_left(self.graphemes, offset)
        if at == len(self.graphemes) or self.graphemes[at] != offset:
            raise ValueError(f"offset {offset} is inside a user-perceived character.")
        return at


def cuts_a_word(text: str, start: int, end: int) -> bool:
    """Does ``text[start:end]`` begin or end inside a word (a letter, digit or mark on both
    sides)?"""

    def inside(offset):
        return 0 < offset < len(text) and _wordy(text[offset - 1]) and _wordy(text[offset])

    return inside(start) or inside(end)


def _wordy(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


# --------------------------------------------------------------------------- reading layout

# A bullet and a space; or "-" or "•" against a letter, as pasted lists often come ("-Maintain").
BULLET = regex.compile(r"[ \t]*(?:[-•*–][ \t]+(?=\S)|[-•](?=\p{L}))")
HEADING_MAX = 80  # a subheading is a short line...
SENTENCE_END = '.,;:!?…"”’»)'  # ...that does not end like a sentence


@dataclass(frozen=True)
class Block:
    """One paragraph, subheading or list item of an article, as code points of its text.

    ``[start, body)`` is the hidden lead (a bullet, indentation, blank lines before the first
    block), ``[body, body_end)`` the visible text, ``[body_end, end)`` the hidden line breaks
    after it. Blocks tile the text: the first starts at 0, each starts where the one before
    ends, the last ends at ``len(text)``; so the page shows every code point exactly once.
    """

    kind: str  # "p", "h" or "li"
    start: int
    body: int
    body_end: int
    end: int


def reading_blocks(text: str) -> list[Block]:
    """``text`` cut into paragraphs, subheadings and list items by its line breaks.

    Each non-blank line is a block. A line starting with "-", "•", "*" or "–" and a space, or
    with "-" or "•" right before a letter, is a list item; a short line (up to ``HEADING_MAX``
    code points) not ending like a sentence, with a block after it, is a subheading; every
    other line is a paragraph.
    """
    lines = []  # [start, end) of each non-blank line
    at = 0
    for line in text.split("\n"):
        if line.strip():
            lines.append((at, at + len(line)))
        at += len(line) + 1
    blocks = []
    for i, (line_start, line_end) in enumerate(lines):
        line = text[line_start:line_end]
        bullet = BULLET.match(line)
        lead = bullet.end() if bullet else len(line) - len(line.lstrip())
        trail = len(line.rstrip())
        kind = "p"
        if bullet:
            kind = "li"
        elif (
            i + 1 < len(lines)
            and len(line.strip()) <= HEADING_MAX
            and line.rstrip()[-1] not in SENTENCE_END
        ):
            kind = "h"
        start = 0 if i == 0 else line_start
        end = lines[i + 1][0] if i + 1 < len(lines) else len(text)
        blocks.append(Block(kind, start, line_start + lead, line_start + trail, end))
    if not blocks:
        return [Block("p", 0, 0, len(text), len(text))]
    return blocks
