"""The import endpoint: articles and claims from our JSONL, doccano, Label Studio or W3C,
all or nothing. The upload is queued as a background task (``factcheck.tasks``); the answer is
202 with the task's URL to poll (the parsing and writing is ``factcheck.imports``)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck import actions, imports, tasks
from factcheck.api.base import FactcheckAPIMixin, RolePermission
from factcheck.api.exports import AnyContent
from factcheck.models import Role


class RawParser(BaseParser):
    """The request body as it came, for JSON / JSON Lines uploads."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(
                f"The body is over {limit:,} bytes: upload the file as multipart (field `file`) "
                "or use `manage.py import_annotations`."
            )
        return {"raw": raw}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."


class RawJsonLinesParser(RawParser):
    media_type = "application/x-ndjson"


class RawJsonLdParser(RawParser):
    media_type = "application/ld+json"


class RawTextParser(RawParser):
    media_type = "text/plain"


@extend_schema(
    parameters=[
        OpenApiParameter(
            "format", str, enum=list(imports.FORMATS), description="Guessed if absent."
        ),
        OpenApiParameter(
            "dry_run",
            bool,
            description="true: check everything, then roll back (DRF's words for true and "
            "false: 1/0, yes/no, on/off; anything else is a 400).",
        ),
        OpenApiParameter(
            "offset_unit",
            str,
            enum=list(imports.OFFSET_UNITS),
            description="doccano: what its offsets count. Default: the file's own "
            "`offset_unit`, else utf16 (doccano's editor); grapheme for its grapheme mode. "
            "W3C: what its TextPositionSelectors count, if not code points (the standard's).",
        ),
        OpenApiParameter(
            "labels",
            str,
            description="Labels to claim kinds: `LABEL=kind,OTHER=kind` (`*` for every label "
            'not named) or JSON `{"LABEL": "kind"}`. Kind names and labels map to themselves; '
            "an import with another label is refused, naming it.",
        ),
    ],
    request={
        "multipart/form-data": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"],
        },
        "application/json": OpenApiTypes.OBJECT,
        "application/x-ndjson": OpenApiTypes.STR,
    },
    responses={
        202: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="Queued: poll `url` (the `Location`) for status, progress and then "
            "`result`, or `problems` (line and reason; nothing imported).",
        ),
        400: OpenApiResponse(description="No file, or an unknown format, unit or label map."),
    },
)
class ImportView(FactcheckAPIMixin, APIView):
    """Import articles and claims (our JSONL, doccano, Label Studio, W3C), all or nothing, as
    a background task: 202 with the task to poll at ``url``."""

    permission_classes = [RolePermission]
    write_roles = {"post": Role.ANNOTATOR}
    content_negotiation_class = AnyContent
    parser_classes = [
        MultiPartParser,
        FormParser,
        RawParser,
        RawJsonLinesParser,
        RawJsonLdParser,
        RawTextParser,
    ]

    def get_parsers(self):
        return [p() for p in self.parser_classes]

    @staticmethod
    def option(request, name):
        """A query parameter, or a multipart form field of that name."""
        value = request.query_params.get(name)
        if value is None and "raw" not in request.data:
            value = request.data.get(name)
        return value

    def post(self, request):
        fmt = request.query_params.get("format") or request.data.get("format") or None
        if fmt is not None and fmt not in imports.FORMATS:
            raise exceptions.ValidationError(
                {"format": f"Use one of: {', '.join(imports.FORMATS)}."}
            )
        dry_run = self.option(request, "dry_run") or ""
        try:  # DRF's words for true and false; a misspelt one is refused, never read as false
            dry_run = dry_run != "" and serializers.BooleanField().to_internal_value(dry_run)
        except exceptions.ValidationError as exc:
            raise exceptions.ValidationError({"dry_run": exc.detail}) from exc
        try:
            options = imports.ImportOptions.from_input(
                offset_unit=self.option(request, "offset_unit"),
                labels=self.option(request, "labels"),
            )
        except ValueError as exc:
            name = "labels" if str(exc).startswith("labels") else "offset_unit"
            raise exceptions.ValidationError({name: str(exc)}) from exc
        # Bytes: the import decodes each line, so a bad byte is reported on its line.
        if "file" in request.FILES:
            upload = request.FILES["file"]
            data, filename = upload.read(), upload.name or ""
        elif "raw" in request.data:
            data, filename = request.data["raw"], ""
        else:
            raise exceptions.ValidationError(
                {"file": "Send a file (multipart field `file`) or the data as the request body."}
            )
        bg = actions.enqueue_import(
            by=request.user,
            data=data,
            fmt=fmt,
            dry_run=dry_run,
            filename=filename,
            options=options,
        )
        return Response(
            tasks.state(bg),
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": tasks.state_url(bg)},
        )
