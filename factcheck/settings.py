"""Settings for factcheck, read from the environment.

Development defaults work out of the box (SQLite, DEBUG on). With DEBUG off the
process refuses to start without a real SECRET_KEY.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from factcheck.middleware import largest_article_body

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


DEBUG = envbool("DEBUG", True)

# How many reverse proxies in front of the app servers append to X-Forwarded-For (and set
# X-Forwarded-Proto). 0: the client is REMOTE_ADDR and both headers are ignored. Unset is 0,
# and `check --deploy` warns, since the sign-in throttle keys on the address read this way.
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", 0) if os.environ.get("TRUSTED_PROXIES") else None

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off factcheck needs a real secret key: "
            "export SECRET_KEY to a long random string (python -c "
            "'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "factcheck.apps.FactcheckAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",  # /sitemap.xml of the public pages (factcheck.sitemaps)
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "factcheck",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE: 413, before the CSRF check reads them.
    "factcheck.middleware.body_limit",
    "django.contrib.messages.middleware.MessageMiddleware",
    # SQLite's write lock held past the busy timeout: 503 with Retry-After, not a 500.
    "factcheck.middleware.DatabaseBusyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "factcheck.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite by default (embedded); PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # BEGIN IMMEDIATE takes the write lock up front, so two writers queue
            # on the busy timeout instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON;"
                # Fold the WAL back every ~40 MB instead of every 4 MB: the checkpoint runs
                # in the COMMIT that crosses the line (an fsync of WAL and database), and at
                # the default it fell on every ~50th claim created, the slowest 2 %.
                "PRAGMA wal_autocheckpoint=10000;"
            ),
        }
    )
# One test database per test process, so parallel runs (and live_server threads) never collide.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_factcheck_{os.getpid()}"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Files of running tasks on this host: their progress (without REDIS_URL) and, on SQLite, the
# lock a running task holds while its worker lives (PostgreSQL uses an advisory lock instead).
FACTCHECK_TASK_DIR = os.environ.get("FACTCHECK_TASK_DIR") or str(
    Path(tempfile.gettempdir()) / "factcheck-tasks"
)

# Nothing that must be shared lives in the cache: sign-in and password-reset counts are in the
# database (factcheck.throttle). REDIS_URL gives a shared cache should anything want one.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # A running task's progress and a request to cancel it, seen by every app server: Redis
    # when REDIS_URL is set (needed once workers run on more than one host), otherwise files
    # shared by the processes of this host.
    "tasks": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "tasks",
        }
        if os.environ.get("REDIS_URL")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(Path(FACTCHECK_TASK_DIR) / "progress"),
        }
    ),
}

# Background tasks (the Tasks API, django-tasks backport): rows in the database, run by
# `manage.py db_worker` on any number of hosts. The tests run them at once (tests/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Django's ModelBackend behind the one failure count every sign-in door shares.
AUTHENTICATION_BACKENDS = ["factcheck.throttle.ThrottledModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Password-reset mail: printed to the log until a real backend is configured
# (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST etc.).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "factcheck@localhost")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "article-list"
LOGOUT_REDIRECT_URL = "login"

# --- factcheck ------------------------------------------------------------
# Free failed sign-ins per (username, address) (four times as many per address); then each
# attempt waits 60 s, 120 s, ... at most LOGIN_FAILURE_WINDOW seconds (factcheck/throttle.py).
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", 900)
# Largest article text accepted, in code points (larger uploads are answered 413).
FACTCHECK_MAX_ARTICLE_CHARS = envint("FACTCHECK_MAX_ARTICLE_CHARS", 1_000_000)
# The largest request body (bar multipart files): by default what the largest article needs in
# the costliest encoding (12 bytes a code point, plus 256 KB; about 12.3 MB for 1,000,000).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", largest_article_body(FACTCHECK_MAX_ARTICLE_CHARS)
)
# Suggestions (docs/suggestions.md): the detector to run (a dotted path to a function with
# factcheck.detect.detect's signature), and whether an import runs it on the articles it makes.
FACTCHECK_DETECTOR = os.environ.get("FACTCHECK_DETECTOR", "factcheck.detect.detect")
FACTCHECK_SUGGEST_ON_IMPORT = envbool("FACTCHECK_SUGGEST_ON_IMPORT", False)
# Claim matching blends sentence embeddings into its re-ranker (docs/matching.md); needs the
# optional extra: pip install 'factcheck[embeddings]' (PyTorch). Off: words and features only.
FACTCHECK_MATCH_EMBEDDINGS = envbool("FACTCHECK_MATCH_EMBEDDINGS", False)
# The organisation that publishes the fact-checks (ClaimReview "author").
FACTCHECK_ORGANIZATION = {
    "name": os.environ.get("FACTCHECK_ORG_NAME", "factcheck desk"),
    "url": os.environ.get("FACTCHECK_ORG_URL", "https://factcheck.example.org/"),
}
# Absolute base for IRIs in exports when no request is at hand (commands).
FACTCHECK_BASE_URL = os.environ.get("FACTCHECK_BASE_URL", "http://127.0.0.1:8000")
# Importing an article from a URL (factcheck/fetch.py, docs/security.md): the largest page read
# (bytes, streamed, refused past it), the connect and per-read timeouts and the whole fetch's
# deadline (seconds), and "ip:port" addresses that may be fetched although private or loopback
# (empty: none; the tests allow their own local server; "[::1]:8080" for IPv6).
FACTCHECK_FETCH_MAX_BYTES = envint("FACTCHECK_FETCH_MAX_BYTES", 5 * 1024 * 1024)
FACTCHECK_FETCH_CONNECT_TIMEOUT = float(os.environ.get("FACTCHECK_FETCH_CONNECT_TIMEOUT") or 5)
FACTCHECK_FETCH_READ_TIMEOUT = float(os.environ.get("FACTCHECK_FETCH_READ_TIMEOUT") or 10)
FACTCHECK_FETCH_DEADLINE = float(os.environ.get("FACTCHECK_FETCH_DEADLINE") or 20)
FACTCHECK_FETCH_ALLOW = envlist("FACTCHECK_FETCH_ALLOW", [])

# --- REST framework ---------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # DRF's token check, in one query with the user's groups (factcheck.api.auth).
        "factcheck.api.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "factcheck.api.base.JSONParser",  # DRF's, with too deep nesting a 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    # drf-spectacular's, with the error responses and public reads (factcheck.api.schema).
    "DEFAULT_SCHEMA_CLASS": "factcheck.api.schema.AutoSchema",
    # The client address as factcheck.throttle reads it (None would believe X-Forwarded-For).
    "NUM_PROXIES": TRUSTED_PROXIES or 0,
    # Per client (address, or user when signed in): factcheck.public_cache.ClientThrottle.
    "DEFAULT_THROTTLE_RATES": {
        "export": os.environ.get("EXPORT_RATE", "60/min"),
        "token": os.environ.get("TOKEN_RATE", "30/min"),
    },
}
# Public (anonymous) export bodies are cached this long, and up to this size each.
PUBLIC_EXPORT_SECONDS = envint("PUBLIC_EXPORT_SECONDS", 60)
PUBLIC_EXPORT_MAX_BYTES = envint("PUBLIC_EXPORT_MAX_BYTES", 64 * 1024 * 1024)
# The OpenAPI schema is made once per deployment and kept this long.
SCHEMA_CACHE_SECONDS = envint("SCHEMA_CACHE_SECONDS", 3600)
SPECTACULAR_SETTINGS = {
    "TITLE": "factcheck API",
    "DESCRIPTION": (
        "Articles, claims, speakers, statements and verdicts; exports in the field's formats."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put a link inside each operation's toggle button (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "COMPONENT_SPLIT_REQUEST": True,
    # 3.1: a nullable object is `oneOf: [$ref, {type: null}]`, which every validator reads
    # alike (3.0's `allOf` + `nullable` allows null to some and not to others).
    "OAS_VERSION": "3.1.0",
    # JSON in (forms parse too, for the browsable API, but cannot say null or nest a list).
    "PARSER_WHITELIST": ["factcheck.api.base.JSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "factcheck.api.schema.truthful_shapes",
    ],
    # Several models have a "kind" or "status"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "ClaimKindEnum": "factcheck.models.Claim.Kind",
        "ClaimStatusEnum": "factcheck.models.Claim.Status",
        "SpeakerKindEnum": "factcheck.models.Speaker.Kind",
        "StatementKindEnum": "factcheck.models.Statement.Kind",
        "VerdictStatusEnum": "factcheck.models.Verdict.Status",
    },
}

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if TRUSTED_PROXIES:
        # Only a trusted proxy's header says the request came over HTTPS.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
