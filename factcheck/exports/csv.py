"""CSV, one claim per row, safe to open in Excel and LibreOffice.

UTF-8 with a byte-order mark (so Excel picks the right encoding), CRLF line ends, and
text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
CR) prefixed with ``'`` (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from factcheck.exports import absolute, claims_in_batches
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


def claim_row(claim: Claim, *, base_url: str) -> list:
    article, verdict = claim.article, claim.approved_verdict
    statement = claim.statement
    published = claim.status == Claim.Status.PUBLISHED and verdict is not None
    row = [
        claim.pk,
        article.pk,
        article.title,
        article.url,
        claim.start,
        claim.end,
        claim.quote,
        claim.prefix,
        claim.suffix,
        claim.kind,
        claim.speaker.name if claim.speaker_id else "",
        statement.title if statement else "",
        statement.date.isoformat() if statement and statement.date else "",
        claim.summary,
        "yes" if claim.check_worthy else "no",
        claim.status,
        verdict.rating.label if verdict else "",
        verdict.rating.value if verdict and verdict.rating.value is not None else "",
        verdict.rationale if verdict else "",
        claim.published_at.isoformat() if claim.published_at else "",
        claim.created_by.get_username() if claim.created_by_id else "",
        claim.created_at.isoformat(),
        claim.updated_at.isoformat(),
        absolute(base_url, "factcheck-detail", claim.pk) if published else "",
    ]
    return [neutralise(v) for v in row]


class _Line:
    """A file-like object whose ``write`` hands the line back to the csv writer."""

    def write(self, value: str) -> str:
        return value


def stream_csv(claims, *, base_url: str) -> Iterator[str]:
    """The CSV of ``claims`` (see ``exports.claims_for_export``), BOM first."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(COLUMNS)
    for claim in claims_in_batches(claims):
        yield writer.writerow(claim_row(claim, base_url=base_url))
