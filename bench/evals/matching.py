"""Claim matching (issue 19) on our own evaluation set: earlier fact-checks and new claims.

``bench/evalsets/matching/published.json`` holds the published fact-checks (with deliberate
near misses of one another), ``queries.json`` the new claims, each with the published one it
repeats (``expect``) or none, a ``type`` (paraphrase, number words, near miss, no match…) and a
``split``: the engine was tuned on ``dev`` only; ``test`` is reported apart.

The fact-checks are loaded into a throwaway database (Django's test database: migrated, on
SQLite or on the PostgreSQL of DATABASE_URL) through the real actions (an article, a claim, an
approved verdict each), so that ``match_text`` is measured on its real path: the full-text
index, the visibility, the re-ranker. Queries are asked as an anonymous visitor.
"""

from __future__ import annotations

import datetime
import json
import os
import statistics
import time
from collections import defaultdict
from pathlib import Path

from bench.eval import Report

NAME = "Matching: earlier fact-checks for a new claim"
SET = Path(
    os.environ.get("MATCHING_EVALSET")
    or Path(__file__).resolve().parents[1] / "evalsets" / "matching"
)
TARGETS = "targets: recall@5 ≥ 90 %, recall@1 ≥ 75 %, false strong ≤ 5 % (near misses included)"


def load() -> tuple[list[dict], list[dict]]:
    published = json.loads((SET / "published.json").read_text(encoding="utf-8"))
    queries = json.loads((SET / "queries.json").read_text(encoding="utf-8"))
    return published, queries


def build(published: list[dict]) -> dict[int, str]:
    """Each fact-check as a real published claim; claim pk -> evaluation id."""
    from django.contrib.auth.models import Group, User

    from factcheck import actions
    from factcheck.models import Rating, Role

    def user(name, role):
        u = User.objects.create_user(name, f"{name}@example.org", None)
        u.groups.add(Group.objects.get(name=role))
        return u

    annotator = user("eval-annotator", Role.ANNOTATOR)
    reviewer = user("eval-reviewer", Role.REVIEWER)
    moderator = user("eval-moderator", Role.MODERATOR)
    ratings = {r.label.casefold(): r for r in Rating.objects.all()}
    fallback = next(iter(ratings.values()))
    ids = {}
    for item in published:
        lead = f"{item.get('article_title', '')}\n\n"
        text = f"{lead}{item['quote']}\n"
        article = actions.create_article(
            title=item.get("article_title") or item["quote"][:60],
            text=text,
            publisher=item.get("article_publisher", ""),
            published_on=datetime.date.fromisoformat(item["date"]) if item.get("date") else None,
            by=annotator,
        )
        claim = actions.create_claim(
            article=article,
            by=annotator,
            start=len(lead),
            end=len(lead) + len(item["quote"]),
            kind="direct_quote",
            speaker_name=item.get("speaker", ""),
            summary=item.get("summary", "")[:200],
        )
        verdict = actions.save_verdict(
            claim=claim,
            reviewer=reviewer,
            rating=ratings.get(item.get("rating", "").casefold(), fallback),
            rationale="Checked against the official figures.",
        )
        actions.approve_verdict(verdict=verdict, by=moderator)
        ids[claim.pk] = item["id"]
    return ids


def ask(queries: list[dict], ids: dict[int, str], *, limit: int = 5) -> list[dict]:
    """Each query's answer: the ranked evaluation ids, their scores and strength, and time."""
    from django.contrib.auth.models import AnonymousUser

    from factcheck.matching import match_text

    anonymous = AnonymousUser()
    match_text(queries[0]["text"], anonymous)  # warm: imports, caches, the query plan
    answers = []
    for q in queries:
        began = time.perf_counter()
        found = match_text(q["text"], anonymous, limit=limit)
        seconds = time.perf_counter() - began
        answers.append(
            {
                **q,
                "ranked": [ids[m.claim.pk] for m in found],
                "scores": [m.score for m in found],
                "strong": [m.strong for m in found],
                "ms": seconds * 1000,
            }
        )
    return answers


def summarise(answers: list[dict]) -> dict:
    """recall@1, recall@5 and MRR over the queries with a match; false strong matches among
    the others (a strong first answer) and among the near misses alone; wrong strong: a
    strong first answer that is not the expected one, for a query with a match."""
    with_match = [a for a in answers if a["expect"]]
    without = [a for a in answers if not a["expect"]]
    near = [a for a in without if a["type"].startswith("near")]

    def rank_of(a):
        return a["ranked"].index(a["expect"]) + 1 if a["expect"] in a["ranked"] else None

    ranks = [rank_of(a) for a in with_match]
    out = {
        "queries": len(answers),
        "with_match": len(with_match),
        "r1": _share(sum(r == 1 for r in ranks), len(ranks)),
        "r5": _share(sum(r is not None and r <= 5 for r in ranks), len(ranks)),
        "mrr": (sum(1 / r for r in ranks if r) / len(ranks)) if ranks else None,
        "strong_right": _share(
            sum(bool(a["strong"]) and a["strong"][0] and rank_of(a) == 1 for a in with_match),
            len(with_match),
        ),
        "wrong_strong": sum(
            bool(a["strong"]) and a["strong"][0] and rank_of(a) != 1 for a in with_match
        ),
        # any strong answer in the list that is not the expected one (a near miss of the
        # right fact-check shown as strong beside it counts here)
        "any_wrong_strong": _share(
            sum(
                any(st and r != a["expect"] for r, st in zip(a["ranked"], a["strong"], strict=True))
                for a in answers
            ),
            len(answers),
        ),
        "without": len(without),
        "false_strong": _share(
            sum(bool(a["strong"]) and a["strong"][0] for a in without), len(without)
        ),
        "near": len(near),
        "near_false_strong": _share(
            sum(bool(a["strong"]) and a["strong"][0] for a in near), len(near)
        ),
    }
    times = sorted(a["ms"] for a in answers)
    out["median_ms"] = statistics.median(times) if times else None
    out["p99_ms"] = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))] if times else None
    return out


def _share(k: int, n: int):
    return (k, n)


def _pct(pair) -> str:
    k, n = pair
    return f"{100 * k / n:.1f} % ({k}/{n})" if n else "–"


def rows_for(label: str, s: dict) -> list:
    return [
        label,
        s["queries"],
        _pct(s["r1"]),
        _pct(s["r5"]),
        f"{s['mrr']:.3f}" if s["mrr"] is not None else "–",
        _pct(s["strong_right"]),
        s["wrong_strong"],
        _pct(s["false_strong"]),
        _pct(s["near_false_strong"]),
        _pct(s["any_wrong_strong"]),
        f"{s['median_ms']:.1f}",
        f"{s['p99_ms']:.1f}",
    ]


HEADER = [
    "split",
    "queries",
    "recall@1",
    "recall@5",
    "MRR",
    "strong & right",
    "wrong strong",
    "false strong (no match)",
    "false strong (near misses)",
    "any wrong strong in the top 5",
    "median ms",
    "p99 ms",
]


def sweep(answers: list[dict]) -> list[list]:
    rows = []
    for threshold in [x / 100 for x in range(30, 91, 5)]:
        right = false = near = 0
        with_match = [a for a in answers if a["expect"]]
        without = [a for a in answers if not a["expect"]]
        near_ones = [a for a in without if a["type"].startswith("near")]
        for a in answers:
            strong = bool(a["scores"]) and a["scores"][0] >= threshold
            if a["expect"]:
                right += strong and a["ranked"][0] == a["expect"]
            else:
                false += strong
                near += strong and a["type"].startswith("near")
        rows.append(
            [
                f"{threshold:.2f}",
                _pct((right, len(with_match))),
                _pct((false, len(without))),
                _pct((near, len(near_ones))),
            ]
        )
    return rows


def evaluate(published: list[dict], queries: list[dict], *, embeddings: bool = False) -> dict:
    """Load ``published`` into a fresh test database, ask every query with the lexical
    re-ranker (and again with embeddings if asked), drop the database."""
    from django.db import connection
    from django.test.utils import (
        override_settings,
        setup_test_environment,
        teardown_test_environment,
    )

    setup_test_environment()
    old = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        ids = build(published)
        with override_settings(FACTCHECK_MATCH_EMBEDDINGS=False):
            found = {"lexical": ask(queries, ids)}
        if embeddings:
            with override_settings(FACTCHECK_MATCH_EMBEDDINGS=True):
                found["lexical + embeddings"] = ask(queries, ids)
        return found
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)
        teardown_test_environment()


def run(quick: bool = False) -> Report:
    from factcheck.matching import STRONG, embed

    published, queries = load()
    variants = evaluate(published, queries, embeddings=embed.installed())
    report = Report()
    rows = []
    for variant, answers in variants.items():
        by_split = defaultdict(list)
        for a in answers:
            by_split[a.get("split", "dev")].append(a)
        rows += [
            [variant, *rows_for(split, summarise(by_split[split]))]
            for split in ("dev", "test")
            if by_split[split]
        ]
    if not embed.installed():
        rows.append(["lexical + embeddings", "not installed: pip install 'factcheck[embeddings]'"])
    report.table(f"Per split ({TARGETS})", ["re-ranker", *HEADER], rows)
    for variant, answers in variants.items():
        dev = [a for a in answers if a.get("split", "dev") == "dev"] or answers
        report.table(
            f"{variant}: choosing STRONG on the dev split (a strong first answer, per threshold)",
            [
                "threshold",
                "strong & right (with a match)",
                "false strong (no match)",
                "(near misses)",
            ],
            sweep(dev),
        )
    for variant, answers in variants.items():
        report.table(
            f"{variant}: per type (dev / test)",
            ["type", "queries", "recall@1", "recall@5", "strong & right", "false / wrong strong"],
            per_type(answers),
        )
    report.notes.append(
        f"{len(published)} published fact-checks, {len(queries)} new claims; STRONG = {STRONG}; "
        "times are match_text in process (SQL and re-ranking) on the evaluation database "
        f"({_vendor()}); the timing at 1,000,000 claims is bench/matching.py (make bench)."
    )
    # The dev split's misses only: the test split stays unread while the engine is tuned.
    for variant, answers in variants.items():
        dev = [a for a in answers if a.get("split", "dev") == "dev"]
        report.notes += [f"{variant}: {m}" for m in misses(dev)[: 20 if quick else 60]]
    return report


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def per_type(answers: list[dict]) -> list[list]:
    rows = []
    for kind in sorted({a["type"] for a in answers}):
        parts = {
            split: summarise([a for a in answers if a["type"] == kind and a["split"] == split])
            for split in ("dev", "test")
        }
        expecting = any(p["with_match"] for p in parts.values())

        def both(key, parts=parts):
            return " / ".join(_pct(parts[s][key]) for s in ("dev", "test"))

        rows.append(
            [
                kind,
                " / ".join(str(parts[s]["queries"]) for s in ("dev", "test")),
                both("r1") if expecting else "–",
                both("r5") if expecting else "–",
                both("strong_right") if expecting else "–",
                both("false_strong")
                if not expecting
                else " / ".join(str(parts[s]["wrong_strong"]) for s in ("dev", "test")),
            ]
        )
    return rows


def misses(answers: list[dict]) -> list[str]:
    out = []
    for a in answers:
        first = a["ranked"][0] if a["ranked"] else None
        strong = bool(a["strong"]) and a["strong"][0]
        if a["expect"] and first != a["expect"]:
            out.append(
                f"{a['id']} ({a['split']}, {a['type']}): expected {a['expect']}, "
                f"got {a['ranked'][:3]}"
            )
        elif not a["expect"] and strong:
            out.append(
                f"{a['id']} ({a['split']}, {a['type']}): strong {first} ({a['scores'][0]:.2f})"
            )
        others = [
            f"{r} ({sc:.2f})"
            for r, sc, st in zip(a["ranked"], a["scores"], a["strong"], strict=True)
            if st and r != a["expect"] and (r != first or a["expect"])
        ]
        if others:
            out.append(f"{a['id']} ({a['split']}, {a['type']}): also strong {', '.join(others)}")
    return out
