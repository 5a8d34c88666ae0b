"""CSV, one claim per row, safe to open in Excel and LibreOffice.

UTF-8 with a byte-order mark (so Excel picks the right encoding), CRLF line ends, and
text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
CR) prefixed with ``'`` (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from factcheck.exports import absolute, claim_rows
from factcheck.models import Claim

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    "claim_id",
    "article_id",
    "article_title",
    "article_url",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "kind",
    "speaker",
    "statement",
    "statement_date",
    "summary",
    "check_worthy",
    "status",
    "rating",
    "rating_value",
    "rationale",
    "published_at",
    "created_by",
    "created_at",
    "updated_at",
    "factcheck_url",
]


def neutralise(value):
    """``value`` made inert for spreadsheets; numbers and booleans pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _iso(value) -> str:
    return value.isoformat() if value else ""


def csv_row(row: dict, *, base_url: str) -> list:
    """The CSV cells of one claim row (see ``exports.claim_rows``)."""
    verdict = row["verdict"]
    published = row["status"] == Claim.Status.PUBLISHED and verdict is not None
    cells = [
        row["pk"],
        row["article_id"],
        row["article__title"],
        row["article__url"],
        row["start"],
        row["end"],
        row["quote"],
        row["prefix"],
        row["suffix"],
        row["kind"],
        row["speaker__name"] or "",
        row["statement__title"] or "",
        _iso(row["statement__date"]),
        row["summary"],
        "yes" if row["check_worthy"] else "no",
        row["status"],
        verdict["rating__label"] if verdict else "",
        verdict["rating__value"] if verdict and verdict["rating__value"] is not None else "",
        verdict["rationale"] if verdict else "",
        _iso(row["published_at"]),
        row["created_by__username"] or "",
        _iso(row["created_at"]),
        _iso(row["updated_at"]),
        absolute(base_url, "factcheck-detail", row["pk"]) if published else "",
    ]
    return [neutralise(v) for v in cells]


class _Line:
    """A file-like object whose ``write`` hands the line back to the csv writer."""

    def write(self, value: str) -> str:
        return value


def stream_csv(claims, *, base_url: str) -> Iterator[str]:
    """The CSV of ``claims`` (see ``exports.claims_for_export``), BOM first."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(COLUMNS)
    for row in claim_rows(claims):
        yield writer.writerow(csv_row(row, base_url=base_url))
