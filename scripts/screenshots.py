"""Screenshots of the desk's pages for docs/ (``make screenshots``).

Builds the demo data (``load_demo``) in a temporary SQLite database, serves it with
``runserver`` on a free local port, signs in as the demo annotator and photographs each page
in PAGES at each width in WIDTHS with Debian's headless Chromium (/usr/bin/chromium, through
Playwright; no browser is downloaded). PNGs go to docs/screenshots/<name>-<width>.png.

To add a page, append a Page: its name, a path (a function of the demo article, so ids need not
be known) and, if the page needs it, a ``prepare(page)`` that brings it to the state to show.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTHS = {1280: 800, 390: 844}
HOST = "127.0.0.1"


@dataclass
class Demo:
    """What the pages' paths may use: the demo article and its claims' ids."""

    article: int
    claims: list[int]
    published: list[int]
    password: str


@dataclass
class Page:
    name: str
    path: Callable[[Demo], str]
    prepare: Callable | None = None  # prepare(page, demo): the state to photograph
    full_page: bool = True
    user: str = "alice"


def open_claim_form(page, demo: Demo) -> None:
    """Drag the mouse over a sentence of the article, as a reader would, and start filling in."""
    quote = "Critics were less convinced."
    box = page.evaluate(
        """(quote) => {
          const root = document.querySelector('[data-testid=article-text]');
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const at = n.data.indexOf(quote);
            if (at === -1) continue;
            n.parentElement.scrollIntoView({block: 'center'});
            const rect = (from, to) => {
              const r = document.createRange();
              r.setStart(n, from);
              r.setEnd(n, to);
              return r.getBoundingClientRect();
            };
            const a = rect(at, at + 1), b = rect(at + quote.length - 1, at + quote.length);
            return {x1: a.left + 1, y1: a.top + a.height / 2,
                    x2: b.right - 1, y2: b.top + b.height / 2};
          }
        }""",
        quote,
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()
    form = page.locator("[data-testid=claim-form]")
    form.wait_for(state="visible")
    page.keyboard.type("Mette Lund")  # the speaker field has focus
    page.keyboard.press("Alt+1")  # a direct quote
    page.wait_for_timeout(400)  # the "new speaker" note


def show_claim_card(page, demo: Demo) -> None:
    mark = page.locator(f'mark[data-claim-id="{demo.claims[1]}"]').first
    mark.scroll_into_view_if_needed()
    mark.click()
    page.locator("[data-testid=claim-card]").wait_for(state="visible")


PAGES = [
    Page("reading", lambda d: f"/articles/{d.article}/"),
    Page("claim-card", lambda d: f"/articles/{d.article}/", show_claim_card, full_page=False),
    Page("claim-form", lambda d: f"/articles/{d.article}/", open_claim_form, full_page=False),
    # What anyone sees, signed in or not: a published claim's fact-check.
    Page("public-factcheck", lambda d: f"/factchecks/{d.published[0]}/", user=""),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, **kwargs):
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, **kwargs
    )


def demo_ids(env) -> Demo:
    code = (
        "from factcheck import demo; from factcheck.models import Claim;"
        "a = demo.load_demo()[0];"
        "cs = Claim.objects.filter(article=a).order_by('start');"
        "print(demo.DEMO_PASSWORD, a.pk, ','.join(str(c.pk) for c in cs),"
        " ','.join(str(c.pk) for c in cs.filter(status='published')) or '-')"
    )
    out = manage(env, "shell", "-v0", "-c", code, capture_output=True, text=True).stdout.split()

    def ints(s):
        return [int(x) for x in s.split(",") if x.isdigit()]

    return Demo(int(out[1]), ints(out[2]), ints(out[3]), out[0])


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        }
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "load_demo", stdout=subprocess.DEVNULL)
        demo = demo_ids(env)
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", f"{HOST}:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)  # noqa: S310
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                sessions = {}
                for spec in PAGES:
                    if spec.user not in sessions:
                        context = browser.new_context()
                        page = context.new_page()
                        if spec.user:
                            page.goto(f"{base}/accounts/login/")
                            page.fill("input[name=username]", spec.user)
                            page.fill("input[name=password]", demo.password)
                            page.click("button[type=submit]")
                            page.wait_for_url(lambda url: "/accounts/login/" not in url)
                        sessions[spec.user] = page
                    page = sessions[spec.user]
                    for width, height in WIDTHS.items():
                        page.set_viewport_size({"width": width, "height": height})
                        page.goto(base + spec.path(demo))
                        if spec.prepare:
                            spec.prepare(page, demo)
                        path = OUT / f"{spec.name}-{width}.png"
                        page.screenshot(path=str(path), full_page=spec.full_page)
                        print(path.relative_to(ROOT))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
