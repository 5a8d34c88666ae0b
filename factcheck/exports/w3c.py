"""W3C Web Annotation (JSON-LD): one Annotation per claim, in paged AnnotationCollections.

Each claim becomes an Annotation whose target is the article (its URL, or its IRI here)
with a TextQuoteSelector and a TextPositionSelector (code points, as the model says),
and whose bodies carry the kind, speaker, statement, summary and approved verdict.
The motivation is ``assessing`` once a verdict is approved, ``highlighting`` before.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring
from urllib.parse import urlencode

from factcheck.exports import (
    ById,
    UtcTimestamp,
    absolute,
    approved_verdicts,
    full_name,
    id_range,
    id_route,
    raw_batches,
)
from factcheck.models import Speaker, Statement

CONTEXT = "http://www.w3.org/ns/anno.jsonld"

# Body purposes (from the W3C motivation vocabulary), one per kind of information.
PURPOSE_KIND = "classifying"
PURPOSE_SPEAKER = "identifying"
PURPOSE_STATEMENT = "linking"
PURPOSE_SUMMARY = "describing"
PURPOSE_VERDICT = "assessing"
PURPOSE_RATIONALE = "commenting"


def timestamp(value: datetime.datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, as the model asks for ``created``/``modified``."""
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def agent(username: str, name: str = "") -> dict:
    return {"type": "Person", "name": name or username, "nickname": username}


@functools.lru_cache(maxsize=8)
def generator(base_url: str) -> dict:
    """factcheck as the Software that generated the annotation (shared, never mutated)."""
    return {
        "id": base_url + "/",
        "type": "Software",
        "name": "factcheck",
        "nickname": "factcheck",
        "homepage": base_url + "/",
    }


def annotation_iri(claim_id: int, base_url: str) -> str:
    return absolute(base_url, "api-export-annotation", claim_id)


def text_body(purpose: str, value: str, **extra) -> dict:
    return {
        "type": "TextualBody",
        "purpose": purpose,
        "value": value,
        "format": "text/plain",
        **extra,
    }


def annotation(row: dict, *, base_url: str, context: bool = True) -> dict:
    """The Annotation of one claim row (see ``exports.claim_rows``)."""
    verdict = row["verdict"]
    bodies = [text_body(PURPOSE_KIND, row["kind"])]
    if row["speaker_id"]:
        bodies.append(text_body(PURPOSE_SPEAKER, row["speaker__name"]))
    if row["statement_id"]:
        bodies.append(text_body(PURPOSE_STATEMENT, row["statement__title"]))
    if row["summary"]:
        bodies.append(text_body(PURPOSE_SUMMARY, row["summary"]))
    if verdict is not None:
        who = {"creator": agent(verdict["reviewer__username"], full_name(verdict, "reviewer__"))}
        bodies.append(text_body(PURPOSE_VERDICT, verdict["rating__label"], **who))
        if verdict["rationale"]:
            bodies.append(text_body(PURPOSE_RATIONALE, verdict["rationale"], **who))
    source = row["article__url"] or absolute(base_url, "article-detail", row["article_id"])
    data = {
        "@context": CONTEXT,
        "id": annotation_iri(row["pk"], base_url),
        "type": "Annotation",
        "motivation": "assessing" if verdict is not None else "highlighting",
        "created": timestamp(row["created_at"]),
        "modified": timestamp(row["updated_at"]),
        "generator": generator(base_url),
        "body": bodies,
        "target": {
            "source": source,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": row["quote"],
                    "prefix": row["prefix"],
                    "suffix": row["suffix"],
                },
                {"type": "TextPositionSelector", "start": row["start"], "end": row["end"]},
            ],
        },
    }
    if row["created_by__username"]:
        data["creator"] = agent(row["created_by__username"], full_name(row, "created_by__"))
    if not context:
        del data["@context"]
    return data


_dumps = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per annotation

# What the full export reads of each claim, in the order ``annotation_writer`` unpacks it.
ROW_FIELDS = (
    "pk",
    "article_id",
    "article__url",
    "kind",
    "speaker_id",
    "statement_id",
    "summary",
    "quote",
    "prefix",
    "suffix",
    "start",
    "end",
    "created_by__username",
    "created_by__first_name",
    "created_by__last_name",
)
ROW_STAMPS = {"created": UtcTimestamp("created_at"), "modified": UtcTimestamp("updated_at")}
ROW_VERDICT_FIELDS = (
    "claim_id",
    "rating__label",
    "rationale",
    "reviewer__username",
    "reviewer__first_name",
    "reviewer__last_name",
)


def annotation_writer(base_url: str) -> tuple[Callable, Callable]:
    """Two functions: ``read(rows)`` before a batch, then ``write(row, verdict)`` -> the
    Annotation's JSON for each raw claim row and its approved verdict (or None).

    Writes exactly ``_dumps(annotation(row, base_url=base_url, context=False))`` (the test
    in tests/test_export_fast_rows.py holds it to that) from the tuples of ``raw_batches``
    (``ROW_FIELDS`` then ``ROW_STAMPS``): the fixed parts of the document are written once
    here, and each row only escapes its strings, as ``json`` does (``encode_basestring``
    is the escaper ``json`` itself uses with ``ensure_ascii=False``). Speakers' and
    statements' bodies are written once each (``ById``).
    """
    enc = encode_basestring
    before, after = id_route("api-export-annotation")
    id_head = '{"id": ' + enc(base_url + before)[:-1]
    id_tail = enc(after)[1:] + ', "type": "Annotation", "motivation": "'
    article_before, article_after = id_route("article-detail")
    generator_json = _dumps(generator(base_url))
    body_head = '{"type": "TextualBody", "purpose": "'
    kind_head = body_head + PURPOSE_KIND + '", "value": '
    speaker_head = ", " + body_head + PURPOSE_SPEAKER + '", "value": '
    statement_head = ", " + body_head + PURPOSE_STATEMENT + '", "value": '
    summary_head = ", " + body_head + PURPOSE_SUMMARY + '", "value": '
    verdict_head = ", " + body_head + PURPOSE_VERDICT + '", "value": '
    rationale_head = ", " + body_head + PURPOSE_RATIONALE + '", "value": '
    body_tail = ', "format": "text/plain"}'
    speakers = ById(Speaker, ["name"], lambda name: speaker_head + enc(name) + body_tail)
    statements = ById(Statement, ["title"], lambda title: statement_head + enc(title) + body_tail)
    speaker_body, statement_body = speakers.known, statements.known
    agents: dict[tuple, str] = {}  # a desk has few users; bounded below all the same

    def agent_json(username: str, first: str, last: str) -> str:
        key = (username, first, last)
        known = agents.get(key)
        if known is None:
            if len(agents) > 1000:
                agents.clear()
            name = f"{first} {last}".strip() or username
            known = agents[key] = _dumps(agent(username, name))
        return known

    def read(rows: list[tuple]) -> None:
        speakers.read(row[4] for row in rows)
        statements.read(row[5] for row in rows)

    def write(row: tuple, verdict: dict | None) -> str:
        (
            pk,
            article_id,
            url,
            kind,
            speaker_id,
            statement_id,
            summary,
            quote,
            prefix,
            suffix,
            start,
            end,
            username,
            first_name,
            last_name,
            created,
            modified,
        ) = row
        body = kind_head + enc(kind) + body_tail
        if speaker_id:
            body += speaker_body[speaker_id]
        if statement_id:
            body += statement_body[statement_id]
        if summary:
            body += summary_head + enc(summary) + body_tail
        if verdict is not None:
            who = ', "format": "text/plain", "creator": ' + agent_json(
                verdict["reviewer__username"],
                verdict["reviewer__first_name"],
                verdict["reviewer__last_name"],
            )
            body += verdict_head + enc(verdict["rating__label"]) + who + "}"
            if verdict["rationale"]:
                body += rationale_head + enc(verdict["rationale"]) + who + "}"
            motivation = "assessing"
        else:
            motivation = "highlighting"
        source = url or f"{base_url}{article_before}{article_id}{article_after}"
        creator = ', "creator": ' + agent_json(username, first_name, last_name) if username else ""
        return (
            f'{id_head}{pk}{id_tail}{motivation}", "created": "{created}", '
            f'"modified": "{modified}", "generator": {generator_json}, "body": [{body}], '
            f'"target": {{"source": {enc(source)}, "selector": [{{"type": "TextQuoteSelector", '
            f'"exact": {enc(quote)}, "prefix": {enc(prefix)}, "suffix": {enc(suffix)}}}, '
            f'{{"type": "TextPositionSelector", "start": {start}, "end": {end}}}]}}{creator}}}'
        )

    return read, write


def annotations_json(claims, *, base_url: str, limit: int | None = None) -> Iterator[tuple]:
    """(claim id, Annotation JSON without ``@context``) for ``claims`` in id order."""
    read, write = annotation_writer(base_url)
    for rows in raw_batches(claims.order_by("pk"), ROW_FIELDS, limit=limit, **ROW_STAMPS):
        read(rows)
        where = id_range(rows[0][0], rows[-1][0])
        verdicts = approved_verdicts(where, ROW_VERDICT_FIELDS, sources=False)
        get = verdicts.get
        for row in rows:
            yield row[0], write(row, get(row[0]))


def _open_object(fields: dict) -> str:
    """``fields`` as the start of a JSON object, without the closing brace."""
    return _dumps(fields)[:-1]


class _Seen:
    """How many claims a page held, and its first and last id (for prev/next links)."""

    def __init__(self):
        self.count, self.first, self.last = 0, None, None

    def add(self, pk: int) -> None:
        self.count += 1
        self.first = pk if self.first is None else self.first
        self.last = pk


def _items(annotations: Iterable[tuple], seen: _Seen) -> Iterator[str]:
    """(id, JSON) pairs as a JSON array body, noting each claim id in ``seen``."""
    yield "["
    for i, (pk, text) in enumerate(annotations):
        seen.add(pk)
        yield "," + text if i else text
    yield "]"


def page_iri(collection_iri: str, start: int, *, after=None, before=None, size=None) -> str:
    params = {"page": start}
    if after is not None:
        params["after"] = after
    if before is not None:
        params["before"] = before
    if size is not None:
        params["page_size"] = size
    joiner = "&" if "?" in collection_iri else "?"
    return collection_iri + joiner + urlencode(params)


def stream_page(
    claims,
    *,
    base_url: str,
    collection_iri: str,
    start: int = 0,
    after: int | None = None,
    before: int | None = None,
    size: int | None = None,
    embedded: bool = False,
) -> Iterator[str]:
    """One AnnotationPage of ``claims`` (ordered by id), keyset-paged.

    ``after``/``before`` are claim ids (exclusive); ``size`` None means every claim
    after ``after`` in one streamed page (the full export).
    """
    limit = None if size is None else size + 1  # one more tells whether there is a next page
    if before is not None:
        ids = list(claims.filter(pk__lt=before).order_by("-pk").values_list("pk", flat=True)[:size])
        rows = claims.filter(pk__in=ids).order_by("pk")
        has_more = claims.filter(pk__gte=before).exists()
    else:
        rows = claims.filter(pk__gt=after) if after is not None else claims
        rows = rows.order_by("pk")
        has_more = False
    head = {
        "id": page_iri(collection_iri, start, after=after, before=before, size=size),
        "type": "AnnotationPage",
        "partOf": collection_iri,
        "startIndex": start,
    }
    if not embedded:
        head = {"@context": CONTEXT, **head}
    yield _open_object(head) + ',"items":'
    seen = _Seen()
    overflow: list[int] = []
    taken = _limit(annotations_json(rows, base_url=base_url, limit=limit), size, overflow)
    yield from _items(taken, seen)
    tail = {}
    if seen.count and (overflow or has_more):
        tail["next"] = page_iri(collection_iri, start + seen.count, after=seen.last, size=size)
    if seen.count and start > 0:
        tail["prev"] = page_iri(
            collection_iri, max(0, start - (size or start)), before=seen.first, size=size
        )
    yield "".join(f",{_dumps(k)}:{_dumps(v)}" for k, v in tail.items()) + "}"


def _limit(annotations: Iterator, size: int | None, overflow: list) -> Iterator:
    """The first ``size`` (id, JSON) pairs; notes in ``overflow`` that there was one more."""
    if size is None:
        yield from annotations
        return
    for i, pair in enumerate(annotations):
        if i >= size:
            overflow.append(pair[0])
            return
        yield pair


def stream_collection(
    claims,
    *,
    base_url: str,
    collection_iri: str,
    label: str = "factcheck claims",
    size: int | None = None,
) -> Iterator[str]:
    """An AnnotationCollection with ``total`` and its first page embedded.

    With ``size`` None the first page holds every claim: the whole export in one
    document that any Web Annotation reader can load.
    """
    head = {
        "@context": CONTEXT,
        "id": collection_iri,
        "type": "AnnotationCollection",
        "label": label,
        "total": claims.count(),
    }
    yield _open_object(head) + ',"first":'
    yield from stream_page(
        claims, base_url=base_url, collection_iri=collection_iri, size=size, embedded=True
    )
    yield "}"
