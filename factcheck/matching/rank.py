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

from factcheck.matching.features import Agreement, Features, compare, listed, read

# What each disagreement leaves of a score at most: a near miss scores below NEAR_MISS_CAP
# however many words it shares, and STRONG is above it (docs/matching.md).
NEAR_MISS_CAP = 0.4
PENALTY = dict.fromkeys(
    ("numbers", "years", "periods", "units", "direction", "negation", "places"), 0.4
)
# Words two texts spell alike but stem apart ("hydroelectric" / "hydropower", "vaccinated" /
# "vaccine"): a pair this similar counts for half a shared word.
FUZZY_CUTOFF = 0.8
FUZZY_CREDIT = 0.5
NUMBERS_AGREE_BONUS = 0.12
NUMBER_ONE_SIDED = 0.9  # the text states a figure the earlier claim does not
FIGURE_UNSAID = 0.6  # the earlier claim states a figure the text does not: a claim of its own
PLACE_ONE_SIDED = 0.9


@dataclass(frozen=True)
class Scored:
    score: float
    lexical: float
    agreement: Agreement


# Words every other claim has ("year", "rate", "record"): shared, they say little.
GENERIC = listed(
    "year last new ever time day month week now still first most rate number peopl "
    "countri govern highest lowest biggest level high low per since made make"
)
GENERIC_WEIGHT = 0.4
MIN_CONTENT = 3.0


def _weight(stems) -> float:
    return sum(GENERIC_WEIGHT if s in GENERIC else 1.0 for s in stems)


def lexical(query: Features, candidate: Features) -> float:
    q, c = query.stems, candidate.stems
    if not q or not c:
        return 0.0
    common = _weight(q & c) + FUZZY_CREDIT * _alike(q - c, c - q)
    dice = 2 * common / (_weight(q) + _weight(c))
    # How much of the earlier claim the text repeats; a claim of one or two content words
    # ("for was people") is not wholly repeated by a text that shares its one word.
    covered = min(1.0, common / max(_weight(c), MIN_CONTENT))
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


# With embeddings (factcheck.matching.embed): the cosine, rescaled from [LOW, HIGH] to [0, 1],
# weighs SEMANTIC_WEIGHT in the score before the features' penalties (set once, not searched).
SEMANTIC_WEIGHT = 0.5
SEMANTIC_LOW, SEMANTIC_HIGH = 0.3, 0.85


def score(query: Features, candidate: Features, semantic: float | None = None) -> Scored:
    words = lexical(query, candidate)
    agreement = compare(query, candidate)
    value = words
    if agreement.numbers == "agree":
        value = min(1.0, value + NUMBERS_AGREE_BONUS * words)
    if semantic is not None:
        rescaled = (semantic - SEMANTIC_LOW) / (SEMANTIC_HIGH - SEMANTIC_LOW)
        value = (1 - SEMANTIC_WEIGHT) * value + SEMANTIC_WEIGHT * min(1.0, max(0.0, rescaled))
    if agreement.numbers == "one-sided":
        value *= FIGURE_UNSAID if candidate.quantities else NUMBER_ONE_SIDED
    if agreement.places == "one-sided" and candidate.places:
        value *= PLACE_ONE_SIDED
    for name in agreement.mismatches:
        value *= PENALTY[name]
    return Scored(min(1.0, value), words, agreement)


def score_texts(
    text: str, candidate_texts: list[str], semantic: list[float] | None = None
) -> Scored:
    """The best score of ``text`` against any of a candidate's texts (its quote, its
    summary, both together), with each one's cosine similarity if embeddings are on."""
    query = read(text)
    return max(
        (
            score(query, read(t), semantic[i] if semantic else None)
            for i, t in enumerate(candidate_texts)
            if t.strip()
        ),
        key=lambda s: s.score,
        default=Scored(0.0, 0.0, compare(query, read(""))),
    )
