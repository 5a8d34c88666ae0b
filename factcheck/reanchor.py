"""Re-anchoring: where each span of an old text belongs in a corrected text (issue 18).

Text in, outcomes out: no database. The caller (``actions``) turns each claim, its cue and
source mention, and each pending suggestion into an ``Anchor`` and stores the ``Placement``.
Offsets are code points of the stored (normalised) texts.

Outcomes: ``unchanged`` (same offsets, same words), ``moved`` (the same words elsewhere),
``edited`` (the words changed, matched approximately above a minimum score), ``orphaned``
(nothing fits: never a guess onto words the span does not quote).

Every placement that is not an orphan quotes exactly ``new_text[start:end]``, so any change of a
character inside the quote (a typo fixed, a straight quote turned curly, a line end or a run of
spaces changed) makes the span *edited*; typographic and whitespace changes are compared folded,
so such an edit scores close to 1.

Per anchor, in order (docs/corrections.md, "How re-anchoring works"):

1. map the span through the diff of the two texts (computed once per correction, with the C++
   diff-match-patch); if the mapped text is the quote: *unchanged* or *moved*;
2. else the exact quote elsewhere, chosen among repeats by how well the stored prefix and suffix
   fit (a repeat whose context fits badly is never taken: Hypothesis issue 2798), nearness to
   the mapped position breaking a tie only when one repeat is where the diff says; two repeats
   equally good: *orphaned*;
3. else an approximate match near the mapped position, scored 50 quote / 20 prefix / 20 suffix /
   2 position as Hypothesis does (rapidfuzz), snapped to words and whole characters, accepted
   only above ``MIN_SCORE``: *edited*;
4. else *orphaned*.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import fast_diff_match_patch
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from factcheck.text import to_grapheme_boundaries

Outcome = Literal["unchanged", "moved", "edited", "orphaned"]

# How well the stored context must fit around an exact repeat of the quote (0..1, the mean of
# the prefix's and the suffix's similarity within their paragraph) for step 2 to take it.
EXACT_CONTEXT_MIN = 0.6
# Step 1 trusts the diff when, on one side of the mapped span, the NEIGHBOURS characters next
# to it are old text it kept in a row.
NEIGHBOURS = 12
# A context that differs from the stored one only by line ends and spaces (folded) fits if
# at least this similar, even where a line end splits it into another paragraph.
FOLDED_CONTEXT_MIN = 0.9
# Two repeats whose context fits within this of each other are a tie.
TIE_MARGIN = 0.05
# Step 3: the weighted score (Hypothesis' weights) and the quote's own similarity must reach
# these, and the context must not be foreign, for an approximate match to be accepted.
WEIGHTS = {"quote": 50, "prefix": 20, "suffix": 20, "position": 2}
MIN_SCORE = 0.7
MIN_QUOTE_SIMILARITY = 0.6
MIN_CONTEXT = 0.5
# Step 3 searches this far (code points) beyond the mapped span, plus the quote's length;
# then the whole text, for at most SEARCH_BUDGET code points searched per correction.
SEARCH_MARGIN = 200
SEARCH_BUDGET = 3_000_000
# How far a match's edges may move to a token boundary that fits the quote better.
EDGE_REACH = 24


@dataclass(frozen=True)
class Anchor:
    key: Hashable  # the caller's: a claim id, ("cue", id), ...
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Placement:
    key: Hashable
    outcome: Outcome
    start: int | None  # None when orphaned
    end: int | None
    quote: str | None  # new_text[start:end]
    score: float  # 1.0 for exact; the match score for edited; 0.0 for orphaned
    step: int = 0  # which step placed it (1 diff, 2 exact quote, 3 approximate; 0 orphan)


def reanchor(old_text: str, new_text: str, anchors: Sequence[Anchor]) -> list[Placement]:
    """One placement per anchor, in order."""
    correction = _Correction(old_text, new_text)
    return [correction.place(a) for a in anchors]


def follow(
    claim: Anchor, placement: Placement, part: Anchor, old_text: str, new_text: str
) -> Placement:
    """Place ``part`` (a cue or source mention inside ``claim``) after its claim was placed: a
    claim whose words did not change carries its parts by the same shift; otherwise the part is
    re-anchored on its own, and kept only if it lands inside the claim's new span. The part of
    an orphaned claim is an orphan."""
    if placement.outcome == "orphaned":
        return _orphan(part)
    if placement.outcome in ("unchanged", "moved") and claim.start <= part.start:
        shift = placement.start - claim.start
        start, end = part.start + shift, part.end + shift
        if part.end <= claim.end and new_text[start:end] == part.quote:
            outcome = "unchanged" if (start, end) == (part.start, part.end) else "moved"
            return Placement(part.key, outcome, start, end, part.quote, 1.0, 1)
    (own,) = reanchor(old_text, new_text, [part])
    inside = own.outcome != "orphaned" and placement.start <= own.start <= own.end <= placement.end
    return own if inside else _orphan(part)


# --------------------------------------------------------------------------- internals


def _orphan(anchor: Anchor) -> Placement:
    return Placement(anchor.key, "orphaned", None, None, None, 0.0, 0)


_FOLD = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)
_SPACES = re.compile(r"\s+")


def _fold(s: str) -> str:
    """What a reader would not call a change of wording: typographic quotes and dashes,
    non-breaking spaces, runs of whitespace and line ends."""
    return _SPACES.sub(" ", s.translate(_FOLD))


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return Levenshtein.normalized_similarity(_fold(a), _fold(b))


def _is_word(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch)[0] == "M" or ch in "\u200d'’-"


class _Correction:
    """One old text → new text, with the diff computed once."""

    def __init__(self, old_text: str, new_text: str):
        self.old, self.new = old_text, new_text
        self.budget = SEARCH_BUDGET
        # Equal runs of the diff: old starts, new starts, lengths (sorted by old start).
        self.old_at: list[int] = []
        self.new_at: list[int] = []
        self.length: list[int] = []
        # Change groups: (old start, deleted length, new start, inserted length), by old start.
        self.changes: list[tuple[int, int, int, int]] = []
        self.change_at: list[int] = []
        o = n = 0
        pending = None
        for op, count in fast_diff_match_patch.diff(
            old_text, new_text, timelimit=0, checklines=True, cleanup="No", counts_only=True
        ):
            if op == "=":
                if pending:
                    self._add_change(*pending)
                    pending = None
                self.old_at.append(o)
                self.new_at.append(n)
                self.length.append(count)
                o += count
                n += count
                continue
            if pending is None:
                pending = [o, 0, n, 0]
            if op == "-":
                pending[1] += count
                o += count
            else:
                pending[3] += count
                n += count
        if pending:
            self._add_change(*pending)

    def _add_change(self, o, d, n, i):
        self.changes.append((o, d, n, i))
        self.change_at.append(o)

    # ---------------------------------------------------------------- step 1: the diff

    def _in_equal(self, x: int) -> int | None:
        """The new offset of old character ``x`` when the diff keeps it, else None."""
        k = bisect.bisect_right(self.old_at, x) - 1
        if k >= 0 and x < self.old_at[k] + self.length[k]:
            return self.new_at[k] + x - self.old_at[k]
        return None

    def _change_holding(self, x: int) -> tuple[int, int, int, int] | None:
        """The change group whose deleted text holds old character ``x``."""
        k = bisect.bisect_right(self.change_at, x) - 1
        if k >= 0:
            o, d, n, i = self.changes[k]
            if o <= x < o + d:
                return o, d, n, i
        return None

    def map_start(self, x: int) -> int:
        if x >= len(self.old):
            return len(self.new)
        kept = self._in_equal(x)
        if kept is not None:
            return kept
        o, d, n, i = self._change_holding(x)
        # The quote begins in replaced text: its replacement belongs to it.
        return n + min(x - o, i) if x > o else n

    def map_end(self, x: int) -> int:
        if x <= 0:
            return 0
        kept = self._in_equal(x - 1)
        if kept is not None:
            return kept + 1
        o, d, n, i = self._change_holding(x - 1)
        return n + i if x == o + d else n + min(x - o, i)

    def _kept_run(self, at: int, forward: bool) -> int:
        """How many new characters the diff kept in a row from offset ``at`` onwards (or, not
        ``forward``, backwards from it): old text that stayed where it was."""
        new_at, length = self.new_at, self.length
        k = bisect.bisect_right(new_at, at if forward else at - 1) - 1
        run, edge = 0, at
        while 0 <= k < len(new_at):
            lo, hi = new_at[k], new_at[k] + length[k]
            if forward:
                if not lo <= edge < hi:
                    break
                run += hi - edge
                edge, k = hi, k + 1
            else:
                if not lo < edge <= hi:
                    break
                run += edge - lo
                edge, k = lo, k - 1
        return run

    def _foreign(self, a: Anchor, start: int, end: int) -> bool:
        """Does new span ``[start, end)`` hold old text that the diff kept from outside the
        anchor's own span — another passage's words, there before the correction (Hypothesis
        issue 2798: an earlier occurrence of the same word is not the note's)?"""
        need = min(NEIGHBOURS, end - start)
        k = max(bisect.bisect_right(self.new_at, start) - 1, 0)
        while k < len(self.new_at) and self.new_at[k] < end:
            lo = max(start, self.new_at[k])
            hi = min(end, self.new_at[k] + self.length[k])
            if hi - lo >= need:
                old_lo = self.old_at[k] + lo - self.new_at[k]
                old_hi = old_lo + hi - lo
                if old_hi - old_lo - max(0, min(old_hi, a.end) - max(old_lo, a.start)) >= need:
                    return True
            k += 1
        return False

    def _has_twin(self, a: Anchor) -> bool:
        """Did the old text hold the quote elsewhere with the same nearest context? Then its
        words found away from the mapped position may be the twin's, moved: not the anchor's."""
        old, n, q = self.old, NEIGHBOURS, a.quote
        before, after = old[max(0, a.start - n) : a.start], old[a.end : a.end + n]
        at = old.find(q)
        while at != -1:
            if (
                at != a.start
                and old[max(0, at - n) : at] == before
                and old[at + len(q) : at + len(q) + n] == after
            ):
                return True
            at = old.find(q, at + 1)
        return False

    def _kept_beside(self, start: int, end: int) -> bool:
        n = NEIGHBOURS
        return self._kept_run(start, False) >= min(start, n) or self._kept_run(end, True) >= min(
            len(self.new) - end, n
        )

    def _held(self, a: Anchor, start: int, end: int) -> bool:
        """Is the mapped span still among its own surroundings? The quote's characters alone
        prove little: a sentence deleted and a new one holding the same words inserted at the
        same place leave them in the diff. At least one side must be old text the diff kept
        (or the text's edge), or fit the stored context."""
        if self._kept_beside(start, end):
            return True
        prefix, suffix = self._context(a, start, end)
        return max(prefix, suffix) >= EXACT_CONTEXT_MIN

    # ---------------------------------------------------------------- context

    def _side_fit(self, stored: str, at: int, before: bool, stored_edge: bool) -> float:
        """How well ``stored`` (the anchor's prefix when ``before``, else its suffix; it reached
        the text's edge when ``stored_edge``) fits beside new offset ``at``. Compared within
        the paragraph, so a paragraph moved whole keeps its quotes' context."""
        new = self.new
        if before:
            actual = new[max(0, at - len(stored)) : at]
            actual_edge = at - len(stored) <= 0 or new[at - len(stored) - 1] == "\n"
            stored_in, actual_in = stored.rsplit("\n", 1)[-1], actual.rsplit("\n", 1)[-1]
        else:
            actual = new[at : at + len(stored)]
            actual_edge = at + len(stored) >= len(new) or new[at + len(stored)] == "\n"
            stored_in, actual_in = stored.split("\n", 1)[0], actual.split("\n", 1)[0]
        if not stored and not stored_edge:
            return 0.5  # the caller gave no context: no evidence either way
        # The same words beside it but for line ends and spaces (a line break put into the
        # context, or taken out) fit whatever the paragraphs say; a short context, or one
        # only like it, proves nothing this way.
        folded = 0.0
        if len(stored) >= NEIGHBOURS and "\n" in stored + actual:
            folded = _similarity(stored, actual)
            folded = folded if folded >= FOLDED_CONTEXT_MIN else 0.0
        stored_edge = stored_edge or "\n" in stored
        actual_edge = actual_edge or "\n" in actual
        if stored_edge and not actual_edge:
            # The old span sat at a paragraph's (or the text's) edge; this one does not.
            if not stored_in:
                return 0.0
            nearest = actual_in[-len(stored_in) :] if before else actual_in[: len(stored_in)]
            return max(0.9 * _similarity(stored_in, nearest), folded)
        if not stored_in and not actual_in:
            return 1.0
        return max(_similarity(stored_in, actual_in), folded)

    def _context(self, a: Anchor, start: int, end: int) -> tuple[float, float]:
        old, i, j = self.old, a.start - len(a.prefix), a.end + len(a.suffix)
        prefix = self._side_fit(a.prefix, start, True, i <= 0 or old[i - 1] == "\n")
        suffix = self._side_fit(a.suffix, end, False, j >= len(old) or old[j] == "\n")
        return prefix, suffix

    # ---------------------------------------------------------------- the steps

    def place(self, a: Anchor) -> Placement:
        if not a.quote or not (0 <= a.start < a.end <= len(self.old)):
            return _orphan(a)
        ms, me = self.map_start(a.start), self.map_end(a.end)
        me = max(me, ms)
        if self.new[ms:me] == a.quote and self._held(a, ms, me):
            outcome = "unchanged" if (ms, me) == (a.start, a.end) else "moved"
            return Placement(a.key, outcome, ms, me, a.quote, 1.0, 1)
        return self._exact(a, ms, me) or self._approximate(a, ms, me) or _orphan(a)

    def _exact(self, a: Anchor, ms: int, me: int) -> Placement | None:
        found, at = [], self.new.find(a.quote)
        twin = None  # another old passage with the same words and context: computed lazily
        while at != -1:
            end = at + len(a.quote)
            mapped = at < me and ms < end
            if mapped and self._kept_beside(at, end):
                # Where the diff maps the span, beside old text it kept: the diff only drew
                # the span's edge elsewhere (an ambiguous alignment), the words are these.
                found.append((1.0, at))
            elif not self._foreign(a, at, end):
                if not mapped and twin is None:
                    twin = self._has_twin(a)
                if mapped or not twin:
                    prefix, suffix = self._context(a, at, end)
                    found.append(((prefix + suffix) / 2, at))
            at = self.new.find(a.quote, at + 1)
        good = sorted((c for c in found if c[0] >= EXACT_CONTEXT_MIN), reverse=True)
        if not good:
            return None
        if len(good) > 1 and good[0][0] - good[1][0] < TIE_MARGIN:
            # Context does not decide: only the repeat the diff points at may win the tie.
            tied = [at for fit, at in good if good[0][0] - fit < TIE_MARGIN]
            here = [at for at in tied if at <= ms <= at + len(a.quote)]
            if len(here) != 1:
                return None
            start = here[0]
        else:
            start = good[0][1]
        end = start + len(a.quote)
        outcome = "unchanged" if (start, end) == (a.start, a.end) else "moved"
        return Placement(a.key, outcome, start, end, a.quote, 1.0, 2)

    def _approximate(self, a: Anchor, ms: int, me: int) -> Placement | None:
        candidates = [(ms, me)] if me > ms else []
        lo = max(0, ms - len(a.quote) - SEARCH_MARGIN)
        hi = min(len(self.new), me + len(a.quote) + SEARCH_MARGIN)
        best = self._best(a, ms, me, [*candidates, *self._search(a, lo, hi)])
        if best is None and self.budget >= len(self.new):
            # Nothing near where the diff puts it (a paragraph moved and edited): the whole
            # text, within a budget per correction so that a correction that rewrites
            # everything stays fast (what is left over becomes an orphan).
            self.budget -= len(self.new)
            best = self._best(a, ms, me, self._search(a, 0, len(self.new)))
        if best is None:
            return None
        score, start, end, quote = best
        if quote == a.quote:  # a fuzzy window that found the exact words (rare)
            outcome = "unchanged" if (start, end) == (a.start, a.end) else "moved"
            return Placement(a.key, outcome, start, end, quote, 1.0, 3)
        return Placement(a.key, "edited", start, end, quote, round(score, 4), 3)

    def _search(self, a: Anchor, lo: int, hi: int) -> list[tuple[int, int]]:
        """The best approximate match of the quote in ``new[lo:hi]``, with its edges tried at
        the nearby token boundaries (the alignment is as long as the quote; the edited words
        may be longer or shorter)."""
        if hi <= lo:
            return []
        found = fuzz.partial_ratio_alignment(
            _fold(a.quote), self.new[lo:hi], processor=None, score_cutoff=MIN_QUOTE_SIMILARITY * 100
        )
        if found is None or found.dest_end <= found.dest_start:
            return []
        start, end = lo + found.dest_start, lo + found.dest_end
        new, reach = self.new, EDGE_REACH
        starts = {start} | {
            p
            for p in range(max(0, start - reach), min(len(new), start + reach))
            if p == 0 or new[p - 1].isspace()
        }
        ends = {end} | {
            p
            for p in range(max(1, end - reach), min(len(new), end + reach) + 1)
            if p == len(new) or new[p].isspace()
        }
        pairs = [(s, e) for s in starts for e in ends if e > s]
        if not pairs:
            return []
        # Raw similarity: cheap, and folding would not move the best edges.
        quote, score = a.quote, Levenshtein.normalized_similarity
        return [max(pairs, key=lambda p: score(quote, new[p[0] : p[1]]))]

    def _best(self, a: Anchor, ms: int, me: int, candidates) -> tuple[float, int, int, str] | None:
        best, twin = None, None
        for start, end in set(candidates):
            span = self._snap(a, start, end)
            if span is None:
                continue
            start, end = span
            if self._foreign(a, start, end):
                continue
            if not (start < me and ms < end):
                twin = self._has_twin(a) if twin is None else twin
                if twin:
                    continue
            quote = self.new[start:end]
            q = _similarity(a.quote, quote)
            prefix, suffix = self._context(a, start, end)
            position = 1 - min(1.0, abs(start - ms) / max(len(self.new), 1))
            parts = {"quote": q, "prefix": prefix, "suffix": suffix, "position": position}
            score = sum(WEIGHTS[k] * v for k, v in parts.items()) / sum(WEIGHTS.values())
            if q < MIN_QUOTE_SIMILARITY or score < MIN_SCORE or max(prefix, suffix) < MIN_CONTEXT:
                continue
            if best is None or score > best[0]:
                best = (score, start, end, quote)
        return best

    def _snap(self, a: Anchor, start: int, end: int) -> tuple[int, int] | None:
        """``[start, end)`` on the same kind of boundaries as the old quote: whole words where
        the quote began or ended on a word boundary, no outer whitespace unless it had some,
        and whole user-perceived characters always."""
        new, old, q = self.new, self.old, a.quote
        if not q[0].isspace():
            while start < end and new[start].isspace():
                start += 1
        if not q[-1].isspace():
            while end > start and new[end - 1].isspace():
                end -= 1
        if a.start == 0 or not (_is_word(old[a.start - 1]) and _is_word(q[0])):
            while 0 < start < len(new) and _is_word(new[start - 1]) and _is_word(new[start]):
                start -= 1
        if a.end == len(old) or not (_is_word(old[a.end]) and _is_word(q[-1])):
            while 0 < end < len(new) and _is_word(new[end - 1]) and _is_word(new[end]):
                end += 1
        start, end = to_grapheme_boundaries(new, start, end)
        return (start, end) if end > start else None
