"""Exports in the field's formats, one module per format, all streamed.

Each module turns querysets into an iterator of ``str`` chunks, read with
``queryset.iterator(chunk_size=...)`` so memory stays flat however large the data.
The API (``factcheck.api.exports``) and ``manage.py export`` share them.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from factcheck.models import Article, Claim, Verdict

CHUNK_SIZE = 2000

# The media type W3C Web Annotation asks for.
ANNOTATION_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def base_url_of(request=None) -> str:
    """``scheme://host`` for absolute IRIs: the request's, or settings.FACTCHECK_BASE_URL."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.FACTCHECK_BASE_URL.rstrip("/")


def absolute(base_url: str, viewname: str, *args) -> str:
    return base_url + reverse(viewname, args=args)


def approved_verdicts() -> Prefetch:
    """Prefetch only the approved verdict, so ``claim.approved_verdict`` costs no query."""
    return Prefetch(
        "verdicts",
        queryset=Verdict.objects.filter(status=Verdict.Status.APPROVED)
        .select_related("rating", "reviewer", "moderator")
        .prefetch_related("sources"),
    )


def claims_for_export(claims=None):
    """``claims`` (default: all) with what every export reads, in id order.

    The article text is deferred: a claim carries its own quote and context, and
    loading a long text once per claim would make the export crawl.
    """
    claims = Claim.objects.all() if claims is None else claims
    return (
        claims.select_related("article", "speaker", "statement", "statement__speaker", "created_by")
        .defer("article__text")
        .prefetch_related(approved_verdicts())
        .order_by("pk")
    )


def articles_for_export(articles, claims):
    """``articles`` in id order, each with its ``claims`` (already scoped) prefetched."""
    claims = (
        claims.select_related("speaker", "statement", "statement__speaker", "created_by")
        .prefetch_related(approved_verdicts())
        .order_by("start", "-end", "pk")
    )
    return (
        articles.select_related("created_by")
        .prefetch_related(Prefetch("claims", queryset=claims))
        .order_by("pk")
    )


def desk_claims():
    """Everything (management commands run with the operator's full rights)."""
    return Claim.objects.all()


def rating_scale() -> tuple[int, int] | None:
    """(worst, best) numeric values of the verdict scale, or None when it is not numeric."""
    from factcheck.models import Rating

    values = [v for v in Rating.objects.values_list("value", flat=True) if v is not None]
    return (min(values), max(values)) if values else None


__all__ = [
    "ANNOTATION_MEDIA_TYPE",
    "CHUNK_SIZE",
    "Article",
    "absolute",
    "articles_for_export",
    "base_url_of",
    "claims_for_export",
    "desk_claims",
    "rating_scale",
]
