"""Public exports served from the cache, and the brakes on exports and the token endpoint.

An anonymous (or role-less) client sees only published claims, the same for everyone: its
export bodies are kept in the cache under the request's path and query and the *published
version*, a counter ``actions`` bump when a claim is published or taken down. So a crawler in a
loop costs a cache read, not a worker streaming the whole table; a publication shows at once,
and other edits of published claims within ``PUBLIC_EXPORT_SECONDS`` (the ``max-age`` the
response already declares). The cache is ``CACHES["default"]``: Redis when ``REDIS_URL`` is
set, shared by every worker and app server.
"""

from __future__ import annotations

import hashlib
import zlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, StreamingHttpResponse
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from factcheck import throttle

VERSION_KEY = "factcheck:published-version"


def published_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_published_version() -> None:
    """Called on commit of a publication or a take-down: every cached public export is old."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there (a cleared cache): any new value retires the old keys
        cache.set(VERSION_KEY, published_version() + 1, timeout=None)


def key_for(request) -> str:
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    # The annotation container answers Prefer (minimal container, IRIs only): a variant each.
    prefer = request.headers.get("Prefer", "")
    where = hashlib.sha256(f"{request.path}?{query}|{prefer}".encode()).hexdigest()[:32]
    return f"factcheck:export-z:{published_version()}:{where}"  # z: kept compressed


def cached(request) -> HttpResponse | None:
    entry = cache.get(key_for(request))
    if entry is None:
        return None
    packed, headers = entry
    response = StreamingHttpResponse(_unpacked(packed))  # as a miss answers: one shape
    for name, value in headers.items():
        response[name] = value
    response["X-Export-Cache"] = "hit"
    return response


def keep(request, pieces, headers: dict):
    """``pieces`` passed on as they stream, and the whole body cached once it has, unless it
    outgrew ``PUBLIC_EXPORT_MAX_BYTES`` (then it streams uncached, as before).

    The body is kept compressed as it streams (zlib's fastest level, in C; an export is
    repetitive JSON, a tenth of its size or less): kept whole, it was held three times at
    the end (the pieces, their join and the cache's pickle), 70 MB of a worker's peak for a
    24 MB ClaimReview export."""
    key, limit = key_for(request), settings.PUBLIC_EXPORT_MAX_BYTES
    packer = zlib.compressobj(1)
    kept, size = [], 0
    for piece in pieces:
        if kept is not None:
            size += len(piece)
            if size <= limit:
                kept.append(packer.compress(piece))
            else:
                kept = None
        yield piece
    if kept is not None:
        kept.append(packer.flush())
        cache.set(key, (b"".join(kept), headers), timeout=settings.PUBLIC_EXPORT_SECONDS)


def _unpacked(packed: bytes, step: int = 16 * 1024):
    """A kept body, decompressed a piece at a time."""
    unpacker = zlib.decompressobj()
    for start in range(0, len(packed), step):
        piece = unpacker.decompress(packed[start : start + step])
        if piece:
            yield piece
    rest = unpacker.flush()
    if rest:
        yield rest


class ClientThrottle(ScopedRateThrottle):
    """DRF's scoped throttle keyed on the client's address as ``factcheck.throttle`` reads it
    (TRUSTED_PROXIES, IPv6 by /64), or on the user when signed in. Counts are in the cache:
    shared by every app server when it is Redis."""

    def get_rate(self):
        # Read when asked (DRF reads its class attribute once, at import).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        user = request.user
        if user and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = throttle.client_address(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
