"""The re-ranker: how much a candidate claim says the same as a text, 0..1.

The words first (the stems both share, over each side's own), then the features: a figure,
a year, a period, a direction, a negation or a place on which the two disagree multiplies the
score down, below ``STRONG`` whatever the words share; figures stated alike on both sides
lift it a little.
"""

from __future__ import annotations

from dataclasses import dataclass

from factcheck.matching.features import Agreement, Features, compare, read

# What each disagreement leaves of a score (see docs/matching.md for how they were chosen).
PENALTY = {
    "numbers": 0.45,
    "years": 0.5,
    "periods": 0.5,
    "direction": 0.45,
    "negation": 0.5,
    "places": 0.45,
}
NUMBERS_AGREE_BONUS = 0.12
NUMBER_ONE_SIDED = 0.9
PLACE_ONE_SIDED = 0.9


@dataclass(frozen=True)
class Scored:
    score: float
    lexical: float
    agreement: Agreement


def lexical(query: Features, candidate: Features) -> float:
    q, c = query.stems, candidate.stems
    if not q or not c:
        return 0.0
    common = len(q & c)
    dice = 2 * common / (len(q) + len(c))
    covered = common / len(c)  # how much of the earlier claim the text repeats
    return 0.5 * dice + 0.5 * covered


def score(query: Features, candidate: Features) -> Scored:
    words = lexical(query, candidate)
    agreement = compare(query, candidate)
    value = words
    if agreement.numbers == "agree":
        value = min(1.0, value + NUMBERS_AGREE_BONUS * words)
    elif agreement.numbers == "one-sided":
        value *= NUMBER_ONE_SIDED
    if agreement.places == "one-sided" and candidate.places:
        value *= PLACE_ONE_SIDED
    for name in agreement.mismatches:
        value *= PENALTY[name]
    return Scored(min(1.0, value), words, agreement)


def score_texts(text: str, candidate_texts: list[str]) -> Scored:
    """The best score of ``text`` against any of a candidate's texts (its quote, its
    summary, both together)."""
    query = read(text)
    return max(
        (score(query, read(t)) for t in candidate_texts if t.strip()),
        key=lambda s: s.score,
        default=Scored(0.0, 0.0, compare(query, read(""))),
    )
