"""Fetch a page from the web for the article import, guarded against server-side request forgery.

The server fetches what a desk member names, so a URL must not reach what only the server can:
its own loopback, the private network behind it, a cloud's metadata service. ``fetch(url)``:

- takes ``http`` and ``https`` only, with no credentials in the URL;
- resolves the host itself and refuses when ANY address it resolves to is loopback, private,
  link-local, multicast, reserved, unspecified or otherwise not global (IPv4 and IPv6; an
  IPv4-mapped IPv6 address is judged as its IPv4 address), unless that ``ip:port`` is in
  ``FACTCHECK_FETCH_ALLOW`` (empty by default: the tests allow their own local server);
- connects to the very address it checked (the Host header and TLS name stay the URL's), so a
  second DNS answer cannot slip another address in between;
- follows redirects itself, at most ``MAX_REDIRECTS``, checking each new URL the same way;
- reads at most ``FACTCHECK_FETCH_MAX_BYTES`` (streamed; refused past it), with connect and read
  timeouts and a deadline for the whole fetch that closes the socket when it passes;
- logs who fetched what, and what came of it, on the ``factcheck.fetch`` logger.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

logger = logging.getLogger("factcheck.fetch")

MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
CONTENT_TYPES = {"text/html", "application/xhtml+xml", "text/plain"}
USER_AGENT = "factcheck-article-import/1.0"


class FetchError(Exception):
    """The page could not be fetched; the message says why, for the person who asked."""


class Refused(FetchError):
    """The URL names an address this server must not reach."""


@dataclass(frozen=True)
class Fetched:
    url: str  # where the page was found, after redirects
    content_type: str
    charset: str | None  # as the server named it (factcheck.extract.decode reads the body)
    body: bytes


def fetch(url: str, *, by=None) -> Fetched:
    """The page at ``url`` (see the module's docstring for what is refused)."""
    who = getattr(by, "username", None) or "-"
    deadline = time.monotonic() + settings.FACTCHECK_FETCH_DEADLINE
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            address = check_url(current)
            status, location, fetched = _get(current, address, deadline)
            if status in REDIRECTS and location:
                logger.info("fetch by=%s url=%s redirect=%s", who, current, location)
                current = urljoin(current, location)
                continue
            if status != 200:
                raise FetchError(f"The server answered {status} for {current}.")
            logger.info(
                "fetch by=%s url=%s final=%s bytes=%d", who, url, current, len(fetched.body)
            )
            return fetched
        raise FetchError(f"More than {MAX_REDIRECTS} redirects.")
    except FetchError as exc:
        logger.warning("fetch refused by=%s url=%s at=%s: %s", who, url, current, exc)
        raise


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``ip`` is an address of the public internet (not one behind this server)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str) -> tuple[str, int]:
    """The ``(ip, port)`` to connect to for ``url``, or Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"Not a valid URL: {exc}.") from exc
    if parts.scheme not in ("http", "https"):
        raise Refused("Only http and https URLs can be imported.")
    if parts.username is not None or parts.password is not None:
        raise Refused("A URL with a user name or password cannot be imported.")
    host = parts.hostname
    if not host:
        raise Refused("The URL has no host.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"The host {host} could not be found.") from exc
    addresses = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if not (is_public(ip) or allowed(ip, port)):
            raise Refused(
                f"{host} is at {ip}, a private, loopback or otherwise internal address: "
                "this server does not fetch from those."
            )
        addresses.append(str(ip))
    if not addresses:
        raise FetchError(f"The host {host} could not be found.")
    return addresses[0], port


def allowed(ip, port: int) -> bool:
    shown = f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
    return shown in settings.FACTCHECK_FETCH_ALLOW


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand, whatever DNS says now."""

    def __init__(self, host, port, *, ip: str, timeout: float, read_timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.ip, self.read_timeout = ip, read_timeout

    def connect(self):
        self.sock = socket.create_connection((self.ip, self.port), self.timeout)
        self.sock.settimeout(self.read_timeout)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def connect(self):
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def _get(url: str, address: tuple[str, int], deadline: float):
    parts = urlsplit(url)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError("The page took too long to fetch.")
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    conn = kind(
        parts.hostname,
        address[1],
        ip=address[0],
        timeout=min(settings.FACTCHECK_FETCH_CONNECT_TIMEOUT, remaining),
        read_timeout=min(settings.FACTCHECK_FETCH_READ_TIMEOUT, remaining),
    )
    expired = threading.Event()

    def cut():  # the deadline: a server that dribbles bytes cannot hold the fetch open
        expired.set()
        if conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(remaining, cut)
    timer.daemon = True
    timer.start()
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request(
            "GET",
            path,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5",
                "Accept-Encoding": "identity",
            },
        )
        response = conn.getresponse()
        if response.status in REDIRECTS:
            return response.status, response.getheader("Location"), None
        if response.status != 200:
            return response.status, None, None
        content_type = (response.getheader("Content-Type") or "text/html").split(";")[0]
        content_type = content_type.strip().lower()
        if content_type not in CONTENT_TYPES:
            raise FetchError(
                f"The page is {content_type}; only HTML and plain text pages can be imported."
            )
        limit = settings.FACTCHECK_FETCH_MAX_BYTES
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            raise FetchError(f"The page is larger than the limit of {limit:,} bytes.")
        chunks, size = [], 0
        while chunk := response.read1(65536):
            size += len(chunk)
            if size > limit:
                raise FetchError(f"The page is larger than the limit of {limit:,} bytes.")
            chunks.append(chunk)
            if expired.is_set():
                break
        if expired.is_set():
            raise FetchError("The page took too long to fetch.")
        charset = response.msg.get_content_charset()
        return 200, None, Fetched(url, content_type, charset, b"".join(chunks))
    except FetchError:
        raise
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            raise FetchError("The page took too long to fetch.") from exc
        raise FetchError(f"The page could not be fetched: {exc}.") from exc
    finally:
        timer.cancel()
        conn.close()
