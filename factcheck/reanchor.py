"""Re-anchoring: where each span of an old text belongs in a corrected text (issue 18).

Text in, outcomes out: no database. The caller (``actions``) turns each claim, its cue and
source mention, and each pending suggestion into an ``Anchor`` and stores the ``Placement``.
Offsets are code points of the stored (normalised) texts.

Outcomes: ``unchanged`` (same offsets, same words), ``moved`` (the same words elsewhere),
``edited`` (the words changed, matched approximately above a minimum score), ``orphaned``
(nothing fits: never a guess onto words the span does not quote).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["unchanged", "moved", "edited", "orphaned"]


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


def reanchor(old_text: str, new_text: str, anchors: Sequence[Anchor]) -> list[Placement]:
    """One placement per anchor, in order. (Placeholder until the engine lands: an unchanged
    text keeps every span, anything else orphans.)"""
    if old_text == new_text:
        return [Placement(a.key, "unchanged", a.start, a.end, a.quote, 1.0) for a in anchors]
    return [Placement(a.key, "orphaned", None, None, None, 0.0) for a in anchors]
