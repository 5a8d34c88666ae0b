"""W3C Web Annotation (JSON-LD): one Annotation per claim, in paged AnnotationCollections.

Each claim becomes an Annotation whose target is the article (its URL, or its IRI here)
with a TextQuoteSelector and a TextPositionSelector (code points, as the model says),
and whose bodies carry the kind, speaker, statement, summary, the cue and source-mention
spans and the approved verdict with its sources (schema.org terms where the Web
Annotation vocabulary has none: docs/api.md). The motivation is ``assessing`` once a
verdict is approved, ``highlighting`` before. The collection is also the Web Annotation
Protocol's container (an LDP BasicContainer): ``api/exports.py`` serves it.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from urllib.parse import urlencode

import orjson
from django.db.models import Count, Max
from django.urls import reverse

from factcheck.claim_read import extra_names_once
from factcheck.exports import (
    CHUNK_SIZE,
    MadeOnce,
    absolute,
    claim_batches,
    full_name,
    id_route,
    timestamp,
)

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# The container is also an LDP BasicContainer (Web Annotation Protocol), whose terms
# (``BasicContainer``) come from LDP's context.
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
CONTAINER_CONTEXT = [CONTEXT, LDP_CONTEXT]
CONTAINER_TYPE = ["BasicContainer", "AnnotationCollection"]

# Body purposes (from the W3C motivation vocabulary), one per kind of information.
PURPOSE_KIND = "classifying"
PURPOSE_SPEAKER = "identifying"
PURPOSE_STATEMENT = "linking"
PURPOSE_SUMMARY = "describing"
PURPOSE_VERDICT = "assessing"
PURPOSE_RATIONALE = "commenting"


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


# What the Annotation maps of a claim row, and what it chooses not to carry (the desk's own
# workflow: status, versions, and the article's metadata, which the target's source names);
# any other declared field rides along under ``EXTRA_KEY``.
SHOWN = {
    "id", "article", "article_url", "kind", "speaker", "speaker_name", "statement",
    "statement_title", "summary", "quote", "prefix", "suffix", "start", "end", "created_at",
    "updated_at", "created_by", "created_by_first_name", "created_by_last_name",
    "check_worthy", "cue_start", "cue_end", "source_start", "source_end", "speaker_kind",
    "speaker_description", "speaker_aliases", "speaker_wikidata_id", "statement_kind",
    "statement_date", "statement_venue", "statement_url", "orphaned_in", "orphaned_in_since",
    "same_as",
}  # fmt: skip
LEFT_OUT = {
    "status", "published_at", "version", "article_title", "article_publisher",
    "article_byline", "article_published_on", "anchor_state", "corrected_at", "reviewed_quote",
    "reviewed_in",
    "same_as_status",  # an export reads confirmed links only (claim_read._same_as)
}  # fmt: skip
KNOWN = frozenset(SHOWN | LEFT_OUT)
# Web Annotation lets an implementation add properties; ours go under one key.
EXTRA_KEY = "factcheck"

# What the Web Annotation vocabulary has no word for is said in schema.org's words, which
# anno.jsonld's ``schema:`` prefix expands (docs/api.md, "W3C Web Annotation"):
SAME_AS = "schema:sameAs"  # the speaker's Wikidata entity (an IRI)
ALIASES = "schema:alternateName"  # the speaker's other names
KIND = "schema:additionalType"  # a speaker's or statement's kind; which span a body is
DESCRIPTION = "schema:description"
DATE = "schema:datePublished"  # the statement's date
VENUE = "schema:locationCreated"  # where (or in which medium) it was said
URL = "schema:url"  # the statement's primary source (an IRI)
CITATION = "schema:citation"  # the verdict's sources: {id, schema:name, schema:text}
NAME, TEXT = "schema:name", "schema:text"
CUE, SOURCE_MENTION = "cue", "source_mention"  # the KIND of a span body
NOT_CHECK_WORTHY = "not_check_worthy"  # a further classifying body
SAME_CLAIM = "same_claim_as"  # the KIND of the body linking to the earlier fact-check reused
WIKIDATA = "http://www.wikidata.org/entity/"

# ``assessing`` is in the live anno.jsonld (since 2021) but not in the copy in W3C's own
# repository, with which a processor drops the motivation and purpose of every published
# claim: each document says what it means (the same IRI the live context gives it).
EXTENSION = {"assessing": "oa:assessing"}
DOCUMENT_CONTEXT = [CONTEXT, EXTENSION]
CONTAINER_DOCUMENT_CONTEXT = [*CONTAINER_CONTEXT, EXTENSION]


def _iri(value: str) -> dict:
    return {"id": value}


def _span_body(kind: str, source: str, start, end) -> dict:
    """A span of the article that is part of the claim's attribution (its cue, its source
    mention), as a SpecificResource body: the article, at code-point positions."""
    return {
        "type": "SpecificResource",
        "purpose": PURPOSE_SPEAKER,
        KIND: kind,
        "source": source,
        "selector": {"type": "TextPositionSelector", "start": start, "end": end},
    }


def _speaker_body(name, kind, wikidata_id, aliases, description) -> dict:
    more = {}
    if kind:
        more[KIND] = kind
    if wikidata_id:
        more[SAME_AS] = _iri(WIKIDATA + wikidata_id)
    aliases = [a.strip() for a in (aliases or "").splitlines() if a.strip()]
    if aliases:
        more[ALIASES] = aliases
    if description:
        more[DESCRIPTION] = description
    return text_body(PURPOSE_SPEAKER, name, **more)


def _statement_body(title, kind, date, venue, url) -> dict:
    more = {}
    if kind:
        more[KIND] = kind
    if date:
        more[DATE] = date
    if venue:
        more[VENUE] = venue
    if url:
        more[URL] = _iri(url)
    return text_body(PURPOSE_STATEMENT, title, **more)


def _agent(username: str, first: str | None, last: str | None) -> dict:
    return agent(username, full_name(first, last, username))


def _citation(source: dict) -> dict:
    cited = {"id": source["url"]}
    if source.get("title"):
        cited[NAME] = source["title"]
    if source.get("excerpt"):
        cited[TEXT] = source["excerpt"]
    return cited


# The values each shared part of an Annotation is made of: a speaker's, a statement's
# body, a person (the annotator, the reviewer).
_SPEAKER = itemgetter(
    "speaker_name", "speaker_kind", "speaker_wikidata_id", "speaker_aliases", "speaker_description"
)
_STATEMENT = itemgetter(
    "statement_title", "statement_kind", "statement_date", "statement_venue", "statement_url"
)
_CREATOR = itemgetter("created_by", "created_by_first_name", "created_by_last_name")
_REVIEWER = itemgetter("reviewer", "reviewer_first_name", "reviewer_last_name")


def annotation_writer(base_url: str) -> Callable[[dict], dict]:
    """The writer of the Annotations of one reader's rows (``exports.claim_batches``):
    ``write(row)`` is ``annotation(row, base_url=base_url, context=False)``, with each
    speaker's and statement's body and each person made once for all the rows (see
    ``exports.MadeOnce``) and the names of the declared fields the Annotation does not map
    (``extras``) found once: the rows of one reader all have the same."""
    speaker_body, statement_body = MadeOnce(_speaker_body), MadeOnce(_statement_body)
    person = MadeOnce(_agent)
    extra_names = extra_names_once(KNOWN)
    made_by = generator(base_url)
    article_before, article_after = id_route("article-detail")
    annotation_before, annotation_after = id_route("api-export-annotation")

    def write(row: dict) -> dict:
        verdict = row["approved_verdict"]
        source = row["article_url"] or f"{base_url}{article_before}{row['article']}{article_after}"
        bodies = [text_body(PURPOSE_KIND, row["kind"])]
        if row["check_worthy"] is False:
            bodies.append(text_body(PURPOSE_KIND, NOT_CHECK_WORTHY))
        if row["speaker"]:
            bodies.append(speaker_body(_SPEAKER(row)))
        if row["statement"]:
            bodies.append(statement_body(_STATEMENT(row)))
        if row["summary"]:
            bodies.append(text_body(PURPOSE_SUMMARY, row["summary"]))
        if row.get("same_as"):
            # The same claim as an earlier fact-check, whose verdict (below) it reuses.
            # (A SpecificResource: an external resource as a body may not carry a purpose.)
            bodies.append(
                {
                    "type": "SpecificResource",
                    "purpose": "linking",
                    KIND: SAME_CLAIM,
                    "source": annotation_iri(row["same_as"], base_url),
                }
            )
        if row["cue_start"] is not None and row["cue_end"] is not None:
            bodies.append(_span_body(CUE, source, row["cue_start"], row["cue_end"]))
        if row["source_start"] is not None and row["source_end"] is not None:
            bodies.append(
                _span_body(SOURCE_MENTION, source, row["source_start"], row["source_end"])
            )
        if verdict is not None:
            creator = person(_REVIEWER(verdict))
            body = text_body(PURPOSE_VERDICT, verdict["rating_label"], creator=creator)
            cited = [_citation(s) for s in verdict.get("sources") or () if s.get("url")]
            if cited:
                body[CITATION] = cited
            bodies.append(body)
            if verdict["rationale"]:
                bodies.append(text_body(PURPOSE_RATIONALE, verdict["rationale"], creator=creator))
        data = {
            "id": f"{base_url}{annotation_before}{row['id']}{annotation_after}",
            "type": "Annotation",
            "motivation": "assessing" if verdict is not None else "highlighting",
            "created": timestamp(row["created_at"]),
            "modified": timestamp(row["updated_at"]),
            "generator": made_by,
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
        if row["orphaned_in"] is not None:
            # An orphan's selectors are those of an earlier text of the article (a correction
            # removed its words): say which, as Web Annotation's State does (4.2.1 Time State).
            data["target"]["state"] = {
                "type": "TimeState",
                "sourceDate": timestamp(row["orphaned_in_since"]),
                "cached": base_url
                + reverse("api-article-revision", args=[row["article"], row["orphaned_in"]]),
            }
        if row["created_by"]:
            data["creator"] = person(_CREATOR(row))
        if names := extra_names(row):
            data[EXTRA_KEY] = {name: row[name] for name in names}
        return data

    return write


def annotation(row: dict, *, base_url: str, context: bool = True) -> dict:
    """The Annotation of one claim row (``exports.claim_rows``)."""
    data = annotation_writer(base_url)(row)
    return {"@context": DOCUMENT_CONTEXT, **data} if context else data


def _dumps(value) -> str:
    return orjson.dumps(value).decode()


def annotations_json(claims, *, base_url: str, limit: int | None = None) -> Iterator[tuple]:
    """(claim id, Annotation JSON without ``@context``, UTF-8) for ``claims`` in id order."""
    # A page (``limit``) reads its few rows joined; the whole export, each related row once.
    batches = claim_batches(claims, limit=limit, leave_out=LEFT_OUT, related_once=limit is None)
    write = annotation_writer(base_url)
    for rows in batches:
        for row in rows:
            yield row["id"], orjson.dumps(write(row))


def annotation_iris(claims, *, base_url: str, limit: int | None = None) -> Iterator[tuple]:
    """(claim id, the Annotation's IRI as JSON, UTF-8) for ``claims`` in id order, a keyset
    batch at a time (Web Annotation Protocol, ``PreferContainedIRIs``)."""
    after, taken = None, 0
    while limit is None or taken < limit:
        batch = claims if after is None else claims.filter(pk__gt=after)
        want = CHUNK_SIZE if limit is None else min(CHUNK_SIZE, limit - taken)
        ids = list(batch.order_by("pk").values_list("pk", flat=True)[:want])
        for pk in ids:
            yield pk, orjson.dumps(annotation_iri(pk, base_url))
        taken += len(ids)
        if len(ids) < want:
            return
        after = ids[-1]


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


def _items(annotations: Iterable[tuple], seen: _Seen, as_bytes: bool) -> Iterator[str | bytes]:
    """(id, JSON bytes) pairs as a JSON array body, noting each claim id in ``seen``: the
    items as they are (``as_bytes``) or as text."""
    yield "["
    comma = b"," if as_bytes else ","
    for i, (pk, data) in enumerate(annotations):
        seen.add(pk)
        text = data if as_bytes else data.decode()
        yield comma + text if i else text
    yield "]"


def page_iri(collection_iri: str, start: int, *, after=None, before=None, size=None) -> str:
    params = {"page": start}
    if after is not None:
        params["after"] = after
    if before is not None:
        params["before"] = before
    # The page of every annotation says so: without page_size a page is the default size.
    params["page_size"] = "all" if size is None else size
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
    iris: bool = False,
    as_bytes: bool = False,
) -> Iterator[str | bytes]:
    """One AnnotationPage of ``claims`` (ordered by id), keyset-paged.

    ``after``/``before`` are claim ids (exclusive); ``size`` None means every claim
    after ``after`` in one streamed page (the full export). With ``iris`` the items are the
    annotations' IRIs, not their descriptions. With ``as_bytes`` each item is the UTF-8
    orjson wrote (``api.exports.in_pieces`` takes both): made text and encoded again, they
    cost a W3C export a tenth of its time.
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
        head = {"@context": DOCUMENT_CONTEXT, **head}
    yield _open_object(head) + ',"items":'
    seen = _Seen()
    overflow: list[int] = []
    items = annotation_iris if iris else annotations_json
    taken = _limit(items(rows, base_url=base_url, limit=limit), size, overflow)
    yield from _items(taken, seen, as_bytes)
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
    minimal: bool = False,
    iris: bool = False,
    as_bytes: bool = False,
) -> Iterator[str | bytes]:
    """The annotation container: an AnnotationCollection (and LDP BasicContainer) with
    ``total``, ``modified`` (its newest claim change), ``first`` and ``last``.

    The first page is embedded, unless ``minimal`` (Web Annotation Protocol,
    ``PreferMinimalContainer``): then ``first`` and ``last`` are the pages' IRIs. ``last``
    is the page of the last ``size`` annotations (keyset: ids below the largest one's
    successor). With ``size`` None the first page holds every claim: the whole export in
    one document that any Web Annotation reader can load. ``as_bytes``: see ``stream_page``.
    """
    summary = claims.aggregate(total=Count("pk"), newest=Max("updated_at"), largest=Max("pk"))
    total = summary["total"]
    head = {
        "@context": CONTAINER_DOCUMENT_CONTEXT,
        "id": collection_iri,
        "type": CONTAINER_TYPE,
        "label": label,
        "total": total,
    }
    if summary["newest"] is not None:
        newest = summary["newest"].astimezone(datetime.UTC)
        head["modified"] = newest.strftime("%Y-%m-%dT%H:%M:%SZ")
    first = page_iri(collection_iri, 0, size=size)
    if total:
        last_start = 0 if size is None else max(0, total - size)
        head["last"] = (
            first
            if last_start == 0
            else page_iri(collection_iri, last_start, before=summary["largest"] + 1, size=size)
        )
    if minimal:
        yield _dumps({**head, "first": first})
        return
    yield _open_object(head) + ',"first":'
    yield from stream_page(
        claims,
        base_url=base_url,
        collection_iri=collection_iri,
        size=size,
        embedded=True,
        iris=iris,
        as_bytes=as_bytes,
    )
    yield "}"
