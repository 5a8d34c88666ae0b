"""Load generation: wrk (Debian's ``wrk``) when present, else a bounded Python client.

Every run is bounded in time (``duration``) and, for the Python client, in requests too;
only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import http.client
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

MAX_REQUESTS = 200_000  # the Python client's cap per run, whatever the duration

DONE_LUA = """
function done(summary, latency, requests)
  local f = io.open("%(out)s", "w")
  f:write(string.format(
    '{"requests":%%d,"duration_us":%%d,"bytes":%%d,"connect":%%d,"read":%%d,"write":%%d,' ..
    '"status":%%d,"timeout":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,"max_us":%%d}',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
  f:close()
end
"""

# Each wrk thread creates claims at its own offsets in the small article.
CREATE_LUA = """
local counter = 0
thread_no = 0  -- a global: setup() sets each thread's own
local threads = 0
function setup(thread)
  thread:set("thread_no", threads)
  threads = threads + 1
end
function request()
  counter = counter + 1
  local start = (thread_no * 1777 + counter * 37) %% %(limit)d
  local body = string.format(
    '{"article": %(article)d, "start": %%d, "end": %%d, "kind": "direct_quote", ' ..
    '"speaker_name": "Ingrid Solberg", "statement_title": "Benchmark interview", ' ..
    '"summary": "A claim made by the benchmark."}', start, start + 12)
  return wrk.format("POST", "%(path)s", nil, body)
end
"""


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def wrk(
    url: str,
    *,
    headers: dict,
    duration: float,
    connections: int,
    threads: int = 2,
    create: dict | None = None,
) -> dict:
    """Run wrk against ``url``; ``create`` = {"article", "limit"} turns it into claim POSTs."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        out = Path(tmp) / "result.json"
        script = "".join(
            f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}\n" for k, v in headers.items()
        )
        if create is not None:
            script += 'wrk.method = "POST"\n'
            script += CREATE_LUA % {
                "article": create["article"],
                "limit": create["limit"],
                "path": urlsplit(url).path,
            }
        script += DONE_LUA % {"out": out}
        lua = Path(tmp) / "script.lua"
        lua.write_text(script, encoding="utf-8")
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "--timeout",
            "30s",
            "-s",
            str(lua),
            url,
        ]
        done = subprocess.run(  # noqa: S603 - wrk from PATH, our arguments
            command, capture_output=True, text=True, timeout=duration + 60, check=False
        )
        if not out.exists():
            raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
        raw = json.loads(out.read_text())
    seconds = raw["duration_us"] / 1e6
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "tool": "wrk",
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "non_2xx": raw["status"],
        "socket_errors": errors,
        "bytes_per_response": round(raw["bytes"] / raw["requests"]) if raw["requests"] else 0,
    }


def python_load(
    url: str,
    *,
    headers: dict,
    duration: float,
    connections: int,
    create: dict | None = None,
    max_requests: int = MAX_REQUESTS,
) -> dict:
    """A bounded keep-alive client, one thread per connection (slower than wrk: a fallback)."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    counts = {"non_2xx": 0, "errors": 0, "bytes": 0, "sent": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker(number: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        i = 0
        while time.monotonic() < stop_at:
            with lock:
                if counts["sent"] >= max_requests:
                    return
                counts["sent"] += 1
            i += 1
            body = None
            send_headers = dict(headers)
            if create is not None:
                start = (number * 1777 + i * 37) % create["limit"]
                body = json.dumps(
                    {
                        "article": create["article"],
                        "start": start,
                        "end": start + 12,
                        "kind": "direct_quote",
                        "speaker_name": "Ingrid Solberg",
                        "statement_title": "Benchmark interview",
                    }
                )
            began = time.perf_counter()
            try:
                conn.request("POST" if create else "GET", path, body=body, headers=send_headers)
                response = conn.getresponse()
                size = len(response.read())
            except (OSError, http.client.HTTPException):
                with lock:
                    counts["errors"] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                counts["bytes"] += size
                if response.status >= 400:
                    counts["non_2xx"] += 1
        conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 60)
    seconds = time.perf_counter() - began
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000, 2)

    return {
        "tool": "python",
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "rps": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else 0.0,
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else 0.0,
        "non_2xx": counts["non_2xx"],
        "socket_errors": counts["errors"],
        "bytes_per_response": round(counts["bytes"] / len(latencies)) if latencies else 0,
    }


def load(url: str, **kwargs) -> dict:
    if have_wrk():
        return wrk(url, **kwargs)
    kwargs.pop("threads", None)
    return python_load(url, **kwargs)
