"""schema.org ClaimReview JSON-LD, the markup search engines and fact-check tools read.

Only published claims with an approved verdict have one. The same dictionary feeds the
export endpoint and the ``<script type="application/ld+json">`` in the public page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.conf import settings

from factcheck import text as textlib
from factcheck.exports import absolute, claims_in_batches, rating_scale
from factcheck.models import Claim, Speaker, Verdict

CONTEXT = "https://schema.org"
CLAIM_REVIEWED_MAX = 74  # Google asks for a claimReviewed "under 75 characters".


def organization() -> dict:
    org = settings.FACTCHECK_ORGANIZATION
    return {"@type": "Organization", "name": org["name"], "url": org["url"]}


def _speaker(claim: Claim) -> dict | None:
    speaker = claim.speaker
    if speaker is None:
        # No speaker means the article's own author.
        article = claim.article
        if article.byline:
            return {"@type": "Person", "name": article.byline}
        if article.publisher:
            return {"@type": "Organization", "name": article.publisher}
        return None
    data = {
        "@type": "Person" if speaker.kind == Speaker.Kind.PERSON else "Organization",
        "name": speaker.name,
    }
    if speaker.wikidata_id:
        data["sameAs"] = f"https://www.wikidata.org/wiki/{speaker.wikidata_id}"
    return data


def _date(value) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if hasattr(value, "date") else value.isoformat()


def claim_review(
    claim: Claim, verdict: Verdict, *, base_url: str, scale: tuple[int, int] | None
) -> dict:
    """The ClaimReview of ``claim`` judged by ``verdict``; ``scale`` is (worst, best)."""
    article, statement, rating = claim.article, claim.statement, verdict.rating
    review_rating = {"@type": "Rating", "alternateName": rating.label}
    if rating.value is not None and scale is not None:
        review_rating.update(ratingValue=rating.value, worstRating=scale[0], bestRating=scale[1])
    appearance = {"@type": "CreativeWork", "headline": article.title}
    if article.url:
        appearance["url"] = article.url
    if article.published_on:
        appearance["datePublished"] = article.published_on.isoformat()
    if article.publisher:
        appearance["publisher"] = {"@type": "Organization", "name": article.publisher}
    item = {"@type": "Claim", "appearance": appearance}
    author = _speaker(claim)
    if author:
        item["author"] = author
    said_on = (statement.date if statement else None) or article.published_on
    if said_on:
        item["datePublished"] = said_on.isoformat()
    if statement is not None:
        first = {"@type": "CreativeWork", "name": statement.title}
        if statement.url:
            first["url"] = statement.url
        if statement.date:
            first["datePublished"] = statement.date.isoformat()
        item["firstAppearance"] = first
    review = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": absolute(base_url, "factcheck-detail", claim.pk),
        "claimReviewed": textlib.shorten(claim.summary or claim.quote, CLAIM_REVIEWED_MAX),
        "author": organization(),
        "reviewRating": review_rating,
        "itemReviewed": item,
    }
    published = _date(claim.published_at or verdict.moderated_at)
    if published:
        review["datePublished"] = published
    if verdict.rationale:
        review["reviewBody"] = verdict.rationale
    return review


def stream_claimreviews(claims, *, base_url: str) -> Iterator[str]:
    """A JSON-LD ``@graph`` of ClaimReviews for the published ``claims`` (ordered by id)."""
    scale = rating_scale()
    yield '{"@context":"https://schema.org","@graph":['
    first = True
    for claim in claims_in_batches(claims.published().order_by("pk")):
        verdict = claim.approved_verdict
        if verdict is None:
            continue
        review = claim_review(claim, verdict, base_url=base_url, scale=scale)
        del review["@context"]
        yield ("" if first else ",") + json.dumps(review, ensure_ascii=False)
        first = False
    yield "]}"
