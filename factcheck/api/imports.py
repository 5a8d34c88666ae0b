"""The import endpoint: articles and claims from our JSONL, doccano, Label Studio or W3C,
all or nothing (the parsing and writing is ``factcheck.imports``)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck import imports
from factcheck.api.base import FactcheckAPIMixin, RolePermission
from factcheck.api.exports import AnyContent
from factcheck.api.serializers import ImportResultSerializer
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
        OpenApiParameter("dry_run", bool, description="Check everything, then roll back."),
    ],
    request={
        "multipart/form-data": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
        },
        "application/json": OpenApiTypes.OBJECT,
        "application/x-ndjson": OpenApiTypes.STR,
    },
    responses={
        201: ImportResultSerializer,
        400: OpenApiResponse(description="Nothing imported; `problems` lists line and reason."),
    },
)
class ImportView(FactcheckAPIMixin, APIView):
    """Import articles and claims (our JSONL, doccano, Label Studio, W3C). All or nothing."""

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

    def post(self, request):
        fmt = request.query_params.get("format") or request.data.get("format") or None
        if fmt is not None and fmt not in imports.FORMATS:
            raise exceptions.ValidationError(
                {"format": f"Use one of: {', '.join(imports.FORMATS)}."}
            )
        dry_run = (request.query_params.get("dry_run") or request.data.get("dry_run") or "") in (
            "1",
            "true",
            "yes",
        )
        # Bytes: the import decodes each line, so a bad byte is reported on its line.
        if "file" in request.FILES:
            source = request.FILES["file"].file
        elif "raw" in request.data:
            source = request.data["raw"]
        else:
            raise exceptions.ValidationError(
                {"file": "Send a file (multipart field `file`) or the data as the request body."}
            )
        try:
            result = imports.import_annotations(source, fmt=fmt, by=request.user, dry_run=dry_run)
        except imports.ImportFailed as exc:
            return Response(
                {
                    "detail": str(exc),
                    "problems": [{"where": p.where, "message": p.message} for p in exc.problems],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        code = status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
        return Response(result.as_dict(), status=code)
