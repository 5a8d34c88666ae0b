"""Production settings: `check --deploy` is clean, security headers are sent, and
`make serve`'s gunicorn + whitenoise serves compressed, hashed static files."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Yp0-test-only-but-long-and-random-enough-3kq9Vb2LmN8sTz4Wc6Hd1Rf5Gj",
    "ALLOWED_HOSTS": "127.0.0.1,factcheck.example.org",
    "TRUSTED_PROXIES": "0",
}


def production_env(**extra):
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not reach a "production" process.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **PRODUCTION, **extra}


SHARED_CACHE = "redis://127.0.0.1:6379/0"  # only named: a check connects to nothing


def test_check_deploy_has_zero_warnings():
    result = deploy_check(REDIS_URL=SHARED_CACHE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def deploy_check(**env):
    environ = production_env(**env)
    environ = {k: v for k, v in environ.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_warns_without_an_explicit_trusted_proxy_count():
    # The sign-in throttle keys on the client address; how to read it must be said.
    result = deploy_check(TRUSTED_PROXIES=None, REDIS_URL=SHARED_CACHE)
    assert result.returncode != 0
    assert "factcheck.W001" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "proxies, header", [("0", None), ("1", ["HTTP_X_FORWARDED_PROTO", "https"])]
)
def test_forwarded_proto_is_believed_only_behind_trusted_proxies(proxies, header):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_PROXY_SSL_HEADER, s.REST_FRAMEWORK['NUM_PROXIES']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **production_env(TRUSTED_PROXIES=proxies),
            "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [header, int(proxies)]


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_and_whitenoise_serve_hashed_compressed_static(tmp_path):
    env = production_env(
        STATIC_ROOT=str(tmp_path / "static"),
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    hashed = next(p for p in (tmp_path / "static" / "factcheck").glob("site.*.css"))
    assert hashed.name in manifest
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "factcheck.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/static/factcheck/{hashed.name}"
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        for _ in range(100):
            try:
                response = urllib.request.urlopen(request, timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        assert response.status == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_check_deploy_warns_when_the_body_limit_is_too_small_for_the_largest_article():
    # 8 MB: a 950,000-character CJK article sent by the form (URL-encoded) would not fit.
    result = deploy_check(DATA_UPLOAD_MAX_MEMORY_SIZE=str(8 * 1024 * 1024), REDIS_URL=SHARED_CACHE)
    assert result.returncode != 0
    assert "factcheck.W002" in result.stdout + result.stderr


def test_check_deploy_warns_when_the_cache_is_each_workers_own():
    # The attack: counts kept in each worker's memory; with 2 workers every limit doubled and a
    # restarted worker forgot. The sign-in counts are rows, but the API's rate limits (token
    # endpoint, exports, matching) and the public exports' version live in the cache.
    result = deploy_check(REDIS_URL=None)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "factcheck.W003" in output and "REDIS_URL" in output
    assert "factcheck.W001" not in output and "factcheck.W002" not in output
