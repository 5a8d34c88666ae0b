"""CSV, one claim per row, safe to open in Excel and LibreOffice.

UTF-8 with a byte-order mark (so Excel picks the right encoding), CRLF line ends, and
text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
CR) prefixed with ``'`` (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db import connections

from factcheck.exports import (
    ById,
    IsoDate,
    IsoDatetime,
    absolute,
    approved_verdicts,
    id_range,
    id_route,
    iso_datetime,
    raw_batches,
)
from factcheck.models import Claim, Speaker, Statement

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


# What the export reads, in the order ``stream_csv`` unpacks it.
ROW_FIELDS = (
    "pk",
    "article_id",
    "article__title",
    "article__url",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "kind",
    "speaker_id",
    "statement_id",
    "summary",
    "check_worthy",
    "status",
    "created_by__username",
)
ROW_TEXTS = {
    "published": IsoDatetime("published_at"),
    "created": IsoDatetime("created_at"),
    "updated": IsoDatetime("updated_at"),
}
ROW_VERDICT_FIELDS = ("claim_id", "rating__label", "rating__value", "rationale")


class _Line:
    """A file-like object whose ``write`` hands the line back to the csv writer."""

    def write(self, value: str) -> str:
        return value


def stream_csv(claims, *, base_url: str) -> Iterator[str]:
    """The CSV of ``claims`` (see ``exports.claims_for_export``), BOM first.

    Each line is what ``csv_row`` gives for the claim's row (held to it by
    tests/test_export_fast_rows.py), written from raw rows (``exports.raw_batches``).
    """
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(COLUMNS)
    before, after = id_route("factcheck-detail")
    tz = connections[claims.db].timezone  # of SQLite's naive datetimes
    published_status = Claim.Status.PUBLISHED
    # Read once by id rather than joined into every row (see ``exports.ById``).
    speakers = ById(Speaker, ["name"], str)
    statements = ById(
        Statement, ["title"], lambda title, date: (title, date or ""), iso_date=IsoDate("date")
    )
    speaker_names, statement_cells = speakers.known, statements.known
    no_statement = ("", "")
    for rows in raw_batches(claims.order_by("pk"), ROW_FIELDS, **ROW_TEXTS):
        speakers.read(row[10] for row in rows)
        statements.read(row[11] for row in rows)
        where = id_range(rows[0][0], rows[-1][0])
        verdicts = approved_verdicts(where, ROW_VERDICT_FIELDS, sources=False)
        for (
            pk,
            article_id,
            article_title,
            article_url,
            start,
            end,
            quote,
            prefix,
            suffix,
            kind,
            speaker_id,
            statement_id,
            summary,
            check_worthy,
            status,
            username,
            published_at,
            created_at,
            updated_at,
        ) in rows:
            statement, statement_date = (
                statement_cells[statement_id] if statement_id else no_statement
            )
            verdict = verdicts.get(pk)
            if verdict is None:
                rating = rating_value = rationale = url = ""
            else:
                rating, rating_value = verdict["rating__label"], verdict["rating__value"]
                rating_value = "" if rating_value is None else rating_value
                rationale = verdict["rationale"]
                url = f"{base_url}{before}{pk}{after}" if status == published_status else ""
            cells = (
                pk,
                article_id,
                article_title,
                article_url,
                start,
                end,
                quote,
                prefix,
                suffix,
                kind,
                speaker_names[speaker_id] if speaker_id else "",
                statement,
                statement_date,
                summary,
                "yes" if check_worthy else "no",
                status,
                rating,
                rating_value,
                rationale,
                iso_datetime(published_at, tz),
                username or "",
                iso_datetime(created_at, tz),
                iso_datetime(updated_at, tz),
                url,
            )
            yield writer.writerow(
                [
                    "'" + v if v.__class__ is str and v.startswith(FORMULA_STARTS) else v
                    for v in cells
                ]
            )
