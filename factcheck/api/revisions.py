"""An article's revisions: list them, read any one, and correct the article (a new revision,
every claim re-anchored: ``actions.correct_article``). A correction of many claims is a
background task (202 and the task to poll); a small one answers at once (201)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck import actions, tasks
from factcheck.api.base import FactcheckAPIMixin, RolePermission, etag, expected_version
from factcheck.api.serializers import ClaimSerializer, NoteSerializer, read_claims
from factcheck.api.views import IF_MATCH, refuse_oversize_text
from factcheck.models import Article, ArticleRevision, Claim, ClaimAnchoring, Role

OUTCOMES = [*ClaimAnchoring.Outcome.values]
PLACED = OUTCOMES[:4]  # what a correction gives; "reattached" is by hand


class CorrectionRequestSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    source = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class PlacementSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The claim.")
    outcome = serializers.ChoiceField(choices=PLACED)
    start = serializers.IntegerField(allow_null=True, help_text="None when orphaned.")
    end = serializers.IntegerField(allow_null=True)
    quote = serializers.CharField(allow_null=True, help_text="The claim's words in the new text.")
    score = serializers.FloatField(help_text="1.0 exact; the match score when edited; 0 orphaned.")


class OutcomeCountsSerializer(serializers.Serializer):
    unchanged = serializers.IntegerField()
    moved = serializers.IntegerField()
    edited = serializers.IntegerField()
    orphaned = serializers.IntegerField()


class CorrectionSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    revision = serializers.IntegerField(help_text="The new revision's number.")
    article_version = serializers.IntegerField(help_text="The article's version (its ETag).")
    counts = OutcomeCountsSerializer()
    claims = PlacementSerializer(many=True)


class AnchoringSerializer(serializers.Serializer):
    claim = serializers.IntegerField(source="claim_id")
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    old_start = serializers.IntegerField()
    old_end = serializers.IntegerField()
    old_quote = serializers.CharField()
    new_start = serializers.IntegerField(allow_null=True)
    new_end = serializers.IntegerField(allow_null=True)
    new_quote = serializers.CharField(allow_null=True)
    score = serializers.FloatField()


class RevisionListSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    length = serializers.SerializerMethodField(help_text="Characters (code points) of the text.")

    class Meta:
        model = ArticleRevision
        fields = ["number", "created_at", "created_by", "note", "source", "length"]

    def get_length(self, revision) -> int:
        return len(revision.text)


class RevisionSerializer(RevisionListSerializer):
    """The schema of one revision (the view fills it in: ``anchorings`` are filtered by who
    reads)."""

    text = serializers.CharField()
    anchorings = AnchoringSerializer(
        many=True, read_only=True, help_text="Where this revision's correction put each claim."
    )

    class Meta(RevisionListSerializer.Meta):
        fields = [*RevisionListSerializer.Meta.fields, "text", "anchorings"]


def _article(request, pk) -> Article:
    return get_object_or_404(Article.objects.visible_to(request.user), pk=pk)


def _anchorings(request, revision) -> list[dict]:
    visible = Claim.objects.visible_to(request.user).filter(article_id=revision.article_id)
    rows = revision.anchorings.filter(claim__in=visible).order_by("old_start", "claim_id")
    return AnchoringSerializer(rows, many=True).data


class RevisionListView(FactcheckAPIMixin, APIView):
    """GET: the article's revisions, oldest first (no texts: read one for its text).
    POST: correct the article: ``{"text", "note", "source"}`` with ``If-Match`` of the article."""

    permission_classes = [RolePermission]
    write_roles = {"post": Role.ANNOTATOR}

    @extend_schema(
        operation_id="articles_revisions_list", responses=RevisionListSerializer(many=True)
    )
    def get(self, request, pk):
        article = _article(request, pk)
        rows = article.revisions.select_related("created_by").order_by("number")
        if not rows:  # made by a bulk import before revisions: its text is revision 1
            rows = [ArticleRevision(article=article, number=1, text=article.text)]
        return Response(RevisionListSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="articles_revisions_create",
        request=CorrectionRequestSerializer,
        parameters=[IF_MATCH],
        responses={
            201: CorrectionSerializer,
            202: OpenApiResponse(description="Many claims: a background task to poll at `url`."),
            412: OpenApiResponse(description="The article changed since you read it."),
        },
    )
    def post(self, request, pk):
        article = _article(request, pk)
        data = CorrectionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        text, note, source = (data.validated_data[k] for k in ("text", "note", "source"))
        refuse_oversize_text(text)
        version = expected_version(request, None)
        if actions.correction_runs_in_background(article):
            bg = actions.enqueue_correction(
                article=article,
                text=text,
                by=request.user,
                note=note,
                source=source,
                version=version,
            )
            return Response(
                tasks.state(bg),
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": request.build_absolute_uri(tasks.state_url(bg))},
            )
        correction = actions.correct_article(
            article=article, text=text, by=request.user, note=note, source=source, version=version
        )
        article.refresh_from_db(fields=["version"])
        body = {**correction.as_dict(), "article_version": article.version}
        location = f"{request.path.rstrip('/')}/{correction.revision.number}/"
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={
                "ETag": etag(article.version),
                "Location": request.build_absolute_uri(location),
            },
        )


class RevisionDetailView(FactcheckAPIMixin, APIView):
    """One revision: its text, and where its correction put each claim you may see."""

    permission_classes = [RolePermission]

    @extend_schema(operation_id="articles_revisions_retrieve", responses=RevisionSerializer)
    def get(self, request, pk, number):
        article = _article(request, pk)
        revision = article.revisions.select_related("created_by").filter(number=number).first()
        if revision is None and number == 1 and not article.revisions.exists():
            revision = ArticleRevision(article=article, number=1, text=article.text)
        if revision is None:
            return Response({"detail": "No such revision."}, status=status.HTTP_404_NOT_FOUND)
        data = RevisionListSerializer(revision).data
        data["text"] = revision.text
        data["anchorings"] = _anchorings(request, revision) if revision.pk else []
        return Response(data)


class ReattachSerializer(serializers.Serializer):
    start = serializers.IntegerField(
        min_value=0, help_text="Code-point offset in the current text."
    )
    end = serializers.IntegerField(min_value=1)


def _claim_answer(request, claim) -> Response:
    """The claim as the claims endpoint shows it to the requester, with its ETag."""
    visible = Claim.objects.visible_to(request.user).filter(pk=claim.pk)
    (data,) = read_claims(visible, request.user)
    return Response(data, headers={"ETag": etag(data["version"], data)})


class ClaimReattachView(FactcheckAPIMixin, APIView):
    """Give a claim orphaned by a correction a span of the article's current text (If-Match of
    the claim). A published claim stays flagged until a moderator confirms it."""

    permission_classes = [RolePermission]
    write_roles = {"post": Role.ANNOTATOR}

    @extend_schema(
        operation_id="claims_reattach",
        request=ReattachSerializer,
        parameters=[IF_MATCH],
        responses={200: ClaimSerializer, 412: OpenApiResponse(description="Stale version.")},
    )
    def post(self, request, pk):
        claim = get_object_or_404(Claim.objects.visible_to(request.user), pk=pk)
        data = ReattachSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = actions.reattach_claim(
            claim=claim,
            by=request.user,
            start=data.validated_data["start"],
            end=data.validated_data["end"],
            version=expected_version(request, None),
        )
        return _claim_answer(request, claim)


class ClaimConfirmView(FactcheckAPIMixin, APIView):
    """A moderator confirms that a flagged published claim's verdict holds for the corrected
    wording (If-Match of the claim)."""

    permission_classes = [RolePermission]
    write_roles = {"post": Role.MODERATOR}

    @extend_schema(
        operation_id="claims_confirm",
        request=NoteSerializer,
        parameters=[IF_MATCH],
        responses={200: ClaimSerializer, 412: OpenApiResponse(description="Stale version.")},
    )
    def post(self, request, pk):
        claim = get_object_or_404(Claim.objects.all(), pk=pk)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = actions.confirm_claim(
            claim=claim,
            by=request.user,
            note=data.validated_data["note"],
            version=expected_version(request, None),
        )
        return _claim_answer(request, claim)
