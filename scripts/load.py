#!/usr/bin/env python
"""Concurrent writers against a real gunicorn: every acknowledged write must be there.

    python scripts/load.py --db sqlite --seconds 30      # SQLite in WAL mode
    python scripts/load.py --db postgres --seconds 30    # PostgreSQL (PG_URL or --pg-url)

What it does, all on 127.0.0.1 and bounded in time:
1. makes a throwaway database (a temporary SQLite file, or a fresh PostgreSQL database
   dropped afterwards), migrates it, and gives each writer a reviewer account and token;
2. starts ``gunicorn factcheck.wsgi`` (``--workers`` processes × ``--threads`` threads)
   on a free port;
3. runs ``--writers`` threads for ``--seconds``: each creates a claim through the API,
   then a verdict on it and one on the newest claim of the next writer (so writers
   contend for the same rows), recording every write the server acknowledged (201 + id);
4. stops gunicorn and checks, in the database itself, that every acknowledged claim and
   verdict is there with what was sent.

Prints one JSON summary line; exits 1 if any request failed or any acknowledged write is
missing. Requests are capped (``MAX_REQUESTS``) whatever the duration.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MAX_REQUESTS = 200_000
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
WORDS = [
    "council",
    "bridge",
    "toll",
    "ferry",
    "ridership",
    "harbour",
    "vehicles",
    "budget",
    "repairs",
    "minister",
    "authority",
    "capacity",
    "revenue",
    "passengers",
    "weekday",
    "region",
    "suburbs",
    "customers",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def article_text(sentences: int = 400) -> str:
    rng = random.Random(7)
    return "\n".join(
        " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(sentences)
    )


# --------------------------------------------------------------------------- the database


class Database:
    """A throwaway database: its DATABASE_URL, created on enter and removed on exit."""

    def __init__(self, kind: str, pg_url: str):
        self.kind, self.pg_url = kind, pg_url
        self.tmp: Path | None = None
        self.name = f"factcheck_load_{os.getpid()}_{int(time.time())}"

    def __enter__(self) -> Database:
        if self.kind == "sqlite":
            self.tmp = Path(tempfile.mkdtemp(prefix="factcheck-load-"))
            self.url = f"sqlite:///{self.tmp / 'load.sqlite3'}"
        else:
            import psycopg

            with psycopg.connect(self.admin_url(), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            parts = urlsplit(self.pg_url)
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        return self

    def admin_url(self) -> str:
        return self.pg_url.replace("postgres://", "postgresql://", 1)

    def __exit__(self, *exc) -> None:
        if self.kind == "sqlite":
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def prepare(writers: int) -> tuple[int, list[tuple[str, str]], list[int], str]:
    """Migrate, then make an article, the writers' accounts and tokens. Runs in-process."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from factcheck import actions
    from factcheck.models import Rating, Role
    from factcheck.roles import set_role

    call_command("migrate", verbosity=0, interactive=False)
    owner = User.objects.create_user("load-owner")
    set_role(owner, Role.ANNOTATOR)
    text = article_text()
    article = actions.create_article(title="Load test article", text=text, by=owner)
    accounts = []
    for i in range(writers):
        user = User.objects.create_user(f"writer{i:02d}")
        set_role(user, Role.REVIEWER)
        accounts.append((user.username, Token.objects.create(user=user).key))
    ratings = list(Rating.objects.values_list("pk", flat=True))
    return article.pk, accounts, ratings, text


# --------------------------------------------------------------------------- the server


class Gunicorn:
    def __init__(self, env: dict, *, workers: int, threads: int, log: Path):
        self.env, self.workers, self.threads, self.log = env, workers, threads, log
        self.port = free_port()

    def __enter__(self) -> Gunicorn:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "factcheck.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--timeout",
            "60",
        ]
        self.logfile = self.log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill_9() takes every worker
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/ratings/")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within 30 s")

    def kill_9(self) -> None:
        """What a crashed host looks like: the master and its workers gone at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.logfile.close()


# --------------------------------------------------------------------------- the writers


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempted: int = 0
    claims: dict[int, dict] = field(default_factory=dict)  # id -> what was sent
    verdicts: dict[int, dict] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    latest_claim: dict[int, int] = field(default_factory=dict)  # writer -> claim id
    expected_refusals: int = 0  # e.g. a verdict on a claim the writer already rated
    failovers: int = 0  # requests lost with a killed server (never acknowledged), then retried


def post(conn, path: str, token: str, payload: dict) -> tuple[int, dict]:
    body = json.dumps(payload)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    conn.request("POST", path, body, headers)
    response = conn.getresponse()
    raw = response.read()
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {"raw": raw[:200].decode("utf-8", "replace")}
    return response.status, data


def writer(n, token, ports, article, text, ratings, tally: Tally, stop: threading.Event, peers):
    """One writer, on server ``n`` modulo the servers; with more than one server, a request
    lost with its server (never acknowledged) moves the writer to the next one."""
    rng = random.Random(n)
    rated: set[int] = set()
    ports = list(ports) if isinstance(ports, list | tuple) else [ports]
    at = n % len(ports)
    conn = http.client.HTTPConnection("127.0.0.1", ports[at], timeout=60)

    def attempt(path, payload):
        nonlocal conn, at
        with tally.lock:
            if tally.attempted >= MAX_REQUESTS:
                stop.set()
                return None, {}
            tally.attempted += 1
        try:
            return post(conn, path, token, payload)
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            with tally.lock:
                if len(ports) > 1:
                    tally.failovers += 1
                else:
                    tally.errors.append(f"writer {n} {path}: {type(exc).__name__}: {exc}")
            if len(ports) > 1:
                at = (at + 1) % len(ports)
                conn = http.client.HTTPConnection("127.0.0.1", ports[at], timeout=60)
            return None, {}

    while not stop.is_set():
        start = rng.randrange(0, len(text) - 40)
        end = start + rng.randrange(5, 40)
        claim = {"article": article, "start": start, "end": end, "summary": f"w{n} {start}"}
        status, data = attempt("/api/v1/claims/", claim)
        if status == 201:
            with tally.lock:
                tally.claims[data["id"]] = {**claim, "quote": text[start:end], "by": n}
                tally.latest_claim[n] = data["id"]
        elif status is not None:
            with tally.lock:
                tally.errors.append(f"writer {n} claim: {status} {str(data)[:200]}")
            continue
        else:
            continue
        targets = [data["id"]]
        peer = tally.latest_claim.get(peers[n])
        if peer is not None and peer not in rated:
            targets.append(peer)
        rated.update(targets)
        for claim_id in targets:
            verdict = {
                "claim": claim_id,
                "rating": rng.choice(ratings),
                "rationale": f"writer {n} on claim {claim_id}",
            }
            status, answer = attempt("/api/v1/verdicts/", verdict)
            if status == 201:
                with tally.lock:
                    tally.verdicts[answer["id"]] = {**verdict, "by": n}
            elif status == 400 and "already gave a verdict" in json.dumps(answer):
                with tally.lock:
                    tally.expected_refusals += 1
            elif status is not None:
                with tally.lock:
                    tally.errors.append(f"writer {n} verdict: {status} {str(answer)[:200]}")
    conn.close()


def verify(tally: Tally, usernames: list[str]) -> tuple[int, int, list[str]]:
    """(claims found, verdicts found, problems), read straight from the database."""
    from factcheck.models import Claim, Verdict

    problems = []
    claims = {c.pk: c for c in Claim.objects.filter(pk__in=list(tally.claims))}
    for pk, sent in tally.claims.items():
        got = claims.get(pk)
        if got is None:
            problems.append(f"claim {pk} was acknowledged but is missing")
        elif (got.start, got.end, got.quote, got.summary) != (
            sent["start"],
            sent["end"],
            sent["quote"],
            sent["summary"],
        ):
            problems.append(f"claim {pk} differs from what was sent")
    verdicts = {
        v.pk: v
        for v in Verdict.objects.select_related("reviewer").filter(pk__in=list(tally.verdicts))
    }
    for pk, sent in tally.verdicts.items():
        got = verdicts.get(pk)
        if got is None:
            problems.append(f"verdict {pk} was acknowledged but is missing")
        elif (got.claim_id, got.rating_id, got.rationale, got.reviewer.username) != (
            sent["claim"],
            sent["rating"],
            sent["rationale"],
            usernames[sent["by"]],
        ):
            problems.append(f"verdict {pk} differs from what was sent")
    return len(claims), len(verdicts), problems


# --------------------------------------------------------------------------- main


def run(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    with Database(args.db, args.pg_url) as db, tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": db.url,
            "DEBUG": "0",
            "SECRET_KEY": "load-test-only-" + "x" * 40,
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
        }
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "DEBUG", "SECRET_KEY")})
        os.environ.update({k: env[k] for k in ("SECURE_SSL_REDIRECT", "ALLOWED_HOSTS")})
        article, accounts, ratings, text = prepare(args.writers)
        tally, stop = Tally(), threading.Event()
        peers = [(i + 1) % args.writers for i in range(args.writers)]
        log = Path(tmp) / "gunicorn.log"
        with Gunicorn(env, workers=args.workers, threads=args.threads, log=log) as server:
            threads = [
                threading.Thread(
                    target=writer,
                    args=(i, token, server.port, article, text, ratings, tally, stop, peers),
                    daemon=True,
                )
                for i, (_, token) in enumerate(accounts)
            ]
            began = time.monotonic()
            for t in threads:
                t.start()
            stop.wait(args.seconds)
            stop.set()
            for t in threads:
                t.join(timeout=90)
            elapsed = time.monotonic() - began
        usernames = [name for name, _ in accounts]
        claims_found, verdicts_found, problems = verify(tally, usernames)
        server_errors = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if "Traceback" in line or "Error" in line
        ]
        summary = {
            "db": args.db,
            "seconds": round(elapsed, 1),
            "writers": args.writers,
            "gunicorn": f"{args.workers}x{args.threads}",
            "requests": tally.attempted,
            "claims_acknowledged": len(tally.claims),
            "claims_found": claims_found,
            "verdicts_acknowledged": len(tally.verdicts),
            "verdicts_found": verdicts_found,
            "writes_per_second": round((len(tally.claims) + len(tally.verdicts)) / elapsed, 1),
            "refused_as_expected": tally.expected_refusals,
            "errors": len(tally.errors),
            "missing_or_wrong": len(problems),
            "server_log_errors": len(server_errors),
            "examples": (tally.errors + problems + server_errors)[:5],
        }
        return summary


# --------------------------------------------------------------------------- two app servers


class TaskWorker:
    """``manage.py db_worker`` in its own process group, as a worker host runs it."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log

    def start(self) -> TaskWorker:
        self.logfile = self.log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
            cwd=ROOT,
            env=self.env,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill_9(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.logfile.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.logfile.close()


def request(port, method, path, *, body=None, headers=None):
    """(status, headers, body) of one request; (None, {}, b"") when the server is gone."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body, headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    except (OSError, http.client.HTTPException):
        return None, {}, b""
    finally:
        conn.close()


def task_file(i: int, spans: int = 3, articles: int = 1) -> bytes:
    """A doccano file whose article texts are unique to task ``i``."""
    lines = []
    for a in range(articles):
        words = [f"t{i}a{a}w{k}" for k in range(spans)]
        labels, at = [], 0
        for word in words:
            labels.append([at, at + len(word), "DIRECT_QUOTE"])
            at += len(word) + 1
        lines.append(json.dumps({"text": " ".join(words), "label": labels}))
    return ("\n".join(lines) + "\n").encode()


def queue_import(port, token, data: bytes):
    status, _, body = request(
        port,
        "POST",
        "/api/v1/import/?format=doccano",
        body=data,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/x-ndjson"},
    )
    return json.loads(body)["id"] if status == 202 else None


def tasker(ports, token, queued: dict, stop: threading.Event, big_at: float, began: float):
    """Queue a small import every 0.3 s through the servers in turn, and one big one (so the
    worker is busy when it is killed) at ``big_at`` seconds; record every 202."""
    i, big_done = 0, False
    while not stop.is_set():
        if not big_done and time.monotonic() - began >= big_at:
            big_done = True
            data = task_file(i, spans=20, articles=400)
        else:
            data = task_file(i)
        for attempt in range(len(ports)):
            task_id = queue_import(ports[(i + attempt) % len(ports)], token, data)
            if task_id:
                queued[task_id] = {"articles": data.count(b"\n"), "prefix": f"t{i}a"}
                break
        i += 1
        stop.wait(0.3)


def login_session(port, username, password):
    """Sign in through the page on ``port``; the session cookie, or None."""
    status, headers, body = request(port, "GET", "/accounts/login/")
    csrf_cookie = headers.get("Set-Cookie", "").split("csrftoken=")[-1].split(";")[0]
    marker = b'name="csrfmiddlewaretoken" value="'
    if status != 200 or marker not in body:
        print(f"login page: {status} {body[:300]!r}", file=sys.stderr)
        return None
    token = body.split(marker, 1)[1].split(b'"', 1)[0].decode()
    form = f"username={username}&password={password}&csrfmiddlewaretoken={token}"
    status, headers, _ = request(
        port,
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    cookie = headers.get("Set-Cookie", "")
    if status != 302 or "sessionid=" not in cookie:
        return None
    return cookie.split("sessionid=")[1].split(";")[0]


def cross_server_checks(a: int, b: int) -> dict:
    """Sign-in throttles, sessions and tokens across two servers (ports ``a`` and ``b``)."""
    from django.conf import settings
    from django.contrib.auth.models import User

    from factcheck.models import Role
    from factcheck.roles import set_role

    checks = {}
    for name in ("crossover", "guessed"):
        user = User.objects.create_user(name, password="right-password-123")  # noqa: S106
        set_role(user, Role.ANNOTATOR)
    # A token from one server works on the other.
    status, _, body = request(
        a,
        "POST",
        "/api/v1/auth/token/",
        body="username=crossover&password=right-password-123",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    token = json.loads(body)["token"] if status == 200 else ""
    status, _, _ = request(b, "GET", "/api/v1/tasks/", headers={"Authorization": f"Token {token}"})
    checks["token_from_a_works_on_b"] = status == 200
    # A session from one server's sign-in page works on the other's pages.
    session = login_session(a, "crossover", "right-password-123")
    status, _, _ = request(b, "GET", "/articles/", headers={"Cookie": f"sessionid={session}"})
    checks["session_from_a_works_on_b"] = bool(session) and status == 200
    # Wrong guesses alternate between the servers: the count is one, so the limit holds.
    limit = settings.LOGIN_FAILURE_LIMIT
    answers = []
    for k in range(limit + 1):
        status, _, _ = request(
            (a, b)[k % 2],
            "POST",
            "/api/v1/auth/token/",
            body="username=guessed&password=wrong",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        answers.append(status)
    right = [
        request(
            port,
            "POST",
            "/api/v1/auth/token/",
            body="username=guessed&password=right-password-123",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )[0]
        for port in (a, b)
    ]
    checks["throttle_answers"] = answers + right
    checks["throttle_holds_across_servers"] = answers == [400] * limit + [429] and right == [
        429,
        429,
    ]
    return checks


def settle_tasks(queued: dict, timeout: float) -> dict:
    """Wait until every queued task has ended (reaping those of the killed worker, as a poll
    of the task would), then count them and what they wrote."""
    from django_tasks_db.models import DBTaskResult

    from factcheck import tasks
    from factcheck.models import Article, BackgroundTask

    deadline = time.monotonic() + timeout
    while True:
        rows = list(BackgroundTask.objects.filter(pk__in=list(queued)).defer("payload"))
        for bg in rows:
            tasks.reap(bg)
        rows = list(BackgroundTask.objects.filter(pk__in=list(queued)).defer("payload"))
        if all(bg.finished for bg in rows) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    by_status: dict[str, int] = {}
    problems = []
    for bg in rows:
        by_status[bg.status] = by_status.get(bg.status, 0) + 1
        articles = Article.objects.filter(text__startswith=queued[str(bg.pk)]["prefix"]).count()
        want = queued[str(bg.pk)]["articles"] if bg.status == "succeeded" else 0
        if articles != want:
            problems.append(f"task {bg.pk} ({bg.status}) left {articles} article(s), not {want}")
        if bg.status == "failed" and bg.detail != tasks.WORKER_LOST:
            problems.append(f"task {bg.pk} failed: {bg.detail}")
    run_twice = [
        str(r.pk)
        for r in DBTaskResult.objects.filter(pk__in=[bg.queue_id for bg in rows if bg.queue_id])
        if len(r.worker_ids) > 1
    ]
    return {
        "tasks_queued": len(queued),
        "tasks_found": len(rows),
        "tasks_finished": sum(bg.finished for bg in rows),
        "tasks_by_status": by_status,
        "tasks_run_twice": len(run_twice),
        "task_problems": problems[:5],
        "task_problem_count": len(problems),
    }


def run_two_servers(args) -> dict:
    """Two gunicorn app servers and one task worker on one PostgreSQL database: writers
    through both, one server and the worker killed with SIGKILL mid-run (the worker
    restarted), then every acknowledged write and task accounted for."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    with Database(args.db, args.pg_url) as db, tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": db.url,
            "DEBUG": "0",
            "SECRET_KEY": "load-test-only-" + "x" * 40,  # shared by both servers
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
            "FACTCHECK_TASK_DIR": str(Path(tmp) / "tasks"),
            "STATIC_ROOT": str(Path(tmp) / "static"),  # the sign-in page needs its manifest
        }
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "DEBUG", "SECRET_KEY")})
        os.environ.update({k: env[k] for k in ("SECURE_SSL_REDIRECT", "ALLOWED_HOSTS")})
        os.environ.update({k: env[k] for k in ("FACTCHECK_TASK_DIR", "STATIC_ROOT")})
        article, accounts, ratings, text = prepare(args.writers)
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        tally, stop = Tally(), threading.Event()
        peers = [(i + 1) % args.writers for i in range(args.writers)]
        logs = Path(tmp)
        a = Gunicorn(env, workers=args.workers, threads=args.threads, log=logs / "a.log")
        b = Gunicorn(env, workers=args.workers, threads=args.threads, log=logs / "b.log")
        worker = TaskWorker(env, logs / "worker.log").start()
        queued: dict[str, dict] = {}
        events = []
        with a, b:
            ports = [a.port, b.port]
            threads = [
                threading.Thread(
                    target=writer,
                    args=(i, token, ports, article, text, ratings, tally, stop, peers),
                    daemon=True,
                )
                for i, (_, token) in enumerate(accounts)
            ]
            began = time.monotonic()
            threads.append(
                threading.Thread(
                    target=tasker,
                    args=(ports, accounts[0][1], queued, stop, 0.25 * args.seconds, began),
                    daemon=True,
                )
            )
            for t in threads:
                t.start()
            stop.wait(0.4 * args.seconds)
            worker.kill_9()
            events.append(f"{time.monotonic() - began:.1f}s worker killed (-9)")
            stop.wait(0.1 * args.seconds)
            b.kill_9()
            events.append(f"{time.monotonic() - began:.1f}s app server B killed (-9)")
            stop.wait(0.1 * args.seconds)
            worker.start()
            events.append(f"{time.monotonic() - began:.1f}s worker restarted")
            stop.wait(max(0.0, args.seconds - (time.monotonic() - began)))
            stop.set()
            for t in threads:
                t.join(timeout=90)
            elapsed = time.monotonic() - began
            # B comes back (a new host, say) for the checks that need two live servers.
            with Gunicorn(env, workers=1, threads=2, log=logs / "b2.log") as b2:
                crossing = cross_server_checks(a.port, b2.port)
            settled = settle_tasks(queued, timeout=120)
        worker.stop()
        usernames = [name for name, _ in accounts]
        claims_found, verdicts_found, problems = verify(tally, usernames)
        summary = {
            "db": args.db,
            "mode": "two servers + worker, kill -9 mid-run",
            "seconds": round(elapsed, 1),
            "writers": args.writers,
            "gunicorn": f"2 servers x {args.workers}x{args.threads}",
            "events": events,
            "requests": tally.attempted,
            "lost_with_the_killed_server": tally.failovers,
            "claims_acknowledged": len(tally.claims),
            "claims_found": claims_found,
            "verdicts_acknowledged": len(tally.verdicts),
            "verdicts_found": verdicts_found,
            "writes_acknowledged": len(tally.claims) + len(tally.verdicts),
            "writes_found": claims_found + verdicts_found,
            "errors": len(tally.errors),
            "missing_or_wrong": len(problems),
            **settled,
            **crossing,
            "examples": (tally.errors + problems)[:5],
        }
        return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--pg-url", default=os.environ.get("PG_URL", DEFAULT_PG_URL), help="server to use"
    )
    parser.add_argument(
        "--two-servers",
        action="store_true",
        help="two app servers and a task worker; kill -9 one server and the worker mid-run",
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be between 0 and 600")
    if not 1 <= args.writers <= 64:
        parser.error("--writers must be between 1 and 64")
    sys.path.insert(0, str(ROOT))
    if args.two_servers:
        if args.db != "postgres":
            parser.error("--two-servers needs --db postgres (one database for every host)")
        summary = run_two_servers(args)
        print(json.dumps(summary))
        return 0 if two_servers_ok(summary) else 1
    summary = run(args)
    print(json.dumps(summary))
    ok = (
        summary["errors"] == 0
        and summary["missing_or_wrong"] == 0
        and summary["server_log_errors"] == 0
        and summary["claims_acknowledged"] > 0
    )
    return 0 if ok else 1


def two_servers_ok(summary: dict) -> bool:
    return (
        summary["errors"] == 0
        and summary["missing_or_wrong"] == 0
        and summary["writes_found"] == summary["writes_acknowledged"] > 0
        and summary["tasks_finished"] == summary["tasks_found"] == summary["tasks_queued"] > 0
        and summary["tasks_run_twice"] == 0
        and summary["task_problem_count"] == 0
        and summary["token_from_a_works_on_b"]
        and summary["session_from_a_works_on_b"]
        and summary["throttle_holds_across_servers"]
    )


if __name__ == "__main__":
    sys.exit(main())
