"""Personas and small factories shared by every test.

alice is an annotator, bob and carol are reviewers, dana is the moderator,
mallory is a second annotator who owns nothing, and eve signed up but has no role.
"""

import datetime
from importlib import import_module
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache

from factcheck import actions
from factcheck.models import Rating, Role, Speaker, Statement

PASSWORD = "correct horse battery staple"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLE_ARTICLE = SHARED / "samples" / "000_1ecee73369e3d259.txt"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL, end sessions that threads or servers left open, so the test database drops."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no cached public export and no throttle counts."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The default hasher's million iterations cost ~0.3 s per persona; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Background tasks run when queued (django-tasks' immediate backend); tests that need a
    real worker (tests/test_task_worker.py) put the database backend back."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def reference_data(request):
    """Role groups and the default rating scale, as after `migrate`.

    Transactional tests (live_server, threads) end with a flush that also empties the rows
    the data migrations made, so the next such test would start without a rating scale.
    """
    names = request.fixturenames
    if not {"transactional_db", "live_server"} & set(names):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from factcheck.roles import ensure_role_groups

    ensure_role_groups()
    import_module("factcheck.migrations.0002_default_rating_scale").create_scale(apps, None)


def make_user(username, role=None):
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
    if role:
        user.groups.add(Group.objects.get(name=role))
        user.is_staff = role == Role.MODERATOR
        user.save()
    return user


@pytest.fixture
def alice(db):
    return make_user("alice", Role.ANNOTATOR)


@pytest.fixture
def mallory(db):
    return make_user("mallory", Role.ANNOTATOR)


@pytest.fixture
def bob(db):
    return make_user("bob", Role.REVIEWER)


@pytest.fixture
def carol(db):
    return make_user("carol", Role.REVIEWER)


@pytest.fixture
def dana(db):
    return make_user("dana", Role.MODERATOR)


@pytest.fixture
def eve(db):
    return make_user("eve")


ARTICLE_TEXT = (
    "The mayor said the bridge carries 38,000 vehicles a day.\n"
    "The ferry operator said ridership fell by a third.\n"
    "The mayor said the bridge carries 38,000 vehicles a day.\n"
)


@pytest.fixture
def article(alice):
    return actions.create_article(
        title="Bridge toll row",
        text=ARTICLE_TEXT,
        url="https://news.example.org/bridge",
        publisher="Example News",
        published_on=datetime.date(2026, 3, 5),
        by=alice,
    )


@pytest.fixture
def claim(article, alice):
    quote = "ridership fell by a third"
    start = ARTICLE_TEXT.index(quote)
    return actions.create_claim(
        article=article,
        by=alice,
        start=start,
        end=start + len(quote),
        kind="indirect_quote",
        speaker_name="Tomas Berg",
        statement_title="Interview with Radio Nordhavn",
        summary="Ferry ridership fell by a third",
    )


@pytest.fixture
def attributed(article, alice, bob, dana, ratings):
    """A published claim with everything a desk records about who said it, where, and why
    the verdict holds."""
    speaker = Speaker.objects.create(
        name="Nordhavn Ferry Company",
        kind=Speaker.Kind.ORGANISATION,
        aliases="NFC\nNordhavn Ferries",
        description="Runs the harbour ferry",
        wikidata_id="Q4115189",
    )
    statement = Statement.objects.create(
        speaker=speaker,
        title="Annual report 2025",
        kind=Statement.Kind.PRESS_RELEASE,
        date=datetime.date(2026, 2, 1),
        venue="Company website",
        url="https://ferry.example/report-2025",
    )
    quote = "ridership fell by a third"
    start = ARTICLE_TEXT.index(quote)
    cue = ARTICLE_TEXT.index("said ridership")
    operator = ARTICLE_TEXT.index("The ferry operator")
    claim = actions.create_claim(
        article=article,
        by=alice,
        start=start,
        end=start + len(quote),
        kind="indirect_quote",
        speaker=speaker,
        statement=statement,
        summary="Ferry ridership fell by a third",
        check_worthy=False,
        cue=(cue, cue + 4),
        source_mention=(operator, operator + len("The ferry operator")),
    )
    verdict = actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=next(iter(ratings.values())),
        rationale="The annual report says so.",
        sources=[
            actions.Source(url="https://stats.example/ferry", title="Ferry stats", excerpt="-33%"),
            actions.Source(url="https://ferry.example/report-2025"),
        ],
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    return claim


REPEAT_TEXT = (
    "At the council meeting the harbour master said ferry ridership fell by a third.\n"
    "He also said the new pier opens in May.\n"
)


@pytest.fixture
def repeat(alice):
    """A new claim, in another article by another speaker, repeating the claim ``attributed``
    fact-checked (what a desk member links with "same claim as")."""
    article = actions.create_article(
        title="Council meeting notes",
        text=REPEAT_TEXT,
        url="https://local.example.org/council",
        publisher="Local Gazette",
        published_on=datetime.date(2026, 4, 9),
        by=alice,
    )
    quote = "ferry ridership fell by a third"
    start = REPEAT_TEXT.index(quote)
    return actions.create_claim(
        article=article,
        by=alice,
        start=start,
        end=start + len(quote),
        kind="indirect_quote",
        speaker_name="Harbour master Ines Holm",
        statement_title="Council meeting, April",
        summary="Ferry ridership fell by a third",
    )


@pytest.fixture
def ratings(db):
    return {r.label: r for r in Rating.objects.all()}


@pytest.fixture
def sample_article_text():
    if not SAMPLE_ARTICLE.exists():
        pytest.skip(f"the shared sample article is absent ({SAMPLE_ARTICLE}); skipping")
    return SAMPLE_ARTICLE.read_text(encoding="utf-8")


def api(user=None):
    """A DRF test client, signed in as ``user`` (a session, as the browser has) if given."""
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def claims_on_page(data: dict) -> list[dict]:
    """The annotation page's claims (its data's ``claims``, in columns) read as its script
    reads them (static/factcheck/claims.js; tests/browser/test_annotate.py checks the
    script's own reading against the API)."""
    claims = []
    for row in data["rows"]:
        claim = {}
        for field, value in zip(data["fields"], row, strict=True):
            if field["type"] == "bool" and value is not None:
                value = bool(value)
            elif field["type"] == "text" and value is None:
                value = ""
            group, _, name = field["name"].partition(".")
            if not name:
                claim[group] = value
            elif group not in claim:
                claim[group] = None if value is None else {name: value}
            elif claim[group] is not None:
                claim[group][name] = value
        claims.append(claim)
    return claims


# --------------------------------------------------------------------------- the schema as referee


class SchemaReferee:
    """Checks API responses against the OpenAPI schema the server serves, with schemathesis'
    own checks: a documented status, a documented content type and documented headers, and a
    body that matches the schema. Built once per session (the schema costs ~0.5 s)."""

    CHECKED_PATHS = "/api/v1/"
    NOT_IN_SCHEMA = ("/api/v1/schema/", "/api/v1/docs/")

    def __init__(self):
        import json

        import schemathesis
        from drf_spectacular.generators import SchemaGenerator
        from drf_spectacular.renderers import OpenApiJsonRenderer
        from schemathesis.specs.openapi.checks import (
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
            status_code_conformance,
        )

        raw = SchemaGenerator().get_schema(request=None, public=True)
        self.schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(raw)))
        self.checks = [
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ]
        self.validated = 0
        self.unlisted: set[tuple[str, str, int]] = set()  # (method, path, status) not in it

    def check(self, response) -> None:
        """Raise AssertionError (with schemathesis' explanation) if ``response`` (from Django's
        test client) is not what the schema says its operation answers."""
        import http.client

        import requests
        from schemathesis.core.failures import FailureGroup
        from schemathesis.core.transport import Response

        request = response.wsgi_request
        path = request.path
        if not path.startswith(self.CHECKED_PATHS) or path in self.NOT_IN_SCHEMA:
            return
        if getattr(request.resolver_match, "kwargs", {}).get("format") == "json":
            # The router's format suffix (/claims/1.json): the same operation as /claims/1/.
            path = path.removesuffix(".json").rstrip("/") + "/"
        operation = (
            None
            if request.method in ("HEAD", "OPTIONS")  # found as GET's operation: no body here
            else self.schema.find_operation_by_path(request.method, path)
        )
        browsable = getattr(response, "accepted_media_type", None) == "text/html"
        if operation is None or browsable:
            # HEAD, OPTIONS, a method or path the schema does not list; the browsable API
            # (HTML for people, asked for by Accept: text/html) is not the schema's either.
            self.unlisted.add((request.method, path, response.status_code))
            return
        if response.streaming:
            # Read it here and hand the test the same pieces.
            pieces = list(response.streaming_content)
            response.streaming_content = pieces
            content = b"".join(pieces)
        else:
            content = response.content
        sent = requests.Request(
            method=request.method,
            url=request.build_absolute_uri(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "content-length"},
        ).prepare()
        answer = Response(
            status_code=response.status_code,
            headers={name.lower(): [value] for name, value in response.items()},
            content=content,
            request=sent,
            elapsed=0.0,
            verify=False,
            message=http.client.responses.get(response.status_code, ""),
        )
        template = operation.path.split("/")
        values = dict(zip(template, path.split("/"), strict=True))
        case = operation.Case(
            method=request.method,
            path_parameters={k[1:-1]: v for k, v in values.items() if k.startswith("{")},
            query=dict(request.GET.items()),
        )
        try:
            case.validate_response(answer, checks=self.checks)
        except FailureGroup as failures:
            raise AssertionError(
                f"{request.method} {request.get_full_path()} answered {response.status_code}, "
                f"not as the OpenAPI schema says:\n\n{failures}"
            ) from None
        self.validated += 1


REFEREE: list[SchemaReferee] = []  # the session's, for the summary


@pytest.fixture(scope="session")
def schema_referee():
    """The session's ``SchemaReferee``."""
    if not REFEREE:
        REFEREE.append(SchemaReferee())
    return REFEREE[0]


@pytest.fixture(scope="session", autouse=True)
def every_api_response_matches_the_schema(schema_referee):
    """Every /api/v1/ response any test gets through Django's test client (DRF's APIClient is
    one) is checked against the OpenAPI schema; one that does not match fails that test."""
    from django.test.client import Client

    request = Client.request

    def checked_request(self, **kwargs):
        response = request(self, **kwargs)
        schema_referee.check(response)
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "request", checked_request)
        yield


def pytest_terminal_summary(terminalreporter):
    if REFEREE:
        referee = REFEREE[0]
        terminalreporter.write_line(
            f"openapi: {referee.validated} API responses matched the schema "
            f"({len(referee.unlisted)} distinct method/path/status not in it, unchecked: "
            "HEAD, OPTIONS, unknown paths, the browsable API)"
        )
        if terminalreporter.config.option.verbose > 0:
            for method, path, status in sorted(referee.unlisted):
                terminalreporter.write_line(f"openapi: unchecked {method} {path} {status}")
