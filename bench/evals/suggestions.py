"""The detector (factcheck.detect) on hand-annotated original articles (issue 17).

Each article is ``bench/evalsets/suggestions/<name>.txt`` with ``<name>.json`` beside it:
quotes by their exact text (``n``: which occurrence, 1 by default), kind, cue, source,
speaker, statement (an occasion id: quotes of one occasion share it), and ``negatives``
(quoted words that are nobody's quote). Offsets are resolved here, so nobody counts them.
Articles whose JSON names a ``"set"`` (the unseen rounds: written after the rules were
frozen at a named commit) are reported apart from the own set.

A proposal matches an annotated quote when their spans overlap by at least half of the
longer one (one proposal matches at most one quote, greedily by overlap).
"""

from __future__ import annotations

import json
import statistics
import time
from itertools import combinations
from pathlib import Path

from bench.eval import Report

NAME = "Suggestions: the quote and claim detector"
SET = Path(__file__).resolve().parents[1] / "evalsets" / "suggestions"
QUOTE_KINDS = ("direct_quote", "mixed_quote", "indirect_quote", "author_claim")


def fold(value: str) -> str:
    from factcheck.detect.en import fold as en_fold

    return en_fold(value)


def load() -> list[dict]:
    articles = []
    for path in sorted(SET.glob("*.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        quotes = []
        for q in meta["quotes"]:
            start, end = locate(text, q["text"], q.get("n", 1), path.stem)
            quotes.append({**q, "start": start, "end": end})
        negatives = [
            locate(text, n if isinstance(n, str) else n["text"], 1, path.stem)
            for n in meta.get("negatives", [])
        ]
        articles.append(
            {
                "name": path.stem,
                "title": meta.get("title", path.stem),
                "set": meta.get("set", "own set"),
                "text": text,
                "quotes": quotes,
                "negatives": negatives,
                "speakers": meta.get("speakers", {}),
            }
        )
    return articles


def locate(text: str, needle: str, n: int, where: str) -> tuple[int, int]:
    at = -1
    for _ in range(n):
        at = text.find(needle, at + 1)
        if at < 0:
            raise ValueError(f"{where}: annotated text not found: {needle!r}")
    return at, at + len(needle)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    common = min(a[1], b[1]) - max(a[0], b[0])
    return common > 0 and common * 2 >= max(a[1] - a[0], b[1] - b[0])


def match(gold: list[dict], proposals: list) -> dict[int, int]:
    """gold index → proposal index."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(proposals):
            if overlaps((g["start"], g["end"]), (p.start, p.end)):
                common = min(g["end"], p.end) - max(g["start"], p.start)
                pairs.append((-common, gi, pi))
    out, used = {}, set()
    for _, gi, pi in sorted(pairs):
        if gi not in out and pi not in used:
            out[gi] = pi
            used.add(pi)
    return out


def speaker_right(gold: dict, proposal, aliases: dict) -> bool:
    want = gold.get("speaker")
    got = proposal.speaker.name if proposal.speaker else None
    if want is None or got is None:
        return want is None and got is None
    names = {fold(want), *(fold(a) for a in aliases.get(want, []))}
    return fold(got) in names


def grouping(gold: list[dict], proposals: list, matched: dict[int, int]) -> tuple[int, int, int]:
    """Pairwise "same occasion" counts over the matched quotes: (tp, fp, fn)."""
    items = [
        (
            g["statement"],
            proposals[matched[i]].statement.group if proposals[matched[i]].statement else None,
        )
        for i, g in enumerate(gold)
        if i in matched and g.get("statement")
    ]
    tp = fp = fn = 0
    for (ga, pa), (gb, pb) in combinations(items, 2):
        same_gold = ga == gb
        same_guess = pa is not None and pa == pb
        tp += same_gold and same_guess
        fp += same_guess and not same_gold
        fn += same_gold and not same_guess
    return tp, fp, fn


def evaluate(articles: list[dict]) -> dict:
    from factcheck.detect import detect

    counts = {
        k: {"gold": 0, "proposed": 0, "matched_gold": 0, "matched_prop": 0} for k in QUOTE_KINDS
    }
    counts["direct+mixed"] = {"gold": 0, "proposed": 0, "matched_gold": 0, "matched_prop": 0}
    speakers_ok = speakers_all = 0
    cues_ok = cues_all = 0
    tp = fp = fn = 0
    neg_total = neg_proposed = 0
    times = []
    misses = []
    for art in articles:
        runs = []
        for _ in range(3):  # best of three: the machine is shared, the detector is not
            began = time.perf_counter()
            proposals = detect(art["text"])
            runs.append(time.perf_counter() - began)
        times.append(min(runs))
        gold = art["quotes"]
        for label, kinds in [(k, (k,)) for k in QUOTE_KINDS] + [
            ("direct+mixed", ("direct_quote", "mixed_quote"))
        ]:
            g = [q for q in gold if q["kind"] in kinds]
            # a quote counts as found whatever kind the detector gave it among quotes
            # (a direct quote proposed as mixed is still found); author claims stay apart
            pool_kinds = (
                kinds
                if label == "author_claim"
                else (("direct_quote", "mixed_quote", "indirect_quote"))
            )
            p_all = [p for p in proposals if p.kind in pool_kinds]
            m = match(g, p_all)
            c = counts[label]
            c["gold"] += len(g)
            c["matched_gold"] += len(m)
            # precision: proposals of these kinds that match a gold quote of any quote kind
            own = [p for p in proposals if p.kind in kinds]
            any_gold = [
                q for q in gold if (q["kind"] == "author_claim") == (label == "author_claim")
            ]
            m_own = match(any_gold, own)
            c["proposed"] += len(own)
            c["matched_prop"] += len(m_own)
        quote_gold = [q for q in gold if q["kind"] != "author_claim"]
        quote_props = [p for p in proposals if p.kind != "author_claim"]
        m = match(quote_gold, quote_props)
        for gi, pi in m.items():
            speakers_all += 1
            ok = speaker_right(quote_gold[gi], quote_props[pi], art["speakers"])
            speakers_ok += ok
            if not ok:
                got = quote_props[pi].speaker.name if quote_props[pi].speaker else None
                misses.append(f"{art['name']}: speaker {got!r} for {quote_gold[gi]['speaker']!r}")
            if quote_gold[gi].get("cue"):
                cues_all += 1
                cue = quote_props[pi].cue
                cues_ok += bool(cue and fold(quote_gold[gi]["cue"]) in fold(cue.text))
        for gi, q in enumerate(quote_gold):
            if gi not in m:
                misses.append(f"{art['name']}: missed {q['kind']} {q['text'][:60]!r}")
        t, f, n = grouping(quote_gold, quote_props, m)
        tp, fp, fn = tp + t, fp + f, fn + n
        for span in art["negatives"]:
            neg_total += 1
            if any(
                overlaps(span, (p.start, p.end))
                or (
                    p.start <= span[0]
                    and span[1] <= p.end
                    and p.kind != "author_claim"
                    and _only_quote(art["text"], p, span)
                )
                for p in proposals
            ):
                neg_proposed += 1
                misses.append(
                    f"{art['name']}: proposed negative {art['text'][span[0] : span[1]]!r}"
                )
    precision_g = tp / (tp + fp) if tp + fp else 1.0
    recall_g = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision_g * recall_g / (precision_g + recall_g) if precision_g + recall_g else 0.0
    return {
        "counts": counts,
        "speaker": (speakers_ok, speakers_all),
        "cue": (cues_ok, cues_all),
        "grouping_f1": f1,
        "negatives": (neg_proposed, neg_total),
        "times": times,
        "misses": misses,
        "articles": len(articles),
        "chars": sum(len(a["text"]) for a in articles),
    }


def _only_quote(text: str, proposal, span: tuple[int, int]) -> bool:
    """A proposal whose only quoted words are the negative's counts as proposing it."""
    inside = text[proposal.start : proposal.end]
    return inside.count("“") + inside.count('"') // 2 <= 1 and proposal.end - proposal.start < 3 * (
        span[1] - span[0]
    )


def ratio(a: int, b: int) -> str:
    return f"{a / b:.1%} ({a}/{b})" if b else "–"


def rows(result: dict, label: str) -> list[list]:
    out = []
    for kind in ("direct_quote", "mixed_quote", "direct+mixed", "indirect_quote", "author_claim"):
        c = result["counts"][kind]
        out.append(
            [
                label,
                kind,
                c["gold"],
                c["proposed"],
                ratio(c["matched_prop"], c["proposed"]),
                ratio(c["matched_gold"], c["gold"]),
            ]
        )
    return out


def run(quick: bool = False) -> Report:
    report = Report()
    articles = load()
    labels = sorted({a["set"] for a in articles}, key=lambda label: (label != "own set", label))
    results = [(label, evaluate([a for a in articles if a["set"] == label])) for label in labels]
    table = []
    for label, result in results:
        table += rows(result, label)
    report.table(
        "Quotes and author claims (match: spans overlap by at least half of the longer)",
        ["set", "kind", "annotated", "proposed", "precision", "recall"],
        table,
    )
    summary = []
    for label, r in results:
        ok, total = r["speaker"]
        cok, call = r["cue"]
        neg, ntotal = r["negatives"]
        times = r["times"]
        summary.append(
            [
                label,
                f"{r['articles']} ({r['chars']:,} chars)",
                ratio(ok, total),
                ratio(cok, call),
                f"{r['grouping_f1']:.2f}",
                ratio(neg, ntotal),
                f"{statistics.median(times) * 1000:.0f} / {max(times) * 1000:.0f}",
            ]
        )
    report.table(
        "Speakers, cues, statements, negatives, time",
        [
            "set",
            "articles",
            "speaker right (matched quotes)",
            "cue right",
            "grouping F1",
            "negatives proposed",
            "ms per article (median / max, best of 3)",
        ],
        summary,
    )
    report.notes.append(
        "Targets (issue 17): direct+mixed recall ≥ 90 % at precision ≥ 85 %; "
        "indirect recall ≥ 60 %; "
        "speaker ≥ 85 %; grouping F1 ≥ 0.7; negatives proposed ≤ 20 %."
    )
    if not quick:
        for label, r in results:
            for miss in r["misses"]:
                report.notes.append(f"{label}: {miss}")
    return report
