"""The detector's suggestions through the API (docs/suggestions.md): run it on an article, list
an article's suggestions, accept one (it becomes a claim, answered in the claim's read shape)
or reject one. Desk members only: suggestions are never public."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck import actions, lifecycle
from factcheck.api.auth import TokenAuthentication
from factcheck.api.base import FactcheckAPIMixin
from factcheck.api.serializers import ClaimSerializer, _ClaimInputBase, read_claims
from factcheck.models import Article, Claim, Speaker, Statement, Suggestion

# --------------------------------------------------------------------------- shapes


class PartSerializer(serializers.Serializer):
    start = serializers.IntegerField(help_text="Code-point offset.")
    end = serializers.IntegerField(help_text="Code-point offset just past the last character.")
    text = serializers.CharField()


class ProposedSpeakerSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null: a new speaker.")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Speaker.Kind.choices)


class ProposedStatementSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null: a new statement.")
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Statement.Kind.choices)
    date = serializers.DateField(allow_null=True)


def _part(text: str, start, end) -> dict | None:
    return None if start is None else {"start": start, "end": end, "text": text[start:end]}


class SuggestionSerializer(serializers.Serializer):
    """A suggestion as read: the one shape of the API and the reading page's data."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Claim.Kind.choices)
    start = serializers.IntegerField(help_text="Code-point offset of the first character.")
    end = serializers.IntegerField(help_text="Code-point offset just past the last character.")
    quote = serializers.CharField()
    cue = PartSerializer(allow_null=True, help_text='The reporting cue ("said").')
    source_mention = PartSerializer(
        allow_null=True, help_text='Who the text names as the source ("the spokeswoman").'
    )
    speaker = ProposedSpeakerSerializer(allow_null=True, help_text="Null: the article's author.")
    statement = ProposedStatementSerializer(allow_null=True)
    confidence = serializers.FloatField(min_value=0, max_value=1)
    check_worthiness = serializers.FloatField(min_value=0, max_value=1)
    status = serializers.ChoiceField(choices=Suggestion.Status.choices)

    def to_representation(self, s: Suggestion) -> dict:
        text = s.article.text
        speaker = statement = None
        if s.proposes_speaker:
            speaker = {
                "id": s.speaker_id,
                "name": s.speaker.name if s.speaker_id else s.speaker_name,
                "kind": s.speaker.kind if s.speaker_id else (s.speaker_kind or "person"),
            }
        if s.proposes_statement:
            known = s.statement if s.statement_id else None
            date = known.date if known else s.statement_date
            statement = {
                "id": s.statement_id,
                "title": known.title if known else s.statement_title,
                "kind": known.kind if known else (s.statement_kind or "other"),
                "date": date.isoformat() if date else None,
            }
        return {
            "id": s.pk,
            "kind": s.kind,
            "start": s.start,
            "end": s.end,
            "quote": s.quote,
            "cue": _part(text, s.cue_start, s.cue_end),
            "source_mention": _part(text, s.source_start, s.source_end),
            "speaker": speaker,
            "statement": statement,
            "confidence": round(s.confidence, 4),
            "check_worthiness": round(s.check_worthiness, 4),
            "status": s.status,
        }


def suggestion_data(suggestions) -> list[dict]:
    return SuggestionSerializer(suggestions, many=True).data


class SuggestionAcceptSerializer(_ClaimInputBase):
    """What to change from the proposal (all optional): the claim API's fields. A name given,
    even empty, replaces the proposed one (an empty ``speaker_name``: the author's words)."""

    quote = None
    prefix = None
    suffix = None
    snap = None

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                dict.fromkeys(unknown, "Not a field of an accepted suggestion.")
            )
        return attrs


class AcceptAboveSerializer(serializers.Serializer):
    confidence = serializers.FloatField(
        min_value=0, max_value=1, help_text="Accept every pending suggestion at least this sure."
    )


class AcceptedSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    claims = ClaimSerializer(many=True)


# --------------------------------------------------------------------------- views


class DeskMember(BasePermission):
    """Suggestions are for the desk: reading and deciding them needs the annotator role."""

    message = "Suggestions are for the desk: this needs the annotator role."

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            self.message = "Sign in (session or `Authorization: Token <key>`) to see suggestions."
            return False
        return lifecycle.may_suggestion(request.user, "view")


class SuggestionAPIView(FactcheckAPIMixin, APIView):
    authentication_classes = [SessionAuthentication, TokenAuthentication]
    permission_classes = [DeskMember]

    def handle_exception(self, exc):
        if isinstance(exc, actions.SuggestionDecided):
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)


def _suggestions_of(article):
    return (
        Suggestion.objects.for_text_of(article)
        .select_related("article", "speaker", "statement")
        .in_text_order()
    )


STATUS_FILTER = OpenApiParameter(
    "status",
    str,
    enum=Suggestion.Status.values,
    required=False,
    description="Only the suggestions in this state.",
)
SUGGESTION_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="A suggestion.")
ARTICLE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="An article.")


class ArticleSuggestionsView(SuggestionAPIView):
    """An article's suggestions (on its current text), in text order. POST runs the detector
    again: pending suggestions are replaced, decided ones kept, rejected ones not proposed
    again."""

    @extend_schema(
        operation_id="articles_suggestions_list",
        parameters=[ARTICLE_ID, STATUS_FILTER],
        responses={200: SuggestionSerializer(many=True)},
    )
    def get(self, request, pk):
        article = get_object_or_404(Article, pk=pk)
        wanted = request.query_params.get("status", "")
        suggestions = _suggestions_of(article)
        if wanted:
            if wanted not in Suggestion.Status.values:
                choices = ", ".join(Suggestion.Status.values)
                raise exceptions.ValidationError({"status": [f"One of {choices}."]})
            suggestions = suggestions.filter(status=wanted)
        return Response(suggestion_data(suggestions))

    @extend_schema(
        operation_id="articles_suggestions_create",
        parameters=[ARTICLE_ID],
        request=None,
        responses={200: SuggestionSerializer(many=True)},
    )
    def post(self, request, pk):
        article = get_object_or_404(Article, pk=pk)
        actions.suggest_for_article(article=article, by=request.user)
        return Response(suggestion_data(_suggestions_of(article)))


class AcceptAboveView(SuggestionAPIView):
    """Accept every pending suggestion of the article at or above a confidence (moderators).
    All or nothing: one that cannot become a claim stops the lot (400, naming it)."""

    @extend_schema(
        operation_id="articles_suggestions_accept_above",
        parameters=[ARTICLE_ID],
        request=AcceptAboveSerializer,
        responses={200: AcceptedSerializer},
    )
    def post(self, request, pk):
        if not lifecycle.may_suggestion(request.user, "accept_all"):
            raise exceptions.PermissionDenied("Accepting all at once needs the moderator role.")
        article = get_object_or_404(Article, pk=pk)
        body = AcceptAboveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        claims = actions.accept_all_above(
            article=article, threshold=body.validated_data["confidence"], by=request.user
        )
        order = {claim.pk: i for i, claim in enumerate(claims)}  # text order, as accepted
        rows = read_claims(Claim.objects.filter(pk__in=order), request.user)
        rows.sort(key=lambda row: order[row["id"]])
        return Response({"accepted": len(claims), "claims": rows})


class SuggestionAcceptView(SuggestionAPIView):
    """Make the suggestion a claim (as a typed claim is made), with optional changes; answers
    with the claim. 409 when it was decided already."""

    @extend_schema(
        operation_id="suggestions_accept",
        parameters=[SUGGESTION_ID],
        request=SuggestionAcceptSerializer,
        responses={
            201: ClaimSerializer,
            409: OpenApiResponse(description="Decided already, or the article text changed."),
        },
    )
    def post(self, request, pk):
        suggestion = get_object_or_404(Suggestion, pk=pk)
        body = SuggestionAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        claim = actions.accept_suggestion(
            suggestion=suggestion, by=request.user, overrides=dict(body.validated_data)
        )
        (data,) = read_claims(Claim.objects.filter(pk=claim.pk), request.user)
        location = request.build_absolute_uri(f"/api/v1/claims/{claim.pk}/")
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})


class SuggestionRejectView(SuggestionAPIView):
    """Reject the suggestion: it is not proposed again for this text. 409 when decided."""

    @extend_schema(
        operation_id="suggestions_reject",
        parameters=[SUGGESTION_ID],
        request=None,
        responses={
            200: SuggestionSerializer,
            409: OpenApiResponse(description="Decided already, or the article text changed."),
        },
    )
    def post(self, request, pk):
        suggestion = get_object_or_404(Suggestion, pk=pk)
        decided = actions.reject_suggestion(suggestion=suggestion, by=request.user)
        return Response(SuggestionSerializer(decided).data)
