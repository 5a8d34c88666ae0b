"""What every API view shares: errors, role permissions, pagination, optimistic locking."""

from __future__ import annotations

import hashlib

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.template import loader
from django.utils.cache import get_conditional_response
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from rest_framework import exceptions, parsers, status
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from factcheck.actions import ClaimChanged, StaleVersion
from factcheck.api.auth import TokenAuthentication
from factcheck.middleware import too_large
from factcheck.models import Role

# Ids are database integers; anything else is a 404 before it reaches a query.
ID_PATTERN = r"[0-9]{1,18}"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "If-Match does not match the current version; reload and try again."
    default_code = "precondition_failed"


def exception_handler(exc, context):
    """DRF's handler, plus the domain's own errors turned into clear 4xx answers."""
    if isinstance(exc, ClaimChanged):
        # A decision made on a claim that changed (another verdict approved meanwhile).
        return Response(
            {"detail": str(exc), "current_claim_version": exc.current},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, StaleVersion):
        return Response(
            {"detail": str(exc), "current_version": exc.current},
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": etag(exc.current)},
        )
    if isinstance(exc, RequestDataTooBig):  # a multipart body's fields over the limit
        return too_large(context["request"], settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        used = len(
            exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        )
        return Response(
            {"detail": f"This is still used by {used} other record(s); it cannot be deleted."},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, IntegrityError):
        return Response(
            {"detail": "This conflicts with existing data (a duplicate?)."},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        # Always {"field": ["message", ...]}, whoever raised it.
        exc.detail = {k: v if isinstance(v, list | dict) else [v] for k, v in exc.detail.items()}
    elif isinstance(exc, exceptions.ValidationError):
        # A bare list (DRF's search filter on a NUL, say): the same shape, for no one field.
        exc.detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
    return drf_exception_handler(exc, context)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with nesting too deep for Python's parser a 400 like other bad JSON
    (not a RecursionError and a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply") from exc


class FactcheckAPIMixin:
    """Mixed into every API view: the domain-aware exception handler, and ``304 Not
    Modified`` for a read whose ``If-None-Match`` names the ETag of what it would get."""

    def get_exception_handler(self):
        return exception_handler

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == status.HTTP_200_OK
            and response.has_header("ETag")
            and "If-None-Match" in request.headers
            and "If-Match" not in request.headers  # (a GET's If-Match is not ours to judge)
        ):
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response


# The same "tokenAuth" scheme in the schema as DRF's own class (should a view name that one):
# tell drf-spectacular the two are one component, not a name collision.
set_override(TokenAuthentication, "suppress_collision_warning", True)


class RolePermission(BasePermission):
    """Reads are open (querysets are scoped by ``visible_to``); writes need ``view.write_roles``.

    ``write_roles`` maps a view action (create, update, partial_update, destroy, or a
    custom one) to the least role allowed; object-level rules live in the actions.
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        action = getattr(view, "action", None) or request.method.lower()
        need = getattr(view, "write_roles", {}).get(action)
        if need is None:
            return False
        if not request.user.is_authenticated:
            self.message = "Sign in (session or `Authorization: Token <key>`) to change data."
            return False
        self.message = f"This needs the {need.label.lower()} role."
        return Role.has(request.user, need)


class FilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the query string names none of the view's filters.

    Building the FilterSet and its form costs more than the rest of a page's filtering;
    most requests (page one, cursor pages) carry no filter at all.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or request.query_params.keys().isdisjoint(
            filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def to_html(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return None
        filterset.every_field = True  # the browsable API's filter form shows every filter
        context = {"filter": filterset}
        return loader.get_template(self.template).render(context, request)


class CursorPage(CursorPagination):
    """Cursor pages: constant cost at any depth, no COUNT(*) of the table."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "id"

    def get_page_size(self, request):
        """``page_size`` as the schema states it: a whole number from 1 (over ``max_page_size``
        gives that many); empty is the default; anything else a 400, not silently the default."""
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        digits = raw.lstrip("0")
        if not (raw.isascii() and raw.isdigit() and digits):
            message = f"A whole number from 1 (at most {self.max_page_size} are given)."
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        # (Digits past the max change nothing, and Python refuses to read 4,300 of them.)
        return self.max_page_size if len(digits) > 6 else min(int(digits), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = (
                    f"Rows per page (default {self.page_size}); over {self.max_page_size} "
                    f"gives {self.max_page_size}."
                )
        return parameters

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise exceptions.ParseError(
                "Invalid cursor: follow the next/previous links as given."
            ) from exc

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError) as exc:
            # A hand-made cursor whose position does not fit the ordering field.
            raise exceptions.ParseError(
                "Invalid cursor: follow the next/previous links as given."
            ) from exc


class PlainJSONRenderer(JSONRenderer):
    """DRF's JSON, byte for byte, written by orjson when the data is plain JSON types.

    A page of 50 claims is 35 KB of JSON, which the standard library's encoder took a fifth
    of the page's time to write. orjson writes the same compact UTF-8 for dicts, lists,
    strings, ints, booleans and None; anything else (a serializer's ReturnDict, a date, a
    str subclass, …) and any indented or ASCII-only output is left to DRF's renderer.
    Floats are not told apart (orjson writes 1e16 and NaN unlike Python's json): use it
    only for data without them, as the claims' (tests/test_api_claims_fast.py checks).
    """

    OPTIONS = (
        orjson.OPT_PASSTHROUGH_SUBCLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS
    )

    def render(self, data, accepted_media_type=None, renderer_context=None):
        plain = (
            data is not None
            and not self.ensure_ascii
            and self.compact
            and self.get_indent(accepted_media_type, renderer_context or {}) is None
        )
        if plain:
            try:
                encoded = orjson.dumps(data, default=_not_plain, option=self.OPTIONS)
            except TypeError:
                pass
            else:
                # DRF escapes U+2028 and U+2029 so that the JSON is also JavaScript.
                return encoded.replace(LINE_SEPARATOR, b"\\u2028").replace(
                    PARAGRAPH_SEPARATOR, b"\\u2029"
                )
        return super().render(data, accepted_media_type, renderer_context)


LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


def _not_plain(value):
    raise TypeError(type(value).__name__)


def etag(version: int, representation=None) -> str:
    """A strong ETag: ``"<version>-<digest>"``, the version of the object's own row and a
    digest of the representation sent (``representation``, the response's data).

    The digest moves whenever what the reader gets does, a speaker renamed or a rating
    relabelled included, which bump no version: caches and ``If-None-Match`` see every
    change. ``If-Match`` (``expected_version``) reads the version alone: a write is checked
    against the row it changes. Without a representation (a 412's answer) it is the version
    alone, ``"<version>"``, which ``If-Match`` takes as well.
    """
    if representation is None:
        return f'"{version}"'
    return f'"{version}-{digest(representation)}"'


def digest(data) -> str:
    """16 hex digits of BLAKE2b over ``data`` as canonical JSON (sorted keys)."""
    encoded = orjson.dumps(data, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.blake2b(encoded, digest_size=8).hexdigest()


def expected_version(request, body_version: int | None) -> int | None:
    """The version the client read: from If-Match, else the ``version`` body field, else None.

    If-Match is matched on the version part of the ETag (``"3-<digest>"`` or ``"3"``): the
    claim's own row is what a write can overwrite, so a change the claim only shows (its
    speaker renamed, which moved the digest) does not refuse it. See docs/api.md.
    """
    header = request.headers.get("If-Match", "").strip()
    if header:
        if header == "*":
            return None
        value = header.split(",")[0].strip().removeprefix("W/").strip('"').split("-")[0]
        if not value.isdigit():
            raise PreconditionFailed(
                'If-Match must be the ETag of the version you read, e.g. If-Match: "3".'
            )
        return int(value)
    return body_version
