"""What changed between two revisions of an article, as escaped HTML (``<del>``/``<ins>``).

Paragraphs are matched first (a long article with one paragraph inserted stays cheap), then the
words of each changed run of paragraphs. Long unchanged stretches are shortened to their ends.
Built on ``difflib`` (standard library): the reading page needs a readable diff, not offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
KEEP = 80  # characters of unchanged text kept on each side of a change
ALIKE = 0.6  # changed paragraphs less alike than this are shown deleted and inserted whole


@dataclass(frozen=True)
class Piece:
    kind: str  # "equal", "delete", "insert"
    text: str


def pieces(old: str, new: str) -> list[Piece]:
    """The two texts as runs of kept, deleted and inserted text, in reading order."""
    a, b = _paragraphs(old), _paragraphs(new)
    # Matched on their words: a paragraph whose only change is its blank lines is kept.
    keys_a, keys_b = [p.strip() for p in a], [p.strip() for p in b]
    out: list[Piece] = []
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Piece("equal", "".join(b[j1:j2])))
        elif op == "delete":
            out.append(Piece("delete", "".join(a[i1:i2])))
        elif op == "insert":
            out.append(Piece("insert", "".join(b[j1:j2])))
        else:
            out.extend(_replaced(a[i1:i2], b[j1:j2]))
    return _merged(out)


def _paragraphs(text: str) -> list[str]:
    """Lines, each with the blank lines after it."""
    return [p for p in re.split(r"(?<=\n)(?=[^\n])", text) if p]


def _replaced(a: list[str], b: list[str]) -> list[Piece]:
    """Changed paragraphs: word by word where they are alike, else whole."""
    old, new = "".join(a), "".join(b)
    words_a, words_b = TOKENS.findall(old), TOKENS.findall(new)
    matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
    if matcher.ratio() < ALIKE:
        return [Piece("delete", old), Piece("insert", new)]
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Piece("equal", "".join(words_a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(Piece("delete", "".join(words_a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(Piece("insert", "".join(words_b[j1:j2])))
    return out


def _merged(parts: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for p in parts:
        if not p.text:
            continue
        if out and out[-1].kind == p.kind:
            out[-1] = Piece(p.kind, out[-1].text + p.text)
        else:
            out.append(p)
    return out


def diff_html(old: str, new: str) -> SafeString:
    """The diff as HTML: unchanged text (long stretches shortened), ``<del>`` and ``<ins>``."""
    parts = pieces(old, new)
    html = []
    for n, p in enumerate(parts):
        text = p.text
        if p.kind == "equal":
            first, last = n == 0, n == len(parts) - 1
            html.append(_shortened(text, keep_head=not first, keep_tail=not last))
        else:
            tag = "del" if p.kind == "delete" else "ins"
            label = "deleted" if tag == "del" else "inserted"
            # Said to screen readers too: <del>/<ins> alone are not announced by most.
            html.append(
                f'<{tag} data-testid="diff-{tag}"><span class="visually-hidden">[{label}: </span>'
                f'{escape(text)}<span class="visually-hidden">]</span></{tag}>'
            )
    return mark_safe("".join(html))  # noqa: S308 (every text above is escaped)


def _shortened(text: str, *, keep_head: bool, keep_tail: bool) -> str:
    head = text[:KEEP] if keep_head else ""
    tail = text[-KEEP:] if keep_tail else ""
    if len(text) <= len(head) + len(tail) + 40:
        return escape(text)
    gap = len(text) - len(head) - len(tail)
    skipped = f'<span class="diff-gap">[… {gap:,} characters unchanged …]</span>'
    return f"{escape(head)}{skipped}{escape(tail)}"
