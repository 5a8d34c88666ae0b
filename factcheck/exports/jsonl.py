"""JSON Lines, one article per line: doccano's sequence-labelling layout plus our fields.

doccano reads ``{"text": ..., "label": [[start, end, "LABEL"], ...]}`` (code points)
and keeps other keys as metadata; ``claims`` holds everything else about each span,
enough for ``manage.py import_annotations --format ours`` to rebuild it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import Q

from factcheck.exports import absolute, attach_approved_verdicts, batches
from factcheck.exports.w3c import timestamp
from factcheck.models import Article, Claim

ARTICLE_CHUNK = 20  # articles per query; their claims are prefetched per chunk


def label_of(claim: Claim) -> str:
    return claim.kind.upper()


def _span(start, end):
    return [start, end] if start is not None else None


def claim_record(claim: Claim, *, base_url: str) -> dict:
    speaker, statement, verdict = claim.speaker, claim.statement, claim.approved_verdict
    return {
        "id": claim.pk,
        "start": claim.start,
        "end": claim.end,
        "quote": claim.quote,
        "prefix": claim.prefix,
        "suffix": claim.suffix,
        "kind": claim.kind,
        "label": label_of(claim),
        "speaker": speaker
        and {
            "name": speaker.name,
            "kind": speaker.kind,
            "description": speaker.description,
            "aliases": speaker.alias_list,
            "wikidata_id": speaker.wikidata_id,
        },
        "statement": statement
        and {
            "title": statement.title,
            "kind": statement.kind,
            "date": statement.date and statement.date.isoformat(),
            "venue": statement.venue,
            "url": statement.url,
        },
        "summary": claim.summary,
        "check_worthy": claim.check_worthy,
        "status": claim.status,
        "cue": _span(claim.cue_start, claim.cue_end),
        "source_mention": _span(claim.source_start, claim.source_end),
        "verdict": verdict
        and {
            "rating": verdict.rating.label,
            "rating_value": verdict.rating.value,
            "rationale": verdict.rationale,
            "reviewer": verdict.reviewer.get_username(),
            "approved_at": verdict.moderated_at and timestamp(verdict.moderated_at),
            "sources": [
                {"url": s.url, "title": s.title, "excerpt": s.excerpt}
                for s in verdict.sources.all()
            ],
        },
        "created_by": claim.created_by.get_username() if claim.created_by_id else None,
        "created_at": timestamp(claim.created_at),
        "updated_at": timestamp(claim.updated_at),
        "published_at": claim.published_at and timestamp(claim.published_at),
        "annotation": absolute(base_url, "api-export-annotation", claim.pk),
    }


def article_record(article: Article, *, base_url: str) -> dict:
    claims = list(article.claims.all())  # prefetched and scoped by the caller
    return {
        "text": article.text,
        "label": [[c.start, c.end, label_of(c)] for c in claims],
        "id": article.pk,
        "iri": absolute(base_url, "article-detail", article.pk),
        "title": article.title,
        "url": article.url,
        "publisher": article.publisher,
        "byline": article.byline,
        "published_on": article.published_on and article.published_on.isoformat(),
        "language": article.language,
        "claims": [claim_record(c, base_url=base_url) for c in claims],
    }


def stream_jsonl(articles, *, base_url: str) -> Iterator[str]:
    """One line per article of ``articles`` (see ``exports.articles_for_export``)."""
    for rows in batches(articles, ARTICLE_CHUNK):
        claims = [c for article in rows for c in article.claims.all()]
        attach_approved_verdicts(claims, Q(claim__article_id__in=[a.pk for a in rows]))
        for article in rows:
            yield json.dumps(article_record(article, base_url=base_url), ensure_ascii=False) + "\n"
