"""gunicorn on 127.0.0.1 as ``make serve`` runs it, started and stopped by the benchmark."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int, field: str = "VmHWM") -> int | None:
    """A memory figure of ``pid`` from /proc (VmHWM is the peak resident set)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Server:
    """``gunicorn factcheck.wsgi`` with ``workers`` workers on a free local port: of
    ``worker_class`` with ``threads`` threads each (``make serve``'s defaults)."""

    def __init__(
        self,
        env: dict,
        *,
        workers: int = 2,
        timeout: int = 300,
        log: Path,
        worker_class: str = "sync",
        threads: int = 1,
    ):
        self.env, self.workers, self.timeout, self.log = env, workers, timeout, log
        self.worker_class, self.threads = worker_class, threads
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "factcheck.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            # A full export of a million claims outlives gunicorn's default 30 s.
            "--timeout",
            str(self.timeout),
            "--log-level",
            "warning",
        ]
        self.log_file = open(self.log, "a", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            command, cwd=ROOT, env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}; see {self.log}"
                )
            try:
                with urllib.request.urlopen(self.base + "/bench/ceiling/", timeout=2) as r:  # noqa: S310
                    if r.status == 200 and len(self.worker_pids()) >= self.workers:
                        break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log}")
        # Every worker imports and warms up on its first request.
        for _ in range(self.workers * 4):
            self.get("/bench/ceiling/")

    def get(
        self, path: str, headers: dict | None = None, timeout: float = 120
    ) -> tuple[int, bytes]:
        """(status, body); status 0 when there was no answer within ``timeout`` seconds."""
        request = urllib.request.Request(self.base + path, headers=headers or {})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as r:  # noqa: S310
                return r.status, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except OSError:  # refused, reset or timed out: reported, never raised
            return 0, b""

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        if getattr(self, "log_file", None):
            self.log_file.close()
            self.log_file = None


def environment(database_url: str, **extra) -> dict:
    """The environment the app is served (and generated) with: production settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "DEBUG", "SECRET_KEY"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="bench-" + os.urandom(24).hex(),
        # Persistent connections, as a production deployment sets them (see docs/performance.md).
        CONN_MAX_AGE=env.get("CONN_MAX_AGE", "600"),
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env
