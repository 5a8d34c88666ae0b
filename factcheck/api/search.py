"""``GET /api/v1/search/``: factcheck.search through the API, in numbered pages."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck import search
from factcheck.api.base import FactcheckAPIMixin, RolePermission
from factcheck.api.filters import ID_QUERY_SCHEMA
from factcheck.models import Claim

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class HitDetailsSerializer(serializers.Serializer):
    """A few fields of the hit's type (only those of its type are there)."""

    status = serializers.ChoiceField(choices=Claim.Status.choices, required=False)
    kind = serializers.ChoiceField(choices=Claim.Kind.choices, required=False)
    article = serializers.IntegerField(required=False, help_text="A claim's article.")
    article_title = serializers.CharField(required=False)
    speaker = serializers.IntegerField(required=False, allow_null=True)
    speaker_name = serializers.CharField(required=False, allow_blank=True)
    speaker_kind = serializers.CharField(required=False, help_text="A speaker's kind.")
    publisher = serializers.CharField(required=False, allow_blank=True)
    published_on = serializers.DateField(required=False, allow_null=True)
    date = serializers.DateField(required=False, allow_null=True, help_text="A statement's.")


class CountsSerializer(serializers.Serializer):
    """Hits by type (the types searched)."""

    article = serializers.IntegerField(required=False)
    claim = serializers.IntegerField(required=False)
    speaker = serializers.IntegerField(required=False)
    statement = serializers.IntegerField(required=False)


class HitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=search.KINDS, source="kind")
    id = serializers.IntegerField()
    title = serializers.CharField()
    snippet = serializers.CharField(
        help_text="HTML: the matching passage, escaped, each match in <mark>."
    )
    rank = serializers.FloatField(help_text="Higher is better; compare within one search.")
    url = serializers.CharField(
        allow_null=True,
        help_text="Its page, where the requester may open one (null: none for them).",
    )
    details = HitDetailsSerializer(
        help_text="A few fields of its type: a claim's status, kind, article and speaker; an "
        "article's publisher and date; a statement's date and speaker; a speaker's kind."
    )


PAGE = inline_serializer(
    "SearchPage",
    fields={
        "count": serializers.IntegerField(help_text=f"Hits, at most {search.MAX_HITS} a type."),
        "counts": CountsSerializer(),
        "capped": serializers.BooleanField(
            help_text=f"A type had more than {search.MAX_HITS} hits: narrow the search."
        ),
        "next": serializers.CharField(allow_null=True),
        "previous": serializers.CharField(allow_null=True),
        "results": HitSerializer(many=True),
    },
)


def _query(name, description, schema=None, enum=None):
    return OpenApiParameter(
        name,
        OpenApiTypes.STR if schema is None else schema,
        OpenApiParameter.QUERY,
        required=name == "q",
        description=description,
        enum=enum,
    )


PARAMETERS = [
    _query(
        "q",
        'Words to find (English stemming): "a phrase", `or` between two, `-word` to exclude; '
        f"at most {search.MAX_QUERY_CHARS} characters.",
    ),
    _query("type", "Only hits of this type.", enum=list(search.KINDS)),
    _query("speaker", "Claims of this speaker (others: those with such a claim).", ID_QUERY_SCHEMA),
    _query("statement", "Claims of this statement (likewise).", ID_QUERY_SCHEMA),
    _query("kind", "Claims of this kind (likewise).", enum=list(Claim.Kind.values)),
    _query("status", "Claims in this status (likewise).", enum=list(Claim.Status.values)),
    _query("rating", "Claims whose approved verdict has this rating (likewise).", ID_QUERY_SCHEMA),
    _query(
        "date_after",
        "On or after this date: an article's, a statement's, a claim's article's.",
        OpenApiTypes.DATE,
    ),
    _query("date_before", "On or before this date (likewise).", OpenApiTypes.DATE),
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
    _query(
        "page_size",
        f"Hits per page (default {PAGE_SIZE}, at most {MAX_PAGE_SIZE}).",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    ),
]


def _whole(params, name: str, default: int, most: int) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) < 7 and 1 <= int(raw) <= most):
        raise exceptions.ValidationError({name: [f"A whole number from 1 to {most}."]})
    return int(raw)


class SearchView(FactcheckAPIMixin, APIView):
    """Search articles (title, publisher, text), claims (quote, summary), speakers (name,
    aliases) and statements (title, venue): the best hits first, each with a highlighted
    snippet. Anonymous callers find published material only."""

    permission_classes = [RolePermission]

    @extend_schema(operation_id="search", parameters=PARAMETERS, responses={200: PAGE})
    def get(self, request):
        params = request.query_params
        form, errors = search.errors_of(params)
        if errors:
            raise exceptions.ValidationError(errors)
        size = _whole(params, "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
        number = _whole(params, "page", 1, search.MAX_HITS // size + 1)
        results = search.search(
            form.cleaned_data["q"],
            request.user,
            offset=(number - 1) * size,
            limit=size,
            **form.filters(),
        )

        def link(n):
            if n < 1 or (n - 1) * size >= results.total:
                return None
            query = params.copy()
            query["page"] = str(n)
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        return Response(
            {
                "count": results.total,
                "counts": results.counts,
                "capped": results.capped,
                "next": link(number + 1),
                "previous": link(number - 1),
                "results": HitSerializer(results.hits, many=True).data,
            }
        )
