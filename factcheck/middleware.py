"""Request bodies over the upload limit: 413 in the caller's format, before anything reads them;
and a database too busy to write: 503 with Retry-After.

Django would refuse such a body with a bare 400 page (``RequestDataTooBig``) wherever it is
first read, the CSRF check included. Here the API gets DRF's JSON error shape and the pages an
HTML page, both saying what the limit is.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

# The costliest encoding of one code point: a 4-byte UTF-8 character percent-encoded in a form
# (%F0%9F%98%80) or a surrogate pair escaped in JSON (\ud83d\ude00), 12 bytes either way.
BYTES_PER_CHAR = 12
OTHER_FIELDS = 256 * 1024


def largest_article_body(chars: int) -> int:
    """The body size that lets an article of ``chars`` code points through every door."""
    return BYTES_PER_CHAR * chars + OTHER_FIELDS


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def too_large(request, limit: int):
    message = (
        f"The request is larger than the limit of {limit:,} bytes. An article of up to "
        f"{settings.FACTCHECK_MAX_ARTICLE_CHARS:,} characters always fits; shorten the text."
    )
    if is_api(request):
        message += (
            " Send a large import as a multipart file upload (field `file`), or use "
            "`manage.py import_annotations`."
        )
        return JsonResponse({"detail": message}, status=413)
    return render(request, "factcheck/too_large.html", {"message": message}, status=413)


def not_found(request, exception):
    """``handler404``: the API's 404s in its own format (``{"detail": …}``), as DRF writes them,
    also for paths no route matches (an id that is not a number); the pages' as Django's."""
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def body_limit(get_response):
    def middleware(request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or request.method not in ("POST", "PUT", "PATCH"):
            return get_response(request)
        multipart = request.content_type == "multipart/form-data"
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit and not multipart:  # (a multipart body's files do not count)
            return too_large(request, limit)
        if multipart and not is_api(request):
            try:
                request.POST  # noqa: B018 - parsed here, as the CSRF check would, to catch it
            except RequestDataTooBig:
                return too_large(request, limit)
        return get_response(request)

    return middleware


# --------------------------------------------------------------------------- a busy database

# Seconds a client is told to wait when SQLite's write lock outlasted the busy timeout.
BUSY_RETRY_AFTER = 5


def is_database_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" (or "busy"): another writer held the lock too long."""
    message = str(exc)
    return isinstance(exc, OperationalError) and (
        "database is locked" in message or "database is busy" in message
    )


def busy(request):
    message = (
        "The database is busy with another write (an import, perhaps); nothing was changed. "
        f"Try again in {BUSY_RETRY_AFTER} seconds."
    )
    if is_api(request):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = render(request, "factcheck/busy.html", {"message": message}, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


class DatabaseBusyMiddleware:
    """A write that waited out SQLite's busy timeout: 503 with Retry-After, never a 500.

    The API's views raise it past DRF's handler (it is no APIException), so both the pages
    and the API end here, each answered in its own format.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_busy(exception):
            logger.warning("database busy: %s %s answered 503", request.method, request.path)
            return busy(request)
        return None
