"""A small brake on password guessing at the sign-in forms (the site's and the admin's).

Failed sign-ins are counted in the cache per username and per client address. Once a
username has ``LOGIN_FAILURE_LIMIT`` failures (default 5), or an address four times as many
(many people may share one address), within ``LOGIN_FAILURE_WINDOW`` seconds (15 minutes),
the form refuses every attempt for it (even a right password) until the window has passed,
and the view answers 429. A successful sign-in clears the username's count. The API's token endpoint
is throttled by DRF instead (the "login" rate in REST_FRAMEWORK).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

LIMIT = 5
WINDOW = 15 * 60


def limit() -> int:
    return getattr(settings, "LOGIN_FAILURE_LIMIT", LIMIT)


def window() -> int:
    return getattr(settings, "LOGIN_FAILURE_WINDOW", WINDOW)


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is the client's to forge unless a proxy rewrites it.
    return (request.META.get("REMOTE_ADDR") if request is not None else None) or "unknown"


def _keys(request, username: str) -> list[str]:
    name = hashlib.sha256((username or "").strip().casefold().encode()).hexdigest()[:32]
    return [f"login-fail:user:{name}", f"login-fail:addr:{client_address(request)}"]


def is_blocked(request, username: str) -> bool:
    user_key, address_key = _keys(request, username)
    return (cache.get(user_key) or 0) >= limit() or (cache.get(address_key) or 0) >= 4 * limit()


def record_failure(request, username: str) -> None:
    for key in _keys(request, username):
        if cache.add(key, 1, window()):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, window())


def clear(request, username: str) -> None:
    cache.delete(_keys(request, username)[0])


class ThrottledAuthenticationMixin:
    """For AuthenticationForm subclasses: refuse while blocked, count failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed sign-ins. Wait %(minutes)d minutes, then try again.",
    }

    def clean(self):
        username = self.data.get("username", "")
        if is_blocked(self.request, username):
            self.throttled = True
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, window() // 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            record_failure(self.request, username)
            raise
        clear(self.request, username)
        return cleaned


class ThrottledAuthenticationForm(ThrottledAuthenticationMixin, AuthenticationForm):
    pass
