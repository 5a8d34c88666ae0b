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


# Caches that each process keeps to itself: every worker counts, and forgets, on its own.
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.security, Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) is each worker's own.",
            hint=(
                "Set REDIS_URL so every worker and app server shares one cache. The API's rate "
                "limits (token endpoint, exports, matching) count there: with a cache per "
                "worker each limit is multiplied by the number of workers and forgotten on a "
                "restart; and a publication or take-down shows in the public exports of the "
                "other workers only when their copies expire. (Sign-in failures are counted in "
                "the database.) See docs/security.md."
            ),
            id="factcheck.W003",
        )
    ]
