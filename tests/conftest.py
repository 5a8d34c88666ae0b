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
