"""CSV, one claim per row, safe to open in Excel and LibreOffice.

UTF-8 with a byte-order mark (so Excel picks the right encoding), CRLF line ends, and
text cells that a spreadsheet would run as a formula prefixed with ``'`` (OWASP's advice
against CSV injection): see ``neutralise``.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from collections.abc import Callable, Iterator

from factcheck import claim_read
from factcheck.claim_read import extra_names_once
from factcheck.exports import claim_batches, id_route
from factcheck.models import Claim

BOM = "\ufeff"
FORMULA_CHARS = ("=", "+", "-", "@")

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


# The first characters ``neutralise`` passes at once (and "" too: ``"" in`` a string).
_PLAIN_START = "".join(chr(c) for c in range(ord("!"), ord("~") + 1) if chr(c) not in FORMULA_CHARS)


def _blank(char: str) -> bool:
    # Spaces, line feeds, tabs, NUL and other controls, zero-width and other format characters.
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def neutralise(value):
    """``value`` made inert for spreadsheets; numbers and booleans pass unchanged.

    A text cell gets a leading ``'`` if it starts with a control character (tab, CR, LF, NUL),
    or if its first visible character, after any spaces, line feeds or zero-width characters,
    is a formula character: ``= + - @`` or their full-width and small forms (``＝`` ``﹦``
    ``＋`` ``－`` ``＠`` ...), which NFKC folds into them."""
    if not isinstance(value, str) or not value:
        return value
    if "!" <= value[0] <= "~" and value[0] not in FORMULA_CHARS:
        return value  # a visible ASCII character first (most cells): nothing to fold or skip
    if value[1:2] < "\x80":
        # What follows is ASCII (or nothing), which NFKC folds into no character before it:
        # the first character alone decides, unless it folds into blanks only.
        formula = _first_is_formula(value[0])
        if formula is not None:
            return "'" + value if formula else value
    if unicodedata.category(value[0]) == "Cc":
        return "'" + value
    head = unicodedata.normalize("NFKC", value[:256])
    first = next((c for c in head if not _blank(c)), "")
    return "'" + value if first in FORMULA_CHARS else value


@functools.lru_cache(maxsize=4096)
def _first_is_formula(char: str) -> bool | None:
    """``neutralise``'s answer for a cell starting with ``char`` then ASCII (once per
    character: the folding cost a CSV export a tenth of its time where quotes open with
    “); None when ``char`` folds into blanks only (then what follows decides)."""
    if unicodedata.category(char) == "Cc":
        return True
    visible = [c for c in unicodedata.normalize("NFKC", char) if not _blank(c)]
    return visible[0] in FORMULA_CHARS if visible else None


# What the columns above map of a claim row; any other declared field gets a column of its
# own after them (``extra_columns``).
SHOWN = {
    "id", "article", "article_title", "article_url", "start", "end", "quote", "prefix",
    "suffix", "kind", "speaker_name", "statement_title", "statement_date", "summary",
    "check_worthy", "status", "published_at", "created_by", "created_at", "updated_at",
}  # fmt: skip
LEFT_OUT = {
    "speaker", "statement", "cue_start", "cue_end", "source_start", "source_end", "version",
    "article_publisher", "article_byline", "article_published_on", "speaker_kind",
    "speaker_description", "speaker_aliases", "speaker_wikidata_id", "statement_kind",
    "statement_venue", "statement_url", "created_by_first_name", "created_by_last_name",
}  # fmt: skip
KNOWN = frozenset(SHOWN | LEFT_OUT)


def extra_columns() -> list[str]:
    skip = SHOWN | LEFT_OUT
    return [name for name in claim_read.names_for(claim_read.EXPORT) if name not in skip]


def csv_writer(base_url: str) -> Callable[[dict], list]:
    """The writer of the CSV cells of one reader's rows: ``write(row)`` is
    ``csv_row(row, base_url=base_url)``, with the names of the fields it does not map
    (``extras``) found once: the rows of one reader all have the same."""
    extra_names = extra_names_once(KNOWN)
    before, after = id_route("factcheck-detail")
    published_status = Claim.Status.PUBLISHED

    def write(row: dict) -> list:
        verdict = row["approved_verdict"]
        published = row["status"] == published_status and verdict is not None
        cells = [
            row["id"],
            row["article"],
            row["article_title"],
            row["article_url"],
            row["start"],
            row["end"],
            row["quote"],
            row["prefix"],
            row["suffix"],
            row["kind"],
            row["speaker_name"],
            row["statement_title"],
            row["statement_date"] or "",
            row["summary"],
            "yes" if row["check_worthy"] else "no",
            row["status"],
            verdict["rating_label"] if verdict else "",
            verdict["rating_value"] if verdict and verdict["rating_value"] is not None else "",
            verdict["rationale"] if verdict else "",
            row["published_at"] or "",
            row["created_by"] or "",
            row["created_at"] or "",
            row["updated_at"] or "",
            f"{base_url}{before}{row['id']}{after}" if published else "",
        ]
        for name in extra_names(row):
            value = row[name]
            cells.append("" if value is None else value)
        # neutralise's own first test, inline: a cell that is no text, or starts with a
        # visible ASCII character that is no formula character (most cells), is as it is.
        return [
            v if v.__class__ is not str or v[:1] in _PLAIN_START else neutralise(v) for v in cells
        ]

    return write


def csv_row(row: dict, *, base_url: str) -> list:
    """The CSV cells of one claim row (``exports.claim_rows``)."""
    return csv_writer(base_url)(row)


class _Line:
    """A file-like object whose ``write`` hands the line back to the csv writer."""

    def write(self, value: str) -> str:
        return value


def stream_csv(claims, *, base_url: str) -> Iterator[str]:
    """The CSV of ``claims`` (see ``exports.claims_for_export``), BOM first."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([*COLUMNS, *extra_columns()])
    write = csv_writer(base_url)
    for rows in claim_batches(claims, sources=False, leave_out=LEFT_OUT):
        for row in rows:
            yield writer.writerow(write(row))
