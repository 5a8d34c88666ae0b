"""Markdown of the latest runs (``bench-results/latest-*.json``) for docs/performance.md.

python -m bench.report > /tmp/tables.md
"""

from __future__ import annotations

import json

from bench.run import RESULTS, table

PLANS = (
    "claims page 1 (cursor, id order)",
    "claims deep page (id > middle)",
    "claims ?status=published, deep page",
    "claims ?speaker=",
    "claim counts by status for a page of articles",
    "admin claim list (ordering -created_at, -id)",
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
            out += [f"**{name}**", "", "```", got["plan"].strip(), "```", ""]
    return "\n".join(out)


def main() -> None:
    for path in sorted(RESULTS.glob("latest-*.json")):
        report = json.loads(path.read_text())
        version = report.get("dataset", {}).get("database_version", report["database"])
        print(f"## {path.stem.removeprefix('latest-')} — {version}\n")
        print(machine(report) + "\n")
        print(table(report))
        if report.get("plans"):
            print(f"### Query plans ({version})\n")
            print(plans(report))


if __name__ == "__main__":
    main()
