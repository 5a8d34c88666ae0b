"""schema.org ClaimReview JSON-LD, the markup search engines and fact-check tools read.

Only published claims with an approved verdict have one. The same dictionary feeds the
export endpoint and the ``<script type="application/ld+json">`` in the public page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.conf import settings

from factcheck import text as textlib
from factcheck.exports import absolute, claim_rows, rating_scale
from factcheck.models import Speaker

_dumps = json.JSONEncoder(ensure_ascii=False).encode
CONTEXT = "https://schema.org"
CLAIM_REVIEWED_MAX = 74  # Google asks for a claimReviewed "under 75 characters".
# What ``claim_review`` reads of a claim row and its verdict.
ROW_FIELDS = (
    "pk",
    "summary",
    "quote",
    "published_at",
    "article__title",
    "article__url",
    "article__published_on",
    "article__publisher",
    "article__byline",
    "speaker_id",
    "speaker__name",
    "speaker__kind",
    "speaker__wikidata_id",
    "statement_id",
    "statement__title",
    "statement__date",
    "statement__url",
)
ROW_VERDICT_FIELDS = ("claim_id", "rating__label", "rating__value", "rationale", "moderated_at")


def organization() -> dict:
    org = settings.FACTCHECK_ORGANIZATION
    return {"@type": "Organization", "name": org["name"], "url": org["url"]}


def _speaker(row: dict) -> dict | None:
    if not row["speaker_id"]:
        # No speaker means the article's own author.
        if row["article__byline"]:
            return {"@type": "Person", "name": row["article__byline"]}
        if row["article__publisher"]:
            return {"@type": "Organization", "name": row["article__publisher"]}
        return None
    data = {
        "@type": "Person" if row["speaker__kind"] == Speaker.Kind.PERSON else "Organization",
        "name": row["speaker__name"],
    }
    if row["speaker__wikidata_id"]:
        data["sameAs"] = f"https://www.wikidata.org/wiki/{row['speaker__wikidata_id']}"
    return data


def _date(value) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if hasattr(value, "date") else value.isoformat()


def claim_review(row: dict, *, base_url: str, scale: tuple[int, int] | None) -> dict | None:
    """The ClaimReview of one claim row (None without an approved verdict).

    ``scale`` is the (worst, best) of the numeric rating values, if any.
    """
    verdict = row["verdict"]
    if verdict is None:
        return None
    review_rating = {"@type": "Rating", "alternateName": verdict["rating__label"]}
    if verdict["rating__value"] is not None and scale is not None:
        review_rating.update(
            ratingValue=verdict["rating__value"], worstRating=scale[0], bestRating=scale[1]
        )
    appearance = {"@type": "CreativeWork", "headline": row["article__title"]}
    if row["article__url"]:
        appearance["url"] = row["article__url"]
    if row["article__published_on"]:
        appearance["datePublished"] = row["article__published_on"].isoformat()
    if row["article__publisher"]:
        appearance["publisher"] = {"@type": "Organization", "name": row["article__publisher"]}
    item = {"@type": "Claim", "appearance": appearance}
    author = _speaker(row)
    if author:
        item["author"] = author
    said_on = row["statement__date"] or row["article__published_on"]
    if said_on:
        item["datePublished"] = said_on.isoformat()
    if row["statement_id"]:
        first = {"@type": "CreativeWork", "name": row["statement__title"]}
        if row["statement__url"]:
            first["url"] = row["statement__url"]
        if row["statement__date"]:
            first["datePublished"] = row["statement__date"].isoformat()
        item["firstAppearance"] = first
    review = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": absolute(base_url, "factcheck-detail", row["pk"]),
        "claimReviewed": textlib.shorten(row["summary"] or row["quote"], CLAIM_REVIEWED_MAX),
        "author": organization(),
        "reviewRating": review_rating,
        "itemReviewed": item,
    }
    published = _date(row["published_at"] or verdict["moderated_at"])
    if published:
        review["datePublished"] = published
    if verdict["rationale"]:
        review["reviewBody"] = verdict["rationale"]
    return review


def stream_claimreviews(claims, *, base_url: str) -> Iterator[str]:
    """A JSON-LD ``@graph`` of ClaimReviews for the published ``claims``."""
    scale = rating_scale()
    yield '{"@context":"https://schema.org","@graph":['
    first = True
    rows = claim_rows(
        claims.published(), fields=ROW_FIELDS, verdict_fields=ROW_VERDICT_FIELDS, sources=False
    )
    for row in rows:
        review = claim_review(row, base_url=base_url, scale=scale)
        if review is None:
            continue
        del review["@context"]
        yield ("" if first else ",") + _dumps(review)
        first = False
    yield "]}"
