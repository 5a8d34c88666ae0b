"""JSON Lines, one article per line: doccano's sequence-labelling layout plus our fields.

doccano reads ``{"text": ..., "label": [[start, end, "LABEL"], ...]}`` and keeps other keys
as metadata. Its editor counts offsets in UTF-16 code units (user-perceived characters in its
grapheme mode), so ``label`` is counted in ``offset_unit`` (``utf16`` unless asked otherwise)
and the line says which in its ``offset_unit`` key. ``claims`` holds everything else about
each span, counted in code points as everywhere in factcheck, enough for
``manage.py import_annotations --format ours`` to rebuild the claims (as new, open claims:
status, verdicts and history are the desk's; ``manage.py export all`` is the backup).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from operator import itemgetter

import orjson

from factcheck import claim_read
from factcheck import text as textlib
from factcheck.claim_read import extra_names_once
from factcheck.exports import MadeOnce, absolute, full_name, id_route, timestamp

ARTICLE_CHUNK = 20  # articles per query; their claims come in one more query
ARTICLE_FIELDS = ["pk", "title", "url", "publisher", "byline", "published_on", "language", "text"]
# What a claim record maps of a claim row; any other declared field is carried by name.
SHOWN = {
    "id", "article", "start", "end", "quote", "prefix", "suffix", "kind", "speaker",
    "speaker_name", "speaker_kind", "speaker_description", "speaker_aliases",
    "speaker_wikidata_id", "statement", "statement_title", "statement_kind", "statement_date",
    "statement_venue", "statement_url", "summary", "check_worthy", "status", "cue_start",
    "cue_end", "source_start", "source_end", "created_by", "created_at", "updated_at",
    "published_at",
}  # fmt: skip
# Said by the article's line, or not needed to rebuild the claim.
LEFT_OUT = {
    "article_title", "article_url", "article_publisher", "article_byline",
    "article_published_on", "created_by_first_name", "created_by_last_name", "version",
}  # fmt: skip
KNOWN = frozenset(SHOWN | LEFT_OUT)


def in_text_order(row: dict) -> tuple:
    return row["start"], -row["end"], row["id"]


def label_of(row: dict) -> str:
    return row["kind"].upper()


def _span(start, end):
    return [start, end] if start is not None else None


def _speaker(name, kind, description, aliases, wikidata_id) -> dict:
    return {
        "name": name,
        "kind": kind,
        "description": description,
        "aliases": [a.strip() for a in aliases.splitlines() if a.strip()],
        "wikidata_id": wikidata_id,
    }


def _statement(title, kind, date, venue, url) -> dict:
    return {"title": title, "kind": kind, "date": date, "venue": venue, "url": url}


# The values a claim record's speaker and statement are made of.
_SPEAKER = itemgetter(
    "speaker_name", "speaker_kind", "speaker_description", "speaker_aliases", "speaker_wikidata_id"
)
_STATEMENT = itemgetter(
    "statement_title", "statement_kind", "statement_date", "statement_venue", "statement_url"
)


def claim_writer(base_url: str) -> Callable[[dict], dict]:
    """The writer of the claim records of one reader's rows: ``write(row)`` is
    ``claim_record(row, base_url=base_url)``, with each speaker and statement made once for
    all the rows (``exports.MadeOnce``: shared, never changed) and the names of the fields it does
    not map (``extras``) found once: the rows of one reader all have the same."""
    speaker, statement = MadeOnce(_speaker), MadeOnce(_statement)
    extra_names = extra_names_once(KNOWN)
    before, after = id_route("api-export-annotation")

    def write(row: dict) -> dict:
        verdict = row["approved_verdict"]
        record = {
            "id": row["id"],
            "start": row["start"],
            "end": row["end"],
            "quote": row["quote"],
            "prefix": row["prefix"],
            "suffix": row["suffix"],
            "kind": row["kind"],
            "label": label_of(row),
            "speaker": row["speaker"] and speaker(_SPEAKER(row)),
            "statement": row["statement"] and statement(_STATEMENT(row)),
            "summary": row["summary"],
            "check_worthy": row["check_worthy"],
            "status": row["status"],
            "cue": _span(row["cue_start"], row["cue_end"]),
            "source_mention": _span(row["source_start"], row["source_end"]),
            "verdict": verdict
            and {
                "rating": verdict["rating_label"],
                "rating_value": verdict["rating_value"],
                "rationale": verdict["rationale"],
                "reviewer": verdict["reviewer"],
                "reviewer_name": full_name(
                    verdict["reviewer_first_name"],
                    verdict["reviewer_last_name"],
                    verdict["reviewer"],
                ),
                "approved_at": verdict["moderated_at"] and timestamp(verdict["moderated_at"]),
                "sources": verdict["sources"],
            },
            "created_by": row["created_by"],
            "created_at": timestamp(row["created_at"]),
            "updated_at": timestamp(row["updated_at"]),
            "published_at": row["published_at"] and timestamp(row["published_at"]),
            "annotation": f"{base_url}{before}{row['id']}{after}",
        }
        for name in extra_names(row):
            record[name] = row[name]
        return record

    return write


def claim_record(row: dict, *, base_url: str) -> dict:
    """Everything about one claim row (``exports.claim_rows``)."""
    return claim_writer(base_url)(row)


def doccano_labels(text: str, claims: list[dict], unit: str) -> list[list]:
    """doccano's ``label``: ``[start, end, LABEL]`` of each claim, counted in ``unit``."""
    units = textlib.Units(text)
    return [
        [units.from_codepoint(c["start"], unit), units.from_codepoint(c["end"], unit), label_of(c)]
        for c in claims
    ]


def article_record(
    article: dict,
    claims: list[dict],
    *,
    base_url: str,
    offset_unit: str = "utf16",
    write: Callable[[dict], dict] | None = None,
) -> dict:
    """One article's line; its claims written by ``write`` (an export's ``claim_writer``)."""
    write = write or claim_writer(base_url)
    return {
        "text": article["text"],
        "label": doccano_labels(article["text"], claims, offset_unit),
        "offset_unit": offset_unit,
        "id": article["pk"],
        "iri": absolute(base_url, "article-detail", article["pk"]),
        "title": article["title"],
        "url": article["url"],
        "publisher": article["publisher"],
        "byline": article["byline"],
        "published_on": article["published_on"] and article["published_on"].isoformat(),
        "language": article["language"],
        "claims": [write(c) for c in claims],
    }


def stream_jsonl(
    articles, claims, *, base_url: str, offset_unit: str = "utf16", as_bytes: bool = False
) -> Iterator[str | bytes]:
    """One line per article of ``articles``, with those of ``claims`` that point into it;
    ``label`` counted in ``offset_unit`` (``text.OFFSET_UNITS``). With ``as_bytes`` each
    line is the UTF-8 orjson wrote (see ``w3c.stream_page``)."""
    reader = claim_read.ClaimReader(
        claim_read.EXPORT, sources=True, leave_out=LEFT_OUT, related_once=True
    )
    write = claim_writer(base_url)
    values = articles.order_by("pk").values(*ARTICLE_FIELDS)
    after = None
    while True:
        page = values if after is None else values.filter(pk__gt=after)
        batch = list(page[:ARTICLE_CHUNK])
        if not batch:
            return
        ids = [a["pk"] for a in batch]
        mine = claims.filter(article_id__in=ids)
        by_article: dict[int, list[dict]] = {pk: [] for pk in ids}
        for row in sorted(reader.read(mine), key=in_text_order):
            by_article[row["article"]].append(row)
        for article in batch:
            record = article_record(
                article,
                by_article[article["pk"]],
                base_url=base_url,
                offset_unit=offset_unit,
                write=write,
            )
            line = orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
            yield line if as_bytes else line.decode()
        if len(batch) < ARTICLE_CHUNK:
            return
        after = ids[-1]
