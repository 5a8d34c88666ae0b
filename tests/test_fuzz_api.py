"""schemathesis against /api/v1/schema/: every operation, as every persona, in-process (WSGI),
judged by every check schemathesis has (the CLI's ``--checks all``).

No request may answer 5xx; every answer must match the schema (status, body, content type,
documented headers); a request the schema calls valid must not be refused for its shape, one it
calls invalid must be refused; anything but public reads must refuse a missing or invalid
credential. The CI profile tries FUZZ_EXAMPLES (default 3) generated requests per operation and
persona; ``make fuzz`` sets it to a few hundred. Every persona holds a real token, so writes get
past authentication and reach the serializers and the actions. Left out: the operation that
revokes the persona's own token (``DELETE /api/v1/auth/token/``), which would sign the persona
out of the rest of the run.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from tests.world import ROLES, world_in_transaction

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# Revokes the persona's own token: every later request of the run would be signed out.
EXCLUDED = {("DELETE", "/api/v1/auth/token/")}
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    derandomize=os.environ.get("FUZZ_RANDOM") is None,
    database=None,
    report_multiple_bugs=False,
)
# Refusals of requests the schema calls well formed, for what they mean rather than their shape,
# which OpenAPI cannot state: an id of a row that does not exist, a stale version, a quote absent
# from the text, a lifecycle step the table refuses, wrong credentials. Each such operation
# documents its 400/412 (with the reason in the body), so schemathesis' "schema-valid request
# rejected" (positive_data_acceptance) is excused for those two statuses only, and counted by
# reason (these are the ones seen; any other is counted under its own message).
MEANING_NOT_SHAPE = {
    "Invalid cursor": "a cursor is opaque: only the next/previous links the server gave are valid",
    "Unable to log in": "wrong credentials (excused by schemathesis only for OAuth2's tokenUrl)",
    "object does not exist": "the id of a row that does not exist",
    "If-Match must be the ETag": "If-Match names a version; any other fails the precondition",
    "changed by someone else": "a stale version (If-Match or `version`) fails the precondition",
    "cannot be changed: the claims' offsets": "an article's text is fixed once claims point in",
    "Give page with after/before": "after/before key into a page (one parameter needs another)",
    "Give after or before, not both": "after and before exclude each other",
    "already exists": "a duplicate of a row that exists (a unique name or label)",
    "Give both": "a span's start and end come in pairs",
    "Paging backwards needs a page_size": "before needs a page size",
    "without other edits": "a status change comes alone",
    "Only a moderator approving or rejecting": "a note comes only with a moderator's decision",
}
# Requests the schema calls malformed that an operation takes on purpose (by operation).
TAKEN_AS_THEY_COME = {
    "POST /api/v1/import/": "the file's bytes are read in the task, which reports each bad "
    "line (202, then status failed with its problems): a file of JSON Lines sent as "
    "application/json is not a JSON document, and is welcome",
}
EXCUSED = Counter()
CASES = {}
STATUSES = Counter()
FAILURES: dict[tuple[str, str, str], Counter] = defaultdict(Counter)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), world_in_transaction() as world:
        yield world


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture(scope="module")
def operations(module_world):
    """The schema's operations, called in-process through the WSGI application.

    Like Django's test client, keep the connection open across requests: the handler
    would otherwise close it (and with it the test's transaction) after each response.
    """
    from factcheck.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
        # Credentials are the personas' tokens, not generated session cookies or headers.
        schema.config.generation.update(with_security_parameters=False)
        yield [
            operation
            for operation in (result.ok() for result in schema.get_all_operations())
            if (operation.method.upper(), operation.path) not in EXCLUDED
        ]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def real_ids(world) -> dict[str, int]:
    """Ids of real objects, by path prefix, so generated writes reach real rows too."""
    return {
        "/api/v1/articles/": world.article.pk,
        "/api/v1/speakers/": world.open_claim.speaker_id,
        "/api/v1/statements/": world.secret_claim.statement_id,
        "/api/v1/claims/": world.open_claim.pk,
        "/api/v1/verdicts/": world.bob_submitted.pk,
        "/api/v1/ratings/": world.ratings["True"].pk,
        "/api/v1/export/annotations/": world.open_claim.pk,
    }


def strategy(operation, world):
    """Valid requests, invalid ones (wrong types, missing fields), and valid ones on real ids."""
    choices = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if "{id}" in operation.path:
        prefix = operation.path.split("{id}")[0]
        real = real_ids(world).get(prefix)
        if real is not None:
            choices.append(operation.as_strategy(path_parameters={"id": real}))
    return st.one_of(choices)


def unexcused(failures: FailureGroup, response, operation) -> list:
    """The failures that are not refusals for meaning (counted in EXCUSED instead)."""
    left = []
    for failure in failures.exceptions:
        excuse = None
        if failure.code == "ST202" and response.status_code in (400, 412):
            excuse = next(
                (why for text, why in MEANING_NOT_SHAPE.items() if text in response.text),
                f"other: {response.text[:100]}",
            )
        if failure.code == "ST201":
            excuse = TAKEN_AS_THEY_COME.get(operation.label)
        if excuse:
            EXCUSED[excuse] += 1
        else:
            left.append(failure)
    return left


def fuzz(operation, headers: dict, world, persona: str) -> int:
    ran = 0

    @SETTINGS
    @given(case=strategy(operation, world))
    def run(case):
        nonlocal ran
        cache.clear()  # the token endpoint's throttle would answer later cases 429
        response = case.call(headers=headers)
        ran += 1
        STATUSES[response.status_code // 100] += 1
        try:
            # No list of checks: every check schemathesis has, as `--checks all`.
            case.validate_response(response, headers=headers)
        except FailureGroup as failures:
            for failure in unexcused(failures, response, operation):
                key = (persona, operation.label, failure.title)
                if key not in FAILURES:
                    print(f"fuzz: {persona}: {operation.label}: {failures}")
                FAILURES[key][response.status_code] += 1

    run()
    return ran


@pytest.mark.parametrize("persona", ROLES)
def test_every_operation_answers_within_its_schema(world, operations, persona):
    headers = {"Authorization": f"Token {world.tokens[persona]}"} if persona != "anon" else {}
    assert len(operations) >= 40  # every resource, export and the import
    for operation in operations:
        CASES[(persona, operation.method, operation.path)] = fuzz(
            operation, headers, world, persona
        )
    ran = sum(v for (p, *_), v in CASES.items() if p == persona)
    assert ran >= len(operations)
    failed = {k: dict(v) for k, v in FAILURES.items() if k[0] == persona}
    print(
        f"fuzz: {persona}: {ran} cases over {len(operations)} operations, "
        f"{sum(sum(v.values()) for v in failed.values())} failed checks, "
        f"{sum(EXCUSED.values())} refusals for meaning so far; {dict(STATUSES)}"
    )
    if persona == ROLES[-1]:
        for why, n in EXCUSED.most_common():
            print(f"fuzz: excused {n}x: {why}")
    assert not failed, "\n".join(
        f"{op}: {title} {codes}" for (_, op, title), codes in failed.items()
    )
