"""Bar charts drawn as plain SVG on the server, each with a table of its numbers.

No script and no inline style (the Content-Security-Policy forbids both); every piece of text
goes through ``format_html``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


@dataclass
class Chart:
    """An SVG picture and the same numbers as a table (for screen readers)."""

    slug: str
    title: str
    description: str
    svg: SafeString
    columns: list[str]
    rows: list[list] = field(default_factory=list)


BAR_W, LABEL_W, ROW_H, TOP = 360, 190, 26, 8


def _label(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(rows: list[tuple[str, int, str]]) -> SafeString:
    """Horizontal bars, one per (label, value, colour)."""
    top = max([v for _, v, _ in rows] + [1])
    height = TOP * 2 + ROW_H * len(rows)
    parts = []
    for i, (label, value, colour) in enumerate(rows):
        y = TOP + i * ROW_H
        width = round(BAR_W * value / top, 1)
        parts.append(
            format_html(
                '<g><title>{}: {}</title><text x="{}" y="{}" class="fc-chart-label" '
                'text-anchor="end">{}</text><rect x="{}" y="{}" width="{}" height="{}" '
                'fill="{}" rx="2"></rect><text x="{}" y="{}" class="fc-chart-value">{}</text></g>',
                label,
                value,
                LABEL_W - 8,
                y + ROW_H / 2 + 4,
                _label(label),
                LABEL_W,
                y + 3,
                width,
                ROW_H - 6,
                colour,
                LABEL_W + width + 6,
                y + ROW_H / 2 + 4,
                value,
            )
        )
    return _svg(height, parts)


def stacked_bar_chart(
    rows: list[tuple[str, list[tuple[str, int, str]]]], legend: list[tuple[str, str]]
) -> SafeString:
    """One horizontal bar per row, split into (segment label, value, colour) pieces."""
    top = max([sum(v for _, v, _ in segs) for _, segs in rows] + [1])
    legend_h = 22 * ((len(legend) + 3) // 4)
    height = TOP * 2 + ROW_H * len(rows) + legend_h + 6
    parts = []
    for i, (label, segments) in enumerate(rows):
        y = TOP + i * ROW_H
        x = LABEL_W
        pieces = []
        for seg_label, value, colour in segments:
            if not value:
                continue
            width = round(BAR_W * value / top, 1)
            pieces.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} {}</title></rect>",
                    x,
                    y + 3,
                    width,
                    ROW_H - 6,
                    colour,
                    label,
                    value,
                    seg_label,
                )
            )
            x += width
        total = sum(v for _, v, _ in segments)
        parts.append(
            format_html(
                '<g><text x="{}" y="{}" class="fc-chart-label" text-anchor="end">{}</text>'
                '{}<text x="{}" y="{}" class="fc-chart-value">{}</text></g>',
                LABEL_W - 8,
                y + ROW_H / 2 + 4,
                _label(label),
                mark_safe("".join(pieces)),  # noqa: S308 - each piece built by format_html
                x + 6,
                y + ROW_H / 2 + 4,
                total,
            )
        )
    legend_y = TOP + ROW_H * len(rows) + 10
    for i, (seg_label, colour) in enumerate(legend):
        lx, ly = 10 + (i % 4) * 140, legend_y + (i // 4) * 22
        parts.append(
            format_html(
                '<g><rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
                '<text x="{}" y="{}" class="fc-chart-legend">{}</text></g>',
                lx,
                ly,
                colour,
                lx + 17,
                ly + 11,
                _label(seg_label, 18),
            )
        )
    return _svg(height, parts)


def _svg(height: float, parts: list[str]) -> SafeString:
    width = LABEL_W + BAR_W + 60
    return format_html(
        '<svg class="fc-chart" viewBox="0 0 {} {}" width="{}" height="{}" aria-hidden="true" '
        'focusable="false" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        width,
        height,
        width,
        height,
        mark_safe("".join(parts)),  # noqa: S308 - each part built by format_html
    )


TOP_ROWS = 20  # a chart of 2,000 speakers is neither readable nor small (2.6 MB at 100,000 claims)


def top_rows(rows: list, size: int, other) -> list:
    """The first ``size`` of ``rows`` (already in order), the rest folded by ``other(rest)``."""
    if len(rows) <= size + 1:
        return rows
    return [*rows[:size], other(rows[size:])]
