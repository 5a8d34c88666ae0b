"""JSON Lines, one article per line: doccano's sequence-labelling layout plus our fields.

doccano reads ``{"text": ..., "label": [[start, end, "LABEL"], ...]}`` (code points)
and keeps other keys as metadata; ``claims`` holds everything else about each span,
enough for ``manage.py import_annotations --format ours`` to rebuild it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import Q

from factcheck.exports import CLAIM_FIELDS, absolute, attach_verdicts, batches, full_name
from factcheck.exports.w3c import timestamp

_dumps = json.JSONEncoder(ensure_ascii=False).encode
ARTICLE_CHUNK = 20  # articles per query; their claims come in one more query
ARTICLE_FIELDS = ["pk", "title", "url", "publisher", "byline", "published_on", "language", "text"]


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


def stream_jsonl(articles, claims, *, base_url: str) -> Iterator[str]:
    """One line per article of ``articles``, with those of ``claims`` that point into it."""
    for rows in batches(articles.order_by("pk").values(*ARTICLE_FIELDS), ARTICLE_CHUNK):
        ids = [a["pk"] for a in rows]
        spans = list(
            claims.filter(article_id__in=ids)
            .order_by("article_id", "start", "-end", "pk")
            .values(*CLAIM_FIELDS)
        )
        attach_verdicts(spans, Q(claim__article_id__in=ids))
        by_article: dict[int, list[dict]] = {pk: [] for pk in ids}
        for span in spans:
            by_article[span["article_id"]].append(span)
        for article in rows:
            record = article_record(article, by_article[article["pk"]], base_url=base_url)
            yield _dumps(record) + "\n"
