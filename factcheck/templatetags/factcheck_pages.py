"""Template helpers for the HTML pages: the article text with claim highlights."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

MAX_LEVEL_CLASS = 3


def claim_levels(claims: Sequence) -> dict[int, int]:
    """A nesting level per claim: the lowest level free of every overlapping earlier claim.

    Claims are taken in text order (start, longest first), so an outer claim gets a lower
    level than the claims nested in it, and a claim keeps one level along its whole span.
    """
    levels: dict[int, int] = {}
    open_spans: list[tuple[int, int]] = []  # (end, level) of claims still overlapping
    for c in sorted(claims, key=lambda c: (c.start, -c.end, c.pk)):
        open_spans = [(end, lvl) for end, lvl in open_spans if end > c.start]
        used = {lvl for _, lvl in open_spans}
        level = next(i for i in range(len(used) + 1) if i not in used)
        levels[c.pk] = level
        open_spans.append((c.end, level))
    return levels


def highlight_segments(text: str, claims: Iterable) -> list[tuple[str, list]]:
    """Cut ``text`` at every claim boundary: (piece, claims covering it, outermost first).

    Offsets are code points, i.e. Python string indexes, as stored.
    """
    claims = [c for c in claims if 0 <= c.start < c.end <= len(text)]
    levels = claim_levels(claims)
    cuts = sorted({0, len(text), *(c.start for c in claims), *(c.end for c in claims)})
    by_start = sorted(claims, key=lambda c: c.start)
    segments, active, i = [], [], 0
    for a, b in zip(cuts, cuts[1:], strict=False):
        # Every boundary is a cut, so a claim open at ``a`` covers the whole piece [a, b).
        while i < len(by_start) and by_start[i].start <= a:
            active.append(by_start[i])
            i += 1
        active = [c for c in active if c.end > a]
        covering = sorted(active, key=lambda c: (levels[c.pk], c.pk))
        segments.append((text[a:b], covering))
    return segments


def render_highlighted(text: str, claims: Iterable) -> SafeString:
    """HTML whose ``textContent`` is exactly ``text``, claims wrapped in nested ``<mark>``s."""
    claims = list(claims)
    levels = claim_levels(claims)
    out = []
    for piece, covering in highlight_segments(text, claims):
        opening = "".join(
            f'<mark data-claim-id="{c.pk}" class="hl hl-{min(levels[c.pk], MAX_LEVEL_CLASS)}'
            f' hl-{escape(c.status)}">'
            for c in covering
        )
        out.append(opening + escape(piece) + "</mark>" * len(covering))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


@register.simple_tag
def highlighted(text: str, claims) -> SafeString:
    return render_highlighted(text, claims)


@register.simple_tag(takes_context=True)
def page_url(context, page: int) -> str:
    """The current URL's query string with ``page`` replaced (for pagination links)."""
    query = context["request"].GET.copy()
    query["page"] = page
    return "?" + query.urlencode()


@register.filter
def editable_by(claim, user) -> bool:
    return claim.is_editable_by(user)
