"""Background tasks seen through the API: poll one (status, progress, result or problems),
list your own, cancel one. Only a task's creator and moderators see it."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck import actions, tasks
from factcheck.api.base import FactcheckAPIMixin
from factcheck.models import BackgroundTask

LIST_LIMIT = 50
CANCEL_SCHEMA = extend_schema(
    request=None,
    responses={
        202: OpenApiTypes.OBJECT,
        409: OpenApiResponse(description="The task already ended."),
    },
)


def _visible(request):
    return BackgroundTask.objects.visible_to(request.user).select_related("created_by")


class TaskListView(FactcheckAPIMixin, APIView):
    """Your latest background tasks (a moderator's: everyone's), newest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="tasks_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        rows = _visible(request).defer("payload")[:LIST_LIMIT]
        return Response({"results": [tasks.state(bg) for bg in rows]})


class TaskDetailView(FactcheckAPIMixin, APIView):
    """One background task: status, progress (bytes done of total), then result or problems.
    DELETE cancels it, as POST ``cancel/`` does."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk):
        bg = get_object_or_404(_visible(request).defer("payload"), pk=pk)
        return Response(tasks.state(bg))

    @CANCEL_SCHEMA
    def delete(self, request, pk):
        return cancel(request, pk)


class TaskCancelView(FactcheckAPIMixin, APIView):
    """Cancel a background task: a queued one never starts, a running one rolls back."""

    permission_classes = [IsAuthenticated]

    @CANCEL_SCHEMA
    def post(self, request, pk):
        return cancel(request, pk)


def cancel(request, pk) -> Response:
    bg = get_object_or_404(_visible(request).defer("payload"), pk=pk)
    try:
        bg = actions.cancel_task(task=bg, by=request.user)
    except actions.TaskFinished as exc:
        return Response({**tasks.state(bg), "detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return Response(tasks.state(bg), status=status.HTTP_202_ACCEPTED)
