"""Export endpoints: they stream, and what a user gets is what they may see."""

from __future__ import annotations

import gc
import hashlib
import re
from contextlib import contextmanager
from urllib.parse import urlencode

import orjson
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from factcheck import public_cache
from factcheck import text as textlib
from factcheck.api.base import FactcheckAPIMixin
from factcheck.api.filters import ID_QUERY_SCHEMA
from factcheck.exports import (
    ANNOTATION_MEDIA_TYPE,
    base_url_of,
    claim_rows,
    claimreview,
    claims_for_export,
    jsonl,
    w3c,
)
from factcheck.exports import csv as csv_export
from factcheck.models import Article, Claim, Role

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100
# Exports are written in pieces of about this many characters: a piece per claim would
# cost the server a write (and the client a read) per claim.
STREAM_PIECE = 64 * 1024

ARTICLE_PARAM = OpenApiParameter(
    "article", ID_QUERY_SCHEMA, description="Only this article's claims."
)
# page, after, before: what ``ExportView.int_param`` reads.
POSITION_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}


class AnyContent(DefaultContentNegotiation):
    """Exports answer in their own format whatever the Accept header says (no 406)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def in_pieces(chunks, size=STREAM_PIECE):
    """``chunks`` (str, or bytes in UTF-8) joined into UTF-8 pieces of about ``size``
    characters (or bytes) or more. Each text is encoded alone: joined first, one emoji made
    the whole piece four bytes a character to encode.

    Python's cycle collector is paused while a piece is made (and runs again while it is
    sent): an export makes and drops millions of acyclic dicts, lists and strings, freed
    by their counts, and holds a batch of rows meanwhile, which the collector walked again
    and again (a quarter of the W3C export's time)."""
    chunks = iter(chunks)
    while True:
        pending, length = [], 0
        with _collector_paused():
            for chunk in chunks:
                pending.append(chunk)
                length += len(chunk)
                if length >= size:
                    break
            piece = b"".join([c if c.__class__ is bytes else c.encode() for c in pending])
        if not pending:
            return
        yield piece
        if length < size:  # the chunks ran out
            return


@contextmanager
def _collector_paused():
    if not gc.isenabled():  # paused by someone else: theirs to restart
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class ExportView(FactcheckAPIMixin, APIView):
    permission_classes = [AllowAny]
    content_negotiation_class = AnyContent
    throttle_classes = [public_cache.ClientThrottle]
    throttle_scope = "export"

    def public(self) -> bool:
        """Whether this client sees what everyone sees (published claims only)."""
        return Role.of(self.request.user) is None

    def get(self, request, *args, **kwargs):
        if self.public():
            hit = public_cache.cached(request)
            if hit is not None:  # with the ETag it was kept with, if it had one
                return _not_modified(request, hit) or hit
        return self.export(request, *args, **kwargs)

    def int_param(self, name, *, low=0, high=2**63 - 1, default=None):
        raw = self.request.query_params.get(name)
        if raw in (None, ""):
            return default
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 19 or not low <= int(raw) <= high:
            raise exceptions.ValidationError(
                {name: f"Must be a whole number from {low} to {high}."}
            )
        return int(raw)

    def claims(self):
        claims = Claim.objects.visible_to(self.request.user)
        article = self.int_param("article", low=1)
        if article is not None:
            claims = claims.filter(article_id=article)
        return claims_for_export(claims)

    def stream(self, chunks, content_type, filename=None, headers=None):
        headers = {
            "Content-Type": content_type,
            "Cache-Control": "public, max-age=60" if self.public() else "no-store",
            "Vary": "Cookie, Authorization",
            **(headers or {}),
        }
        if filename:
            headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        pieces = in_pieces(chunks)
        if self.public():
            pieces = public_cache.keep(self.request, pieces, headers)
        response = StreamingHttpResponse(pieces)
        for name, value in headers.items():
            response[name] = value
        return response

    def document(self, body: bytes, content_type, headers: dict, *, cache: bool = True):
        """``body`` whole, with its strong ETag; 304 when If-None-Match names it. A public
        answer is kept in the public cache (with its ETag) unless ``cache`` is False."""
        headers = {
            "Content-Type": content_type,
            "Cache-Control": "public, max-age=60" if self.public() else "no-store",
            **headers,
            "ETag": strong_etag(body),
        }
        if cache and self.public():
            body = b"".join(public_cache.keep(self.request, [body], headers))
        response = HttpResponse(body)
        for name, value in headers.items():
            response[name] = value
        return _not_modified(self.request, response) or response


# Web Annotation Protocol (reading): what the container and each annotation say of themselves.
LDP = "http://www.w3.org/ns/ldp#"
OA = "http://www.w3.org/ns/oa#"
CONTAINER_LINKS = (
    f'<{LDP}BasicContainer>; rel="type", '
    f'<http://www.w3.org/TR/annotation-protocol/>; rel="{LDP}constrainedBy"'
)
ANNOTATION_LINKS = f'<{LDP}Resource>; rel="type"'
_PREFER_INCLUDE = re.compile(r'include\s*=\s*"([^"]*)"', re.IGNORECASE)


def preferences(request) -> set[str]:
    """The IRIs a ``Prefer: return=representation; include="..."`` header names (RFC 7240,
    LDP 7.2): the Protocol's container preferences."""
    header = request.headers.get("Prefer", "")
    if "return=representation" not in header.replace(" ", "").lower():
        return set()
    return {iri for m in _PREFER_INCLUDE.finditer(header) for iri in m.group(1).split()}


def strong_etag(body: bytes) -> str:
    """A strong ETag of these exact bytes: it moves whenever the representation does."""
    return f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'


def _not_modified(request, response):
    """The 304 for a GET/HEAD whose If-None-Match names ``response``'s ETag, else None."""
    answer = get_conditional_response(request, etag=response.get("ETag"), response=response)
    return None if answer is response else answer


@extend_schema(
    parameters=[
        ARTICLE_PARAM,
        OpenApiParameter(
            "page", POSITION_SCHEMA, description="startIndex of a page (from next/prev links)."
        ),
        OpenApiParameter("after", POSITION_SCHEMA, description="Keyset: claims with a larger id."),
        OpenApiParameter(
            "before", POSITION_SCHEMA, description="Keyset: claims with a smaller id."
        ),
        OpenApiParameter(
            "page_size",
            {
                "anyOf": [
                    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                    {"type": "string", "enum": ["all"]},
                ]
            },
            description=f"1–{MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}) or all.",
        ),
        OpenApiParameter("iris", int, description="1: the annotations' IRIs, not their bodies."),
        OpenApiParameter(
            "Prefer",
            str,
            OpenApiParameter.HEADER,
            description='return=representation; include="http://www.w3.org/ns/ldp#'
            'PreferMinimalContainer" (no embedded page), or oa#PreferContainedIRIs / '
            "oa#PreferContainedDescriptions.",
        ),
        OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER),
    ],
    responses={(200, "application/ld+json"): OpenApiTypes.OBJECT, 304: None},
)
class AnnotationCollectionView(ExportView):
    """W3C Web Annotation: the annotation container (an AnnotationCollection), in keyset pages.

    Read-only (GET, HEAD, OPTIONS) as the Web Annotation Protocol describes: without ``page``
    the container with ``total``, ``modified``, ``first`` (embedded) and ``last``; a page
    with ``next``/``prev``/``partOf``. Paged answers carry a strong ETag (a hash of the body)
    and answer ``If-None-Match`` with 304; ``page_size=all`` is streamed, so it has none.
    """

    def export(self, request):
        claims = self.claims()
        raw_size = request.query_params.get("page_size", "")
        size = (
            None
            if raw_size == "all"
            else self.int_param("page_size", low=1, high=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)
        )
        wanted = preferences(request)
        iris = bool(self.int_param("iris", high=1))
        if (
            f"{OA}PreferContainedIRIs" in wanted
            and f"{OA}PreferContainedDescriptions" not in wanted
        ):
            iris = True
        minimal = f"{LDP}PreferMinimalContainer" in wanted
        query = {}
        article = self.int_param("article", low=1)
        if article is not None:
            query["article"] = article
        if iris:
            query["iris"] = 1
        collection_iri = request.build_absolute_uri(request.path)
        if query:
            collection_iri += "?" + urlencode(query)
        base = base_url_of(request)
        page = self.int_param("page")
        after, before = self.int_param("after"), self.int_param("before")
        headers = {"Vary": "Accept, Prefer, Cookie, Authorization"}
        if page is None:
            if after is not None or before is not None:
                raise exceptions.ValidationError({"page": "Give page with after/before."})
            chunks = w3c.stream_collection(
                claims,
                base_url=base,
                collection_iri=collection_iri,
                size=size,
                minimal=minimal,
                iris=iris,
                as_bytes=True,
            )
            headers["Link"] = CONTAINER_LINKS
            headers["Content-Location"] = collection_iri
            if wanted & {f"{LDP}PreferMinimalContainer", *PREFER_ITEMS}:
                headers["Preference-Applied"] = "return=representation"
        else:
            if after is not None and before is not None:
                raise exceptions.ValidationError({"before": "Give after or before, not both."})
            if before is not None and size is None:
                raise exceptions.ValidationError({"before": "Paging backwards needs a page_size."})
            iri = w3c.page_iri(collection_iri, page, after=after, before=before, size=size)
            headers["Content-Location"] = iri
            if wanted & PREFER_ITEMS:
                headers["Preference-Applied"] = "return=representation"
            chunks = w3c.stream_page(
                claims,
                base_url=base,
                collection_iri=collection_iri,
                start=page,
                after=after,
                before=before,
                size=size,
                iris=iris,
                as_bytes=True,
            )
        if size is None:  # the whole export, streamed: no body to hash before it is sent
            return self.stream(chunks, ANNOTATION_MEDIA_TYPE, headers=headers)
        return self.document(b"".join(in_pieces(chunks)), ANNOTATION_MEDIA_TYPE, headers)


PREFER_ITEMS = frozenset({f"{OA}PreferContainedIRIs", f"{OA}PreferContainedDescriptions"})


class AnnotationView(ExportView):
    """One claim as a W3C Annotation (this is the Annotation's ``id``): an LDP Resource with
    a strong ETag (a hash of its body), answering ``If-None-Match`` with 304."""

    @extend_schema(
        operation_id="export_annotation_retrieve",
        parameters=[OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER)],
        responses={(200, "application/ld+json"): OpenApiTypes.OBJECT, 304: None, 404: None},
    )
    def get(self, request, pk):
        visible = Claim.objects.visible_to(request.user).filter(pk=pk)
        row = next(claim_rows(visible), None)
        if row is None:
            raise exceptions.NotFound("No such annotation.")
        data = w3c.annotation(row, base_url=base_url_of(request))
        headers = {"Link": ANNOTATION_LINKS, "Vary": "Accept, Cookie, Authorization"}
        return self.document(orjson.dumps(data), ANNOTATION_MEDIA_TYPE, headers, cache=False)


@extend_schema(
    parameters=[ARTICLE_PARAM], responses={(200, "application/ld+json"): OpenApiTypes.OBJECT}
)
class ClaimReviewView(ExportView):
    """schema.org ClaimReview JSON-LD (``@graph``) for every published fact-check."""

    def export(self, request):
        chunks = claimreview.stream_claimreviews(
            self.claims(), base_url=base_url_of(request), as_bytes=True
        )
        return self.stream(chunks, "application/ld+json; charset=utf-8")


@extend_schema(
    parameters=[
        ARTICLE_PARAM,
        OpenApiParameter(
            "offset_unit",
            str,
            enum=list(textlib.OFFSET_UNITS),
            description="How `label` counts (default utf16, as doccano's editor); `claims` "
            "always count code points.",
        ),
    ],
    responses={(200, "application/x-ndjson"): OpenApiTypes.STR},
)
class JsonlView(ExportView):
    """JSON Lines, one article per line (doccano ``text``/``label`` plus ``claims``)."""

    def export(self, request):
        user = request.user
        articles = Article.objects.visible_to(user)
        article = self.int_param("article", low=1)
        if article is not None:
            articles = articles.filter(pk=article)
        unit = request.query_params.get("offset_unit") or "utf16"
        if unit not in textlib.OFFSET_UNITS:
            raise exceptions.ValidationError(
                {"offset_unit": f"Use one of: {', '.join(textlib.OFFSET_UNITS)}."}
            )
        chunks = jsonl.stream_jsonl(
            articles,
            Claim.objects.visible_to(user),
            base_url=base_url_of(request),
            offset_unit=unit,
            as_bytes=True,
        )
        return self.stream(chunks, "application/x-ndjson; charset=utf-8", "claims.jsonl")


@extend_schema(parameters=[ARTICLE_PARAM], responses={(200, "text/csv"): OpenApiTypes.STR})
class CsvView(ExportView):
    """CSV, one claim per row (UTF-8 with BOM, formula-safe)."""

    def export(self, request):
        chunks = csv_export.stream_csv(self.claims(), base_url=base_url_of(request))
        return self.stream(chunks, "text/csv; charset=utf-8", "claims.csv")
