"""The guarded fetcher: what it reaches, what it refuses, and how it gives up."""

import logging
import time

import pytest

from factcheck.fetch import FetchError, Refused, fetch, is_public
from tests.local_web import LocalWeb


@pytest.fixture
def web():
    server = LocalWeb()
    yield server
    server.stop()


@pytest.fixture
def allowed(web, settings):
    settings.FACTCHECK_FETCH_ALLOW = [web.allow]
    return web


def test_it_fetches_a_page_from_an_allowed_address(allowed, caplog):
    with caplog.at_level(logging.INFO, logger="factcheck.fetch"):
        page = fetch(allowed.url("/harbour"), by=type("U", (), {"username": "alice"})())
    assert (page.content_type, page.charset) == ("text/html", "utf-8")
    assert b"Harbour ferry fares" in page.body
    assert any("by=alice" in r.message and "/harbour" in r.message for r in caplog.records)


def test_a_refusal_is_logged_with_who_asked(caplog):
    with caplog.at_level(logging.INFO, logger="factcheck.fetch"), pytest.raises(Refused):
        fetch("http://169.254.169.254/latest/", by=type("U", (), {"username": "alice"})())
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert "by=alice" in record.message and "169.254.169.254/latest/" in record.message


def test_the_local_server_is_refused_by_default(web):
    # FACTCHECK_FETCH_ALLOW is empty unless a deployment (or a test) says otherwise.
    with pytest.raises(Refused, match="127.0.0.1"):
        fetch(web.url("/harbour"))
    assert web.hits == []  # refused before connecting


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1.2.3:8080/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "http://240.0.0.1/",
        "http://255.255.255.255/",
        "http://localhost/",
        "http://2130706433/",  # 127.0.0.1 as one number
        "http://0x7f.1/",
    ],
)
def test_internal_addresses_are_refused(url):
    with pytest.raises(Refused):
        fetch(url)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/a", "file:///etc/passwd", "gopher://x/", "http://user:pw@example.org/"],
)
def test_only_plain_http_urls_without_credentials(url):
    with pytest.raises(Refused):
        fetch(url)


def test_localhost_resolves_to_loopback_and_is_refused(web):
    with pytest.raises(Refused, match="localhost is at"):
        fetch(f"http://localhost:{web.port}/harbour")
    assert web.hits == []


def test_a_redirect_to_a_private_address_is_refused(allowed):
    with pytest.raises(Refused, match="10.0.0.1"):
        fetch(allowed.url("/redirect?to=http://10.0.0.1/admin"))
    assert allowed.hits == ["/redirect?to=http://10.0.0.1/admin"]


def test_a_redirect_to_metadata_service_is_refused(allowed):
    with pytest.raises(Refused, match="169.254.169.254"):
        fetch(allowed.url("/redirect?to=http://169.254.169.254/latest/meta-data/"))


def test_a_redirect_to_another_local_port_is_refused(allowed):
    # Only the allowed ip:port is reachable; the same host on another port is not.
    with pytest.raises(Refused):
        fetch(allowed.url(f"/redirect?to=http://127.0.0.1:{allowed.port + 1}/"))


def test_an_allowed_redirect_is_followed(allowed):
    page = fetch(allowed.url("/redirect?to=/harbour"))
    assert page.url == allowed.url("/harbour")


def test_redirects_are_capped(allowed):
    with pytest.raises(FetchError, match="More than 5 redirects"):
        fetch(allowed.url("/loop"))
    assert len(allowed.hits) == 6


def test_an_oversize_body_is_refused(allowed, settings):
    settings.FACTCHECK_FETCH_MAX_BYTES = 1_000_000
    with pytest.raises(FetchError, match="larger than the limit of 1,000,000 bytes"):
        fetch(allowed.url("/big"))


def test_a_slow_server_is_cut_at_the_deadline(allowed, settings):
    settings.FACTCHECK_FETCH_DEADLINE = 1.0
    started = time.monotonic()
    with pytest.raises(FetchError, match="too long"):
        fetch(allowed.url("/slow"))
    assert time.monotonic() - started < 2.5  # the server would take 10 s


def test_other_content_types_and_statuses_are_refused(allowed):
    with pytest.raises(FetchError, match="application/pdf"):
        fetch(allowed.url("/pdf"))
    with pytest.raises(FetchError, match="404"):
        fetch(allowed.url("/missing"))


def test_an_unknown_host_is_a_clear_error():
    with pytest.raises(FetchError, match="could not be found"):
        fetch("http://no-such-host.invalid/")


def test_public_addresses_are_public():
    import ipaddress

    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert is_public(ipaddress.ip_address("2606:2800:220:1::1"))
    assert not is_public(ipaddress.ip_address("::ffff:192.168.0.1"))
