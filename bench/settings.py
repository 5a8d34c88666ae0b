"""factcheck's settings as served in production, plus the ceiling view's URL.

``bench.run`` sets DEBUG=0, a SECRET_KEY and DATABASE_URL in the environment before this
is imported, so the app runs exactly as ``make serve`` runs it, except that it is plain
HTTP on 127.0.0.1 (no HTTPS redirect, no Secure cookies) and static files are served by
WhiteNoise straight from the finders (no collectstatic step for a throwaway run).
"""

from factcheck.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = BASE_DIR / "bench-results" / "static"  # noqa: F405 - empty; silences WhiteNoise
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
