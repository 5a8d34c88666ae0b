"""``--only matching``: a match query (``factcheck.matching.match_text``) at 1,000,000 claims
on PostgreSQL.

The data set is bench/search.py's, kept between runs (``bench_factcheck_search_<claims>``,
made by it if absent). The evaluation set's published fact-checks
(bench/evalsets/matching/published.json) are added to it inside a transaction that is rolled
back at the end, so the kept database is left as it was; its new claims (queries.json) are
the queries, each asked ``--repeat`` times by an anonymous visitor and by a desk member.
Reports the median and p99 of a query, recall@1/@5 of the queries with a match (the right
fact-check found among a million claims, not among 84) and the strong first answers to the
queries without one. Prints one JSON line (``bench.run``
reads it).

    python -m bench.matching --claims 1000000      # PostgreSQL at BENCH_POSTGRES_URL
    python -m bench.matching --here                # DATABASE_URL's data as it is
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def percentile(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def measure(*, repeat: int = 3, desk_username: str | None = None) -> dict:
    """Time every query of the evaluation set (Django set up on the data set)."""
    from django.contrib.auth.models import AnonymousUser, User
    from django.db import connection, transaction

    from bench.evals.matching import build, load
    from factcheck.matching import match_text
    from factcheck.models import Claim

    published, queries = load()
    result = {}
    with transaction.atomic():
        ids = build(published)
        desk = (
            User.objects.get(username=desk_username)
            if desk_username
            else User.objects.get(username="eval-annotator")
        )
        users = {"anonymous": AnonymousUser(), "desk": desk}
        for text in [q["text"] for q in queries[:10]]:
            match_text(text, users["anonymous"])  # warm: plans, statistics, caches
        for who, user in users.items():
            times, ranks, false_strong = [], [], 0
            for q in queries:
                best = None
                for _ in range(repeat):
                    began = time.perf_counter()
                    found = match_text(q["text"], user)
                    best = (time.perf_counter() - began) * 1000
                    times.append(best)
                got = [ids.get(m.claim.pk) for m in found]
                if q["expect"]:
                    ranks.append(got.index(q["expect"]) + 1 if q["expect"] in got else None)
                else:
                    false_strong += bool(found) and found[0].strong
            result[who] = {
                "queries": len(queries) * repeat,
                "median_ms": round(statistics.median(times), 1),
                "p99_ms": round(percentile(times, 0.99), 1),
                "max_ms": round(max(times), 1),
                "recall_at_1": round(sum(r == 1 for r in ranks) / len(ranks), 3),
                "recall_at_5": round(sum(r is not None for r in ranks) / len(ranks), 3),
                "false_strong": f"{false_strong}/{len(queries) - len(ranks)}",
            }
        result["claims"] = Claim.objects.count()
        result["published"] = Claim.objects.published().count()
        result["vendor"] = connection.vendor
        transaction.set_rollback(True)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="make the data set again")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--here", action="store_true", help="time the queries on DATABASE_URL's data as it is"
    )
    args = parser.parse_args(argv)
    if args.measure_only or args.here:  # Django set up on the data set
        import django

        django.setup()
        print(json.dumps(measure(repeat=args.repeat)))
        return
    from bench.search import on_data_set

    print(json.dumps(on_data_set("bench.matching", "matching", args)))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    main()
