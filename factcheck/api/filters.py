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


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, its form class made once per FilterSet, not per request.

    The form class holds only the filters' form fields, which depend on the declaration
    alone; making it (a field per filter, a new class) cost a filtered claims page more
    than its query.
    """

    def get_form_class(self):
        cls = type(self)
        form = cls.__dict__.get("_form_class")
        if form is None:
            form = super().get_form_class()
            cls._form_class = form
        return form


class ArticleFilter(FilterSet):
    published_after = django_filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = django_filters.DateFilter(field_name="published_on", lookup_expr="lte")

    class Meta:
        model = Article
        fields = ["publisher", "language", "url"]


class SpeakerFilter(FilterSet):
    class Meta:
        model = Speaker
        fields = ["kind", "wikidata_id"]


class StatementFilter(FilterSet):
    speaker = IdFilter(field_name="speaker_id")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Statement
        fields = ["kind"]


class ClaimFilter(FilterSet):
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


class VerdictFilter(FilterSet):
    claim = IdFilter(field_name="claim_id")
    rating = IdFilter(field_name="rating_id")
    reviewer = django_filters.CharFilter(field_name="reviewer__username")

    class Meta:
        model = Verdict
        fields = ["status"]
