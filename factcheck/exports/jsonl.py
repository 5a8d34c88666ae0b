"""JSON Lines, one article per line: doccano's sequence-labelling layout plus our fields.

doccano reads ``{"text": ..., "label": [[start, end, "LABEL"], ...]}`` (code points)
and keeps other keys as metadata; ``claims`` holds everything else about each span,
enough for ``manage.py import_annotations --format ours`` to rebuild it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring

from django.db.models import Q

from factcheck.exports import (
    ById,
    IsoDate,
    UtcTimestamp,
    absolute,
    approved_verdicts,
    full_name,
    id_range,
    id_route,
    raw_batches,
    raw_rows,
)
from factcheck.exports.w3c import timestamp
from factcheck.models import Speaker, Statement

_dumps = json.JSONEncoder(ensure_ascii=False).encode
ARTICLE_CHUNK = 20  # articles per query; their claims come in one more query
ARTICLE_FIELDS = ["pk", "title", "url", "publisher", "byline", "published_on", "language", "text"]

# What the export reads, in the order the writers below unpack it.
ARTICLE_ROW_FIELDS = ("pk", "title", "url", "publisher", "byline", "language", "text")
ARTICLE_ROW_DATES = {"published": IsoDate("published_on")}
CLAIM_ROW_FIELDS = (
    "pk",
    "article_id",
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
    "cue_start",
    "cue_end",
    "source_start",
    "source_end",
    "created_by__username",
)
ROW_VERDICT_FIELDS = (
    "claim_id",
    "rating__label",
    "rating__value",
    "rationale",
    "reviewer__username",
    "reviewer__first_name",
    "reviewer__last_name",
)
CLAIM_ROW_TEXTS = {
    "created": UtcTimestamp("created_at"),
    "updated": UtcTimestamp("updated_at"),
    "published": UtcTimestamp("published_at"),
}


def label_of(row: dict) -> str:
    return row["kind"].upper()


def _span(start, end):
    return [start, end] if start is not None else None


def _iso(value):
    return value.isoformat() if value else None


def claim_record(row: dict, *, base_url: str) -> dict:
    """Everything about one claim row (see ``exports.claim_rows``)."""
    verdict = row["verdict"]
    return {
        "id": row["pk"],
        "start": row["start"],
        "end": row["end"],
        "quote": row["quote"],
        "prefix": row["prefix"],
        "suffix": row["suffix"],
        "kind": row["kind"],
        "label": label_of(row),
        "speaker": row["speaker_id"]
        and {
            "name": row["speaker__name"],
            "kind": row["speaker__kind"],
            "description": row["speaker__description"],
            "aliases": [a.strip() for a in row["speaker__aliases"].splitlines() if a.strip()],
            "wikidata_id": row["speaker__wikidata_id"],
        },
        "statement": row["statement_id"]
        and {
            "title": row["statement__title"],
            "kind": row["statement__kind"],
            "date": _iso(row["statement__date"]),
            "venue": row["statement__venue"],
            "url": row["statement__url"],
        },
        "summary": row["summary"],
        "check_worthy": row["check_worthy"],
        "status": row["status"],
        "cue": _span(row["cue_start"], row["cue_end"]),
        "source_mention": _span(row["source_start"], row["source_end"]),
        "verdict": verdict
        and {
            "rating": verdict["rating__label"],
            "rating_value": verdict["rating__value"],
            "rationale": verdict["rationale"],
            "reviewer": verdict["reviewer__username"],
            "reviewer_name": full_name(verdict, "reviewer__"),
            "approved_at": verdict["moderated_at"] and timestamp(verdict["moderated_at"]),
            "sources": verdict["sources"],
        },
        "created_by": row["created_by__username"],
        "created_at": timestamp(row["created_at"]),
        "updated_at": timestamp(row["updated_at"]),
        "published_at": row["published_at"] and timestamp(row["published_at"]),
        "annotation": absolute(base_url, "api-export-annotation", row["pk"]),
    }


def article_record(article: dict, claims: list[dict], *, base_url: str) -> dict:
    return {
        "text": article["text"],
        "label": [[c["start"], c["end"], label_of(c)] for c in claims],
        "id": article["pk"],
        "iri": absolute(base_url, "article-detail", article["pk"]),
        "title": article["title"],
        "url": article["url"],
        "publisher": article["publisher"],
        "byline": article["byline"],
        "published_on": _iso(article["published_on"]),
        "language": article["language"],
        "claims": [claim_record(c, base_url=base_url) for c in claims],
    }


def _json(value) -> str:
    """A string (or None) as JSON."""
    return "null" if value is None else encode_basestring(value)


def _cached(cache: dict, key, make):
    """``cache[key]``, made by ``make(*key)`` the first time; the cache stays small."""
    known = cache.get(key)
    if known is None:
        if len(cache) > 16384:
            cache.clear()
        known = cache[key] = make(*key)
    return known


def _speaker_json(name, kind, description, aliases, wikidata_id) -> str:
    names = ", ".join(_json(a.strip()) for a in aliases.splitlines() if a.strip())
    return (
        f'{{"name": {_json(name)}, "kind": {_json(kind)}, "description": {_json(description)}, '
        f'"aliases": [{names}], "wikidata_id": {_json(wikidata_id)}}}'
    )


def _statement_json(title, kind, venue, url, date) -> str:
    return (
        f'{{"title": {_json(title)}, "kind": {_json(kind)}, "date": {_json(date)}, '
        f'"venue": {_json(venue)}, "url": {_json(url)}}}'
    )


def _span_json(start, end) -> str:
    return "null" if start is None else f"[{start}, {end}]"


def claim_writer(base_url: str) -> tuple[Callable, Callable]:
    """Two functions: ``read(rows)`` before a batch, then ``write(row, verdict)`` -> the
    claim's JSON for each raw claim row and its approved verdict (or None).

    Writes exactly ``_dumps(claim_record(row, base_url=base_url))`` (held to it by
    tests/test_export_fast_rows.py) from the tuples of ``raw_batches`` or ``raw_rows``
    (``CLAIM_ROW_FIELDS`` then ``CLAIM_ROW_TEXTS``); the verdict is a dict of
    ``ROW_VERDICT_FIELDS``, ``approved_at`` and ``sources``. Speakers, statements and
    reviewers repeat, so their JSON is written once each (``ById``).
    """
    enc = encode_basestring
    before, after = id_route("api-export-annotation")
    iri_head = enc(base_url + before)[:-1]
    iri_tail = enc(after)[1:]
    speakers = ById(
        Speaker, ["name", "kind", "description", "aliases", "wikidata_id"], _speaker_json
    )
    statements = ById(
        Statement, ["title", "kind", "venue", "url"], _statement_json, iso_date=IsoDate("date")
    )
    speaker_json, statement_json = speakers.known, statements.known
    reviewers: dict[tuple, str] = {}

    def reviewer_json(username, first_name, last_name) -> str:
        name = f"{first_name} {last_name}".strip() or username  # as ``full_name``
        return f'"reviewer": {_json(username)}, "reviewer_name": {_json(name)}'

    def verdict_json(v: dict) -> str:
        value = v["rating__value"]
        return (
            f'{{"rating": {_json(v["rating__label"])}, '
            f'"rating_value": {"null" if value is None else int(value)}, '
            f'"rationale": {_json(v["rationale"])}, '
            + _cached(
                reviewers,
                (v["reviewer__username"], v["reviewer__first_name"], v["reviewer__last_name"]),
                reviewer_json,
            )
            + f', "approved_at": {_json(v["approved_at"])}, "sources": {_dumps(v["sources"])}}}'
        )

    def read(rows: list[tuple]) -> None:
        speakers.read(row[8] for row in rows)
        statements.read(row[9] for row in rows)

    def write(row: tuple, verdict: dict | None) -> str:
        (
            pk,
            _article_id,
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
            cue_start,
            cue_end,
            source_start,
            source_end,
            username,
            created,
            updated,
            published,
        ) = row
        speaker = speaker_json[speaker_id] if speaker_id else "null"
        statement = statement_json[statement_id] if statement_id else "null"
        return (
            f'{{"id": {pk}, "start": {start}, "end": {end}, "quote": {enc(quote)}, '
            f'"prefix": {enc(prefix)}, "suffix": {enc(suffix)}, "kind": {enc(kind)}, '
            f'"label": {enc(kind.upper())}, "speaker": {speaker}, "statement": {statement}, '
            f'"summary": {enc(summary)}, "check_worthy": {"true" if check_worthy else "false"}, '
            f'"status": {enc(status)}, "cue": {_span_json(cue_start, cue_end)}, '
            f'"source_mention": {_span_json(source_start, source_end)}, '
            f'"verdict": {"null" if verdict is None else verdict_json(verdict)}, '
            f'"created_by": {_json(username)}, "created_at": "{created}", '
            f'"updated_at": "{updated}", "published_at": {_json(published)}, '
            f'"annotation": {iri_head}{pk}{iri_tail}}}'
        )

    return read, write


def stream_jsonl(articles, claims, *, base_url: str) -> Iterator[str]:
    """One line per article of ``articles``, with those of ``claims`` that point into it.

    Writes exactly ``_dumps(article_record(...)) + "\\n"`` per article (see
    ``claim_writer``), from raw rows.
    """
    enc = encode_basestring
    read, write = claim_writer(base_url)
    article_before, article_after = id_route("article-detail")
    iri_head = enc(base_url + article_before)[:-1]
    iri_tail = enc(article_after)[1:]
    rows = raw_batches(
        articles.order_by("pk"), ARTICLE_ROW_FIELDS, ARTICLE_CHUNK, **ARTICLE_ROW_DATES
    )
    for batch in rows:
        ids = [a[0] for a in batch]
        spans = raw_rows(
            claims.filter(article_id__in=ids)
            .order_by("article_id", "start", "-end", "pk")
            .annotate(**CLAIM_ROW_TEXTS)
            .values_list(*CLAIM_ROW_FIELDS, *CLAIM_ROW_TEXTS)
        )
        read(spans)
        verdicts = {}
        if spans:
            # The claims' id range as well as their articles: PostgreSQL then reads the
            # approved verdicts of that range, not all of them, for every batch.
            first, last = min(c[0] for c in spans), max(c[0] for c in spans)
            verdicts = approved_verdicts(
                id_range(first, last) & Q(claim__article_id__in=ids),
                ("pk", *ROW_VERDICT_FIELDS),
                approved_at=UtcTimestamp("moderated_at"),
            )
        get = verdicts.get
        by_article: dict[int, list[tuple]] = {pk: [] for pk in ids}
        for span in spans:
            by_article[span[1]].append(span)
        for pk, title, url, publisher, byline, language, text, published in batch:
            mine = by_article[pk]
            labels = ", ".join(f"[{c[2]}, {c[3]}, {enc(c[7].upper())}]" for c in mine)
            claims_json = ", ".join([write(c, get(c[0])) for c in mine])
            yield (
                f'{{"text": {enc(text)}, "label": [{labels}], "id": {pk}, '
                f'"iri": {iri_head}{pk}{iri_tail}, "title": {_json(title)}, '
                f'"url": {_json(url)}, "publisher": {_json(publisher)}, '
                f'"byline": {_json(byline)}, "published_on": {_json(published)}, '
                f'"language": {_json(language)}, "claims": [{claims_json}]}}\n'
            )
