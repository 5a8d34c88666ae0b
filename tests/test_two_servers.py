"""Two app servers and one task worker on one PostgreSQL database (scripts/load.py
--two-servers): 16 writers through both for 10 s, one server and the worker killed with
SIGKILL mid-run (the worker restarted). Every acknowledged write is found, every queued task
ends once (the killed worker's task failed, never run twice), the sign-in throttle counts
across both servers, and a session or token from one server works on the other.
``make load`` runs it for 30 s."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="two app servers share one PostgreSQL database; SQLite is one host's file "
    "(run with DATABASE_URL=postgres://...)",
)
def test_two_servers_and_a_worker_survive_kill_9_and_lose_nothing():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PG_URL"] = os.environ["DATABASE_URL"]
    result = subprocess.run(
        [sys.executable, "scripts/load.py", "--db", "postgres", "--two-servers", "--seconds", "10"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["writes_found"] == summary["writes_acknowledged"] > 0
    assert summary["missing_or_wrong"] == 0 and summary["errors"] == 0
    assert summary["tasks_finished"] == summary["tasks_queued"] > 0
    assert summary["tasks_run_twice"] == 0 and summary["task_problem_count"] == 0
    assert summary["throttle_holds_across_servers"], summary["throttle_answers"]
    assert summary["token_from_a_works_on_b"] and summary["session_from_a_works_on_b"]
