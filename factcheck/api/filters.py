"""FilterSets: only the fields listed here can be filtered on."""

from __future__ import annotations

import copy

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema_field

from factcheck.models import Article, Claim, Speaker, Statement, Verdict

MAX_ID = 2**63 - 1
# An id in a query string, as the schema states it (the filter's own bounds).
ID_QUERY_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


@extend_schema_field(ID_QUERY_SCHEMA)
class IdFilter(django_filters.Filter):
    """An integer id; out-of-range values are refused, never sent to the database."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class _Filters(dict):
    """A FilterSet's declared filters, copied one level deep for each request.

    django-filter deep-copies every filter for every request (0.2 ms of a claims page, more
    than its cursor): a filter's own attributes are what a request changes (``parent``,
    ``model``, and a method filter's binding, made again here), the rest is shared."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, declared in self.items():
            mine = copies[name] = copy.copy(declared)
            mine.extra = dict(declared.extra)
            if declared.method is not None:
                mine.method = declared.method  # its FilterMethod, bound to this copy
        return copies


class TrueOrFalse(forms.NullBooleanField):
    """``true`` or ``false`` (any case), empty for no filter; anything else is refused, not
    read as "no filter" as django-filter's boolean widget does (the schema says boolean)."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        word = str(value).lower()
        if word not in ("true", "false"):
            raise forms.ValidationError("Use true or false.", code="invalid")
        return word == "true"


class BooleanFilter(django_filters.BooleanFilter):
    field_class = TrueOrFalse


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet whose form holds only the filters a request names.

    A filter the query string does not name filters nothing, so its field need not be
    made, copied and cleaned for every request: that cost a filtered claims page more
    than its query. The form classes (one per set of names) are made once per FilterSet.
    ``every_field`` gives the whole form (the browsable API's filter form).
    """

    every_field = False

    def __init__(self, *args, **kwargs):
        cls = type(self)
        if type(cls.__dict__.get("base_filters")) is not _Filters:
            cls.base_filters = _Filters(cls.base_filters)
        super().__init__(*args, **kwargs)

    def get_form_class(self):
        cls = type(self)
        forms = cls.__dict__.get("_form_classes")
        if forms is None:
            forms = cls._form_classes = {None: super().get_form_class()}
        every = forms[None]
        if self.every_field or not self.is_bound:
            return every
        named = tuple(
            name
            for name, field in every.base_fields.items()
            if not field.widget.value_omitted_from_data(self.data, {}, name)
        )
        form = forms.get(named)
        if form is None:
            fields = {name: every.base_fields[name] for name in named}
            form = forms[named] = type(every.__name__, (self._meta.form,), fields)
        return form


class ArticleFilter(FilterSet):
    published_after = django_filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = django_filters.DateFilter(field_name="published_on", lookup_expr="lte")
    url = django_filters.CharFilter(
        method="filter_url",
        help_text="The article at this URL under any spelling (http/https, tracking "
        "parameters, trailing slash, #fragment: factcheck.urls_canon).",
    )

    class Meta:
        model = Article
        fields = ["publisher", "language", "url"]

    def filter_url(self, queryset, name, value):
        return queryset.filter(pk__in=Article.objects.with_url(value).values("pk"))


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
    check_worthy = BooleanFilter()
    speaker = IdFilter(field_name="speaker_id")
    statement = IdFilter(field_name="statement_id")
    rating = IdFilter(method="filter_rating", help_text="Id of the approved verdict's rating.")
    created_by = django_filters.CharFilter(field_name="created_by__username")

    class Meta:
        model = Claim
        fields = ["kind", "status"]

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
