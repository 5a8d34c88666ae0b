"""Export throughput and memory: W3C and JSONL exports of N claims (default 100,000).

    python -m bench.export_bench                 # 100,000 claims on a throwaway SQLite file
    python -m bench.export_bench --claims 20000 --db postgres://postgres@127.0.0.1:5432/postgres
    python -m bench.export_bench --reuse postgres://postgres@127.0.0.1:5432/my_copy --server

The data is bulk-created into a throwaway database (SQLite in a temp directory, or a fresh
``bench_export`` database on the given PostgreSQL server, dropped afterwards); ``--reuse``
reads an existing one instead (a copy of a kept ``bench.run`` data set: it needs the user
``bench-moderator``) and leaves it as it was, apart from a session for that user. Each
export then runs in its own child process, through the API view a client would call (the
Django test client, consuming the streamed body), so the child's peak RSS
(``getrusage(RUSAGE_SELF).ru_maxrss``) is the export's own. With ``--server`` each export
is instead streamed from a fresh single-worker gunicorn, as ``bench.run`` measures it (the
worker's ``VmHWM`` is the peak RSS). Prints one line per format and a JSON summary; exits
non-zero if an export fails.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = {
    "w3c": "/api/v1/export/annotations/?page_size=all",
    "jsonl": "/api/v1/export/claims.jsonl",
    "csv": "/api/v1/export/claims.csv",
    "claimreview": "/api/v1/export/claimreview/",
}
CLAIMS_PER_ARTICLE = 100
PARAGRAPH = (
    "The regional transport authority said in a communiqué that the bridge carries about "
    "38,000 vehicles a day — “at capacity during rush hour,” it added. 🚗🌉 "
)


def environment(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="factcheck.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-not-for-production-use-0123456789",  # noqa: S106
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
    )
    return env


def setup():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate(claims: int) -> None:
    """Child: migrate and bulk-create ``claims`` claims (10% published with a verdict)."""
    setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from factcheck import text as textlib
    from factcheck.models import Article, Claim, Rating, Speaker, Statement, Verdict

    call_command("migrate", verbosity=0)
    desk = User.objects.create_user("bench-moderator", password="x")  # noqa: S106
    desk.groups.add(Group.objects.get(name="moderator"))
    reviewer = User.objects.create_user("bench-reviewer", password="x")  # noqa: S106
    rating = Rating.objects.order_by("pk").first()
    speakers = Speaker.objects.bulk_create(
        [Speaker(name=f"Speaker {i}", aliases=f"S{i}") for i in range(200)]
    )
    statements = Statement.objects.bulk_create(
        [Statement(speaker=speakers[i % 200], title=f"Statement {i}") for i in range(500)]
    )
    text = textlib.normalize_text(PARAGRAPH * (CLAIMS_PER_ARTICLE + 1))
    step = len(PARAGRAPH)
    now = timezone.now()
    n_articles = -(-claims // CLAIMS_PER_ARTICLE)
    with transaction.atomic():
        articles = Article.objects.bulk_create(
            [
                Article(title=f"Article {i}", url=f"https://news.example.org/{i}", text=text)
                for i in range(n_articles)
            ],
            batch_size=500,
        )
        made = 0
        for a, article in enumerate(articles):
            batch = []
            for j in range(min(CLAIMS_PER_ARTICLE, claims - made)):
                start = j * step + 20
                end = start + 60
                span = textlib.span_at(text, start, end)
                published = (made + j) % 10 == 0
                batch.append(
                    Claim(
                        article=article,
                        start=start,
                        end=end,
                        quote=span.quote,
                        prefix=span.prefix,
                        suffix=span.suffix,
                        speaker=speakers[(a + j) % 200],
                        statement=statements[(a + j) % 500] if (a + j) % 500 < 200 else None,
                        summary=f"Claim {made + j}",
                        status=Claim.Status.PUBLISHED if published else Claim.Status.OPEN,
                        published_at=now if published else None,
                        created_by=desk,
                    )
                )
            made += len(batch)
            created = Claim.objects.bulk_create(batch)
            Verdict.objects.bulk_create(
                [
                    Verdict(
                        claim=c,
                        reviewer=reviewer,
                        rating=rating,
                        rationale="Checked against the traffic counts.",
                        status=Verdict.Status.APPROVED,
                        moderator=desk,
                        moderated_at=now,
                    )
                    for c in created
                    if c.status == Claim.Status.PUBLISHED
                ]
            )
    print(json.dumps({"articles": n_articles, "claims": Claim.objects.count()}))


def count(fmt: str) -> int:
    from factcheck.models import Claim

    return Claim.objects.count() if fmt != "claimreview" else Claim.objects.published().count()


def login() -> None:
    """Child: the moderator's session cookie and the claim counts, for ``--server``."""
    setup()
    from bench.generate import credentials

    cookie = credentials({"moderator": "bench-moderator"})["moderator"]["cookie"]
    print(json.dumps({"cookie": cookie, "claims": {fmt: count(fmt) for fmt in FORMATS}}))


def export(fmt: str) -> None:
    """Child: stream one export as the moderator and report rate and peak memory."""
    setup()
    from django.contrib.auth.models import User
    from django.test import Client

    claims = count(fmt)
    client = Client()
    client.force_login(User.objects.get(username="bench-moderator"))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    response = client.get(FORMATS[fmt])
    assert response.status_code == 200, response.status_code
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "format": fmt,
                "claims": claims,
                "seconds": round(seconds, 2),
                "claims_per_second": round(claims / seconds),
                "megabytes": round(size / 1e6, 1),
                "peak_rss_mb": round(peak / 1024, 1),
                "rss_before_export_mb": round(baseline / 1024, 1),
            }
        )
    )


def served(env: dict, fmt: str, login: dict, log: Path) -> dict:
    """Stream one export from a fresh single gunicorn worker, as ``bench.run`` does."""
    import http.client

    from bench.server import Server, rss_kb

    with Server(env, workers=1, log=log) as server:
        pid = server.worker_pids()[0]
        before = rss_kb(pid, "VmRSS")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        began = time.perf_counter()
        conn.request("GET", FORMATS[fmt], headers={"Cookie": login["cookie"]})
        response = conn.getresponse()
        size = 0
        while chunk := response.read(1 << 16):
            size += len(chunk)
        seconds = time.perf_counter() - began
        conn.close()
        peak = rss_kb(pid, "VmHWM")
    if response.status != 200:
        raise SystemExit(f"{fmt}: HTTP {response.status}; see {log}")
    claims = login["claims"][fmt]
    return {
        "format": fmt,
        "claims": claims,
        "seconds": round(seconds, 2),
        "claims_per_second": round(claims / seconds),
        "megabytes": round(size / 1e6, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_before_export_mb": round(before / 1024, 1),
    }


def child(env: dict, *args: str) -> dict:
    run = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.export_bench", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode:
        sys.stderr.write(run.stdout + run.stderr)
        raise SystemExit(f"bench child {' '.join(args)} failed")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument(
        "--formats", default="w3c,jsonl", help=f"comma-separated: {', '.join(FORMATS)}"
    )
    parser.add_argument("--db", default="sqlite", help="sqlite, or a postgres:// server URL")
    parser.add_argument(
        "--reuse", metavar="DATABASE_URL", help="an existing data set (not generated, not dropped)"
    )
    parser.add_argument(
        "--server", action="store_true", help="stream from a single gunicorn worker"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per format")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "generate":
            generate(int(rest[0]))
        elif kind == "login":
            login()
        else:
            export(kind)
        return 0
    formats = [f for f in args.formats.split(",") if f]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        parser.error(f"unknown format(s): {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="factcheck-export-bench-") as tmp:
        if args.reuse:
            url, drop = args.reuse, None
        elif args.db == "sqlite":
            url, drop = f"sqlite:///{tmp}/bench.sqlite3", None
        else:
            url, drop = _fresh_postgres(args.db)
        env = environment(url)
        try:
            if not args.reuse:
                began = time.perf_counter()
                made = child(env, "--child", "generate", str(args.claims))
                print(
                    f"generated {made['claims']:,} claims in {made['articles']:,} articles "
                    f"({time.perf_counter() - began:.0f} s, {args.db})"
                )
            if args.server:
                from bench.server import environment as served_environment

                env = served_environment(url)
                signed_in = child(env, "--child", "login")
            results = []
            for fmt in [f for f in formats for _ in range(args.repeat)]:
                if args.server:
                    r = served(env, fmt, signed_in, Path(tmp) / "gunicorn.log")
                else:
                    r = child(env, "--child", fmt)
                results.append(r)
                print(
                    f"{fmt:12} {r['claims']:>9,} claims  {r['seconds']:>7.1f} s  "
                    f"{r['claims_per_second']:>8,} claims/s  {r['megabytes']:>7.1f} MB out  "
                    f"peak RSS {r['peak_rss_mb']:.0f} MB "
                    f"(before export {r['rss_before_export_mb']:.0f} MB)"
                )
            db = (args.reuse or args.db).split("://")[0].split(":")[0]
            how = "gunicorn, 1 worker" if args.server else "test client"
            print(json.dumps({"db": db, "via": how, "results": results}))
        finally:
            if drop:
                drop()
    return 0


def _fresh_postgres(server_url: str):
    import psycopg

    admin = psycopg.connect(server_url, autocommit=True)
    admin.execute("DROP DATABASE IF EXISTS bench_export")
    admin.execute("CREATE DATABASE bench_export")
    base = server_url.rsplit("/", 1)[0]

    def drop():
        admin.execute("DROP DATABASE IF EXISTS bench_export WITH (FORCE)")
        admin.close()

    return f"{base}/bench_export", drop


if __name__ == "__main__":
    raise SystemExit(main())
