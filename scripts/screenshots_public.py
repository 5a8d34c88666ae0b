"""Screenshots of the public fact-check page at 1,280 px and 390 px, into docs/screenshots/.

Runs the browser test that reads a published fact-check in headless Chromium
(tests/browser/test_public_page.py, which saves them under test-results/screenshots/) and
copies the PNGs that docs/browser.md shows. ``make screenshots`` runs it beside the reading
page's and claim form's script.

    .venv/bin/python scripts/screenshots_public.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TAKEN = ROOT / "test-results" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"
# (the browser test that takes them, the screenshots it takes)
PAGES = [
    (
        "tests/browser/test_public_page.py::test_anyone_reads_a_published_fact_check",
        ["public-factcheck-desktop", "public-factcheck-mobile"],
    ),
]


def main() -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    for test, names in PAGES:
        for name in names:
            (TAKEN / f"{name}.png").unlink(missing_ok=True)
        if pytest.main([str(ROOT / test.split("::")[0]) + "::" + test.split("::")[1], "-q"]):
            print(f"{test} failed; no screenshots copied", file=sys.stderr)
            return 1
        for name in names:
            shutil.copyfile(TAKEN / f"{name}.png", DOCS / f"{name}.png")
            print(f"docs/screenshots/{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
