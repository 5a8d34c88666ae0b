"""schema.org ClaimReview JSON-LD, the markup search engines and fact-check tools read.

Only published claims with an approved verdict have one. The same dictionary feeds the
export endpoint and the ``<script type="application/ld+json">`` in the public page.

A claim said again and linked to an earlier fact-check ("same claim as", models.ClaimLink,
confirmed) reuses its verdict: the ClaimReview of each claim of such a group (the earlier
fact-check and its reuses) names every appearance of the claim, its own first
(``itemReviewed.appearance`` a list; ``same_claims`` reads the others, a batch at a time).
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from factcheck import claim_read
from factcheck import text as textlib
from factcheck.exports import absolute, claim_batches, rating_scale
from factcheck.models import Claim, ClaimLink, Speaker

CONTEXT = "https://schema.org"
CLAIM_REVIEWED_MAX = 74  # Google asks for a claimReviewed "under 75 characters".


# The declared fields a ClaimReview does not say (it names the claim's words, speaker,
# statement and article, and the verdict): not read.
LEFT_OUT = frozenset({
    "start", "end", "prefix", "suffix", "kind", "check_worthy", "status", "cue_start",
    "cue_end", "source_start", "source_end", "created_by", "created_at", "updated_at",
    "version", "anchor_state", "corrected_at", "orphaned_in", "orphaned_in_since", "same_as",
    "same_as_status", "speaker_description", "speaker_aliases", "statement_kind",
    "statement_venue", "created_by_first_name", "created_by_last_name",
})  # fmt: skip


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


def appearance(row: dict, base_url: str) -> dict:
    """Where the claim of ``row`` appeared: its article, as a CreativeWork. For a claim whose
    words a correction changed since they were checked (flagged), the revision that had them:
    its number and its text in the API (the article's URL has the corrected text)."""
    work = {"@type": "CreativeWork", "headline": row["article_title"]}
    if row["article_url"]:
        work["url"] = row["article_url"]
    if row["article_published_on"]:
        work["datePublished"] = row["article_published_on"]
    if row["article_publisher"]:
        work["publisher"] = {"@type": "Organization", "name": row["article_publisher"]}
    if row["reviewed_in"] is not None:
        work["version"] = row["reviewed_in"]
        work["archivedAt"] = base_url + reverse(
            "api-article-revision", args=[row["article"], row["reviewed_in"]]
        )
    return work


def same_claims(rows: list[dict]) -> dict[int, list[dict]]:
    """{claim id: the export rows of the other published claims of its group} for the rows
    that are in one: a fact-check whose verdict confirmed links reuse, and those reuses (the
    earlier one first, then the reuses by id). Three queries for a batch, whatever its size."""
    ids = [row["id"] for row in rows]
    if not ids:
        return {}
    confirmed = ClaimLink.objects.confirmed().filter(claim__status=Claim.Status.PUBLISHED)
    # The batch's id range, then its ids (an IN of thousands cost more to build than to run).
    low, high = min(ids), max(ids)
    touching = confirmed.filter(
        Q(claim_id__gte=low, claim_id__lte=high) | Q(earlier_id__gte=low, earlier_id__lte=high)
    ).values_list("claim_id", "earlier_id")
    in_batch = set(ids)
    root = {}
    for claim_id, earlier_id in touching:
        if claim_id in in_batch or earlier_id in in_batch:
            root[claim_id] = root[earlier_id] = earlier_id
    if not root:
        return {}
    groups = {r: [r] for r in set(root.values())}
    members = confirmed.filter(earlier_id__in=list(groups)).order_by("claim_id")
    for claim_id, earlier_id in members.values_list("claim_id", "earlier_id"):
        groups[earlier_id].append(claim_id)
    wanted = {pk for group in groups.values() for pk in group}
    read = claim_read.ClaimReader(claim_read.EXPORT, leave_out=LEFT_OUT).read(
        Claim.objects.published().filter(pk__in=wanted)
    )
    by_id = {row["id"]: row for row in read}
    return {
        pk: [by_id[m] for m in groups[root[pk]] if m != pk and m in by_id]
        for pk in ids
        if pk in root
    }


def claim_review(
    row: dict, *, base_url: str, scale: tuple[int, int] | None, also: list[dict] = ()
) -> dict | None:
    """The ClaimReview of one claim row (None without an approved verdict).

    ``scale`` is the (worst, best) of the numeric rating values, if any; ``also`` the rows of
    the other claims of its group (``same_claims``), whose appearances it names after its own.
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
    appearances = [appearance(row, base_url), *(appearance(other, base_url) for other in also)]
    item = {"@type": "Claim", "appearance": appearances if also else appearances[0]}
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


def stream_claimreviews(claims, *, base_url: str, as_bytes: bool = False) -> Iterator[str | bytes]:
    """A JSON-LD ``@graph`` of ClaimReviews for the published ``claims``; with ``as_bytes``
    each review is the UTF-8 orjson wrote (see ``w3c.stream_page``)."""
    scale = rating_scale()
    yield '{"@context":"https://schema.org","@graph":['
    first, comma = True, b"," if as_bytes else ","
    for batch in claim_batches(claims.published(), sources=False, leave_out=LEFT_OUT):
        others = same_claims(batch)
        for row in batch:
            review = claim_review(
                row, base_url=base_url, scale=scale, also=others.get(row["id"], [])
            )
            if review is None:
                continue
            del review["@context"]
            data = orjson.dumps(review)
            if not as_bytes:
                data = data.decode()
            yield data if first else comma + data
            first = False
    yield "]}"
