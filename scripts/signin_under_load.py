"""The sign-in page's latency while two full exports and a large import run (issue 13).

Generates a data set (``bench.generate``, scale 0.1 by default) into a throwaway SQLite
database, then for each gunicorn configuration: starts it, runs two clients that stream the
full W3C and CSV exports (a desk member's, so never from the public cache) in a loop and one
that imports a 5,000-span doccano file in a loop, and meanwhile loads the sign-in page every
0.25 s. Prints one JSON line a configuration: p50/p90/max of the sign-in page, and how many
exports and imports finished.

    .venv/bin/python scripts/signin_under_load.py --seconds 20
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.imports import write_doccano  # noqa: E402
from bench.server import Server, environment  # noqa: E402

CONFIGS = {
    "sync x2 (before)": {"workers": 2, "worker_class": "sync", "threads": 1},
    "gthread 2 x 8 (make serve)": {"workers": 2, "worker_class": "gthread", "threads": 8},
}


def request(port, method, path, body=None, headers=None, timeout=300) -> tuple[int, float]:
    began = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        while response.read(1 << 16):
            pass
        return response.status, time.perf_counter() - began
    except OSError:
        return 0, time.perf_counter() - began
    finally:
        conn.close()


def measure(server: Server, token: str, upload: bytes, seconds: float) -> dict:
    stop = threading.Event()
    done = {"exports": 0, "imports": 0, "import_statuses": set()}
    auth = {"Authorization": f"Token {token}"}

    def export(path):
        while not stop.is_set():
            status, _ = request(server.port, "GET", path, headers=auth)
            done["exports"] += status == 200

    def importer():
        headers = {**auth, "Content-Type": "application/x-ndjson"}
        while not stop.is_set():
            status, _ = request(
                server.port, "POST", "/api/v1/import/?format=doccano", upload, headers
            )
            done["imports"] += 1
            done["import_statuses"].add(status)

    workers = [
        threading.Thread(target=export, args=("/api/v1/export/annotations/?page_size=all",)),
        threading.Thread(target=export, args=("/api/v1/export/claims.csv",)),
        threading.Thread(target=importer),
    ]
    for w in workers:
        w.start()
    time.sleep(1.0)  # all three under way
    latencies, failures = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status, took = request(server.port, "GET", "/accounts/login/", timeout=120)
        if status == 200:
            latencies.append(took)
        else:
            failures += 1
        time.sleep(0.25)
    stop.set()
    for w in workers:
        w.join(timeout=600)
    latencies.sort()
    return {
        "signin_requests": len(latencies),
        "signin_failures": failures,
        "signin_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "signin_p90_ms": round(latencies[int(len(latencies) * 0.9)] * 1000, 1)
        if latencies
        else None,
        "signin_max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "exports_finished": done["exports"],
        "imports_finished": done["imports"],
        "import_statuses": sorted(done["import_statuses"]),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--only", default="", help="one configuration's name")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(f"sqlite:///{tmp}/load.sqlite3")
        facts = Path(tmp) / "facts.json"
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bench.generate", "--scale", str(args.scale)]
            + ["--json", str(facts)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        token = json.loads(facts.read_text())["credentials"]["moderator"]["token"]
        upload_path = Path(tmp) / "upload.jsonl"
        write_doccano(str(upload_path), documents=100, spans_per_document=50)
        upload = upload_path.read_bytes()
        for name, config in CONFIGS.items():
            if args.only and args.only != name:
                continue
            with Server(env, log=Path(tmp) / "gunicorn.log", **config) as server:
                result = measure(server, token, upload, args.seconds)
            print(json.dumps({"config": name, **config, **result}), flush=True)


if __name__ == "__main__":
    main()
