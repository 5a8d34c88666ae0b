"""Claim matching: the published fact-checks that make the same claim as a text, ranked.

Candidates come from the full-text index (``retrieve``), then a re-ranker in Python
(``rank``) scores each 0..1 from the words both share and from what each states: figures,
units, periods, the direction of a change, negation, places and years (``features``). A
near miss ("unemployment rose to 6 %" for "fell to 6 %", "3 %" for "30 %", the same figure for
another country or year) scores below ``STRONG``. docs/matching.md has the measurements.

    match_text("One in five children live in poverty", user) -> [Match(claim, 0.91, True), ...]
    matches_for(claim, user) -> the same for a claim's own quote and summary, itself excluded
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from factcheck import claim_read
from factcheck.models import Claim

# Above this a match is "strong" (shown as the same claim): chosen on the evaluation set's dev
# split so that at most 5 % of texts with no earlier fact-check get one (docs/matching.md).
STRONG: float = 0.5
MAX_TEXT_CHARS = 2000
EMBEDDED_CANDIDATES = 10  # with embeddings on: how many of the best are scored again


@dataclass(frozen=True)
class Match:
    claim: Claim  # a published fact-check, its speaker, article and approved verdict loaded
    score: float  # 0..1
    strong: bool

    def as_dict(self) -> dict:
        """What every surface shows of a match, as ``api.matching.MatchSerializer``
        declares it: claim, score, strong, quote, summary, speaker, rating, url, date."""
        from factcheck.api.matching import MatchSerializer

        return dict(MatchSerializer(self).data)


def match_text(text: str, user, *, exclude: Iterable[int] = (), limit: int = 5) -> list[Match]:
    """The published fact-checks ``user`` may see that best make the claim ``text`` makes,
    best first, at most ``limit``."""
    # Imported when first used: the ranker's libraries (rapidfuzz, a Snowball stemmer) cost
    # every worker ~6 MB at start, and most workers never match.
    from factcheck.matching import embed, rank, retrieve

    text = (text or "").replace("\x00", "")[:MAX_TEXT_CHARS]
    if limit <= 0 or not text.strip():
        return []
    ids = retrieve.candidates(text, exclude=exclude)
    if not ids:
        return []
    # A fact-check whose words a correction changed (flagged) is matched, and shown, on the
    # words its verdict was given for, until a moderator confirms it for the new ones.
    found = list(
        Claim.objects.visible_to(user)
        .fact_checks()
        .filter(pk__in=ids)
        .annotate(reviewed_quote=claim_read.reviewed_quote())
    )
    texts = {claim.pk: _texts(claim) for claim in found}
    scores = {claim.pk: rank.score_texts(text, texts[claim.pk]).score for claim in found}
    if embed.enabled():
        # The best few by words and features, scored again with the embeddings (a text is
        # embedded once per process; the rest keep their score).
        best = sorted(scores, key=lambda pk: (-scores[pk], -pk))[:EMBEDDED_CANDIDATES]
        semantic = _semantic(text, {pk: texts[pk] for pk in best})
        for pk in best:
            scores[pk] = rank.score_texts(text, texts[pk], semantic[pk]).score
    scored = [Match(claim, scores[claim.pk], scores[claim.pk] >= STRONG) for claim in found]
    scored.sort(key=lambda m: (-m.score, -m.claim.pk))
    return scored[:limit]


def matches_for(claim: Claim, user, *, limit: int = 5) -> list[Match]:
    """The published fact-checks that make the same claim as ``claim`` (not itself)."""
    text = claim.quote if not claim.summary else f"{claim.quote}\n{claim.summary}"
    return match_text(text, user, exclude=[claim.pk], limit=limit)


def _semantic(text: str, texts: dict[int, list[str]]) -> dict[int, list[float]]:
    """The cosine similarity of ``text`` with each candidate text (its quote, its summary;
    for both together, the better of the two)."""
    from factcheck.matching import embed

    flat = [(pk, t) for pk, ts in texts.items() for t in ts[:2]]
    found = embed.similarities(text, [t for _, t in flat])
    out: dict[int, list[float]] = {}
    for (pk, _), similarity in zip(flat, found, strict=True):
        out.setdefault(pk, []).append(similarity)
    for pk, values in out.items():
        if len(texts[pk]) > len(values):
            values.append(max(values))
    return out


def checked_quote(claim: Claim) -> str:
    """The words of a fact-check its verdict was given for (read by ``match_text``)."""
    return getattr(claim, "reviewed_quote", None) or claim.quote


def _texts(claim: Claim) -> list[str]:
    quote = checked_quote(claim)
    if claim.summary:
        return [quote, claim.summary, f"{quote}\n{claim.summary}"]
    return [quote]
