"""Deployment checks (`manage.py check --deploy`): the settings the defences rely on."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    if settings.TRUSTED_PROXIES is not None:
        return []
    return [
        Warning(
            "TRUSTED_PROXIES is not set.",
            hint=(
                "Set it to the number of reverse proxies in front of the app servers (0 if "
                "gunicorn faces the clients). The sign-in throttle counts failures per client "
                "address, read from X-Forwarded-For only through that many proxies; "
                "X-Forwarded-Proto is believed only when it is above 0. See docs/security.md."
            ),
            id="factcheck.W001",
        )
    ]
