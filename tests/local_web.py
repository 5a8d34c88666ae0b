"""A small web server on 127.0.0.1 for the article import's tests: pages, redirects, and the
misbehaving servers the fetcher must survive (too large, too slow). Nothing leaves the machine."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "web"
# A page in Windows-1252 that names its encoding only in a <meta> tag, as many older sites do.
LATIN = (
    '<html lang="de"><head><meta charset="windows-1252"><title>Zürich café prices</title>'
    "</head><body><article><h1>Zürich café prices</h1><p>The mayor of Zürich said café "
    "“prices” rose by a third since January, the council’s report says.</p><p>A second "
    "paragraph about the cafés of Zürich, long enough for the extractor to keep.</p>"
    "</article></body></html>"
).encode("cp1252")


class Handler(BaseHTTPRequestHandler):
    server: LocalWeb

    def log_message(self, *args):  # quiet
        pass

    def send(self, status: int, body: bytes = b"", **headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.hits.append(self.path)
        path, _, query = self.path.partition("?")
        if path == "/harbour":
            body = (FIXTURES / "harbour.html").read_bytes()
            self.send(200, body, Content_Type="text/html; charset=utf-8")
        elif path == "/latin":  # no charset in the header
            self.send(200, LATIN, Content_Type="text/html")
        elif path == "/odd-charset":  # a label no codec answers to
            self.send(200, LATIN, Content_Type="text/html; charset=utf8mb4")
        elif path == "/plain":
            self.send(200, b"A plain title\n\nA plain paragraph.\n", Content_Type="text/plain")
        elif path == "/pdf":
            self.send(200, b"%PDF-1.4", Content_Type="application/pdf")
        elif path == "/missing":
            self.send(404, b"no")
        elif path == "/redirect":  # to wherever ?to= says
            self.send(302, Location=query.removeprefix("to="))
        elif path == "/loop":
            self.send(302, Location="/loop")
        elif path == "/big":  # says nothing of its size, then sends too much
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"<p>" + b"x" * 65536 + b"</p>")
            except OSError:
                pass
        elif path == "/slow":  # a byte at a time, each within the read timeout
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        else:
            self.send(404, b"no")


class LocalWeb(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits: list[str] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def allow(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.shutdown()
        self.server_close()
