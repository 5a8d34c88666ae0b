"""Exports in the field's formats, one module per format, all streamed.

Each module turns querysets into an iterator of ``str`` chunks. Rows are read in keyset
batches (``pk > last``, a few thousand at a time), so memory stays flat however large the
data and no database cursor stays open while a slow client reads. The API
(``factcheck.api.exports``) and ``manage.py export`` share these modules.

Two ways to read a claim: ``claim_rows`` gives dicts with Python values (one claim's page,
ClaimReview), and ``raw_batches`` gives the database driver's own tuples for the bulk
exports (W3C, JSONL, CSV), with datetimes and dates written as text by the database
(``UtcTimestamp``, ``IsoDate``, ``IsoDatetime``) and speakers and statements read once
by id (``ById``): Django's per-value converters, a datetime object per value and a JSON
encoder walking a dict per claim cost more than the rest of the export. Each bulk writer
fills a prebuilt template and is held byte for byte to the straightforward encoder
(``w3c.annotation``, ``jsonl.article_record``, ``csv.csv_row``) by
tests/test_export_fast_rows.py.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator

from django.conf import settings
from django.db import NotSupportedError, connections
from django.db.models import CharField, F, Func, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse

from factcheck.models import Claim, EvidenceSource, Rating, Verdict

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


def claims_for_export(claims=None):
    """``claims`` (default: all) in id order: what the exports read, scoped by the caller."""
    claims = Claim.objects.all() if claims is None else claims
    return claims.order_by("pk")


# Everything an export says about a claim, read as plain values: building model instances
# (a claim with five related objects) would cost more than writing the export itself.
CLAIM_FIELDS = [
    "pk",
    "article_id",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "kind",
    "summary",
    "check_worthy",
    "status",
    "cue_start",
    "cue_end",
    "source_start",
    "source_end",
    "created_at",
    "updated_at",
    "published_at",
    "version",
    "article__url",
    "article__title",
    "article__publisher",
    "article__byline",
    "article__published_on",
    "speaker_id",
    "speaker__name",
    "speaker__kind",
    "speaker__description",
    "speaker__aliases",
    "speaker__wikidata_id",
    "statement_id",
    "statement__title",
    "statement__kind",
    "statement__date",
    "statement__venue",
    "statement__url",
    "created_by__username",
    "created_by__first_name",
    "created_by__last_name",
]
VERDICT_FIELDS = [
    "pk",
    "claim_id",
    "rating__label",
    "rating__value",
    "rationale",
    "reviewer__username",
    "reviewer__first_name",
    "reviewer__last_name",
    "moderated_at",
]


def attach_verdicts(
    rows: list[dict], where: Q | None = None, *, fields=VERDICT_FIELDS, sources: bool = True
) -> None:
    """Set ``row["verdict"]`` (the approved verdict as a dict, or None) on each claim row.

    ``where`` narrows the verdict query (default: the id range of ``rows``, which come in
    id order): a range or a few article ids are far cheaper to build than thousands of
    claim ids.
    """
    if not rows:
        return
    if where is None:
        ids = [r["pk"] for r in rows]
        where = id_range(min(ids), max(ids))
    verdicts = approved_verdicts(where, fields, sources=sources)
    for row in rows:
        row["verdict"] = verdicts.get(row["pk"])


def batches(queryset, size: int = CHUNK_SIZE, *, limit: int | None = None) -> Iterator[list]:
    """``queryset`` (ordered by pk; models or values() dicts) in lists, by keyset."""

    def last_pk(row):
        return row["pk"] if isinstance(row, dict) else row.pk

    yield from _by_keyset(queryset, list, last_pk, size, limit)


def _by_keyset(queryset, read, last_pk, size: int, limit: int | None) -> Iterator[list]:
    """Pages of ``queryset`` (ordered by pk) read by ``read``, each after the last one's pk."""
    after, taken = None, 0
    while limit is None or taken < limit:
        page = queryset if after is None else queryset.filter(pk__gt=after)
        want = size if limit is None else min(size, limit - taken)
        rows = read(page[:want])
        if not rows:
            return
        yield rows
        taken += len(rows)
        if len(rows) < want:
            return
        after = last_pk(rows[-1])


class DatabaseText(Func):
    """A column written as text by the database, SQLite and PostgreSQL each their own way."""

    output_field = CharField()

    def __init__(self, field: str):
        super().__init__(F(field))

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"{type(self).__name__}: SQLite and PostgreSQL only.")


class UtcTimestamp(DatabaseText):
    """A datetime column as RFC 3339 text in UTC, ``2026-03-05T12:00:00Z``, by the database.

    The text ``w3c.timestamp`` makes of the same value (seconds truncated, never rounded).
    """

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime(%s, {sql})", ("%Y-%m-%dT%H:%M:%SZ", *params)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql} AT TIME ZONE 'UTC', %s)", (*params, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')


class IsoDate(DatabaseText):
    """A date column as ``date.isoformat()`` text (``2026-03-05``), by the database."""

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime(%s, {sql})", ("%Y-%m-%d", *params)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql}, %s)", (*params, "YYYY-MM-DD")


class IsoDatetime(DatabaseText):
    """A datetime column as ``isoformat()`` text in UTC where the database can write it.

    On PostgreSQL: ``2026-03-05T12:00:00.123456+00:00`` (no fraction when it is zero), as
    Django's aware datetime would print, without a datetime object per value (psycopg's
    loader for them runs in Python). On SQLite the column itself: its driver makes a
    datetime in C from the text, and ``iso_datetime`` prints it.
    """

    def as_sqlite(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        text = f"to_char({sql} AT TIME ZONE 'UTC', %s)"
        return (
            f"replace({text}, '.000000', '') || '+00:00'",
            (*params, 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        )


def raw_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list()`` queryset as the database driver returns them.

    No Django converters run: text, numbers and NULLs come as they are; other types as
    the driver reads them (on SQLite, the column types Django registers with ``sqlite3``:
    booleans, naive datetimes and dates), so columns that need a set form are best
    formatted in SQL (``UtcTimestamp``, ``IsoDate``). Columns come in the order of the
    SELECT: fields, then annotations.
    """
    compiler = queryset.query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def iso_datetime(value, tz: datetime.tzinfo) -> str:
    """``value.isoformat()`` of an ``IsoDatetime`` column as Django would have read the
    datetime ("" for NULL). Text is already that (PostgreSQL); SQLite's driver gives a
    naive datetime in the connection's time zone ``tz``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.isoformat()


def raw_batches(
    queryset, fields, size: int = CHUNK_SIZE, *, limit: int | None = None, **formatted
) -> Iterator[list[tuple]]:
    """``queryset`` (ordered by pk) as raw tuples of ``fields`` (pk first) then ``formatted``.

    ``formatted`` names expressions such as ``UtcTimestamp("created_at")``; their text
    comes after the plain fields, in the order given. Read in keyset batches like
    ``batches``.
    """
    values = queryset.annotate(**formatted).values_list(*fields, *formatted)
    names = [*values.query.extra_select, *values.query.values_select]
    names += list(values.query.annotation_select)
    if names != [*fields, *formatted]:  # a guard: raw rows must match the caller's unpacking
        raise ValueError(f"Unexpected column order {names}")
    yield from _by_keyset(values, raw_rows, lambda row: row[0], size, limit)


class ById:
    """Rows of a small table (speakers, statements) by id, each made into a value once.

    Speakers and statements recur across claims: reading each once by id, a batch's new
    ones at a time, costs PostgreSQL far less than joining them into every claim row (an
    index lookup per claim) — and about as much where nearly every claim names another
    (the bench data: 100,000 statements drawn at random). At most ``limit`` stay known
    (then all are forgotten and read again), so memory stays bounded. Like the batches
    themselves, an export is no snapshot: a speaker renamed while it runs may keep its old
    name for the rest of it.
    """

    CHUNK = 500  # ids per query (SQLite)

    def __init__(self, model, fields, make, *, limit: int = 20_000, **formatted):
        rows = model._base_manager.order_by().annotate(**formatted)
        self.values = rows.values_list("pk", *fields, *formatted)
        self.make, self.limit = make, limit
        self.known: dict = {}

    def read(self, ids) -> None:
        """Make sure ``ids`` (None allowed) are in ``known``."""
        known = self.known
        wanted = {i for i in ids if i is not None}
        missing = wanted.difference(known)
        if not missing:
            return
        if len(known) + len(missing) > self.limit:
            known.clear()  # and read all of this batch's again
            missing = wanted
        make = self.make
        for wanted_rows in self._queries(sorted(missing)):
            for pk, *values in raw_rows(wanted_rows):
                known[pk] = make(*values)

    def _queries(self, ids: list[int]):
        if connections[self.values.db].vendor == "postgresql":
            # One array parameter: PostgreSQL plans a list of hundreds of literals slowly.
            yield self.values.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
            return
        for start in range(0, len(ids), self.CHUNK):
            yield self.values.filter(pk__in=ids[start : start + self.CHUNK])


def approved_verdicts(
    where: Q, fields=VERDICT_FIELDS, *, sources: bool = True, **formatted
) -> dict[int, dict]:
    """The approved verdicts matching ``where`` by claim id, as dicts of ``fields`` (which
    hold ``pk`` and ``claim_id``) and the ``formatted`` expressions, with ``sources`` (a list
    of url/title/excerpt dicts) unless told not to.

    One query for the verdicts and one for their sources.
    """
    verdicts = {
        v["claim_id"]: v
        for v in Verdict.objects.filter(where, status=Verdict.Status.APPROVED)
        .order_by()  # at most one approved verdict per claim (a constraint): no sort needed
        .annotate(**formatted)
        .values(*fields, *formatted)
    }
    if not sources:
        return verdicts
    by_verdict = {v["pk"]: v for v in verdicts.values()}
    for v in by_verdict.values():
        v["sources"] = []
    if by_verdict:
        # The same verdicts as a subquery: cheaper than sending their ids back.
        approved = Verdict.objects.filter(where, status=Verdict.Status.APPROVED).values("pk")
        rows = (
            EvidenceSource.objects.filter(verdict_id__in=approved)
            .order_by("verdict_id", "order", "pk")
            .values("verdict_id", "url", "title", "excerpt")
        )
        for source in rows:
            by_verdict[source.pop("verdict_id")]["sources"].append(source)
    return verdicts


def id_range(first: int, last: int) -> Q:
    """The verdicts of claims ``first``..``last``: a range is cheaper than thousands of ids."""
    return Q(claim_id__gte=first, claim_id__lte=last)


def claim_rows(
    claims,
    *,
    limit: int | None = None,
    fields=CLAIM_FIELDS,
    verdict_fields=VERDICT_FIELDS,
    sources: bool = True,
) -> Iterator[dict]:
    """Claim rows (``fields`` plus ``verdict``) in id order, a keyset batch at a time.

    A format that reads less asks for less (``fields``, ``verdict_fields``, no
    ``sources``): each value read costs, datetimes most.
    """
    for rows in batches(claims.order_by("pk").values(*fields), limit=limit):
        attach_verdicts(rows, fields=verdict_fields, sources=sources)
        yield from rows


def claim_row(claim: Claim) -> dict:
    """The row of one claim, as the exports see it."""
    return next(claim_rows(Claim.objects.filter(pk=claim.pk)))


def full_name(row: dict, prefix: str) -> str:
    name = f"{row[prefix + 'first_name']} {row[prefix + 'last_name']}".strip()
    return name or row[prefix + "username"]


def rating_scale() -> tuple[int, int] | None:
    """(worst, best) numeric values of the verdict scale, or None when it is not numeric."""
    values = [v for v in Rating.objects.values_list("value", flat=True) if v is not None]
    return (min(values), max(values)) if values else None
