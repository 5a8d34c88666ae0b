"""The detector: quotes, their cues, sources, speakers and statements, and check-worthy
author claims, proposed from an article's text (issue 17). One job: text in, proposals out.
It reads no database and writes nothing; the caller passes the registry it may match against
(``KnownSpeaker``/``KnownStatement``) and stores the proposals as suggestions.

Offsets are code points of ``text`` (the stored, normalised article text), like every offset
in factcheck. One module per language (``en`` first); ``detect`` picks it by ``language``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

VERSION = "2"  # bumped whenever what the detector proposes may change


@dataclass(frozen=True)
class Part:
    """A span of the text: a cue ("said") or a source mention ("the spokeswoman")."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class KnownSpeaker:
    id: int
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "person"  # Speaker.Kind value


@dataclass(frozen=True)
class KnownStatement:
    id: int
    speaker_id: int | None
    title: str
    kind: str = "other"  # Statement.Kind value
    date: datetime.date | None = None


@dataclass(frozen=True)
class SpeakerGuess:
    """Who said it: a registry speaker (``id``) or a new one to propose (``id`` None)."""

    id: int | None
    name: str
    kind: str  # Speaker.Kind value


@dataclass(frozen=True)
class StatementGuess:
    """The occasion: a registry statement (``id``) or a new one; proposals of one occasion
    share a ``group`` (so "the same statement" can be compared before anything is saved)."""

    id: int | None
    title: str
    kind: str  # Statement.Kind value
    date: datetime.date | None
    group: str


@dataclass(frozen=True)
class Proposal:
    kind: str  # Claim.Kind value: direct_quote, indirect_quote, mixed_quote, author_claim
    start: int
    end: int
    quote: str
    cue: Part | None
    source_mention: Part | None
    speaker: SpeakerGuess | None  # None: the article's author
    statement: StatementGuess | None
    confidence: float  # 0..1
    check_worthiness: float  # 0..1


def detect(
    text: str,
    *,
    language: str = "en",
    speakers: Sequence[KnownSpeaker] = (),
    statements: Sequence[KnownStatement] = (),
) -> list[Proposal]:
    """The proposals for ``text``, in text order. Unknown languages get none (no rules yet)."""
    module = LANGUAGES.get((language or "en").split("-")[0].lower())
    if module is None:
        return []
    return module.detect(text, speakers=speakers, statements=statements)


def _languages() -> dict:
    from . import en

    return {"en": en}


class _Languages(dict):
    """Language code → rules module, imported on first use (``en`` needs this package's
    dataclasses). Another language: add ``factcheck/detect/xx.py`` with the same ``detect``."""

    def get(self, key, default=None):
        if not self:
            self.update(_languages())
        return super().get(key, default)


LANGUAGES = _Languages()
