"""Timings in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

- page load of the article with 1,000 highlights (navigation start to the first frame after
  the load event; includes the server's time);
- render of 1,000 highlights: the page's script building the highlights again from its
  claims (as it does after every save), style and layout forced, until the next frame; the
  same for the side panel's 1,000 entries (built once per page load);
- mouse-up to saved highlight: a real mouse selection, Save (Ctrl+Enter) pressed as soon as
  the claim form opens, until the new highlight is in the page at the next frame.

Prints one JSON line. Never downloads a browser: without /usr/bin/chromium it reports why.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from pathlib import Path

from bench.server import Server

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# The same flags as tests/browser/conftest.py.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPEAT = 3

PAGE_LOAD_JS = """
() => new Promise((resolve) => {
  const done = () => requestAnimationFrame(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    resolve({
      marks: document.querySelectorAll("[data-testid=article-text] mark[data-claim-id]").length,
      ttfb: nav.responseStart - nav.startTime,
      html_done: nav.responseEnd - nav.startTime,
      dom_content_loaded: nav.domContentLoadedEventEnd - nav.startTime,
      shown: performance.now() - nav.startTime,
    });
  });
  if (document.readyState === "complete") done();
  else window.addEventListener("load", done, { once: true });
})
"""

RERENDER_JS = """
(what) => new Promise(async (resolve) => {
  // The page's own module (already loaded: importing it again returns the same instance).
  const src = document.querySelector("script[type=module][src*='annotate']").src;
  const page = await import(src);
  const el = document.querySelector(
    what.text ? "[data-testid=article-text]" : "[data-testid=claim-list]"
  );
  if (what.text) el.replaceChildren(document.createTextNode(el.textContent));
  else el.replaceChildren();
  void document.body.offsetHeight;
  const began = performance.now();
  page.rerender(what);
  void document.body.offsetHeight;  // style and layout now
  requestAnimationFrame(() => resolve({
    ms: performance.now() - began,
    marks: el.querySelectorAll("mark[data-claim-id], li[data-claim-id]").length,
  }));
})
"""

ARM_JS = """
() => {
  const el = document.querySelector("[data-testid=article-text]");
  window.__bench = {};
  const up = () => { window.__bench.up = performance.now(); };
  el.addEventListener("mouseup", up, { capture: true });
  document.addEventListener("factcheck:saved", (event) => {
    const id = event.detail && event.detail.id;
    requestAnimationFrame(() => {
      window.__bench.saved = performance.now();
      window.__bench.found = el.querySelector(`mark[data-claim-id="${id}"]`) !== null;
    });
  });
}
"""

# A stretch of plain text (outside any highlight) to select, scrolled into view.
TARGET_JS = """
(nth) => {
  const el = document.querySelector("[data-testid=article-text]");
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let node, seen = 0;
  while ((node = walker.nextNode())) {
    if (node.parentElement.closest("mark") || node.textContent.trim().length < 16) continue;
    if (seen++ < nth) continue;
    const range = document.createRange();
    const text = node.textContent;
    const start = text.search(/\\S/);
    range.setStart(node, start);
    range.setEnd(node, start + 1);
    const top = range.getBoundingClientRect().top - window.innerHeight / 2;
    window.scrollBy({ top, behavior: "instant" });
    const a = range.getBoundingClientRect();
    range.setStart(node, start + 9);
    range.setEnd(node, start + 10);
    const b = range.getBoundingClientRect();
    if (Math.abs(a.top - b.top) > 2) continue;  // wrapped: try the next one
    return { x1: a.left + 1, x2: b.right - 1, y: (a.top + a.bottom) / 2 };
  }
  return null;
}
"""


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def measure(base: str, cookie: str, big: int, small: int) -> dict:
    from playwright.sync_api import sync_playwright

    name, value = cookie.split("=", 1)
    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": name, "value": value, "url": base}])
        page = context.new_page()
        loads = []
        for _ in range(REPEAT):
            response = page.goto(f"{base}/articles/{big}/", wait_until="load", timeout=120_000)
            if page.locator("[data-testid=article-text]").count() == 0:
                browser.close()
                return {"skipped": f"no article text at {page.url} (HTTP {response.status})"}
            loads.append(page.evaluate(PAGE_LOAD_JS))
        out["highlights_on_page"] = loads[-1]["marks"]
        out["page_load_1000_highlights_ms"] = median(x["shown"] for x in loads)
        out["page_server_ttfb_ms"] = median(x["ttfb"] for x in loads)
        out["page_html_received_ms"] = median(x["html_done"] for x in loads)
        renders = [page.evaluate(RERENDER_JS, {"text": True, "list": False}) for _ in range(REPEAT)]
        out["render_1000_highlights_ms"] = median(x["ms"] for x in renders)
        lists = [page.evaluate(RERENDER_JS, {"text": False, "list": True}) for _ in range(REPEAT)]
        out["render_side_panel_1000_ms"] = median(x["ms"] for x in lists)
        for key, article in (("mouseup_to_saved_ms", small), ("mouseup_to_saved_1000_ms", big)):
            out[key], out[key.replace("_ms", "_note")] = mouseup_to_saved(page, base, article)
        browser.close()
    return out


def mouseup_to_saved(page, base: str, article: int):
    page.goto(f"{base}/articles/{article}/", wait_until="load", timeout=120_000)
    if page.locator("[data-testid=claim-form]").count() == 0:
        return None, "the page has no claim form"
    times = []
    for attempt in range(REPEAT):
        page.evaluate(ARM_JS)
        spot = page.evaluate(TARGET_JS, attempt)
        if spot is None:
            return median(times), "no plain text left to select"
        page.mouse.move(spot["x1"], spot["y"])
        page.mouse.down()
        page.mouse.move(spot["x2"], spot["y"], steps=4)
        page.mouse.up()
        form = page.locator("[data-testid=claim-form]")
        try:
            form.wait_for(state="visible", timeout=5_000)
        except Exception:  # noqa: BLE001 - reported, not raised
            return median(times), "the claim form did not open on mouse-up"
        page.keyboard.press("Control+Enter")
        try:
            page.wait_for_function("() => window.__bench.saved !== undefined", timeout=60_000)
        except Exception:  # noqa: BLE001
            return median(times), "no factcheck:saved event after Save"
        got = page.evaluate("() => window.__bench")
        if got.get("found"):
            times.append(got["saved"] - got["up"])
    return median(times), f"median of {len(times)}; Save pressed as soon as the form opened"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big-article", type=int, required=True)
    parser.add_argument("--small-article", type=int, required=True)
    parser.add_argument("--cookie", required=True, help="sessionid=... of an annotator")
    parser.add_argument("--log", default="bench-results/gunicorn-browser.log")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(
            json.dumps({"skipped": f"Chromium not found at {CHROMIUM}: apt-get install chromium"})
        )
        return
    try:
        import playwright  # noqa: F401
    except ImportError:
        print(json.dumps({"skipped": "playwright is not installed (pip install -e '.[dev]')"}))
        return
    with Server(dict(os.environ), workers=2, log=Path(args.log)) as server:
        result = measure(server.base, args.cookie, args.big_article, args.small_article)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
