"""Exports in the field's formats, one module per format, all streamed.

Each module turns querysets into an iterator of ``str`` chunks. Rows are read in keyset
batches (``pk > last``, a few thousand at a time), so memory stays flat however large the
data and no database cursor stays open while a slow client reads. The API
(``factcheck.api.exports``) and ``manage.py export`` share these modules.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import reverse

from factcheck.models import Claim, Rating, Verdict

CHUNK_SIZE = 2000

# The media type W3C Web Annotation asks for.
ANNOTATION_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def base_url_of(request=None) -> str:
    """``scheme://host`` for absolute IRIs: the request's, or settings.FACTCHECK_BASE_URL."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.FACTCHECK_BASE_URL.rstrip("/")


_PLACEHOLDER = 987654321


@functools.cache
def _id_route(viewname: str) -> tuple[str, str]:
    """The path of ``viewname`` around its one id, so exports need not reverse() per row."""
    before, _, after = reverse(viewname, args=[_PLACEHOLDER]).partition(str(_PLACEHOLDER))
    return before, after


def absolute(base_url: str, viewname: str, pk: int) -> str:
    """The absolute IRI of the object ``pk`` at the URL named ``viewname``."""
    before, after = _id_route(viewname)
    return f"{base_url}{before}{int(pk)}{after}"


def claims_for_export(claims=None):
    """``claims`` (default: all) with the relations every export reads, in id order.

    The article text is deferred: a claim carries its own quote and context, and
    loading a long text once per claim would make the export crawl. Approved verdicts
    are attached per batch by ``claims_in_batches``.
    """
    claims = Claim.objects.all() if claims is None else claims
    return (
        claims.select_related("article", "speaker", "statement", "created_by")
        .defer("article__text")
        .order_by("pk")
    )


def articles_for_export(articles, claims):
    """``articles`` in id order, each with its ``claims`` (already scoped) prefetched."""
    claims = claims.select_related("speaker", "statement", "created_by").order_by(
        "start", "-end", "pk"
    )
    return (
        articles.select_related("created_by")
        .prefetch_related(Prefetch("claims", queryset=claims))
        .order_by("pk")
    )


def attach_approved_verdicts(claims: list[Claim], where: Q | None = None) -> None:
    """Load the approved verdicts of ``claims`` in one query, for ``claim.approved_verdict``.

    ``where`` narrows the query (default: the id range of ``claims``, which come in id
    order); a range or a short list is far cheaper to build than thousands of ids, and
    prefetch_related would build a queryset per claim, a fifth of the export's time.
    """
    if not claims:
        return
    if where is None:
        ids = [c.pk for c in claims]
        where = Q(claim_id__gte=min(ids), claim_id__lte=max(ids))
    verdicts = (
        Verdict.objects.filter(where, status=Verdict.Status.APPROVED)
        .select_related("rating", "reviewer", "moderator")
        .prefetch_related("sources")
    )
    by_claim = {v.claim_id: v for v in verdicts}
    for claim in claims:
        verdict = by_claim.get(claim.pk)
        # Claim.approved_verdict reads the prefetch cache when there is one.
        claim._prefetched_objects_cache = {"verdicts": [verdict] if verdict else []}


def batches(queryset, size: int = CHUNK_SIZE, *, limit: int | None = None) -> Iterator[list]:
    """``queryset`` (ordered by pk) as lists of at most ``size`` rows, by keyset."""
    after, taken = None, 0
    while limit is None or taken < limit:
        page = queryset if after is None else queryset.filter(pk__gt=after)
        want = size if limit is None else min(size, limit - taken)
        rows = list(page[:want])
        if not rows:
            return
        yield rows
        taken += len(rows)
        if len(rows) < want:
            return
        after = rows[-1].pk


def claims_in_batches(claims, *, limit: int | None = None) -> Iterator[Claim]:
    """Claims one by one, fetched in keyset batches with their approved verdicts."""
    for rows in batches(claims, limit=limit):
        attach_approved_verdicts(rows)
        yield from rows


def rating_scale() -> tuple[int, int] | None:
    """(worst, best) numeric values of the verdict scale, or None when it is not numeric."""
    values = [v for v in Rating.objects.values_list("value", flat=True) if v is not None]
    return (min(values), max(values)) if values else None
