"""Re-anchoring claims after a correction (issue 18), on generated corrections with known
outcomes (bench/corrections.py) and a timing on a 100,000-character article."""

from __future__ import annotations

import random
import time
from collections import Counter

from bench.corrections import (
    KINDS,
    Claim,
    Doc,
    anchors_of,
    articles,
    big_article,
    claims_of,
    correct,
    edit,
)
from bench.eval import Report
from factcheck.reanchor import reanchor

NAME = "Re-anchoring (corrected articles)"
SEED = 18


def score(claims: list[Claim], truth: dict, placements: list) -> Counter:
    """Per claim: its truth kind, whether the outcome is right, and whether it landed on words
    other than its own (placed when gone, or on a span that misses its words)."""
    counts = Counter()
    for claim, p in zip(claims, placements, strict=True):
        t = truth[claim.key]
        counts[t.kind] += 1
        placed = p.outcome != "orphaned"
        span = (p.start, p.end)
        if t.kind == "exact":
            counts["exact ok"] += p.outcome in ("unchanged", "moved") and span == t.span
        elif t.kind == "edited":
            counts["edited ok"] += placed and span == t.span
            counts["edited orphaned"] += not placed
        else:
            counts["gone ok"] += not placed
        if placed and (t.kind == "gone" or p.end <= t.span[0] or t.span[1] <= p.start):
            counts["wrong"] += 1
    return counts


def _rate(ok: int, total: int) -> str:
    return f"{ok}/{total} ({100 * ok / total:.1f} %)" if total else "–"


TIMED = {
    "a few paragraphs inserted, typos fixed, sentences deleted, a paragraph moved": [
        *["insert paragraph before"] * 4,
        *["typo fixed inside quote"] * 4,
        *["quoted sentence deleted"] * 4,
        "paragraph moved",
    ],
    "every quote mark curly, whitespace changed everywhere, words replaced": [
        "straight quotes to curly",
        *["whitespace and line ends"] * 40,
        *["words of quote replaced"] * 10,
    ],
}


def timing(rng: random.Random, kinds: list[str], claims: int = 1000) -> tuple[int, float, Counter]:
    """Seconds for ``reanchor`` alone (the diff included) on a 100,000-character article."""
    text = big_article(rng)
    picked = sorted(rng.sample(claims_of(text), claims), key=lambda c: c.start)
    doc = Doc(text)
    for kind in kinds:
        edit(doc, picked, kind, rng)
    new_text = doc.text
    truth = doc.truths(picked)
    anchors = anchors_of(text, picked)
    began = time.perf_counter()
    placements = reanchor(text, new_text, anchors)
    seconds = time.perf_counter() - began
    return len(text), seconds, score(picked, truth, placements)


def run(quick: bool = False) -> Report:
    rng = random.Random(SEED)
    rounds = 2 if quick else 12
    per_kind = {kind: Counter() for kind in KINDS}
    steps = Counter()
    for kind in KINDS:
        for _ in range(rounds):
            for _name, text in articles():
                new_text, claims, truth = correct(text, kind, rng)
                placements = reanchor(text, new_text, anchors_of(text, claims))
                per_kind[kind] += score(claims, truth, placements)
                steps.update(f"{p.outcome} (step {p.step})" for p in placements)
    report = Report()
    rows = []
    total = Counter()
    for kind, c in per_kind.items():
        total += c
        rows.append(_row(kind, c))
    rows.append(_row("**all**", total))
    report.table(
        "Claims re-anchored, per kind of correction (target: exact 100 %, edited ≥ 90 %, "
        "gone 100 %, wrong 0)",
        [
            "correction",
            "exact words → same words",
            "edited words → edited words",
            "words gone → orphan",
            "placed on other words",
        ],
        rows,
    )
    report.table("Outcomes by step", ["outcome", "claims"], sorted(steps.items()))
    rows = []
    for what, kinds in TIMED.items():
        size, seconds, c = timing(random.Random(SEED), kinds, claims=200 if quick else 1000)
        rows.append(
            [
                what,
                f"{size:,}",
                c["exact"] + c["edited"] + c["gone"],
                round(seconds, 3),
                _rate(c["exact ok"], c["exact"]),
                _rate(c["edited ok"], c["edited"]),
                _rate(c["gone ok"], c["gone"]),
                c["wrong"],
            ]
        )
    report.table(
        "Timing (target: 1,000 claims on a 100,000-character article < 1 s)",
        ["correction", "characters", "claims", "seconds", "exact", "edited", "gone", "wrong"],
        rows,
    )
    report.notes.append(
        f"{rounds} corrections of each kind on each of {len(articles())} articles (seed {SEED}); "
        "a claim is on every sentence and on a phrase of each long sentence."
    )
    return report


def _row(kind: str, c: Counter) -> list:
    return [
        kind,
        _rate(c["exact ok"], c["exact"]),
        _rate(c["edited ok"], c["edited"]),
        _rate(c["gone ok"], c["gone"]),
        c["wrong"],
    ]
