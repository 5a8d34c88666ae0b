"""Exports in the field's formats, one module per format, all streamed.

Each module turns querysets into an iterator of ``str`` chunks. Claims are read as rows of
the fields ``factcheck.claim_read`` declares for exports (one ORM query a batch, the
approved verdict joined, and one more for its sources), in keyset batches (``pk > last``,
a few thousand at a time), so memory stays flat however large the data and no database
cursor stays open while a slow client reads. Each format has one writer of a row
(``w3c.annotation``, ``jsonl.claim_record``, ``csv.csv_row``, ``claimreview.claim_review``),
which maps the names it knows and carries any other declared field as it is (``extras``). A
bulk export makes that writer once for all its rows (``w3c.annotation_writer``,
``jsonl.claim_writer``, ``csv.csv_writer``): the parts many documents share (a speaker's
body, a person) are made once each (``MadeOnce``), the unmapped names found once.
The API (``factcheck.api.exports``) and ``manage.py export`` share these modules.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse

from factcheck import claim_read
from factcheck.models import Claim, Rating

# Claims per batch: a batch of rows is about 8 MB at 2,000 (20 at 5,000, which PostgreSQL
# wanted while it hashed the speakers and statements joined into every batch; they are read
# once per export now: claim_read's ``related_once``).
CHUNK_SIZE = 2000

# The media type W3C Web Annotation asks for.
ANNOTATION_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def base_url_of(request=None) -> str:
    """``scheme://host`` for absolute IRIs: the request's, or settings.FACTCHECK_BASE_URL."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.FACTCHECK_BASE_URL.rstrip("/")


_PLACEHOLDER = 987654321


@functools.cache
def id_route(viewname: str) -> tuple[str, str]:
    """The path of ``viewname`` around its one id, so exports need not reverse() per row."""
    before, _, after = reverse(viewname, args=[_PLACEHOLDER]).partition(str(_PLACEHOLDER))
    return before, after


def absolute(base_url: str, viewname: str, pk: int) -> str:
    """The absolute IRI of the object ``pk`` at the URL named ``viewname``."""
    before, after = id_route(viewname)
    return f"{base_url}{before}{int(pk)}{after}"


class MadeOnce:
    """A part of many export documents (a speaker's body, a person), made by ``make`` once
    per tuple of the values it is made of and then shared: an export's 100,000 claims name a
    few thousand speakers, statements and people. A part is never changed once made.
    Bounded, as the related rows a reader keeps (``claim_read._Related``)."""

    LIMIT = 100_000

    def __init__(self, make):
        self.make, self.made = make, {}

    def __call__(self, values: tuple):
        made = self.made.get(values)
        if made is None:
            if len(self.made) >= self.LIMIT:
                self.made.clear()
            made = self.made[values] = self.make(*values)
        return made


def claims_for_export(claims=None):
    """``claims`` (default: all) in id order: what the exports read, scoped by the caller."""
    claims = Claim.objects.all() if claims is None else claims
    return claims.order_by("pk")


def claim_batches(
    claims,
    *,
    sources: bool = True,
    size: int = CHUNK_SIZE,
    limit: int | None = None,
    leave_out: frozenset = frozenset(),
    related_once: bool = True,
) -> Iterator[list[dict]]:
    """``claims`` in id order as export rows (``claim_read``), a keyset batch at a time;
    each row's ``approved_verdict`` carries its ``sources`` unless told not to. Fields a
    format ``leave_out`` are not read. A bulk export reads each speaker, statement, article
    and user once (``related_once``); a few rows (a page's) read them joined, in one query."""
    reader = claim_read.ClaimReader(
        claim_read.EXPORT, sources=sources, leave_out=leave_out, related_once=related_once
    )
    yield from reader.batches(claims, size, limit=limit)


def claim_rows(claims, *, sources: bool = True, limit: int | None = None) -> Iterator[dict]:
    """The rows of a few claims (a page's, one annotation's)."""
    for batch in claim_batches(claims, sources=sources, limit=limit, related_once=False):
        yield from batch


def claim_row(claim: Claim) -> dict:
    """The row of one claim, as the exports see it."""
    return next(claim_rows(Claim.objects.filter(pk=claim.pk)))


def timestamp(value: str) -> str:
    """A row's time (ISO 8601 UTC text, ``claim_read.IsoText``) as RFC 3339 in whole
    seconds (W3C's ``created``/``modified``): ``2026-03-05T12:00:00Z``."""
    return value[:19] + "Z"


def full_name(first: str | None, last: str | None, username: str | None) -> str:
    """A person as the formats name them: first and last name, else the username."""
    return f"{first or ''} {last or ''}".strip() or (username or "")


def rating_scale() -> tuple[int, int] | None:
    """(worst, best) numeric values of the verdict scale, or None when it is not numeric."""
    values = [v for v in Rating.objects.values_list("value", flat=True) if v is not None]
    return (min(values), max(values)) if values else None
