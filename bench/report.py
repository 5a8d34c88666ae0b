"""Markdown of the latest runs (``bench-results/latest-*.json``) for docs/performance.md.

python -m bench.report > /tmp/tables.md
"""

from __future__ import annotations

import json

from bench.run import RESULTS, scaling_table, table

PLANS = (
    "claims page 1 (cursor, id order)",
    "claims deep page (id > middle)",
    "claims ?status=published, deep page",
    "claims ?speaker=",
    "claim counts by status for a page of articles",
    "admin claim list, old ordering (-created_at, -id)",
    "admin claim list, ordering -id",
    "review queue page (oldest first by id)",
    "review queue count (at most 1,001)",
    "article page: claims of the long article",
)


def machine(report: dict) -> str:
    m = report["machine"]
    memory = m["free_h"].splitlines()[1].split()[1] if m.get("free_h") else "?"
    return (
        f"- `nproc`: {m['nproc']} ({m['cpu']}); `free -h`: {memory} total\n"
        f"- Python {m['python']}, Django {m['django']}, {m['platform']}\n"
        f"- load tool: {m['load_tool']}; gunicorn {report['settings']['workers']} sync workers, "
        f"{report['settings']['connections']} connections, {report['settings']['duration_s']:g} s "
        f"per endpoint after {report['settings']['warmup_s']:g} s of warm-up, "
        f"CONN_MAX_AGE={report['settings']['conn_max_age']}"
    )


def plans(report: dict) -> str:
    out = []
    for name in PLANS:
        got = report.get("plans", {}).get(name)
        if got:
            lines = got["plan"].strip().splitlines()
            shown = lines[:14] + (["  …"] if len(lines) > 16 else lines[14:])
            out += [f"**{name}**", "", "```", *shown, "```", ""]
    return "\n".join(out)


def main() -> None:
    labels = ["sqlite", "postgres", "postgres-x10"]
    for label in labels:
        path = RESULTS / f"latest-{label}.json"
        if not path.exists():
            continue
        report = json.loads(path.read_text())
        version = report.get("dataset", {}).get("database_version", report["database"])
        print(f"## {label} — {version}\n")
        print(machine(report) + "\n")
        print(table(report))
    scaling = RESULTS / "latest-scaling-postgres.json"
    if scaling.exists():
        print("## PostgreSQL at 101,000 and 1,001,000 claims, measured in alternation\n")
        print(scaling_table(json.loads(scaling.read_text())))
    for label in labels[::-1]:
        path = RESULTS / f"latest-{label}.json"
        report = json.loads(path.read_text()) if path.exists() else {}
        if report.get("plans"):
            claims = report.get("dataset", {}).get("claims", 0)
            print(f"## Query plans, {label} ({claims:,} claims)\n")
            print(plans(report))
            break


if __name__ == "__main__":
    main()
