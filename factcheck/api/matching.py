"""Has this been checked before? ``GET /api/v1/factchecks/match/?q=…`` (any text) and
``GET /api/v1/claims/{id}/matches/`` (a claim's words): the published fact-checks that make
the same claim, best first, as ``factcheck.matching`` ranks them and ``Match.as_dict()``
writes them. Open to everyone; each caller is matched against what they may see, which is
the published fact-checks alone, whoever asks.

A claim's matches are kept in the cache (``claim_matches``, ``kept_matches``) per claim
version and *published version* (bumped on every publication and take-down), so a new
fact-check shows at once, and the review queue reads a page of claims' matches with no query
(its script asks this API for those not kept).
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.cache import cache
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck import public_cache, search
from factcheck.api.base import FactcheckAPIMixin, RolePermission
from factcheck.matching import STRONG, checked_quote, match_text, matches_for
from factcheck.models import Claim, Role

DEFAULT_LIMIT = 5
MAX_LIMIT = 20
# A speaker renamed or a rating relabelled shows in a claim's kept matches within this time.
KEPT_SECONDS = 300


def _keys(claims: Iterable[Claim], user, limit: int) -> dict[int, str]:
    # The desk and the public are kept apart, should the desk ever be matched against more.
    who = "public" if Role.of(user) is None else "desk"
    version = public_cache.published_version()
    return {c.pk: f"factcheck:matches:{who}:{version}:{c.pk}:{c.version}:{limit}" for c in claims}


def claim_matches(claim: Claim, user, *, limit: int = DEFAULT_LIMIT) -> list[dict]:
    """``claim``'s earlier fact-checks (``Match.as_dict()`` rows), from the cache or the
    matcher (then kept)."""
    key = _keys([claim], user, limit)[claim.pk]
    rows = cache.get(key)
    if rows is None:
        rows = [m.as_dict() for m in matches_for(claim, user, limit=limit)]
        cache.set(key, rows, timeout=KEPT_SECONDS)
    return rows


def kept_matches(claims: Iterable[Claim], user, *, limit: int) -> dict[int, list[dict] | None]:
    """The claims' matches as ``claim_matches`` kept them (None: not kept), without a query."""
    keys = _keys(claims, user, limit)
    kept = cache.get_many(list(keys.values()))
    return {pk: kept.get(key) for pk, key in keys.items()}


class MatchSerializer(serializers.Serializer):
    """One earlier fact-check, read from a ``Match``: the one declaration of the shape every
    surface shows (``Match.as_dict()`` is its output), and the API schema's."""

    claim = serializers.IntegerField(source="claim.pk", help_text="The published claim.")
    score = serializers.SerializerMethodField(help_text="0..1, higher is a closer match.")
    strong = serializers.BooleanField(
        help_text=f"A strong match: the same claim (a score of {STRONG} or more; "
        "docs/matching.md has the measurements)."
    )
    quote = serializers.SerializerMethodField(
        help_text="The earlier claim's words, as fact-checked (while a correction of its "
        "article has it flagged, the earlier wording its rating was given for)."
    )
    summary = serializers.CharField(source="claim.summary", allow_blank=True)
    speaker = serializers.CharField(
        source="claim.speaker.name", allow_null=True, help_text="Its speaker (null: the author)."
    )
    rating = serializers.CharField(
        source="claim.approved_verdict.rating.label",
        allow_null=True,
        help_text="The approved verdict's rating.",
    )
    url = serializers.SerializerMethodField(help_text="The public fact-check page.")
    date = serializers.DateField(
        source="claim.article.published_on", allow_null=True, help_text="Its article's date."
    )

    def get_quote(self, match) -> str:
        return checked_quote(match.claim)

    def get_score(self, match) -> float:
        return round(match.score, 3)

    def get_url(self, match) -> str:
        return reverse("factcheck-detail", args=[match.claim.pk])


class MatchQuery(forms.Form):
    """What a match request asks (the query string)."""

    q = forms.CharField(max_length=search.MAX_QUERY_CHARS, strip=True)  # NUL: refused


def _limit(params) -> int:
    raw = params.get("limit", "")
    if raw == "":
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit() and len(raw) < 4 and 1 <= int(raw) <= MAX_LIMIT):
        raise exceptions.ValidationError({"limit": [f"A whole number from 1 to {MAX_LIMIT}."]})
    return int(raw)


LIMIT = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    OpenApiParameter.QUERY,
    description=f"At most this many matches (default {DEFAULT_LIMIT}).",
)
TEXT = OpenApiParameter(
    "q",
    {"type": "string", "minLength": 1, "maxLength": search.MAX_QUERY_CHARS},
    OpenApiParameter.QUERY,
    required=True,
    description=f"The claim's words, as said (at most {search.MAX_QUERY_CHARS} characters).",
)


class MatchView(FactcheckAPIMixin, APIView):
    permission_classes = [RolePermission]  # reads are everyone's, scoped by who asks
    # A match ranks many candidates: a brake per client, as the exports have.
    throttle_classes = [public_cache.ClientThrottle]
    throttle_scope = "match"


class TextMatchView(MatchView):
    """The published fact-checks that make the claim in ``q``, best first: "has this been
    checked before?" while a claim is being made."""

    @extend_schema(
        operation_id="factchecks_match",
        parameters=[TEXT, LIMIT],
        responses={200: MatchSerializer(many=True)},
    )
    def get(self, request):
        limit = _limit(request.query_params)
        form = MatchQuery({"q": request.query_params.get("q", "")})
        if not form.is_valid():
            raise exceptions.ValidationError({k: list(v) for k, v in form.errors.items()})
        matches = match_text(form.cleaned_data["q"], request.user, limit=limit)
        return Response([m.as_dict() for m in matches])


class ClaimMatchView(MatchView):
    """The published fact-checks that make the same claim as this one (never itself), best
    first. The claim must be one you may see."""

    @extend_schema(
        operation_id="claims_matches",
        parameters=[LIMIT],
        responses={200: MatchSerializer(many=True)},
    )
    def get(self, request, pk):
        limit = _limit(request.query_params)
        claim = get_object_or_404(Claim.objects.visible_to(request.user), pk=pk)
        return Response(claim_matches(claim, request.user, limit=limit))
