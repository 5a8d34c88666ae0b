"""Corrections of articles with known outcomes, for the re-anchoring evaluation (issue 18).

Each article (bench/evalsets/reanchor/*.txt and the demo article) gets claims on its sentences
and on phrases inside them; a correction is a series of edits of one kind. Every character of
the text carries where it came from (its offset in the original, or None when inserted, and
whether it was changed in place), so after the edits each claim's truth is known:

- ``exact``: all its characters survive, unchanged and together → ``span`` is where they are;
- ``edited``: some survive, with changes among them → ``span`` runs from the first survivor to
  the last (the generator never replaces a claim's first or last word);
- ``gone``: none survive.

    python -m bench.corrections    # prints one correction of each kind
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from factcheck.reanchor import Anchor
from factcheck.text import context_of

TEXTS = Path(__file__).resolve().parent / "evalsets" / "reanchor"

KINDS = (
    "insert paragraph before",
    "delete sentences around",
    "typo fixed inside quote",
    "words of quote replaced",
    "quoted sentence deleted",
    "paragraph moved",
    "straight quotes to curly",
    "whitespace and line ends",
    "repeat inserted elsewhere",
    "repeat inserted, original deleted",
    "mixed",
)

FILLER = [
    "The figures were published on the district's website on Friday.",
    "A spokesperson declined to comment further.",
    "The meeting was attended by about sixty residents.",
    "Correction: an earlier version of this article gave the wrong date for the vote.",
    "The full report runs to 214 pages.",
    "Officials said the timetable could still change.",
    "Update: the council has since confirmed the date of the hearing.",
]
REPLACEMENTS = ["nearly", "roughly", "officially", "publicly", "later", "previously", "again"]

SENTENCE = re.compile(r"[^\s].*?[.!?][\"”’']?(?=\s+[\"“A-Z0-9]|\s*$)", re.S)
WORD = re.compile(r"[\w’'-]+")


def articles() -> list[tuple[str, str]]:
    from factcheck.demo import TEXT

    found = [(p.stem, p.read_text(encoding="utf-8").strip()) for p in sorted(TEXTS.glob("*.txt"))]
    return [*found, ("demo", TEXT.strip())]


@dataclass
class Claim:
    key: int
    start: int
    end: int
    quote: str


@dataclass
class Truth:
    kind: str  # exact | edited | gone
    span: tuple[int, int] | None


def claims_of(text: str) -> list[Claim]:
    """A claim on every sentence, and one on a phrase of each long sentence (its 2nd-6th
    words), as an annotator would mark them."""
    found = []
    for m in SENTENCE.finditer(text):
        if "\n" in m.group():
            continue
        found.append((m.start(), m.end()))
        words = list(WORD.finditer(m.group()))
        if len(words) >= 9:
            found.append((m.start() + words[1].start(), m.start() + words[5].end()))
    return [Claim(i, s, e, text[s:e]) for i, (s, e) in enumerate(found)]


def anchors_of(text: str, claims: list[Claim]) -> list[Anchor]:
    return [
        Anchor(c.key, c.start, c.end, c.quote, *context_of(text, c.start, c.end)) for c in claims
    ]


class Doc:
    """The text as characters, each with its origin (offset in the original or None) and
    whether it was changed in place."""

    def __init__(self, text: str):
        self.chars = [(ch, i, False) for i, ch in enumerate(text)]
        # Words put in place of others: their origin is -1 - (index here), which holds the
        # original range they replace.
        self.replaced: list[tuple[int, int]] = []

    @property
    def text(self) -> str:
        return "".join(c for c, _, _ in self.chars)

    def insert(self, at: int, s: str) -> None:
        self.chars[at:at] = [(ch, None, False) for ch in s]

    def replace(self, start: int, end: int, s: str) -> None:
        """``s`` in place of ``[start, end)``: it belongs to every claim that held all of it."""
        origins = [o for _, o, _ in self.chars[start:end] if o is not None and o >= 0]
        self.replaced.append((min(origins), max(origins) + 1))
        marker = -len(self.replaced)
        self.chars[start:end] = [(ch, marker, False) for ch in s]

    def delete(self, start: int, end: int) -> None:
        del self.chars[start:end]

    def change(self, at: int, ch: str) -> None:
        old, origin, _ = self.chars[at]
        if old != ch:
            self.chars[at] = (ch, origin, True)

    def where(self, claim: Claim, replacements: bool = False) -> list[int]:
        """Positions now holding the claim's original characters (and, with ``replacements``,
        the words put in place of some of them)."""
        found = []
        for i, (_, o, _) in enumerate(self.chars):
            if o is None:
                continue
            if o >= 0:
                if claim.start <= o < claim.end:
                    found.append(i)
            elif replacements:
                lo, hi = self.replaced[-1 - o]
                if claim.start <= lo and hi <= claim.end:
                    found.append(i)
        return found

    def truths(self, claims: list[Claim]) -> dict[int, Truth]:
        """Each claim's truth (``truth``), with the positions indexed once."""
        position, replacing = {}, []
        for i, (_, o, _) in enumerate(self.chars):
            if o is not None and o >= 0:
                position[o] = i
            elif o is not None:
                replacing.append((i, *self.replaced[-1 - o]))
        found = {}
        for c in claims:
            own = [position[o] for o in range(c.start, c.end) if o in position]
            more = [i for i, lo, hi in replacing if c.start <= lo and hi <= c.end]
            found[c.key] = self.truth(c, sorted(own), sorted(own + more))
        return found

    def truth(self, claim: Claim, own=None, at=None) -> Truth:
        own = self.where(claim) if own is None else own
        if not own:
            return Truth("gone", None)
        at = self.where(claim, replacements=True) if at is None else at
        span = (at[0], at[-1] + 1)
        same = (
            len(at) == claim.end - claim.start
            and span[1] - span[0] == len(at)
            and not any(self.chars[i][2] or self.chars[i][1] < 0 for i in at)
        )
        return Truth("exact" if same else "edited", span)

    def paragraphs(self) -> list[tuple[int, int]]:
        text, found, at = self.text, [], 0
        for part in text.split("\n\n"):
            found.append((at, at + len(part)))
            at += len(part) + 2
        return found

    def sentences(self) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in SENTENCE.finditer(self.text) if "\n" not in m.group()]


def _sentence_holding(doc: Doc, claim: Claim) -> tuple[int, int] | None:
    at = doc.where(claim)
    if not at:
        return None
    for s, e in doc.sentences():
        if s <= at[0] and at[-1] < e:
            return s, e
    return None


def _delete_sentence(doc: Doc, span: tuple[int, int]) -> None:
    s, e = span
    text = doc.text
    if e < len(text) and text[e] == " ":
        e += 1
    elif s > 0 and text[s - 1] == " ":
        s -= 1
    doc.delete(s, e)


def _interior_words(doc: Doc, claim: Claim) -> list[tuple[int, int]]:
    at = doc.where(claim)
    if not at or at[-1] - at[0] + 1 != len(at):
        return []
    s, e = at[0], at[-1] + 1
    words = [(s + m.start(), s + m.end()) for m in WORD.finditer(doc.text[s:e])]
    return words[1:-1]


def correct(text: str, kind: str, rng: random.Random) -> tuple[str, list[Claim], dict[int, Truth]]:
    """Apply a correction of ``kind``: the new text, the claims on the old one, and each
    claim's truth."""
    claims = claims_of(text)
    doc = Doc(text)
    if kind == "mixed":
        for sub in rng.sample(KINDS[:-1], 3):
            edit(doc, claims, sub, rng)
    else:
        edit(doc, claims, kind, rng)
    return doc.text, claims, doc.truths(claims)


def edit(doc: Doc, claims: list[Claim], kind: str, rng: random.Random) -> None:
    picked = rng.sample(claims, min(3, len(claims)))
    if kind == "insert paragraph before":
        for _ in range(2):
            s, _e = rng.choice(doc.paragraphs())
            doc.insert(s, " ".join(rng.sample(FILLER, 2)) + "\n\n")
    elif kind == "delete sentences around":
        for claim in picked[:2]:
            here = _sentence_holding(doc, claim)
            if here is None:
                continue
            sentences = doc.sentences()
            i = sentences.index(here)
            # The one after first, so the positions of the one before still hold.
            for j in (i + 1, i - 1):
                if 0 <= j < len(sentences) and _same_paragraph(doc, sentences[j], here):
                    _delete_sentence(doc, sentences[j])
    elif kind == "typo fixed inside quote":
        for claim in picked:
            words = [w for w in _interior_words(doc, claim) if w[1] - w[0] >= 4]
            if words:
                s, e = rng.choice(words)
                i = rng.randrange(s + 1, e - 2)
                a, b = doc.chars[i][0], doc.chars[i + 1][0]
                if a != b:
                    doc.change(i, b)
                    doc.change(i + 1, a)
    elif kind == "words of quote replaced":
        for claim in picked:
            words = _interior_words(doc, claim)
            if len(words) >= 3:
                s, e = rng.choice(words)
                doc.replace(s, e, rng.choice(REPLACEMENTS))
    elif kind == "quoted sentence deleted":
        for claim in picked[:2]:
            here = _sentence_holding(doc, claim)
            if here is not None:
                _delete_sentence(doc, here)
    elif kind == "paragraph moved":
        paragraphs = doc.paragraphs()
        if len(paragraphs) >= 3:
            i, j = rng.sample(range(len(paragraphs)), 2)
            s, e = paragraphs[i]
            moved = doc.chars[s:e]
            # Take the paragraph with the break after it (or before it, when last).
            if i + 1 < len(paragraphs):
                doc.delete(s, e + 2)
            else:
                doc.delete(s - 2, e)
            paragraphs = doc.paragraphs()
            target = paragraphs[min(j, len(paragraphs) - 1)][0]
            doc.chars[target:target] = [*moved, ("\n", None, False), ("\n", None, False)]
    elif kind == "straight quotes to curly":
        text, opened = doc.text, False
        for i, ch in enumerate(text):
            if ch == '"':
                opened = not opened
                doc.change(i, "“" if opened else "”")
            elif ch == "'":
                doc.change(i, "’")
    elif kind == "whitespace and line ends":
        text = doc.text
        spaces = [i for i, ch in enumerate(text) if ch == " "]
        for i in sorted(rng.sample(spaces, min(6, len(spaces))), reverse=True):
            if rng.random() < 0.5:
                doc.change(i, "\n")  # a hard line break
            else:
                doc.insert(i, " ")  # a double space
    elif kind in ("repeat inserted elsewhere", "repeat inserted, original deleted"):
        phrases = [c for c in claims if len(c.quote.split()) <= 6 and doc.where(c)]
        for claim in rng.sample(phrases, min(2, len(phrases))):
            here = _sentence_holding(doc, claim)
            if kind.endswith("deleted") and here is not None:
                _delete_sentence(doc, here)
            s, _e = rng.choice(doc.paragraphs())
            quote = claim.quote[0].lower() + claim.quote[1:]
            doc.insert(s, f"Some readers wrote to ask whether {quote} at all. ")
    else:
        raise ValueError(kind)


def _same_paragraph(doc: Doc, a: tuple[int, int], b: tuple[int, int]) -> bool:
    lo, hi = min(a[0], b[0]), max(a[1], b[1])
    return "\n" not in doc.text[lo:hi]


def big_article(rng: random.Random, size: int = 100_000) -> str:
    """A ``size``-character article of sentences from the evaluation set, each made distinct
    by its figures, for the timing."""
    sentences = [m.group() for _, text in articles() for m in SENTENCE.finditer(text)]
    sentences = [s for s in sentences if "\n" not in s]
    paragraphs, length = [], 0
    while length < size:
        para = " ".join(
            re.sub(r"\d+", lambda _m: str(rng.randrange(2, 99_999)), rng.choice(sentences))
            for _ in range(rng.randrange(3, 7))
        )
        paragraphs.append(para)
        length += len(para) + 2
    return "\n\n".join(paragraphs)[:size].rsplit(" ", 1)[0] + "."


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    django.setup()
    rng = random.Random(1)
    name, text = articles()[0]
    for kind in KINDS:
        new, claims, truth = correct(text, kind, rng)
        counts = {k: sum(t.kind == k for t in truth.values()) for k in ("exact", "edited", "gone")}
        print(f"{kind}: {counts}")
