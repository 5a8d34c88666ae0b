"""REST API v1 resources. Reads are scoped by ``visible_to``; writes go through actions."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework import filters as drf_filters
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from factcheck import actions, claim_read, lifecycle, public_cache, throttle
from factcheck import text as textlib
from factcheck.api import filters, serializers
from factcheck.api.base import (
    ID_PATTERN,
    CursorPage,
    FactcheckAPIMixin,
    FilterBackend,
    PlainJSONRenderer,
    RolePermission,
    TokenAuthentication,
    etag,
    expected_version,
)
from factcheck.extract import ExtractError, extract_fetched, extract_file
from factcheck.fetch import FetchError, fetch
from factcheck.models import Article, Claim, Rating, Role, Speaker, Statement, Verdict

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag you read (e.g. "3-5f0c…", or "3": its version part is what is '
    "checked); a stale version is answered 412.",
)


class TokenView(FactcheckAPIMixin, ObtainAuthToken):
    """Exchange a username and password for an API token (the sign-in failure count is the
    one every door shares: factcheck.throttle)."""

    permission_classes = [AllowAny]
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # DRF's view names its own
    throttle_classes = [public_cache.ClientThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=serializers.TokenRequestSerializer,
        responses={
            200: serializers.TokenSerializer,
            400: OpenApiResponse(description="Bad login"),
            429: OpenApiResponse(description="Too many failed sign-ins; see Retry-After"),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            wait = throttle.refused_for(request)
            if wait:
                raise exceptions.Throttled(wait) from None
            raise

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        """Revoke the token of the signed-in user (sign out everywhere)."""
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()


class FactcheckViewSet(FactcheckAPIMixin, viewsets.GenericViewSet):
    authentication_classes = [SessionAuthentication, TokenAuthentication]
    permission_classes = [RolePermission]
    filter_backends = [FilterBackend, drf_filters.SearchFilter, drf_filters.OrderingFilter]
    pagination_class = CursorPage
    lookup_value_regex = ID_PATTERN
    write_roles: dict = {}

    def created(self, data, obj):
        return Response(
            data, status=status.HTTP_201_CREATED, headers={"Location": self.location(obj)}
        )

    def location(self, obj) -> str:
        return self.request.build_absolute_uri(f"{self.request.path.rstrip('/')}/{obj.pk}/")


class VersionedAnswerMixin:
    """Answer with the object as the requester may see it now, its ETag (from ``version``) and,
    for a creation, its Location."""

    def answer(self, obj, code=status.HTTP_200_OK):
        obj = self.get_queryset().get(pk=obj.pk)
        data = self.serializer_class(obj).data
        headers = {"ETag": etag(obj.version, data)}
        if code == status.HTTP_201_CREATED:
            headers["Location"] = self.location(obj)
        return Response(data, status=code, headers=headers)

    def retrieve(self, request, *args, **kwargs):
        return self.answer(self.get_object())


class CleanModelMixin:
    """Create/update through the model's ``full_clean`` so database rules give 400s."""

    @transaction.atomic
    def perform_create(self, serializer):
        instance = serializer.Meta.model(**self.model_fields(serializer.validated_data))
        instance.full_clean()
        instance.save()
        serializer.instance = instance

    @transaction.atomic
    def perform_update(self, serializer):
        instance = serializer.instance
        for field, value in self.model_fields(serializer.validated_data).items():
            setattr(instance, field, value)
        instance.full_clean()
        instance.save()

    def model_fields(self, data: dict) -> dict:
        return dict(data)


# --------------------------------------------------------------------------- articles


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Too large."


def refuse_oversize_text(text: str) -> None:
    """413, as for uploads in the browser, for a text over FACTCHECK_MAX_ARTICLE_CHARS."""
    limit = settings.FACTCHECK_MAX_ARTICLE_CHARS
    if len(text) > limit:
        raise PayloadTooLarge(
            {"text": [f"The article text is {len(text):,} characters; the limit is {limit:,}."]}
        )


class ArticleViewSet(
    CleanModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    FactcheckViewSet,
):
    """News articles. The list leaves out the text; fetch one article for it."""

    etag_on_read = True  # (retrieve below; the schema documents its 304)
    filterset_class = filters.ArticleFilter
    search_fields = ["title", "publisher"]
    ordering_fields = ["id", "created_at", "title"]
    ordering = ["id"]
    write_roles = {
        "create": Role.ANNOTATOR,
        "update": Role.MODERATOR,
        "partial_update": Role.MODERATOR,
        "destroy": Role.MODERATOR,
    }

    def get_queryset(self):
        articles = Article.objects.visible_to(self.request.user).select_related("created_by")
        return articles.defer("text") if self.action == "list" else articles

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = self.get_serializer_context()
        # Counts for the whole page in one grouped query, not one per article.
        context["claim_counts"] = serializers.claim_counts_for([a.pk for a in page], request)
        data = serializers.ArticleListSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def get_serializer_class(self):
        return (
            serializers.ArticleListSerializer
            if self.action == "list"
            else serializers.ArticleSerializer
        )

    def retrieve(self, request, *args, **kwargs):
        """The article with its current text, and its version as the ETag (the If-Match of a
        correction: POST revisions/)."""
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"], response.data)
        return response

    def perform_update(self, serializer):
        refuse_oversize_text(serializer.validated_data.get("text", ""))
        super().perform_update(serializer)

    def create(self, request, *args, **kwargs):
        serializer = serializers.ArticleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refuse_oversize_text(serializer.validated_data.get("text", ""))
        article = actions.create_article(by=request.user, **serializer.validated_data)
        data = serializers.ArticleSerializer(article, context=self.get_serializer_context()).data
        return self.created(data, article)


class ArticleExtractView(FactcheckAPIMixin, APIView):
    """Read an article from a URL (fetched under the rules of docs/security.md) or an uploaded
    .txt, .html or .docx file, and answer its fields without saving anything: check them, then
    POST them to /articles/ (``existing`` names the article already here at that URL)."""

    permission_classes = [RolePermission]
    write_roles = {"post": Role.ANNOTATOR}

    @extend_schema(
        request={
            "application/json": serializers.ArticleExtractRequestSerializer,
            "multipart/form-data": serializers.ArticleExtractRequestSerializer,
        },
        responses={200: serializers.ArticleExtractSerializer},
    )
    def post(self, request):
        given = serializers.ArticleExtractRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        url, upload = given.validated_data.get("url"), given.validated_data.get("file")
        try:
            if url:
                extracted = extract_fetched(fetch(url, by=request.user))
            else:
                limit = settings.FACTCHECK_FETCH_MAX_BYTES
                if upload.size > limit:
                    raise PayloadTooLarge(
                        {"file": [f"The file is larger than the limit of {limit:,} bytes."]}
                    )
                extracted = extract_file(upload.name or "", upload.read())
        except (FetchError, ExtractError) as exc:
            raise exceptions.ValidationError({"url" if url else "file": [str(exc)]}) from exc
        existing = Article.objects.with_url(extracted.url).values_list("pk", flat=True).first()
        data = {**extracted.article_fields(), "warnings": extracted.warnings}
        return Response(serializers.ArticleExtractSerializer({**data, "existing": existing}).data)


# --------------------------------------------------------------------------- speakers & statements


class SpeakerViewSet(
    CleanModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    FactcheckViewSet,
):
    """Who says things. ``?search=`` matches names, aliases and descriptions."""

    serializer_class = serializers.SpeakerSerializer
    filterset_class = filters.SpeakerFilter
    search_fields = ["name", "aliases", "description"]
    ordering_fields = ["id", "name", "created_at"]
    ordering = ["id"]
    write_roles = {
        "create": Role.ANNOTATOR,
        "update": Role.MODERATOR,
        "partial_update": Role.MODERATOR,
        "destroy": Role.MODERATOR,
    }

    def get_queryset(self):
        return Speaker.objects.visible_to(self.request.user)

    def model_fields(self, data):
        data = dict(data)
        if "alias_list" in data:
            data["aliases"] = "\n".join(a.strip() for a in data.pop("alias_list") if a.strip())
        return data


class StatementViewSet(
    CleanModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    FactcheckViewSet,
):
    """The occasions claims were made in. ``?search=`` matches titles, venues and speakers."""

    serializer_class = serializers.StatementSerializer
    filterset_class = filters.StatementFilter
    search_fields = ["title", "venue", "speaker__name", "speaker__aliases"]
    ordering_fields = ["id", "title", "created_at"]
    ordering = ["id"]
    write_roles = SpeakerViewSet.write_roles

    def get_queryset(self):
        return Statement.objects.visible_to(self.request.user).select_related("speaker")

    def model_fields(self, data):
        data = dict(data)
        name = data.pop("speaker_name", "").strip()
        if name and not data.get("speaker"):
            data["speaker"], _ = Speaker.objects.resolve(name)
        return data


# --------------------------------------------------------------------------- ratings


class RatingViewSet(
    CleanModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    FactcheckViewSet,
):
    """The verdict scale, in order. Only moderators change it."""

    serializer_class = serializers.RatingSerializer
    queryset = Rating.objects.all()
    pagination_class = None
    filter_backends = []
    write_roles = dict.fromkeys(["create", "update", "partial_update", "destroy"], Role.MODERATOR)


# --------------------------------------------------------------------------- claims


def _pair(data: dict, name: str):
    start, end = data.pop(f"{name}_start", None), data.pop(f"{name}_end", None)
    if (start is None) != (end is None):
        raise exceptions.ValidationError(
            {f"{name}_start": f"Give both {name}_start and {name}_end."}
        )
    return (start, end) if start is not None else None


def words_around(text: str, start: int, end: int) -> tuple[int, int]:
    """``snap``: the span widened to whole words (``text.expand_to_words``)."""
    try:
        return textlib.expand_to_words(text, start, end)
    except ValueError as exc:
        raise exceptions.ValidationError({"start": [str(exc)]}) from exc


def snapped_span(article, data: dict) -> tuple[int, int]:
    """The span a new claim's ``data`` gives (positions or a quote selector, popped from it),
    widened to whole words."""
    selector = ("start", "end", "quote", "prefix", "suffix")
    if isinstance(data.get("start"), int) and isinstance(data.get("end"), int):
        # Positions inside a perceived character are widened before they are checked.
        data["start"], data["end"] = textlib.to_grapheme_boundaries(
            article.text, data["start"], data["end"]
        )
    span = actions.resolve_span(article, **{k: data.pop(k) for k in selector if k in data})
    return words_around(article.text, span.start, span.end)


def cleared_by_empty_names(data: dict) -> dict:
    """What an edit's empty names clear, as the annotation form sends them: an empty
    ``speaker_name`` leaves the claim to the article's author (and without a statement,
    unless one is named), an empty ``statement_title`` without a statement."""
    cleared = {}
    if "speaker_name" in data and not data["speaker_name"].strip() and "speaker" not in data:
        cleared["speaker"] = None
        if not data.get("statement_title", "").strip() and "statement" not in data:
            cleared["statement"] = None
    if (
        "statement_title" in data
        and not data["statement_title"].strip()
        and "statement" not in data
    ):
        cleared["statement"] = None
    return cleared


def new_names(data: dict) -> dict:
    """Pops the fields of a speaker or statement a claim's names create (kind; kind, date,
    url) from ``data``, as ``create_claim``/``update_claim`` take them."""
    speaker = {"kind": data.pop("speaker_kind")} if "speaker_kind" in data else {}
    statement = {
        field: data.pop(f"statement_{field}")
        for field in ("kind", "date", "url")
        if f"statement_{field}" in data
    }
    return {"new_speaker": speaker or None, "new_statement": statement or None}


class ClaimViewSet(
    VersionedAnswerMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    FactcheckViewSet,
):
    """Claim spans. Create from positions (``start``/``end``) or a quote selector.

    Offsets are Unicode code points. Every response carries ``start``, ``end``,
    ``quote``, ``prefix`` and ``suffix``, and an ``ETag`` with the claim's version.
    """

    serializer_class = serializers.ClaimSerializer
    # Claims hold no floats (see PlainJSONRenderer).
    renderer_classes = [PlainJSONRenderer, BrowsableAPIRenderer]
    filterset_class = filters.ClaimFilter
    search_fields = ["quote", "summary", "speaker__name", "speaker__aliases"]
    ordering_fields = ["id", "created_at", "updated_at"]
    ordering = ["id"]
    write_roles = dict.fromkeys(["create", "update", "partial_update", "destroy"], Role.ANNOTATOR)

    def get_queryset(self):
        return Claim.objects.visible_to(self.request.user).select_related("article")

    def list(self, request, *args, **kwargs):
        claims = self.filter_queryset(Claim.objects.visible_to(request.user))
        reader = claim_read.ClaimReader(claim_read.API, request.user)
        page = self.paginate_queryset(reader.pageable(claims))
        return self.get_paginated_response(serializers.claim_api_data(page))

    def answer(self, obj, code=status.HTTP_200_OK):
        """The claim as ``read_claims`` shows it to the requester now, with its ETag."""
        visible = Claim.objects.visible_to(self.request.user).filter(pk=obj.pk)
        (data,) = serializers.read_claims(visible, self.request.user)
        headers = {"ETag": etag(data["version"], data)}
        if code == status.HTTP_201_CREATED:
            headers["Location"] = self.location(obj)
        return Response(data, status=code, headers=headers)

    @extend_schema(
        request=serializers.ClaimCreateSerializer,
        responses={201: serializers.ClaimCreatedSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = serializers.ClaimCreateSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("snap", False):
            data["start"], data["end"] = snapped_span(data["article"], data)
        cue, source = _pair(data, "cue"), _pair(data, "source")
        data.update(new_names(data))
        claim = actions.create_claim(by=request.user, cue=cue, source_mention=source, **data)
        # The claims on exactly this span, read at once: the new one is the answer, the
        # others are what the page warns of before saving (a claim on exactly another's span
        # may be a duplicate). One read, not the claim's and then the others' ids.
        on_span = Claim.objects.visible_to(request.user).filter(
            article_id=claim.article_id, start=claim.start, end=claim.end
        )
        rows = serializers.read_claims(on_span, request.user)
        (data,) = (row for row in rows if row["id"] == claim.pk)
        headers = {"ETag": etag(data["version"], data), "Location": self.location(claim)}
        data["same_span"] = sorted(row["id"] for row in rows if row["id"] != claim.pk)
        return Response(data, status=status.HTTP_201_CREATED, headers=headers)

    @extend_schema(
        request=serializers.ClaimUpdateSerializer,
        responses={200: serializers.ClaimSerializer},
        parameters=[IF_MATCH],
    )
    def update(self, request, *args, **kwargs):
        claim = self.get_object()
        serializer = serializers.ClaimUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(request, data.pop("version", None))
        new_status = data.pop("status", None)
        note = data.pop("moderation_note", "")
        if new_status is not None and new_status != claim.status:
            if data:
                raise exceptions.ValidationError(
                    {"status": "Change the status on its own, without other edits."}
                )
            self.change_status(claim, new_status, note=note, version=version)
            return self.answer(claim)
        new = new_names(data)
        changes = self.span_changes(claim, data, snap=data.pop("snap", False))
        for name in ("cue", "source"):
            if f"{name}_start" in data or f"{name}_end" in data:
                pair = _pair(data, name)
                changes[f"{name}_start"], changes[f"{name}_end"] = pair or (None, None)
        for field in ("kind", "speaker", "statement", "summary", "check_worthy"):
            if field in data:
                changes[field] = data[field]
        changes.update(cleared_by_empty_names(data))
        names = {k: data[k] for k in ("speaker_name", "statement_title") if data.get(k, "").strip()}
        if not changes and not names:
            if not claim.is_editable_by(request.user):
                raise exceptions.PermissionDenied("You may not edit this claim.")
            return self.answer(claim)
        actions.update_claim(
            claim=claim, by=request.user, version=version, **names, **new, **changes
        )
        return self.answer(claim)

    partial_update = update

    @staticmethod
    def span_changes(claim, data: dict, *, snap: bool = False) -> dict:
        """New start/end from positions, a quote selector, or both (which must agree); with
        ``snap``, that span (or the current one) widened to whole words."""
        quote = data.pop("quote", None)
        prefix, suffix = data.pop("prefix", ""), data.pop("suffix", "")
        start, end = data.pop("start", None), data.pop("end", None)
        if quote is None and start is None and end is None and not snap:
            return {}
        if quote is None:
            start = claim.start if start is None else start
            end = claim.end if end is None else end
        if snap and start is not None and end is not None:
            start, end = textlib.to_grapheme_boundaries(claim.article.text, start, end)
        span = actions.resolve_span(
            claim.article, start=start, end=end, quote=quote, prefix=prefix, suffix=suffix
        )
        start, end = span.start, span.end
        if snap:
            start, end = words_around(claim.article.text, start, end)
        if (start, end) == (claim.start, claim.end):
            return {}
        return {"start": start, "end": end}

    DECISIONS = {
        "unpublish": actions.unpublish_claim,
        "reject": actions.reject_claim,
        "reopen": actions.reopen_claim,
    }

    def change_status(self, claim, new_status, *, note, version):
        """A moderator's decision, as the lifecycle table names it; the action enforces it."""
        user = self.request.user
        decision = lifecycle.decision_towards(claim, new_status)
        if decision is None:
            if not lifecycle.may_decide(user):
                raise exceptions.PermissionDenied("Only moderators change a claim's status.")
            if new_status == Claim.Status.PUBLISHED:
                raise exceptions.ValidationError(
                    {
                        "status": "A claim is published by approving one of its verdicts: "
                        "PATCH /api/v1/verdicts/ID/ with status approved."
                    }
                )
            raise exceptions.ValidationError(
                {"status": "A claim goes in review when a reviewer submits a verdict on it."}
            )
        self.DECISIONS[decision](claim=claim, by=user, note=note, version=version)

    @extend_schema(responses={204: None}, parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        claim = self.get_object()
        version = expected_version(request, None)
        actions.delete_claim(claim=claim, by=request.user, version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------- verdicts


class VerdictViewSet(
    VersionedAnswerMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, FactcheckViewSet
):
    """Verdicts, under blind review: you see others' only after submitting your own.

    Reviewers create and edit their own; moderators approve or reject with
    ``PATCH {"status": "approved"|"rejected", "moderation_note": ...}``.
    """

    serializer_class = serializers.VerdictSerializer
    filterset_class = filters.VerdictFilter
    ordering_fields = ["id", "created_at", "updated_at"]
    ordering = ["id"]
    search_fields = []
    write_roles = dict.fromkeys(["create", "update", "partial_update", "destroy"], Role.REVIEWER)

    def get_queryset(self):
        user = self.request.user
        # visible_to already limits outsiders to approved verdicts of published claims.
        return (
            Verdict.objects.visible_to(user)
            .select_related("reviewer", "moderator", "rating")
            .prefetch_related("sources")
        )

    @extend_schema(
        request=serializers.VerdictCreateSerializer, responses={201: serializers.VerdictSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = serializers.VerdictCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        claim = data["claim"]
        mine = Verdict.objects.filter(claim=claim, reviewer=request.user).first()
        if mine is not None:
            raise exceptions.ValidationError(
                {
                    "claim": f"You already gave a verdict on this claim; edit it with "
                    f"PATCH /api/v1/verdicts/{mine.pk}/."
                }
            )
        verdict = actions.save_verdict(
            claim=claim,
            reviewer=request.user,
            rating=data["rating"],
            rationale=data.get("rationale", ""),
            sources=[actions.Source(**s) for s in data.get("sources", [])],
            submit=data["submit"],
        )
        return self.answer(verdict, status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.VerdictUpdateSerializer,
        responses={200: serializers.VerdictSerializer},
        parameters=[IF_MATCH],
    )
    def update(self, request, *args, **kwargs):
        verdict = self.get_object()
        serializer = serializers.VerdictUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(request, data.pop("version", None))
        new_status = data.pop("status", None)
        note = data.pop("moderation_note", None)
        claim_version = data.pop("claim_version", None)
        if new_status in (Verdict.Status.APPROVED, Verdict.Status.REJECTED):
            if data:
                raise exceptions.ValidationError(
                    {"status": "Moderate a verdict on its own, without other edits."}
                )
            return self.moderate(
                verdict,
                new_status,
                note=note or "",
                version=version,
                claim_version=claim_version,
            )
        if note is not None:
            raise exceptions.ValidationError(
                {"moderation_note": "Only a moderator approving or rejecting sets a note."}
            )
        if claim_version is not None:
            raise exceptions.ValidationError(
                {"claim_version": "Only a moderator approving or rejecting sends it."}
            )
        if new_status == Verdict.Status.DRAFT and verdict.status != Verdict.Status.DRAFT:
            # Asks the table, which refuses it (and says why).
            lifecycle.check(request.user, "draft", claim=verdict.claim, verdict=verdict)
        if verdict.reviewer_id != request.user.pk:
            raise exceptions.PermissionDenied("Only the reviewer who wrote a verdict may edit it.")
        submit = data.get("submit", False) or new_status == Verdict.Status.SUBMITTED
        sources = data.get("sources")
        if sources is None:
            sources = [actions.Source(s.url, s.title, s.excerpt) for s in verdict.sources.all()]
        else:
            sources = [actions.Source(**s) for s in sources]
        verdict = actions.save_verdict(
            claim=verdict.claim,
            reviewer=request.user,
            rating=data.get("rating", verdict.rating),
            rationale=data.get("rationale", verdict.rationale),
            sources=sources,
            submit=submit,
            version=version,
        )
        return self.answer(verdict)

    partial_update = update

    def moderate(self, verdict, new_status, *, note, version, claim_version):
        """Approve or reject: the action checks the table and both versions under lock."""
        decide = (
            actions.approve_verdict
            if new_status == Verdict.Status.APPROVED
            else actions.reject_verdict
        )
        verdict = decide(
            verdict=verdict,
            by=self.request.user,
            note=note,
            version=version,
            claim_version=claim_version,
        )
        return self.answer(verdict)

    @extend_schema(responses={204: None}, parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        verdict = self.get_object()
        version = expected_version(request, None)
        actions.delete_verdict(verdict=verdict, by=request.user, version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)
