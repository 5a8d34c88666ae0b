"""SQL queries per request, at 10 and at 1,000 rows: a page's cost must not grow with the data.

Runs in-process with Django's test ``Client`` and ``CaptureQueriesContext``. Each size is
generated inside a transaction that is rolled back, so the database is left as found.

    python -m bench.queries          # makes (and drops) a test database of its own
"""

from __future__ import annotations

import json

from bench.endpoints import ENDPOINTS, Endpoint, available, claim_body
from bench.generate import Size, generate

ROWS = (10, 1000)


def size_for(rows: int) -> Size:
    """``rows`` articles (one claim each), plus one article with ``rows`` highlights."""
    return Size(
        articles=rows,
        claims_per_article=1,
        article_chars=600,
        big_article_chars=max(2000, rows * 100),
        big_article_claims=rows,
        speakers=max(5, rows // 5),
        statements_per_speaker=2,
    )


def ids_of(data) -> dict:
    from factcheck.models import Claim

    first = Claim.objects.filter(article_id=data.small_article_id).order_by("pk").first()
    return {
        "big_article": data.big_article_id,
        "small_article": data.small_article_id,
        "speaker": first.speaker_id if first else 0,
        "claim": first.pk if first else 0,
    }


def clients(usernames: dict) -> dict:
    """A test Client per (persona, auth) pair the endpoints use."""
    from django.contrib.auth.models import User
    from django.test import Client
    from rest_framework.authtoken.models import Token

    made = {(None, "session"): Client(), (None, "token"): Client()}
    for key, username in usernames.items():
        user = User.objects.get(username=username)
        session = Client()
        session.force_login(user)
        made[(key, "session")] = session
        token, _ = Token.objects.get_or_create(user=user)
        made[(key, "token")] = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    return made


def measure(endpoint: Endpoint, client, ids: dict, data) -> dict:
    """One request: its status, size and the SQL it ran."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = endpoint.url_path(ids)
    if not available(path):
        return {"available": False}
    with CaptureQueriesContext(connection) as queries:
        if endpoint.method == "POST":
            start = 0
            body = claim_body(data.big_article_id, start, start + 12)
            response = client.post(path, body, content_type="application/json")
        else:
            response = client.get(path)
        size = (
            sum(len(chunk) for chunk in response.streaming_content)
            if response.streaming
            else len(response.content)
        )
    return {
        "available": True,
        "status": response.status_code,
        "bytes": size,
        "queries": len(queries),
        "sql": [q["sql"][:300] for q in queries.captured_queries],
    }


def count_queries(rows_list=ROWS, endpoints=ENDPOINTS) -> dict:
    """``{endpoint key: {"title", "queries": {rows: n}, "constant", ...}}``."""
    from django.db import transaction

    results: dict[str, dict] = {
        e.key: {"title": e.title, "queries": {}, "status": {}, "export": e.export}
        for e in endpoints
    }
    for rows in rows_list:
        with transaction.atomic():
            data = generate(size_for(rows), analyze=False)
            ids = ids_of(data)
            made = clients(data.users)
            for e in endpoints:
                got = measure(e, made[(e.user, e.auth)], ids, data)
                entry = results[e.key]
                if not got["available"]:
                    entry["available"] = False
                    continue
                entry["available"] = True
                entry["queries"][rows] = got["queries"]
                entry["status"][rows] = got["status"]
                entry.setdefault("sql", {})[rows] = got["sql"]
            transaction.set_rollback(True)
    for e in endpoints:
        entry = results[e.key]
        counts = list(entry["queries"].values())
        entry["constant"] = bool(counts) and len(set(counts)) == 1
        if e.max_queries is not None and counts:
            entry["target"] = f"≤ {e.max_queries} queries"
            entry["met"] = max(counts) <= e.max_queries
    return results


def table(results: dict, rows_list=ROWS) -> str:
    head = " | ".join(f"{r:,} rows" for r in rows_list)
    lines = [f"| Page or endpoint | {head} | Constant |", "|---|" + "---|" * (len(rows_list) + 1)]
    for entry in results.values():
        if not entry.get("available"):
            lines.append(f"| {entry['title']} | " + "n/a | " * len(rows_list) + "not available |")
            continue
        cells = []
        for r in rows_list:
            status = entry["status"].get(r)
            mark = "" if status is None or status < 400 else f" (HTTP {status})"
            cells.append(f"{entry['queries'].get(r, '–')}{mark}")
        constant = "yes" if entry["constant"] else "**no**"
        if entry.get("export") and not entry["constant"]:
            constant = "no (streamed in batches)"
        lines.append(f"| {entry['title']} | " + " | ".join(cells) + f" | {constant} |")
    return "\n".join(lines)


def main() -> None:
    """Count in a throwaway test database (created and dropped here)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = count_queries()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
        teardown_test_environment()
    for entry in results.values():
        entry.pop("sql", None)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
