"""``make eval``: run every evaluation in ``bench/evals/`` and report precision, recall and
timings as Markdown tables (printed, and written to ``bench-results/eval.md``).

    python -m bench.eval            # every evaluation, full sets
    python -m bench.eval --quick    # a smaller run (CI)
    python -m bench.eval --only suggestions
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench-results"


@dataclass
class Report:
    """What one evaluation found: tables (a title, a header and rows) and free notes."""

    tables: list[tuple[str, list[str], list[list]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, title: str, header: list[str], rows: list[list]) -> None:
        self.tables.append((title, header, rows))

    def markdown(self) -> str:
        out = []
        for title, header, rows in self.tables:
            out += [f"#### {title}", "", "| " + " | ".join(header) + " |"]
            out.append("|" + "---|" * len(header))
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
            out.append("")
        out += [f"- {note}" for note in self.notes]
        return "\n".join(out).rstrip() + "\n"


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def evaluations() -> list:
    import bench.evals as package

    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"bench.evals.{info.name}")
        if hasattr(module, "run"):
            found.append((info.name, module))
    return sorted(found, key=lambda pair: pair[0])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sets (CI)")
    parser.add_argument("--only", default="", help="comma-separated evaluation names")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()
    only = {n for n in args.only.split(",") if n}
    parts = [f"# make eval ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", ""]
    for name, module in evaluations():
        if only and name not in only:
            continue
        began = time.perf_counter()
        report = module.run(quick=args.quick)
        seconds = time.perf_counter() - began
        parts += [f"## {getattr(module, 'NAME', name)}", "", report.markdown()]
        parts.append(f"_{name}: {seconds:.1f} s_\n")
    text = "\n".join(parts)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
