"""schemathesis against /api/v1/schema/: every operation, as every persona, in-process (WSGI).

No request may answer 5xx, and every answer must match the schema (body, content type and
documented headers). The CI profile tries FUZZ_EXAMPLES (default 3) generated requests per
operation and persona; ``make fuzz`` sets it to a few hundred. Every persona holds a real
token, so writes get past authentication and reach the serializers and the actions.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
)

from tests.world import ROLES, world_in_transaction

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    derandomize=os.environ.get("FUZZ_RANDOM") is None,
    database=None,
    report_multiple_bugs=False,
)
CASES = {}
STATUSES = Counter()


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
        yield [result.ok() for result in schema.get_all_operations()]
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


def fuzz(operation, headers: dict, world) -> int:
    ran = 0

    @SETTINGS
    @given(case=strategy(operation, world))
    def run(case):
        nonlocal ran
        cache.clear()  # the token endpoint's throttle would answer later cases 429
        response = case.call(headers=headers)
        ran += 1
        STATUSES[response.status_code // 100] += 1
        case.validate_response(response, checks=CHECKS)

    run()
    return ran


@pytest.mark.parametrize("persona", ROLES)
def test_every_operation_answers_within_its_schema(world, operations, persona):
    headers = {"Authorization": f"Token {world.tokens[persona]}"} if persona != "anon" else {}
    assert len(operations) >= 40  # every resource, export and the import
    for operation in operations:
        CASES[(persona, operation.method, operation.path)] = fuzz(operation, headers, world)
    ran = sum(v for (p, *_), v in CASES.items() if p == persona)
    assert ran >= len(operations)
    print(f"fuzz: {persona}: {ran} cases over {len(operations)} operations; {dict(STATUSES)}")
