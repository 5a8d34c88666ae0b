"""Serializers: explicit fields, one input serializer per write where the shape differs.

Writes go through ``factcheck.actions``; serializers only parse and present.
"""

from __future__ import annotations

import copy
import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from factcheck import claim_read
from factcheck.models import (
    Article,
    Claim,
    EvidenceSource,
    Rating,
    Role,
    Speaker,
    Statement,
    Verdict,
)

User = get_user_model()


class CharField(serializers.CharField):
    """DRF's CharField, refusing numbers: DRF reads ``0`` as ``"0"``, the schema says string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ModelSerializer(serializers.ModelSerializer):
    """DRF's, with the text fields of models as ``CharField`` above."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: CharField,
        models.TextField: CharField,
    }


@extend_schema_field(OpenApiTypes.STR)
class UsernameField(serializers.RelatedField):
    """A user shown (read-only) by username."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.get_username()


# --------------------------------------------------------------------------- articles


class ClaimCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    in_review = serializers.IntegerField()
    published = serializers.IntegerField()
    rejected = serializers.IntegerField()


class ArticleListSerializer(ModelSerializer):
    created_by = UsernameField()
    claim_counts = serializers.SerializerMethodField(
        help_text="Claims you may see on this article, by status."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "url",
            "publisher",
            "byline",
            "published_on",
            "language",
            "created_by",
            "created_at",
            "updated_at",
            "version",
            "claim_counts",
        ]
        read_only_fields = [
            "id",
            "created_by",
            "created_at",
            "updated_at",
            "version",
            "claim_counts",
        ]

    @extend_schema_field(ClaimCountsSerializer)
    def get_claim_counts(self, article):
        counts = self.context.get("claim_counts")
        if counts is None:  # one article: count it
            counts = claim_counts_for([article.pk], self.context.get("request"))
        return counts.get(article.pk) or claim_counts_row()


class ArticleSerializer(ArticleListSerializer):
    """An article with its text (the list leaves the text out: it can be a megabyte)."""

    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields, "text"]
        # Offsets count every character: the text is stored as sent (bar NFC and \n).
        extra_kwargs = {"text": {"trim_whitespace": False}}


class ArticleExtractRequestSerializer(serializers.Serializer):
    url = serializers.URLField(
        required=False, max_length=2000, help_text="A page to fetch (http or https)."
    )
    file = serializers.FileField(required=False, help_text="A .txt, .html or .docx file.")

    def validate(self, data):
        if bool(data.get("url")) == bool(data.get("file")):
            raise serializers.ValidationError("Give either a url or a file.")
        return data


class ArticleExtractSerializer(serializers.Serializer):
    """An article as read from a page or file, not saved: POST its fields to /articles/."""

    title = CharField()
    url = CharField()
    publisher = CharField()
    byline = CharField()
    published_on = serializers.DateField(allow_null=True)
    language = CharField()
    text = CharField(trim_whitespace=False)
    warnings = serializers.ListField(child=CharField())
    existing = serializers.IntegerField(
        allow_null=True, help_text="The id of the article already here at this URL, if any."
    )


# --------------------------------------------------------------------------- speakers


class SpeakerSerializer(ModelSerializer):
    aliases = serializers.ListField(
        child=CharField(max_length=200), required=False, source="alias_list"
    )

    class Meta:
        model = Speaker
        fields = ["id", "name", "kind", "description", "aliases", "wikidata_id", "created_at"]
        read_only_fields = ["id", "created_at"]


class StatementSerializer(ModelSerializer):
    speaker = serializers.PrimaryKeyRelatedField(
        queryset=Speaker.objects.all(), required=False, allow_null=True
    )
    speaker_name = CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Give the speaker by name instead of id: reused if known, else created.",
    )

    class Meta:
        model = Statement
        fields = [
            "id",
            "speaker",
            "speaker_name",
            "title",
            "kind",
            "date",
            "venue",
            "url",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["speaker_name"] = instance.speaker.name if instance.speaker_id else ""
        return data


# --------------------------------------------------------------------------- ratings


class RatingSerializer(ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "label", "description", "value", "order", "colour"]
        read_only_fields = ["id"]


# --------------------------------------------------------------------------- claims


TYPE_FIELDS = {
    int: serializers.IntegerField,
    str: serializers.CharField,
    bool: serializers.BooleanField,
    datetime.datetime: serializers.DateTimeField,
    datetime.date: serializers.DateField,
}


def declared_fields(declaration) -> dict:
    """Read-only serializer fields for the API's fields of a claim_read declaration."""
    return {
        f.name: TYPE_FIELDS[f.type](read_only=True, allow_null=f.null, help_text=f.help or None)
        for f in claim_read.fields_for(claim_read.API, declaration)
    }


class ApprovedVerdictSerializer(serializers.Serializer):
    """The approved verdict beside a claim (``claim_read.APPROVED_VERDICT``)."""

    def get_fields(self):
        return declared_fields(claim_read.APPROVED_VERDICT)


class ClaimSerializer(serializers.Serializer):
    """A claim as read: the fields ``claim_read.CLAIM`` declares for the API.

    It describes the shape (the schema is built from it) and writes rows through
    ``claim_api_data``, the one writer of a claim row for the API.
    """

    def get_fields(self):
        fields = declared_fields(claim_read.CLAIM)
        fields["approved_verdict"] = ApprovedVerdictSerializer(read_only=True, allow_null=True)
        return fields

    def to_representation(self, instance):
        return claim_api_data([instance])[0]


class ClaimCreatedSerializer(ClaimSerializer):
    """The answer to a claim's creation: the claim as read, and a warning."""

    def get_fields(self):
        fields = super().get_fields()
        fields["same_span"] = serializers.ListField(
            child=serializers.IntegerField(),
            read_only=True,
            help_text="Other claims you may see on exactly this span of the article (any "
            "kind): the new claim may duplicate one. Saved all the same; empty when none.",
        )
        return fields


def claim_api_data(rows: list[dict]) -> list[dict]:
    """Claim rows (``claim_read.ClaimReader(API)``) as the API writes them. A row holds
    exactly the API's fields, its times already the text DRF writes in UTC; a server
    whose ``TIME_ZONE`` is not UTC writes them in its own zone, as DRF would."""
    if writes_utc():
        return rows
    field = serializers.DateTimeField()
    claim_times = [
        f.name for f in claim_read.fields_for(claim_read.API) if f.type is datetime.datetime
    ]
    verdict_times = [
        f.name
        for f in claim_read.fields_for(claim_read.API, claim_read.APPROVED_VERDICT)
        if f.type is datetime.datetime
    ]
    for row in rows:
        for data, names in ((row, claim_times), (row["approved_verdict"], verdict_times)):
            for name in names if data is not None else ():
                if data[name] is not None:
                    data[name] = field.to_representation(parse_datetime(data[name]))
    return rows


def read_claims(claims, user) -> list[dict]:
    """``claims`` as the API shows them to ``user`` (one query, and one for verdicts)."""
    return claim_api_data(claim_read.ClaimReader(claim_read.API, user).read(claims))


class _ClaimInputBase(serializers.Serializer):
    def get_fields(self):
        """The declared fields, each copied for this serializer. DRF deep-copies them, which
        makes every field again from its arguments (a ChoiceField its choices, a related
        field its queryset): a fifth of a claim's creation. These fields keep no state but
        what binding them sets, on the copy (a per-request queryset is set on it too)."""
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    kind = serializers.ChoiceField(choices=Claim.Kind.choices, required=False)
    speaker = serializers.PrimaryKeyRelatedField(
        queryset=Speaker.objects.all(), required=False, allow_null=True
    )
    speaker_name = CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Speaker by name (or alias). On an edit, empty clears the speaker (the "
        "article's author) and, unless one is named too, the statement.",
    )
    statement = serializers.PrimaryKeyRelatedField(
        queryset=Statement.objects.all(), required=False, allow_null=True
    )
    statement_title = CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Statement by title. On an edit, empty clears the statement.",
    )
    speaker_kind = serializers.ChoiceField(
        choices=Speaker.Kind.choices,
        required=False,
        help_text="The kind of the speaker speaker_name creates (ignored if it exists).",
    )
    statement_kind = serializers.ChoiceField(
        choices=Statement.Kind.choices,
        required=False,
        help_text="The kind of the statement statement_title creates (ignored if it exists).",
    )
    statement_date = serializers.DateField(
        required=False, help_text="The date of a statement statement_title creates."
    )
    statement_url = serializers.URLField(
        required=False,
        max_length=500,
        help_text="The source URL of a statement statement_title creates.",
    )
    summary = CharField(required=False, allow_blank=True, max_length=2000)
    check_worthy = serializers.BooleanField(required=False)
    start = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    end = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    quote = CharField(required=False, trim_whitespace=False, max_length=100_000)
    prefix = CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=1000)
    suffix = CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=1000)
    cue_start = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    cue_end = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    source_start = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    source_end = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    snap = serializers.BooleanField(
        required=False,
        help_text="Widen the span (positions or quote; on an edit without either, the current "
        "one) to whole words, trimming whitespace, as the annotation page's 'Snap to words'.",
    )


# The rules of a claim's own fields, whichever door it comes through (imports too).
ClaimFieldsSerializer = _ClaimInputBase


class ClaimCreateSerializer(_ClaimInputBase):
    """A new claim from positions (start/end), a quote selector (quote, prefix, suffix), or both."""

    article = serializers.PrimaryKeyRelatedField(queryset=Article.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        self.fields["article"].queryset = Article.objects.visible_to(user).defer(None)


class ClaimUpdateSerializer(_ClaimInputBase):
    """A change to a claim; ``status`` is for moderators (reject, reopen, unpublish)."""

    status = serializers.ChoiceField(choices=Claim.Status.choices, required=False)
    moderation_note = CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you read (or send If-Match)."
    )


# --------------------------------------------------------------------------- verdicts


class SourceSerializer(ModelSerializer):
    class Meta:
        model = EvidenceSource
        fields = ["url", "title", "excerpt"]


class VerdictSerializer(ModelSerializer):
    reviewer = UsernameField()
    moderator = UsernameField(allow_null=True, help_text="Null until a moderator decides.")
    rating_label = CharField(source="rating.label", read_only=True)
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = Verdict
        fields = [
            "id",
            "claim",
            "reviewer",
            "rating",
            "rating_label",
            "rationale",
            "sources",
            "status",
            "moderator",
            "moderation_note",
            "moderated_at",
            "submitted_at",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class VerdictCreateSerializer(serializers.Serializer):
    claim = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.all())
    rating = serializers.PrimaryKeyRelatedField(queryset=Rating.objects.all())
    rationale = CharField(required=False, allow_blank=True, max_length=50_000)
    sources = SourceSerializer(many=True, required=False)
    submit = serializers.BooleanField(
        required=False, default=True, help_text="Send for moderation (false keeps a draft)."
    )


class VerdictUpdateSerializer(serializers.Serializer):
    """The reviewer edits rating/rationale/sources; a moderator sets ``status``."""

    rating = serializers.PrimaryKeyRelatedField(queryset=Rating.objects.all(), required=False)
    rationale = CharField(required=False, allow_blank=True, max_length=50_000)
    sources = SourceSerializer(many=True, required=False)
    submit = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=Verdict.Status.choices, required=False)
    moderation_note = CharField(required=False, allow_blank=True, max_length=5000)
    version = serializers.IntegerField(required=False, min_value=1)
    claim_version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Moderators: the claim version you decided on; needed to replace the "
        "claim's approved verdict.",
    )


# --------------------------------------------------------------------------- misc


class TokenRequestSerializer(serializers.Serializer):
    username = CharField()
    password = CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = CharField(read_only=True)


class ImportResultSerializer(serializers.Serializer):
    format = CharField()
    articles_created = serializers.IntegerField()
    articles_reused = serializers.IntegerField()
    claims_created = serializers.IntegerField()
    claims_skipped = serializers.IntegerField()
    dry_run = serializers.BooleanField()


def role_name(user) -> str | None:
    role = Role.of(user)
    return role.value if role else None


def claim_counts_row() -> dict:
    return {"total": 0, **dict.fromkeys(Claim.Status.values, 0)}


def claim_counts_for(article_ids, request) -> dict[int, dict]:
    """Claim counts by status for these articles, in one grouped query."""
    user = getattr(request, "user", None)
    rows = (
        Claim.objects.visible_to(user)
        .filter(article_id__in=article_ids)
        .values("article_id", "status")
        .annotate(n=Count("*"))  # not COUNT(id): an index on (article, status) covers it
        .order_by()
    )
    counts: dict[int, dict] = {}
    for article_id, status_, n in rows.values_list("article_id", "status", "n"):
        entry = counts.get(article_id)
        if entry is None:  # not setdefault: a new row (and Status.values) per group is slow
            entry = counts[article_id] = claim_counts_row()
        entry[status_] = n
        entry["total"] += n
    return counts


def writes_utc() -> bool:
    """Whether DRF writes datetimes in UTC (``Z``), as the rows' times already are
    (``claim_read.IsoText`` reads them in UTC whatever the connection's zone)."""
    return str(timezone.get_current_timezone()) == "UTC"


class NoteSerializer(serializers.Serializer):
    """A decision's optional note (confirming a flagged claim, a link, unlinking)."""

    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
