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


def organization() -> dict:
    org = settings.FACTCHECK_ORGANIZATION
    return {"@type": "Organization", "name": org["name"], "url": org["url"]}


def _speaker(row: dict) -> dict | None:
    if not row["speaker"]:
        # No speaker means the article's own author.
        if row["article_byline"]:
            return {"@type": "Person", "name": row["article_byline"]}
        if row["article_publisher"]:
            return {"@type": "Organization", "name": row["article_publisher"]}
        return None
    return speaker_thing(row["speaker_kind"], row["speaker_name"], row["speaker_wikidata_id"])


def speaker_thing(kind: str, name: str, wikidata_id: str = "") -> dict:
    """A speaker as schema.org has them: a Person or an Organization (the public speaker page
    and every ClaimReview's claim author)."""
    data = {"@type": "Person" if kind == Speaker.Kind.PERSON else "Organization", "name": name}
    if wikidata_id:
        data["sameAs"] = f"https://www.wikidata.org/wiki/{wikidata_id}"
    return data


def _date(value: str | None) -> str | None:
    """The date of a row's date or time text (ISO 8601)."""
    return None if value is None else value[:10]


def claim_review(row: dict, *, base_url: str, scale: tuple[int, int] | None) -> dict | None:
    """The ClaimReview of one claim row (None without an approved verdict).

    ``scale`` is the (worst, best) of the numeric rating values, if any.
    """
    verdict = row["approved_verdict"]
    if verdict is None:
        return None
    # Google asks for alternateName and recommends name: both the rating's label.
    label = verdict["rating_label"]
    review_rating = {"@type": "Rating", "name": label, "alternateName": label}
    if verdict["rating_value"] is not None and scale is not None:
        review_rating.update(
            ratingValue=verdict["rating_value"], worstRating=scale[0], bestRating=scale[1]
        )
    appearance = {"@type": "CreativeWork", "headline": row["article_title"]}
    if row["article_url"]:
        appearance["url"] = row["article_url"]
    if row["article_published_on"]:
        appearance["datePublished"] = row["article_published_on"]
    if row["article_publisher"]:
        appearance["publisher"] = {"@type": "Organization", "name": row["article_publisher"]}
    item = {"@type": "Claim", "appearance": appearance}
    author = _speaker(row)
    if author:
        item["author"] = author
    said_on = row["statement_date"] or row["article_published_on"]
    if said_on:
        item["datePublished"] = said_on
    if row["statement"]:
        first = {"@type": "CreativeWork", "name": row["statement_title"]}
        if row["statement_url"]:
            first["url"] = row["statement_url"]
        if row["statement_date"]:
            first["datePublished"] = row["statement_date"]
        item["firstAppearance"] = first
    review = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": absolute(base_url, "factcheck-detail", row["id"]),
        # A claim whose words a correction changed was reviewed as it was worded before.
        "claimReviewed": textlib.shorten(
            row["summary"] or row.get("reviewed_quote") or row["quote"], CLAIM_REVIEWED_MAX
        ),
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
    rows = claim_rows(claims.published(), sources=False)
    for row in rows:
        review = claim_review(row, base_url=base_url, scale=scale)
        if review is None:
            continue
        del review["@context"]
        yield ("" if first else ",") + _dumps(review)
        first = False
    yield "]}"
