"""One brake on password guessing, shared by every way to sign in.

Every door (the sign-in page, the admin's, the API's token endpoint, and any added later)
signs in through Django's ``authenticate(request, ...)``, so the brake lives in the one
authentication backend, ``ThrottledModelBackend``. It counts failures in the database
(``AttemptCount``): every worker and every app server shares the count, a restarted worker
keeps it, and a row lock makes concurrent guesses count one by one. An attempt is counted
before its password is checked (and uncounted if it was right), so guesses in flight at once
on every worker, thread and server cannot all pass before the first is counted.

Counts are kept per (username, client address) and per client address:

- a (username, address) pair has ``LOGIN_FAILURE_LIMIT`` (5) free failures, then each further
  attempt must wait 60 s, 120 s, 240 s, ... at most ``LOGIN_FAILURE_WINDOW`` (15 min);
- an address, whatever names it tries, has four times as many free failures, then the same
  doubling delays;
- a success forgets its pair's count; a count is forgotten a day after its last failure.

A failed attempt from elsewhere never delays the real user at her own address: there is no
count per username alone. The client address is ``REMOTE_ADDR``, or with ``TRUSTED_PROXIES``
= N the address the outermost of N trusted proxies saw (the N-th entry of X-Forwarded-For from
the right). IPv6 addresses count by their /64 network, which one machine usually holds whole.

A password reset request is counted the same way, per e-mail address and per client address
(``count_password_reset``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from factcheck.models import AttemptCount

FORGET_AFTER = 24 * 3600  # a count starts again a day after its last attempt
ADDRESS_FACTOR = 4  # an address may fail this many times more often than one (name, address)
RESET_PER_EMAIL = 3  # password reset mails to one address before the delays start
RESET_PER_ADDRESS = 10  # password reset requests from one client before the delays start


def limit() -> int:
    return settings.LOGIN_FAILURE_LIMIT


def window() -> int:
    return settings.LOGIN_FAILURE_WINDOW


def client_address(request) -> str:
    """The client's address as this deployment can know it (see the module's docstring)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXIES or 0
    if proxies:
        # Each trusted proxy appends the address it saw; entries further left are the
        # client's to forge. (DRF's NUM_PROXIES reads the header the same way.)
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if forwarded:
            remote = forwarded[-min(proxies, len(forwarded))]
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return "unknown"
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _digest(value: str) -> str:
    return hashlib.sha256((value or "").strip().casefold().encode()).hexdigest()[:40]


def sign_in_keys(request, username: str) -> tuple[str, str]:
    address = client_address(request)
    return f"signin:{address}:{_digest(username)}", f"signin:{address}"


def refused_for(request) -> int:
    """Seconds the last sign-in attempt on ``request`` must wait (0 if it was not refused)."""
    return getattr(request, "sign_in_refused", 0)


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend behind the shared failure count (the one door to passwords)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            # Not a network door (a management command, a test's client.login).
            return super().authenticate(request, username, password, **kwargs)
        now = timezone.now()
        pair, address = sign_in_keys(request, username)
        # Counted as a failure before the password is checked, so guesses in flight at once
        # (workers, threads, servers) cannot all pass while none is counted yet.
        wait, before = AttemptCount.objects.take(
            {pair: limit(), address: ADDRESS_FACTOR * limit()},
            now,
            longest=window(),
            forget_after=FORGET_AFTER,
        )
        if wait:
            # On the HttpRequest itself (DRF passes its wrapper, which reads through).
            getattr(request, "_request", request).sign_in_refused = wait
            raise PermissionDenied("too many failed sign-ins")  # authenticate() stops here
        user = super().authenticate(request, username, password, **kwargs)
        if user is not None:  # not a failure after all
            AttemptCount.objects.forget(pair)
            AttemptCount.objects.give_back(address, now, before[address])
        return user


def count_password_reset(request, email: str) -> int:
    """Count one password reset request; seconds to wait if it must be refused (0: send)."""
    address = client_address(request)
    keys = {f"reset:{address}": RESET_PER_ADDRESS, f"reset:mail:{_digest(email)}": RESET_PER_EMAIL}
    wait, _ = AttemptCount.objects.take(
        keys, timezone.now(), longest=window(), forget_after=FORGET_AFTER
    )
    return wait


def minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


class ThrottledAuthenticationMixin:
    """For AuthenticationForm subclasses: say why a refused attempt was refused."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed sign-ins. Wait %(minutes)d minutes, then try again.",
    }
    throttled = 0

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            wait = refused_for(self.request)
            if not wait:
                raise
            self.throttled = wait
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": minutes(wait)},
            ) from None


class ThrottledAuthenticationForm(ThrottledAuthenticationMixin, AuthenticationForm):
    pass


class ThrottledOldPasswordMixin:
    """For PasswordChangeForm subclasses: the old password is checked through the backend, so
    guessing it (with a session left open) is counted with every sign-in. Needs ``request``."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        **ThrottledAuthenticationMixin.error_messages,
    }
    throttled = 0

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        user = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if user is not None and user.pk == self.user.pk:
            return old_password
        self.throttled = refused_for(self.request)
        if self.throttled:
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": minutes(self.throttled)},
            )
        raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")


class ThrottledPasswordChangeForm(ThrottledOldPasswordMixin, PasswordChangeForm):
    pass
