"""``make bench``: factcheck measured against the bare-Django ceiling, on SQLite and PostgreSQL.

For each database: generate the data set into a throwaway database, serve it with gunicorn
(production settings, 2 workers) on 127.0.0.1, load every endpoint and the ceiling with wrk
in the same run, stream each export from a fresh worker (claims/s, peak RSS), drive headless
Chromium over the article page, count SQL queries per request at 10 and 1,000 rows, then drop
the database. Writes ``bench-results/bench-<db>-<time>.json`` (and ``latest-<db>.json`` /
``.md``) and prints a short table.

    python -m bench.run                       # SQLite, then PostgreSQL if it answers
    python -m bench.run --db postgres --scale 10 --only exports
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.endpoints import CEILING, ENDPOINTS, Endpoint
from bench.load import have_wrk, load, python_load
from bench.server import ROOT, Server, environment, rss_kb

RESULTS = ROOT / "bench-results"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
PG_NAME = "bench_factcheck"
EXPORT_DEADLINE = 600  # seconds; an export slower than this is cut off and reported
PARTS = ("load", "exports", "browser", "queries", "plans", "imports", "search", "matching")


def say(message: str) -> None:
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


# --------------------------------------------------------------------------- databases


def postgres_admin_url() -> str:
    url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL") or ""
    return url if url.startswith(("postgres://", "postgresql://")) else PG_DEFAULT


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def postgres_execute(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def prepare_database(
    db: str, stamp: str, *, keep: bool, reuse: bool, scale: float
) -> tuple[str, callable]:
    """A database URL for the run and a function that drops it."""
    # Kept data sets have names of their own, so that a throwaway run never drops them.
    name = PG_NAME + ("_kept" if keep or reuse else "")
    name += "" if scale == 1 else f"_x{scale:g}".replace(".", "_")
    if db == "sqlite":
        kept = f"bench{name.removeprefix(PG_NAME + '_kept')}-kept.sqlite3"
        path = RESULTS / (kept if keep or reuse else f"bench-{stamp}.sqlite3")

        def drop():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        if not reuse:
            drop()
        return f"sqlite:///{path}", drop
    admin = postgres_admin_url()
    if not reuse:
        postgres_execute(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        postgres_execute(admin, f"CREATE DATABASE {name}")

    def drop():
        postgres_execute(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return with_database(admin, name), drop


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        postgres_execute(postgres_admin_url(), "SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return str(exc).strip().splitlines()[0]
    return None


# --------------------------------------------------------------------------- measuring


def headers_for(endpoint: Endpoint, creds: dict) -> dict:
    if endpoint.user is None:
        return {}
    who = creds[endpoint.user]
    if endpoint.auth == "token":
        return {"Authorization": f"Token {who['token']}"}
    return {"Cookie": who["cookie"]}


def preflight(server: Server, endpoint: Endpoint, path: str, headers: dict, facts: dict) -> dict:
    """One request first: a missing URL is "not available", an error status is reported."""
    began = time.perf_counter()
    if endpoint.method == "POST":
        body = json.dumps(
            {
                "article": facts["ids"]["small_article"],
                "start": 0,
                "end": 12,
                "kind": "direct_quote",
                "speaker_name": "Ingrid Solberg",
                "statement_title": "Benchmark interview",
            }
        ).encode()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        conn.request(
            "POST", path, body=body, headers={**headers, "Content-Type": "application/json"}
        )
        response = conn.getresponse()
        status, content = response.status, response.read()
        conn.close()
    else:
        status, content = server.get(path, headers)
    single_ms = round((time.perf_counter() - began) * 1000, 1)
    if status == 0:
        return {"available": False, "status": status, "error": "no answer within 120 s"}
    if status == 404 and endpoint.export is False and b"Not Found" in content[:2000]:
        return {"available": False, "status": status}
    return {
        "available": status < 400,
        "status": status,
        "bytes": len(content),
        "single_ms": single_ms,
    }


def settle(server: Server, limit: float = 180.0) -> float:
    """Wait until requests queued by a slow endpoint are drained (the ceiling answers fast)."""
    began = time.monotonic()
    fast = 0
    while fast < 3 and time.monotonic() - began < limit:
        t = time.perf_counter()
        status, _ = server.get(CEILING.path, timeout=limit)
        fast = fast + 1 if status == 200 and time.perf_counter() - t < 0.05 else 0
        time.sleep(0.05)
    return round(time.monotonic() - began, 1)


def measure_load(server: Server, endpoint: Endpoint, facts: dict, creds: dict, args) -> dict:
    """Throughput and latency of one endpoint; a failure is reported, never raised."""
    try:
        return _measure_load(server, endpoint, facts, creds, args)
    except Exception as exc:  # noqa: BLE001 - the run goes on; the report says what broke
        say(f"  {endpoint.key}: failed ({exc!r})")
        settle(server)
        return {"available": False, "error": repr(exc)}


def _measure_load(server: Server, endpoint: Endpoint, facts: dict, creds: dict, args) -> dict:
    path = endpoint.url_path(facts["ids"])
    headers = headers_for(endpoint, creds)
    check = preflight(server, endpoint, path, headers, facts)
    if not check["available"]:
        say(f"  {endpoint.key}: not available (HTTP {check['status']} {check.get('error', '')})")
        return {**check, "path": path}
    create = None
    if endpoint.method == "POST":
        headers = {**headers, "Content-Type": "application/json"}
        create = {
            "article": facts["ids"]["small_article"],
            "limit": max(1, facts["small_article_chars"] - 20),
        }
    url = server.base + path
    load(url, headers=headers, duration=args.warmup, connections=args.connections, create=create)
    result = load(
        url, headers=headers, duration=args.duration, connections=args.connections, create=create
    )
    if result["requests"] < 10:
        # Too slow for the run's duration: a bounded run with one client per worker instead
        # (requests wrk left unfinished would otherwise read as 0 req/s).
        settle(server)
        seconds = min(60.0, max(5.0, 5 * check["single_ms"] / 1000))
        result = python_load(
            url,
            headers=headers,
            duration=seconds,
            connections=args.workers,
            create=create,
            max_requests=20,
        )
        result["tool"] = "python (slow endpoint: one client per worker)"
    result.update(
        available=True,
        path=path,
        status=check["status"],
        single_request_ms=check["single_ms"],
        settled_s=settle(server),
    )
    say(
        f"  {endpoint.key}: {result['rps']:,.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms, errors {result['non_2xx'] + result['socket_errors']}, "
        f"one request alone {check['single_ms']:.0f} ms"
    )
    return result


def measure_export(env: dict, endpoint: Endpoint, facts: dict, creds: dict, log: Path) -> dict:
    """One export's rate and memory; a failure is reported, never raised."""
    try:
        return _measure_export(env, endpoint, facts, creds, log)
    except Exception as exc:  # noqa: BLE001 - the run goes on; the report says what broke
        say(f"  {endpoint.key}: failed ({exc!r})")
        return {"available": False, "error": repr(exc)}


def _measure_export(env: dict, endpoint: Endpoint, facts: dict, creds: dict, log: Path) -> dict:
    """Stream one export from a fresh single worker: time, claims/s and the worker's peak RSS."""
    path = endpoint.url_path(facts["ids"])
    headers = headers_for(endpoint, creds)
    with Server(env, workers=1, log=log) as server:
        pids = server.worker_pids()
        pid = pids[0] if pids else None
        rss_before = rss_kb(pid, "VmRSS") if pid else None
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=EXPORT_DEADLINE)
        began = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        first_byte = time.perf_counter() - began
        size, cut_off = 0, False
        while chunk := response.read(1 << 16):
            size += len(chunk)
            if time.perf_counter() - began > EXPORT_DEADLINE:
                cut_off = True
                break
        seconds = time.perf_counter() - began
        conn.close()
        peak = rss_kb(pid, "VmHWM") if pid else None
    if response.status == 404:
        say(f"  {endpoint.key}: not available (HTTP 404)")
        return {"available": False, "status": 404, "path": path}
    claims = facts["published_claims"] if "claimreview" in endpoint.key else facts["claims"]
    result = {
        "available": True,
        "path": path,
        "status": response.status,
        "claims": claims,
        "seconds": round(seconds, 2),
        "first_byte_ms": round(first_byte * 1000, 1),
        "megabytes": round(size / 1e6, 1),
        "claims_per_s": round(claims / seconds) if seconds else 0,
        "peak_rss_mb": round(peak / 1024, 1) if peak else None,
        "rss_before_mb": round(rss_before / 1024, 1) if rss_before else None,
        "cut_off": cut_off,
    }
    say(
        f"  {endpoint.key}: {result['claims_per_s']:,} claims/s ({seconds:.1f} s, "
        f"{result['megabytes']} MB), peak RSS {result['peak_rss_mb']} MB"
    )
    return result


def run_python(
    module: str, env: dict, *args: str, timeout: int = 1800
) -> subprocess.CompletedProcess:
    done = subprocess.run(  # noqa: S603 - our own interpreter and modules
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"python -m {module} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
        )
    return done


def run_part(module: str, env: dict, *args: str) -> dict:
    """A part run as ``python -m module`` printing one JSON line; its failure is reported."""
    try:
        done = run_python(module, env, *args, timeout=900)
        return json.loads(done.stdout.strip().splitlines()[-1])
    except Exception as exc:  # noqa: BLE001 - the run goes on; the report says what broke
        say(f"  {module} failed: {str(exc)[-2000:]}")
        return {"failed": str(exc)[-2000:]}


def machine() -> dict:
    def run(*command):
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
            return done.stdout.strip()
        except OSError:
            return ""

    import django

    return {
        "nproc": run("nproc"),
        "free_h": run("free", "-h"),
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
        "load_tool": run("wrk", "--version").splitlines()[0] if have_wrk() else "python client",
    }


# --------------------------------------------------------------------------- one database


def run_one(db: str, args) -> dict:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    log = RESULTS / f"gunicorn-{db}.log"
    report: dict = {
        "database": db,
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "settings": {
            "workers": args.workers,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "conn_max_age": os.environ.get("CONN_MAX_AGE", "600"),
        },
        "machine": machine(),
    }
    url, drop = prepare_database(db, stamp, keep=args.keep, reuse=args.reuse, scale=args.scale)
    env = environment(url)
    kept = args.keep or args.reuse
    facts_path = RESULTS / (f"facts-{db}-x{args.scale:g}.json" if kept else f"facts-{stamp}.json")
    try:
        if args.reuse and facts_path.exists():
            say(f"{db}: reusing the data set in {url}")
            facts = json.loads(facts_path.read_text())
            env["SECRET_KEY"] = facts["secret_key"]
            run_python("bench.generate", env, "--refresh", "--json", str(facts_path))
            facts = json.loads(facts_path.read_text())
        else:
            say(f"{db}: generating scale {args.scale:g} into {url}")
            done = run_python(
                "bench.generate", env, "--scale", str(args.scale), "--json", str(facts_path)
            )
            say(done.stdout.strip().splitlines()[-1])
            facts = json.loads(facts_path.read_text())
            # Sessions are signed with the key they were made under; keep it for --reuse.
            facts["secret_key"] = env["SECRET_KEY"]
            facts_path.write_text(json.dumps(facts, indent=2))
        env["SECRET_KEY"] = facts.pop("secret_key")
        creds = facts.pop("credentials")
        report["dataset"] = facts

        if "load" in args.parts:
            say(f"{db}: load, {args.connections} connections, {args.duration:g} s each")
            loads, ceilings = {}, []
            with Server(env, workers=args.workers, log=log) as server:
                # The ceiling is loaded between every two endpoints: each endpoint's ratio is
                # to the ceiling just before and just after it, so that other work on the
                # machine (which comes and goes over minutes) falls on both sides alike.
                ceilings.append(measure_load(server, CEILING, facts, creds, args))
                for endpoint in ENDPOINTS:
                    if args.endpoints and endpoint.key not in args.endpoints:
                        continue
                    if endpoint.load and endpoint is not CEILING:
                        loads[endpoint.key] = measure_load(server, endpoint, facts, creds, args)
                        ceilings.append(measure_load(server, CEILING, facts, creds, args))
                        around = [c.get("rps", 0) for c in ceilings[-2:]]
                        loads[endpoint.key]["ceiling_rps"] = round(sum(around) / 2, 1)
            rates = [c.get("rps", 0) for c in ceilings]
            loads = {"ceiling": max(ceilings, key=lambda c: c.get("rps", 0)), **loads}
            loads["ceiling"]["runs_rps"] = rates
            report["ceiling_rps"] = round(sum(rates) / len(rates), 1)
            for key, result in loads.items():
                if key != "ceiling" and result.get("available") and result.get("ceiling_rps"):
                    result["ratio"] = round(result["rps"] / result["ceiling_rps"], 4)
            report["load"] = loads

        if "exports" in args.parts:
            say(f"{db}: exports, each from a fresh single worker")
            wanted = {f"export_{k.strip()}" for k in args.exports.split(",") if k.strip()}
            report["exports"] = {
                e.key: measure_export(env, e, facts, creds, log)
                for e in ENDPOINTS
                if e.export and e.key in wanted
            }

        if "browser" in args.parts:
            say(f"{db}: browser")
            report["browser"] = run_part(
                "bench.browser",
                env,
                "--big-article",
                str(facts["ids"]["big_article"]),
                "--small-article",
                str(facts["ids"].get("quiet_article", facts["ids"]["small_article"])),
                "--cookie",
                creds["annotator"]["cookie"],
                "--log",
                str(log),
            )
            for key, value in report["browser"].items():
                say(f"  {key}: {value}")

        if "plans" in args.parts:
            say(f"{db}: query plans")
            report["plans"] = run_part("bench.plans", env)

        if "queries" in args.parts:
            say(f"{db}: SQL queries per request at 10 and 1,000 rows")
            report["queries"] = run_part("bench.queries", env)

        if "imports" in args.parts:
            say(f"{db}: import of a doccano file, 1,000 documents × 50 spans at scale 1")
            report["imports"] = run_part("bench.imports", env, "--scale", str(args.scale))
            say(f"  {report['imports']}")

        if "search" in args.parts:
            report["search"] = measure_search(db, env, args)

        if "matching" in args.parts:
            report["matching"] = measure_matching(db, env, args)
    finally:
        if not kept:  # --reuse keeps the data set it reused, like --keep
            drop()
            facts_path.unlink(missing_ok=True)
    report["finished"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    report["targets"] = targets(report)
    label = db if args.scale == 1 else f"{db}-x{args.scale:g}"
    out = RESULTS / f"bench-{label}-{stamp}.json"
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    shutil.copyfile(out, RESULTS / f"latest-{label}.json")
    (RESULTS / f"latest-{label}.md").write_text(table(report), encoding="utf-8")
    say(f"{db}: report in {out.relative_to(ROOT)}")
    return report


def measure_search(db: str, env: dict, args) -> dict:
    """Search at 1,000,000 claims (times the scale) on PostgreSQL, in a data set of its own
    kept between runs (bench/search.py); on SQLite, the queries timed on this run's data."""
    if db == "postgres":
        claims = max(1000, int(1_000_000 * args.scale))
        say(f"{db}: search at {claims:,} claims (a kept data set, made once)")
        result = run_part("bench.search", env, "--claims", str(claims))
    else:
        say(f"{db}: search, on this run's data set")
        result = run_part("bench.search", env, "--here", "--repeat", "3")
    for label, entry in result.get("queries", {}).items():
        say(f"  {label}: search {entry['search']}, API {entry['api']}")
    return result


def measure_matching(db: str, env: dict, args) -> dict:
    """A match query (factcheck.matching) at 1,000,000 claims (times the scale) on
    PostgreSQL, in search's kept data set (bench/matching.py); on SQLite, on this run's data."""
    if db == "postgres":
        claims = max(1000, int(1_000_000 * args.scale))
        say(f"{db}: matching at {claims:,} claims (search's kept data set)")
        result = run_part("bench.matching", env, "--claims", str(claims))
        timings = result.get("matching", {})
    else:
        say(f"{db}: matching, on this run's data set")
        result = run_part("bench.matching", env, "--here", "--repeat", "1")
        timings = result
    for who in ("anonymous", "desk"):
        if who in timings:
            say(f"  match query ({who}): {timings[who]}")
    return result


# --------------------------------------------------------------------------- scaling


SCALING_KEYS = (
    "ceiling",
    "claims_api",
    "claims_api_status",
    "claims_api_speaker",
    "claims_api_public",
    "articles_api",
)


def compare_scales(db: str, scales: list[float], args) -> dict:
    """List and filter endpoints on two kept data sets, measured in alternation.

    Both data sets must have been made with ``--keep`` (and ``--scale``). Each endpoint is
    loaded on one size, then the other, twice over, so that noise from anything else on the
    machine falls on both sizes alike; the better of the two rounds counts.
    """
    small, large = scales
    servers, facts, creds = {}, {}, {}
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for scale in scales:
        args.scale = scale
        url, _ = prepare_database(db, stamp, keep=True, reuse=True, scale=scale)
        env = environment(url)
        data = json.loads((RESULTS / f"facts-{db}-x{scale:g}.json").read_text())
        env["SECRET_KEY"] = data.pop("secret_key")
        creds[scale] = data.pop("credentials")
        facts[scale] = data
        servers[scale] = Server(env, workers=args.workers, log=RESULTS / f"gunicorn-{db}.log")
    report = {"database": db, "scales": scales, "claims": {}, "endpoints": {}}
    try:
        for server in servers.values():
            server.start()
        for scale in scales:
            report["claims"][scale] = facts[scale]["claims"]
        for key in SCALING_KEYS:
            endpoint = next(e for e in ENDPOINTS if e.key == key)
            rounds = {scale: [] for scale in scales}
            for _ in range(2):
                for scale in scales:
                    rounds[scale].append(
                        measure_load(servers[scale], endpoint, facts[scale], creds[scale], args)
                    )
            best = {scale: max(rounds[scale], key=lambda r: r.get("rps", 0)) for scale in scales}
            report["endpoints"][key] = {
                "title": endpoint.title,
                **{f"x{scale:g}": best[scale] for scale in scales},
                "throughput_ratio": round(best[small]["rps"] / best[large]["rps"], 2)
                if best[large].get("rps")
                else None,
                "p50_ratio": round(best[large]["p50_ms"] / best[small]["p50_ms"], 2)
                if best[small].get("p50_ms")
                else None,
            }
    finally:
        for server in servers.values():
            server.stop()
    out = RESULTS / f"scaling-{db}-{stamp}.json"
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    shutil.copyfile(out, RESULTS / f"latest-scaling-{db}.json")
    text = scaling_table(report)
    (RESULTS / f"latest-scaling-{db}.md").write_text(text, encoding="utf-8")
    print(text)
    return report


def scaling_table(report: dict) -> str:
    small, large = report["scales"]
    claims = {float(k): v for k, v in report["claims"].items()}  # JSON keys are strings
    lines = [
        f"| Endpoint | req/s at {claims[small]:,} claims | req/s at {claims[large]:,} | "
        f"p50 ms at {claims[small]:,} | p50 ms at {claims[large]:,} | slower by | within 2× |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for entry in report["endpoints"].values():
        a, b = entry[f"x{small:g}"], entry[f"x{large:g}"]
        ratio = entry["throughput_ratio"]
        lines.append(
            f"| {entry['title']} | {a['rps']:,.0f} | {b['rps']:,.0f} | {a['p50_ms']:.1f} "
            f"| {b['p50_ms']:.1f} | {ratio}× | {'yes' if ratio and ratio <= 2 else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- verdicts


def targets(report: dict) -> list[dict]:
    """The issue's targets that this run can judge, each met or missed."""
    out = []
    loads = report.get("load", {})
    for e in ENDPOINTS:
        got = loads.get(e.key)
        if not got or not got.get("available"):
            continue
        if e.min_ratio is not None and "ratio" in got:
            out.append(
                {
                    "target": f"{e.title} ≥ {e.min_ratio:.0%} of the ceiling",
                    "value": f"{got['ratio']:.1%}",
                    "met": got["ratio"] >= e.min_ratio,
                }
            )
        if e.max_p99_ms is not None:
            errors = got["non_2xx"] + got["socket_errors"]
            out.append(
                {
                    "target": f"{e.title}: p99 ≤ {e.max_p99_ms:g} ms, zero errors",
                    "value": f"p99 {got['p99_ms']:.1f} ms, {errors} errors",
                    "met": got["p99_ms"] <= e.max_p99_ms and errors == 0,
                }
            )
    for entry in report.get("queries", {}).values():
        if isinstance(entry, dict) and "met" in entry:
            counts = entry["queries"]
            out.append(
                {
                    "target": f"{entry['title']}: {entry['target']} whatever the claim count",
                    "value": ", ".join(f"{n} at {r} rows" for r, n in counts.items()),
                    "met": entry["met"] and entry["constant"],
                }
            )
    for key, got in report.get("exports", {}).items():
        if got.get("available") and key in ("export_w3c", "export_jsonl"):
            out.append(
                {
                    "target": f"{key}: ≥ 20,000 claims/s, peak RSS < 150 MB",
                    "value": f"{got['claims_per_s']:,} claims/s, {got['peak_rss_mb']} MB "
                    f"({got['claims']:,} claims)",
                    "met": got["claims_per_s"] >= 20_000 and (got["peak_rss_mb"] or 0) < 150,
                }
            )
    imported = report.get("imports", {})
    if imported.get("available"):
        out.append(
            {
                "target": "import: ≥ 10,000 spans/s, peak RSS < 200 MB",
                "value": f"{imported['spans_per_s']:,} spans/s, {imported['peak_rss_mb']} MB "
                f"({imported['spans']:,} spans)",
                "met": imported["spans_per_s"] >= 10_000 and imported["peak_rss_mb"] < 200,
            }
        )
    browser = report.get("browser", {})
    if isinstance(browser.get("render_1000_highlights_ms"), int | float):
        value = browser["render_1000_highlights_ms"]
        out.append(
            {
                "target": "1,000 highlights render in ≤ 200 ms",
                "value": f"{value:.0f} ms",
                "met": value <= 200,
            }
        )
    if isinstance(browser.get("mouseup_to_saved_ms"), int | float):
        value = browser["mouseup_to_saved_ms"]
        out.append(
            {
                "target": "mouse-up to saved highlight ≤ 150 ms",
                "value": f"{value:.0f} ms",
                "met": value <= 150,
            }
        )
    return out


def table(report: dict) -> str:
    lines = [
        f"### {report['database']}, scale {report['scale']:g} "
        f"({report.get('dataset', {}).get('claims', 0):,} claims), {report['started']}",
        "",
    ]
    data = report.get("dataset", {}).get("dataset")
    if data:
        lines += [
            f"Load: {sum(data['rows'].values()):,} rows in {data['seconds']:.1f} s = "
            f"{data['rows_per_second']:,} rows/s ({data['claims_per_second']:,} claims/s).",
            "",
        ]
    loads = report.get("load")
    if loads:
        runs = loads.get("ceiling", {}).get("runs_rps", [])
        lines += [
            f"Ceiling: {report['ceiling_rps']:,.0f} req/s on average over {len(runs)} runs "
            f"({min(runs, default=0):,.0f}–{max(runs, default=0):,.0f}), one before and after "
            "each endpoint; each ratio is to the two runs around its endpoint.",
            "",
            "| Endpoint | req/s | p50 ms | p99 ms | ceiling req/s | % of ceiling | errors "
            "| alone ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        titles = {e.key: e.title for e in ENDPOINTS}
        titles["ceiling_end"] = "Ceiling (again, at the end)"
        for key, got in loads.items():
            if not got.get("available"):
                lines.append(f"| {titles[key]} | not available | | | | | | |")
                continue
            rps = f"{got['rps']:,.0f}" if got["rps"] >= 10 else f"{got['rps']:.1f}"
            slow = got["requests"] == 0
            lines.append(
                f"| {titles[key]} | {rps} | {'–' if slow else format(got['p50_ms'], '.1f')} "
                f"| {'–' if slow else format(got['p99_ms'], '.1f')} "
                f"| {got.get('ceiling_rps', got['rps']):,.0f} | {got.get('ratio', 1):.2%} "
                f"| {got['non_2xx'] + got['socket_errors']} | {got.get('single_request_ms', '')} |"
            )
        lines.append("")
    exports = report.get("exports")
    if exports:
        lines += [
            "| Export | claims | seconds | claims/s | MB | peak RSS MB |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for key, got in exports.items():
            if not got.get("available"):
                lines.append(f"| {key} | not available | | | | |")
                continue
            lines.append(
                f"| {key} | {got['claims']:,} | {got['seconds']:.1f} | {got['claims_per_s']:,} "
                f"| {got['megabytes']} | {got['peak_rss_mb']} |"
            )
        lines.append("")
    imported = report.get("imports")
    if imported and imported.get("available"):
        lines += [
            "| Import | documents | spans | MB | seconds | spans/s | spans/CPU-s | peak RSS MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            f"| doccano JSONL | {imported['documents']:,} | {imported['spans']:,} "
            f"| {imported['file_mb']} | {imported['seconds']} | {imported['spans_per_s']:,} "
            f"| {imported.get('spans_per_cpu_s', 0):,} | {imported['peak_rss_mb']} |",
            "",
        ]
    elif imported:
        lines += [f"Import failed: {str(imported.get('failed'))[-300:]}", ""]
    queries = report.get("queries")
    if queries and "failed" in queries:
        lines += [f"SQL query counts failed: {queries['failed'][-300:]}", ""]
    elif queries:
        from bench.queries import table as queries_table

        rows = sorted({int(r) for e in queries.values() for r in e.get("queries", {})})
        for entry in queries.values():
            entry["queries"] = {int(k): v for k, v in entry.get("queries", {}).items()}
            entry["status"] = {int(k): v for k, v in entry.get("status", {}).items()}
        lines += [queries_table(queries, tuple(rows)), ""]
    browser = report.get("browser")
    if browser:
        lines += ["| Browser | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in browser.items()]
        lines.append("")
    if report.get("targets"):
        lines += ["| Target | this run | met |", "|---|---|---|"]
        lines += [
            f"| {t['target']} | {t['value']} | {'yes' if t['met'] else '**no**'} |"
            for t in report["targets"]
        ]
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 100,000 claims")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per endpoint")
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="seconds of unmeasured load first"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default=",".join(PARTS), help=f"parts: {','.join(PARTS)}")
    parser.add_argument(
        "--exports", default="w3c,jsonl,claimreview,csv", help="which exports to stream"
    )
    parser.add_argument(
        "--endpoints", default="", help="load only these endpoint keys (bench/endpoints.py)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database")
    parser.add_argument(
        "--compare",
        help="two kept scales, e.g. 1,10: list endpoints on both, measured in alternation",
    )
    args = parser.parse_args(argv)
    args.parts = {p.strip() for p in args.only.split(",") if p.strip()}
    args.endpoints = {k.strip() for k in args.endpoints.split(",") if k.strip()}
    began = time.monotonic()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    if args.compare:
        scales = [float(x) for x in args.compare.split(",")]
        for db in [d.strip() for d in args.db.split(",") if d.strip()]:
            compare_scales(db, scales, args)
        say(f"done in {time.monotonic() - began:.0f} s")
        return
    reports = []
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        if db == "postgres" and (why := postgres_available()):
            say(f"postgres: skipped ({why})")
            continue
        reports.append(run_one(db, args))
    for report in reports:
        print()
        print(table(report))
    say(f"done in {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
