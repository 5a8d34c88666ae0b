"""FilterSets: only the fields listed here can be filtered on."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from factcheck.models import Article, Claim, Speaker, Statement, Verdict

MAX_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """An integer id; out-of-range values are refused, never sent to the database."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ArticleFilter(django_filters.FilterSet):
    published_after = django_filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = django_filters.DateFilter(field_name="published_on", lookup_expr="lte")

    class Meta:
        model = Article
        fields = ["publisher", "language", "url"]


class SpeakerFilter(django_filters.FilterSet):
    class Meta:
        model = Speaker
        fields = ["kind", "wikidata_id"]


class StatementFilter(django_filters.FilterSet):
    speaker = IdFilter(field_name="speaker_id")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Statement
        fields = ["kind"]


class ClaimFilter(django_filters.FilterSet):
    article = IdFilter(field_name="article_id")
    speaker = IdFilter(field_name="speaker_id")
    statement = IdFilter(field_name="statement_id")
    rating = IdFilter(method="filter_rating", help_text="Id of the approved verdict's rating.")
    created_by = django_filters.CharFilter(field_name="created_by__username")

    class Meta:
        model = Claim
        fields = ["kind", "status", "check_worthy"]

    def filter_rating(self, queryset, name, value):
        approved = Verdict.objects.filter(
            claim=OuterRef("pk"), status=Verdict.Status.APPROVED, rating_id=value
        )
        return queryset.filter(Exists(approved))


class VerdictFilter(django_filters.FilterSet):
    claim = IdFilter(field_name="claim_id")
    rating = IdFilter(field_name="rating_id")
    reviewer = django_filters.CharFilter(field_name="reviewer__username")

    class Meta:
        model = Verdict
        fields = ["status"]
