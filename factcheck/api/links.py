""" "Same claim as …": a claim's links to an earlier fact-check whose verdict it reuses
(``actions.link_claim`` / ``confirm_link`` / ``unlink_claim``; who may do what is the
lifecycle table's "link" rows). Each write carries ``If-Match`` of the claim (a link changes
what the claim reads as: its ``same_as`` and its version)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck import actions
from factcheck.api.base import FactcheckAPIMixin, RolePermission, etag, expected_version
from factcheck.api.serializers import NoteSerializer
from factcheck.api.views import IF_MATCH
from factcheck.models import Claim, ClaimLink, Role

USERNAME = {"slug_field": "username", "read_only": True}


class ClaimLinkSerializer(serializers.ModelSerializer):
    proposed_by = serializers.SlugRelatedField(**USERNAME, allow_null=True)
    confirmed_by = serializers.SlugRelatedField(**USERNAME, allow_null=True)
    unlinked_by = serializers.SlugRelatedField(**USERNAME, allow_null=True)
    claim_version = serializers.IntegerField(
        source="claim.version", read_only=True, help_text="The claim's version now (its ETag)."
    )

    class Meta:
        model = ClaimLink
        fields = [
            "id",
            "claim",
            "earlier",
            "status",
            "score",
            "note",
            "proposed_by",
            "proposed_at",
            "confirmed_by",
            "confirmed_at",
            "unlinked_by",
            "unlinked_at",
            "unlink_note",
            "claim_version",
        ]
        extra_kwargs = {
            "claim": {"help_text": "The new claim, whose verdict is reused."},
            "earlier": {"help_text": "The earlier published fact-check (always a root)."},
        }


class LinkRequestSerializer(serializers.Serializer):
    earlier = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The id of the earlier fact-check."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    score = serializers.FloatField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=1,
        help_text="The matcher's score, when the link comes from a match.",
    )


def _answer(link: ClaimLink, *, created: bool = False) -> Response:
    link = ClaimLink.objects.with_people().select_related("claim").get(pk=link.pk)
    return Response(
        ClaimLinkSerializer(link).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        headers={"ETag": etag(link.claim.version)},
    )


STALE = OpenApiResponse(description="The claim changed since you read it (If-Match).")
CHANGED = OpenApiResponse(description="The claim was linked to another fact-check meanwhile.")


class ClaimLinkView(FactcheckAPIMixin, APIView):
    """GET: the claim's links, newest first (unlinked ones too: the record). POST: propose
    that the claim is the same claim as an earlier published fact-check (desk members)."""

    permission_classes = [RolePermission]
    write_roles = {"post": Role.ANNOTATOR}

    @extend_schema(operation_id="claims_links_list", responses=ClaimLinkSerializer(many=True))
    def get(self, request, pk):
        claim = get_object_or_404(Claim.objects.visible_to(request.user), pk=pk)
        links = (
            ClaimLink.objects.visible_to(request.user)
            .filter(claim=claim)
            .with_people()
            .select_related("claim")
        )
        return Response(ClaimLinkSerializer(links, many=True).data)

    @extend_schema(
        operation_id="claims_link",
        request=LinkRequestSerializer,
        parameters=[IF_MATCH],
        responses={201: ClaimLinkSerializer, 409: CHANGED, 412: STALE},
    )
    def post(self, request, pk):
        claim = get_object_or_404(Claim.objects.visible_to(request.user), pk=pk)
        data = LinkRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        earlier = Claim.objects.filter(pk=data.validated_data["earlier"]).first()
        if earlier is None:
            raise serializers.ValidationError({"earlier": "No claim has this id."})
        link = actions.link_claim(
            claim=claim,
            earlier=earlier,
            by=request.user,
            note=data.validated_data["note"],
            score=data.validated_data["score"],
            version=expected_version(request, None),
        )
        return _answer(link, created=True)


class ClaimLinkConfirmView(FactcheckAPIMixin, APIView):
    """A moderator confirms the claim's proposed link: the claim is published with the
    earlier fact-check's verdict (rating, rationale, sources)."""

    permission_classes = [RolePermission]
    write_roles = {"post": Role.MODERATOR}

    @extend_schema(
        operation_id="claims_link_confirm",
        request=NoteSerializer,
        parameters=[IF_MATCH],
        responses={200: ClaimLinkSerializer, 409: CHANGED, 412: STALE},
    )
    def post(self, request, pk):
        claim = get_object_or_404(Claim.objects.all(), pk=pk)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link = actions.confirm_link(
            claim=claim,
            by=request.user,
            note=data.validated_data["note"],
            version=expected_version(request, None),
        )
        return _answer(link)


class ClaimUnlinkView(FactcheckAPIMixin, APIView):
    """End the claim's link, with a note: a proposed one (its proposer or a moderator), a
    confirmed one (a moderator; the reused verdict goes, the claim back to review)."""

    permission_classes = [RolePermission]
    write_roles = {"post": Role.ANNOTATOR}

    @extend_schema(
        operation_id="claims_unlink",
        request=NoteSerializer,
        parameters=[IF_MATCH],
        responses={200: ClaimLinkSerializer, 412: STALE},
    )
    def post(self, request, pk):
        claim = get_object_or_404(Claim.objects.visible_to(request.user), pk=pk)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link = actions.unlink_claim(
            claim=claim,
            by=request.user,
            note=data.validated_data["note"],
            version=expected_version(request, None),
        )
        return _answer(link)
