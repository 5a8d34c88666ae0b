"""How many password guesses a real gunicorn (2 workers, DEBUG=0) lets through.

Starts gunicorn (sync workers, or gthread with ``--threads``) on a throwaway SQLite database
and guesses:

1. one username from one address, through every door in turn (the sign-in page, the admin's,
   the token endpoint), forging a new X-Forwarded-For entry on every request (one trusted
   proxy appends the real address), until refused; then the right password from that address
   (refused) and from another (let in);
2. many usernames from one address, until the address is refused;
3. the same as 1 with 8 guesses in flight at once, or twice the threads (the count is shared,
   row-locked, and taken before the password is checked);
4. wrong old passwords on the password change form, signed in as another user.

Prints JSON. Run: ``.venv/bin/python scripts/signin_probe.py [--threads 8] [--redis-url URL]``
(about 2 minutes).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "probe-password-7-long"  # noqa: S105 - a throwaway user


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Door:
    """One way to sign in, from one client address (REMOTE_ADDR is 127.0.0.1 here)."""

    def __init__(self, port: int, path: str):
        self.port, self.path = port, path

    def guess(self, username: str, password: str, forwarded: str = "") -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        fields = {"username": username, "password": password}
        if self.path != "/api/v1/auth/token/":
            conn.request("GET", self.path, headers=headers)
            page = conn.getresponse()
            body = page.read().decode()
            cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
            headers["Cookie"] = f"csrftoken={cookie.group(1)}"
            fields["csrfmiddlewaretoken"] = token.group(1)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request("POST", self.path, urlencode(fields), headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status, response.getheader("Retry-After") or ""


def until_refused(doors, username: str, limit: int = 200) -> tuple[int, str]:
    for n in range(limit):
        # The client forges the left part; the (one trusted) proxy appends what it saw.
        forwarded = f"10.{n}.0.1, 203.0.113.1"
        status, retry = doors[n % len(doors)].guess(username, f"wrong-{n}", forwarded)
        if status == 429:
            return n, retry
    return limit, ""


def password_change_guesses(port: int, username: str, tries: int) -> list[int]:
    """Sign in as ``username``, then guess the old password on the password change form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    page = conn.getresponse()
    body = page.read().decode()
    csrf = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "").group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    headers = {
        "Cookie": f"csrftoken={csrf}",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-For": "203.0.113.5",
    }
    conn.request("POST", "/accounts/login/", urlencode(form), headers)
    signed_in = conn.getresponse()
    signed_in.read()
    session = re.search(r"sessionid=([^;]+)", signed_in.getheader("Set-Cookie") or "").group(1)
    headers["Cookie"] = f"csrftoken={csrf}; sessionid={session}"
    statuses = []
    for n in range(tries):
        form = {
            "csrfmiddlewaretoken": token,
            "old_password": f"wrong-{n}",
            "new_password1": "another-long-pass-42",
            "new_password2": "another-long-pass-42",
        }
        conn.request("POST", "/accounts/password_change/", urlencode(form), headers)
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
    conn.close()
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="gthread workers with this many threads each (make serve: 8); 0: sync workers",
    )
    parser.add_argument("--redis-url", default="", help="REDIS_URL for the shared cache")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/probe.sqlite3",
            "DEBUG": "0",
            "SECRET_KEY": "probe-" + "k" * 50,
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "TRUSTED_PROXIES": "1",
        }
        if args.redis_url:
            env["REDIS_URL"] = args.redis_url
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        for name, role in (("dana", "moderator"), ("erin", "moderator"), ("finn", "annotator")):
            subprocess.run(  # noqa: S603
                [*manage, "create_role_user", name, "--role", role, "--password", PASSWORD],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        static = [*manage, "collectstatic", "--no-input", "-v0"]
        subprocess.run(static, cwd=ROOT, env=env, check=True)  # noqa: S603
        port = args.port or free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        workers = ["--workers", "2"]
        if args.threads:
            workers += ["--worker-class", "gthread", "--threads", str(args.threads)]
        server = subprocess.Popen(  # noqa: S603
            [str(gunicorn), "factcheck.wsgi", "--bind", f"127.0.0.1:{port}", *workers],
            cwd=ROOT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            doors = [
                Door(port, p) for p in ("/accounts/login/", "/admin/login/", "/api/v1/auth/token/")
            ]
            token = doors[2]
            allowed, retry = until_refused(doors, "dana")
            right_here = token.guess("dana", PASSWORD, "203.0.113.1")[0]
            right_elsewhere = token.guess("dana", PASSWORD, "203.0.113.2")[0]
            per_address = 200
            for n in range(200):
                if token.guess(f"nobody{n}", "x", "203.0.113.3")[0] == 429:
                    per_address = n
                    break
            in_flight = max(8, 2 * args.threads)
            with ThreadPoolExecutor(in_flight) as pool:
                statuses = list(
                    pool.map(lambda n: token.guess("erin", f"w{n}", "203.0.113.4")[0], range(40))
                )
            changes = password_change_guesses(port, "finn", 30)
            kind = f"gthread, {args.threads} threads each" if args.threads else "sync"
            cache = "Redis" if args.redis_url else "per-worker memory"
            result = {
                "gunicorn": f"2 {kind} workers, DEBUG=0, SQLite, {cache} cache, TRUSTED_PROXIES=1",
                "one username, one address, 3 doors, rotating X-Forwarded-For": {
                    "wrong guesses answered before the first 429": allowed,
                    "Retry-After then (s)": retry,
                    "right password from that address": right_here,
                    "right password from another address": right_elsewhere,
                },
                "one address, many usernames: guesses before 429": per_address,
                f"40 guesses, {in_flight} at a time, one username: answered (not 429)": sum(
                    s != 429 for s in statuses
                ),
                "30 wrong old passwords on the password change form, signed in: answered": sum(
                    s != 429 for s in changes
                ),
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
