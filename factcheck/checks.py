"""Deployment checks (`manage.py check --deploy`): the settings the defences rely on."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

from factcheck.middleware import largest_article_body


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


@register(Tags.security, deploy=True)
def check_body_limit(app_configs, **kwargs):
    needed = largest_article_body(settings.FACTCHECK_MAX_ARTICLE_CHARS)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or limit >= needed:
        return []
    return [
        Warning(
            f"DATA_UPLOAD_MAX_MEMORY_SIZE ({limit:,}) is below what an article of "
            f"FACTCHECK_MAX_ARTICLE_CHARS ({settings.FACTCHECK_MAX_ARTICLE_CHARS:,}) may need "
            f"({needed:,} bytes): such an article could not be sent through every door.",
            hint="Leave DATA_UPLOAD_MAX_MEMORY_SIZE unset (it follows the article limit).",
            id="factcheck.W002",
        )
    ]
