"""Imports run by a real task worker process (`manage.py db_worker`) on this suite's database.

The rest of the suite runs tasks at once (tests/conftest.py); here the queue is the database
and the worker is another process, as in production: it runs a queued import, stops one when
asked, and when it is killed with SIGKILL in the middle of an import nothing is written, the
task ends failed (noticed by whoever looks at it) and no worker runs it a second time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from factcheck.models import Article, BackgroundTask, Claim

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(settings):
    """The database backend, as in production (the suite's default runs tasks at once)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def start_worker():
    """Start `manage.py db_worker` processes on this database; all are killed at the end."""
    started = []

    def start(*args):
        env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1"}
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.1", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def doccano(articles: int, spans: int) -> bytes:
    """``articles`` doccano records of ``spans`` one-word spans each."""
    lines = []
    for a in range(articles):
        words = [f"w{a}x{i}" for i in range(spans)]
        text = " ".join(words)
        labels, at = [], 0
        for word in words:
            labels.append([at, at + len(word), "DIRECT_QUOTE"])
            at += len(word) + 1
        lines.append(json.dumps({"text": f"{text}", "label": labels}))
    return ("\n".join(lines) + "\n").encode()


def queue_import(client, data: bytes) -> str:
    r = client.post("/api/v1/import/?format=doccano", data, content_type="application/x-ndjson")
    assert r.status_code == 202, r.content
    assert r.json()["status"] == "queued"
    return r["Location"]


def poll(client, url, until, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        state = client.get(url).json()
        if until(state):
            return state
        assert time.monotonic() < deadline, f"gave up waiting; last state: {state}"
        time.sleep(0.05)


@pytest.fixture
def alice_api(alice):
    client = APIClient()
    client.force_login(alice)
    return client


def test_a_worker_process_runs_a_queued_import(queue, alice_api, start_worker):
    url = queue_import(alice_api, doccano(3, 4))
    worker = start_worker("--batch")
    assert worker.wait(timeout=60) == 0, worker.stdout.read()
    state = alice_api.get(url).json()
    assert state["status"] == "succeeded", state
    assert state["result"]["claims_created"] == 12
    assert state["progress"]["done"] == state["progress"]["total"] > 0
    assert Claim.objects.count() == 12
    # The input is not kept once the task has run.
    assert bytes(BackgroundTask.objects.get().payload) == b""


def test_a_running_import_is_cancelled_and_leaves_nothing(queue, alice_api, start_worker):
    url = queue_import(alice_api, doccano(1500, 20))
    start_worker()
    poll(alice_api, url, lambda s: s["status"] == "running" and s["progress"]["records"] > 0)
    r = alice_api.post(f"{url}cancel/")
    assert r.status_code == 202
    state = poll(alice_api, url, lambda s: s["finished"])
    assert state["status"] == "cancelled", state
    assert "nothing was imported" in state["detail"]
    assert not Article.objects.exists() and not Claim.objects.exists()
    # Cancelling what has ended is refused, saying why.
    again = alice_api.post(f"{url}cancel/")
    assert again.status_code == 409 and "already ended" in again.json()["detail"]


def test_a_worker_killed_mid_import_writes_nothing_and_the_task_is_never_run_twice(
    queue, alice_api, start_worker
):
    big = queue_import(alice_api, doccano(1500, 20))
    small = queue_import(alice_api, doccano(2, 3))  # queued behind it: must not be lost
    worker = start_worker()
    poll(alice_api, big, lambda s: s["status"] == "running")
    # Well into it: twenty records read, or a second of writing, whichever comes first.
    since = time.monotonic()
    poll(
        alice_api,
        big,
        lambda s: s["progress"]["records"] >= 20 or time.monotonic() - since > 1,
    )
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)

    # Whoever looks next finds the worker gone: the task failed, saying so.
    state = poll(alice_api, big, lambda s: s["finished"], timeout=30)
    assert state["status"] == "failed", state
    assert "stopped before it finished" in state["detail"]
    # Articles were written inside the import's transaction: none of them is left.
    assert not Article.objects.exists() and not Claim.objects.exists()

    # A new worker runs what was still queued, and not the killed task again.
    again = start_worker("--batch")
    assert again.wait(timeout=60) == 0, again.stdout.read()
    assert alice_api.get(small).json()["status"] == "succeeded"
    assert alice_api.get(big).json()["status"] == "failed"
    assert Claim.objects.count() == 6
    big_task = BackgroundTask.objects.get(pk=state["id"])
    assert len(DBTaskResult.objects.get(pk=big_task.queue_id).worker_ids) == 1


def test_a_task_whose_worker_died_before_starting_it_is_queued_again(
    queue, alice_api, start_worker
):
    url = queue_import(alice_api, doccano(2, 2))
    bg = BackgroundTask.objects.get()
    # What a worker killed between taking the entry and starting the task leaves behind.
    DBTaskResult.objects.filter(pk=bg.queue_id).update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(minutes=5),
        worker_ids=["killed"],
    )
    assert alice_api.get(url).json()["status"] == "queued"  # seen, and queued again
    worker = start_worker("--batch")
    assert worker.wait(timeout=60) == 0, worker.stdout.read()
    assert alice_api.get(url).json()["status"] == "succeeded"
    assert Claim.objects.count() == 4
