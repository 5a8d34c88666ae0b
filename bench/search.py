# ruff: noqa: S608 - SQL made from our own constants; no input reaches it
"""``--only search``: full-text search at 1,000,000 claims on PostgreSQL.

The data set is made by the database itself (``generate_series`` and ``INSERT … SELECT``,
no rows through Python): speakers, statements, articles of ~400 words drawn from a skewed
vocabulary (a few words common, most rare, as in news text) naming people as news does (a
few often, most seldom: PEOPLE, PERSON_SLOTS), claims whose quotes are spans
of their article's text, approved verdicts on the published ones. It is kept between runs
(``bench_factcheck_search_<claims>``; ``--fresh`` makes it again). Then a handful of
realistic queries are timed through ``factcheck.search`` in process and through
``GET /api/v1/search/`` (Django's test client, in process), for a desk member (who sees
every claim) and an anonymous visitor (published claims only): median and p95 of
``--repeat`` runs each. Prints one JSON line (``bench.run`` reads it).

    python -m bench.search --claims 1000000           # PostgreSQL at BENCH_POSTGRES_URL

Other benches reuse the data set: ``database(postgres_admin_url(), 1_000_000, fresh=False)``
returns its URL (made first if absent, migrated if kept).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from bench.server import ROOT, environment

# The queries, by what a desk asks: a rare name, a common word, two words, a phrase, and
# filtered searches. ``speaker`` is filled in with the busiest speaker's id.
QUERIES = [
    ("a name", {"q": "Putin"}),
    ("common word", {"q": "government"}),
    ("two words", {"q": "inflation budget"}),
    ("phrase", {"q": '"energy prices"'}),
    ("claims, published", {"q": "minister", "type": "claim", "status": "published"}),
    ("claims of a speaker", {"q": "tax", "type": "claim", "speaker": "SPEAKER"}),
]
COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "that",
    "said",
    "is",
    "for",
    "on",
    "was",
    "with",
    "he",
    "it",
    "as",
    "at",
    "by",
    "from",
    "his",
    "an",
    "have",
    "has",
    "be",
    "are",
    "not",
    "this",
    "but",
    "they",
    "which",
    "were",
    "had",
    "we",
    "its",
    "their",
    "would",
    "been",
    "more",
    "new",
    "one",
    "year",
    "government",
    "minister",
    "people",
    "percent",
    "million",
    "country",
    "state",
    "president",
    "economy",
    "tax",
    "budget",
    "inflation",
    "energy",
    "prices",
    "police",
    "court",
    "election",
    "party",
    "police",
    "health",
    "school",
    "workers",
    "billion",
    "report",
    "growth",
    "war",
    "security",
    "border",
    "trade",
    "market",
    "rates",
    "bank",
    "city",
    "council",
    "law",
    "vote",
    "public",
    "spending",
    "debt",
    "oil",
    "gas",
    "climate",
    "water",
    "housing",
    "jobs",
    "wages",
]
NAMES = ["Putin", "Merkel", "Macron", "Sunak", "Modi", "Lula", "Zelensky", "Erdogan"]


SYLLABLES = "ka lo mi ne ru sa ta vi do fe gu ha ji ko lu ma no pe qui ro su ti ve xa yo ze"
VOCABULARY = 20_000  # words in all: COMMON first, the rest made of syllables
# People, as news names them (docs/performance.md, "The search data set"): an article names
# its people in up to two slots (the first in 60 % of articles, the second in 30 %), each a
# name of Zipf rank ``floor(PEOPLE ** u)`` (u uniform, s = 1), so the name of rank k is in
# about 0.9 × ln(1 + 1/k) / ln(PEOPLE) of articles: NAMES[0] ("Putin") in ~5.4 %, the 2nd
# in ~3.2 %, the 10th in ~0.7 %, the 1,000th in one article in 13,000. A named person is
# named a few times in the text (every 97th and 131st word, from an offset of the article's).
PEOPLE = 100_000
# (share of articles, every n-th word, salts of who and whether: primes, so not correlated)
PERSON_SLOTS = ((0.6, 97, 7919, 6007), (0.3, 131, 104729, 15485863))


def word_function() -> str:
    """SQL for ``pg_temp.word(rank)``: the word of that rank (0 is the commonest), and
    ``pg_temp.person(rank)``: the name of that rank (0 is the most named). Small constant
    arrays only: a subscript into a long text array walks it, which made the generator
    three orders of magnitude slower. A made-up name ends in "sen", which no made-up word
    can (its last syllable is one of SYLLABLES)."""
    common = "{" + ",".join(COMMON) + "}"
    names = "{" + ",".join(NAMES) + "}"
    syllables = "{" + ",".join(SYLLABLES.split()) + "}"
    k, n, s = len(COMMON), len(NAMES), len(SYLLABLES.split())
    piece = f"('{syllables}'::text[])"
    return (
        "CREATE FUNCTION pg_temp.word(r int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ "
        f"SELECT CASE WHEN r < {k} THEN ('{common}'::text[])[r + 1] ELSE "
        f"{piece}[1 + r % {s}] || {piece}[1 + (r / {s}) % {s}] || "
        f"{piece}[1 + (r / {s * s}) % {s}] END $$; "
        "CREATE FUNCTION pg_temp.person(r int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ "
        f"SELECT CASE WHEN r < {n} THEN ('{names}'::text[])[r + 1] ELSE "
        f"{piece}[1 + r % {s}] || {piece}[1 + (r / {s}) % {s}] || "
        f"{piece}[1 + (r / {s * s}) % {s}] || {piece}[1 + (r / {s * s * s}) % {s}] || 'sen' "
        "END $$"
    )


def pick(count: int, salt: str) -> str:
    """SQL for ``count`` words of a Zipf-like skew, joined by spaces; the ``salt`` column
    ties it to the row, so it is drawn again for each."""
    return (
        f"(SELECT string_agg(pg_temp.word(floor({VOCABULARY} * power(random(), 3))::int), ' ') "
        f"FROM generate_series(1, {count} + 0 * {salt}))"
    )


def uniform(row: str, salt: int) -> str:
    """SQL for a number in [0, 1) fixed by ``row`` and ``salt`` (a cheap hash)."""
    return f"((({row})::bigint * {salt} + {salt // 7}) % 1000003) / 1000003.0"


def news_text(count: int, row: str) -> str:
    """SQL for ``count`` words as ``pick`` draws them, with the article's people (none, one
    or two, PERSON_SLOTS) named a few times among them. ``row`` (a column) fixes who."""
    cases = []
    for number, (share, every, who, whether) in enumerate(PERSON_SLOTS):
        chosen = f"{uniform(row, whether)} < {share}"
        rank = f"floor(power({PEOPLE}, {uniform(row, who)}))::int - 1"
        cases.append(
            f"WHEN {chosen} AND (i + {row}) % {every} = {number} THEN pg_temp.person({rank})"
        )
    return (
        f"(SELECT string_agg(CASE {' '.join(cases)} "
        f"ELSE pg_temp.word(floor({VOCABULARY} * power(random(), 3))::int) END, ' ') "
        f"FROM generate_series(1, {count}) i)"
    )


def generate(url: str, claims: int) -> dict:
    import psycopg

    articles = max(1, claims // 20)
    speakers = max(1, min(5000, claims // 100))
    statements = speakers * 4
    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(word_function())

        def run(sql):
            """Fill a table unless a run cut short after filling it already did."""
            table = sql.split("INSERT INTO ", 1)[1].split()[0]
            if not conn.execute(f"SELECT EXISTS (SELECT FROM {table})").fetchone()[0]:  # noqa: S608
                conn.execute(sql)

        run(
            "INSERT INTO factcheck_speaker (name, kind, description, aliases, wikidata_id, "
            "created_at) SELECT 'Speaker ' || g || ' ' || "
            + pick(1, "g")
            + f", 'person', '', '', '', now() FROM generate_series(1, {speakers}) g"
        )
        run(
            "INSERT INTO factcheck_statement (speaker_id, title, kind, date, venue, url, "
            "created_at) SELECT s.first + (g - 1) % "
            f"{speakers}, 'Statement ' || g || ' ' || "
            + pick(5, "g")
            + ", 'interview', date '2020-01-01' + g % 2000, "
            + pick(2, "g")
            + ", '', now() FROM generate_series(1, "
            f"{statements}) g, (SELECT min(id) AS first FROM factcheck_speaker) s"
        )
        run(
            "INSERT INTO factcheck_article (title, url, url_key, publisher, byline, "
            "published_on, language, text, created_at, updated_at, revision, version) SELECT "
            + pick(8, "g")
            + ", '', '', 'Publisher ' || g % 50, '', date '2020-01-01' + g % 2000, 'en', "
            + news_text(400, "g")
            + f", now(), now(), 1, 1 FROM generate_series(1, {articles}) g"
        )
        # A claim is a span of its article: 60-200 code points from offset 0-1,500.
        run(
            f"""
            INSERT INTO factcheck_claim (article_id, start, "end", quote, prefix, suffix, kind,
                speaker_id, statement_id, summary, check_worthy, status, created_at,
                updated_at, published_at, version, moderation_note, anchor_state)
            SELECT a.id, c.st, c.st + c.len, substr(a.text, c.st + 1, c.len),
                substr(a.text, greatest(1, c.st - 31), least(32, c.st)),
                substr(a.text, c.st + c.len + 1, 32),
                (ARRAY['direct_quote', 'indirect_quote', 'mixed_quote',
                       'author_claim'])[(1 + g % 4)::int],
                sp.first + c.who,
                CASE WHEN g % 2 = 0 THEN st.first + c.who + {speakers} * (g % 4) END,
                CASE WHEN g % 3 = 0 THEN {pick(8, "g")} ELSE '' END, true,
                CASE WHEN g % 20 < 14 THEN 'open' WHEN g % 20 < 17 THEN 'in_review'
                     WHEN g % 20 < 19 THEN 'published' ELSE 'rejected' END,
                now() - g * interval '1 second', now(),
                CASE WHEN g % 20 in (17, 18) THEN now() END, 1, '', 'ok'
            FROM generate_series(1::bigint, {claims}) g
            CROSS JOIN LATERAL (SELECT ((g * 7919) % 1500)::int AS st,
                (60 + (g * 31) % 141)::int AS len,
                floor({speakers} * power(random(), 2))::int AS who) c
            JOIN (SELECT min(id) AS first FROM factcheck_article) f ON true
            JOIN factcheck_article a ON a.id = f.first + g % {articles}
            CROSS JOIN (SELECT min(id) AS first FROM factcheck_speaker) sp
            CROSS JOIN (SELECT min(id) AS first FROM factcheck_statement) st
            WHERE length(a.text) > c.st + c.len
            """
        )
        run(
            "INSERT INTO factcheck_verdict (claim_id, reviewer_id, rating_id, rationale, status, "
            "moderation_note, created_at, updated_at, version) SELECT c.id, u.id, "
            "(SELECT id FROM factcheck_rating ORDER BY id LIMIT 1 OFFSET c.id % 5), '', "
            "'approved', '', now(), now(), 1 FROM factcheck_claim c, "
            "(SELECT id FROM auth_user WHERE username = 'bench-desk') u "
            "WHERE c.status = 'published'"
        )
        conn.execute("VACUUM ANALYZE")
        rows = {
            t: conn.execute(f"SELECT count(*) FROM factcheck_{t}").fetchone()[0]  # noqa: S608
            for t in ("article", "claim", "speaker", "statement", "verdict")
        }
    return {"rows": rows, "generate_s": round(time.perf_counter() - began, 1)}


def database(admin_url: str, claims: int, *, fresh: bool) -> tuple[str, dict | None]:
    """The kept database's URL, made (migrated and filled) if absent or ``fresh``."""
    import psycopg

    from bench.run import with_database

    name = f"bench_factcheck_search_{claims}"
    url = with_database(admin_url, name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not fresh:
            with psycopg.connect(url) as db:
                done = db.execute("SELECT count(*) FROM factcheck_claim").fetchone()[
                    0
                ]  # a run cut short leaves fewer
            if done >= claims * 0.95:
                migrate(url)  # a kept data set gains the migrations made since
                return url, None
            fresh = fresh or done > 0  # (a run cut short while making claims: start again)
        if fresh or not exists:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
            migrate(url)
            subprocess.run(  # noqa: S603
                [*MANAGE, "create_role_user", "bench-desk", "--role", "annotator"]
                + ["--password", "x" * 12],
                env=environment(url),
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
    return url, generate(url, claims)


MANAGE = [sys.executable, str(ROOT / "manage.py")]


def migrate(url: str) -> None:
    subprocess.run([*MANAGE, "migrate", "-v0"], env=environment(url), cwd=ROOT, check=True)  # noqa: S603


# --------------------------------------------------------------------------- measuring


def timed(call, repeat: int) -> dict:
    call()  # warm: plans, caches
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(p95, 1)}


def measure(queries=QUERIES, *, repeat: int = 15, desk_username: str = "bench-desk") -> dict:
    """Each query's median and p95 through factcheck.search and through the API, for a desk
    member and an anonymous visitor (Django must be set up on the data set)."""
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import Count
    from django.test import Client

    from factcheck import search
    from factcheck.models import Claim

    desk = User.objects.get(username=desk_username)
    busiest = (
        Claim.objects.exclude(speaker=None)
        .values("speaker")
        .annotate(n=Count("*"))
        .order_by("-n")
        .values_list("speaker", flat=True)[:1]
    )
    speaker = str(busiest[0]) if busiest else "1"
    clients = {"desk": Client(), "anonymous": Client()}
    clients["desk"].force_login(desk)
    users = {"desk": desk, "anonymous": AnonymousUser()}
    results = {}
    for label, params in queries:
        params = {k: speaker if v == "SPEAKER" else v for k, v in params.items()}
        for who, user in users.items():
            form, errors = search.errors_of(params)
            assert not errors, errors

            def in_process(form=form, user=user):
                return search.search(form.cleaned_data["q"], user, **form.filters())

            def through_api(who=who, params=params):
                answer = clients[who].get("/api/v1/search/", params)
                assert answer.status_code == 200, answer.content[:500]
                return answer

            hits = in_process()
            results[f"{label} ({who})"] = {
                "params": params,
                "hits": hits.total,
                "search": timed(in_process, repeat),
                "api": timed(through_api, repeat),
            }
    return results


def here_user() -> str:
    """A desk member of the data set at hand (bench.generate's annotator)."""
    from django.contrib.auth.models import User

    from factcheck.models import Role

    return (
        User.objects.filter(groups__name=Role.ANNOTATOR)
        .order_by("pk")
        .values_list("username", flat=True)[:1]
        .get()
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--fresh", action="store_true", help="make the data set again")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--here", action="store_true", help="time the queries on DATABASE_URL's data as it is"
    )
    args = parser.parse_args(argv)
    if args.measure_only or args.here:  # Django set up on the data set
        import django

        django.setup()
        desk = None if args.measure_only else here_user()
        queries = measure(repeat=args.repeat, **({"desk_username": desk} if desk else {}))
        print(json.dumps(queries if args.measure_only else {"queries": queries}))
        return
    print(json.dumps(on_data_set("bench.search", "queries", args)))


def on_data_set(module: str, key: str, args) -> dict:
    """Make or reuse the data set of ``args.claims`` claims, run ``python -m <module>
    --measure-only`` on it in a process of its own (Django set up on that database), and
    report its one JSON line under ``key``. The benches that time a query at a million claims
    (this one, ``bench.matching``) share it."""
    from bench.run import postgres_admin_url

    began = time.perf_counter()
    url, made = database(postgres_admin_url(), args.claims, fresh=args.fresh)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", module, "--measure-only", "--repeat", str(args.repeat)],
        env=environment(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-4000:])
    return {
        "claims": args.claims,
        "database": url.rsplit("/", 1)[-1],
        "generated": made,
        key: json.loads(done.stdout.strip().splitlines()[-1]),
        "total_s": round(time.perf_counter() - began, 1),
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    main()
