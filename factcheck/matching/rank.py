"""The re-ranker: how much a candidate claim says the same as a text, 0..1.

The words first (the stems both share, over each side's own), then the features: a figure,
a year, a period, a direction, a negation or a place on which the two disagree multiplies the
score down, below ``STRONG`` whatever the words share; figures stated alike on both sides
lift it a little.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Indel

from factcheck.matching.features import Agreement, Features, compare, read

# What each disagreement leaves of a score at most: a near miss scores below NEAR_MISS_CAP
# however many words it shares, and STRONG is above it (docs/matching.md).
NEAR_MISS_CAP = 0.4
PENALTY = dict.fromkeys(("numbers", "years", "periods", "direction", "negation", "places"), 0.4)
# Words two texts spell alike but stem apart ("hydroelectric" / "hydropower", "vaccinated" /
# "vaccine"): a pair this similar counts for half a shared word.
FUZZY_CUTOFF = 0.8
FUZZY_CREDIT = 0.5
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
    common = len(q & c) + FUZZY_CREDIT * _alike(q - c, c - q)
    dice = 2 * common / (len(q) + len(c))
    covered = common / len(c)  # how much of the earlier claim the text repeats
    return 0.5 * dice + 0.5 * covered


def _alike(left: frozenset[str], right: frozenset[str]) -> int:
    """How many of ``left`` have a spelling-alike word in ``right`` (each used once)."""
    pool = [w for w in right if len(w) >= 4 and not w.startswith("@")]
    found = 0
    for word in sorted(w for w in left if len(w) >= 4 and not w.startswith("@")):
        if not pool:
            break
        best = process.extractOne(
            word, pool, scorer=Indel.normalized_similarity, score_cutoff=FUZZY_CUTOFF
        )
        if best:
            found += 1
            pool.remove(best[0])
    return found


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
