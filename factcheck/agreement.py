"""How far reviewers agree: pure statistics first, then a layer that reads verdicts.

A verdict counts once it is submitted (submitted, approved, rejected or demoted back to
submitted: moderation does not change what the reviewer judged); drafts never count.
A claim is a *unit* and each reviewer a *coder*.

- Krippendorff's alpha (``krippendorff_alpha``) handles any number of reviewers per claim and
  missing values. The ordinal version runs over ``Rating.value``; ratings without a numeric
  value (Misleading, Unproven, ...) are left out of it, the nominal version keeps them.
- Fleiss' kappa (``fleiss_kappa``, nominal) is Fleiss (1971) when every claim has the same
  number of reviewers. When the numbers differ each claim's agreement P_i uses its own
  number of raters n_i and the category shares are pooled over all ratings (the usual
  generalisation, Fleiss, Levin & Paik 2003, ch. 18); claims with fewer than two are skipped.
- Cohen's kappa (``cohen_kappa``, nominal) is for two reviewers: the report gives it for every
  pair of reviewers over the claims both rated, and their mean (Light's kappa).

Each returns None where the figure is undefined: no pairable data, or no variation at all
(expected disagreement zero), where the formula divides by zero.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

LEVELS = ("nominal", "ordinal", "interval", "ratio")

# --------------------------------------------------------------------------- pure statistics


def coincidences(units: Iterable[Sequence[Hashable | None]]) -> dict[tuple, float]:
    """Krippendorff's coincidence matrix o_ck from units of values (None = missing).

    Each unit with m >= 2 values contributes every ordered pair of its values, weighted
    1 / (m - 1); units with fewer values are not pairable and contribute nothing.
    """
    matrix: dict[tuple, float] = defaultdict(float)
    for unit in units:
        counts = Counter(v for v in unit if v is not None)
        m = sum(counts.values())
        if m < 2:
            continue
        for (c, nc), (k, nk) in itertools.product(counts.items(), repeat=2):
            pairs = nc * (nk - 1) if c == k else nc * nk
            if pairs:
                matrix[c, k] += pairs / (m - 1)
    return dict(matrix)


def _delta_squared(level: str, totals: Mapping[Hashable, float]):
    if level == "nominal":
        return lambda c, k: 0.0 if c == k else 1.0
    if level == "interval":
        return lambda c, k: float(c - k) ** 2
    if level == "ratio":
        return lambda c, k: 0.0 if c + k == 0 else ((c - k) / (c + k)) ** 2
    if level == "ordinal":
        ranks = sorted(totals)
        position = {v: i for i, v in enumerate(ranks)}

        def ordinal(c, k):
            lo, hi = sorted((position[c], position[k]))
            between = sum(totals[ranks[g]] for g in range(lo, hi + 1))
            return (between - (totals[c] + totals[k]) / 2) ** 2

        return ordinal
    raise ValueError(f"level must be one of {', '.join(LEVELS)}")


def krippendorff_alpha(
    units: Iterable[Sequence[Hashable | None]], *, level: str = "nominal"
) -> float | None:
    """Krippendorff's alpha = 1 - D_o / D_e over ``units`` (one sequence of values per unit).

    ``level`` picks the difference function: nominal, ordinal (values must be orderable),
    interval or ratio (numbers). Computed from the coincidence matrix as in Krippendorff,
    "Computing Krippendorff's Alpha-Reliability" (2011).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    matrix = coincidences(units)
    totals: dict[Hashable, float] = defaultdict(float)
    for (c, _k), weight in matrix.items():
        totals[c] += weight
    n = sum(totals.values())
    if n < 2:
        return None
    delta = _delta_squared(level, totals)
    observed = sum(weight * delta(c, k) for (c, k), weight in matrix.items())
    expected = sum(
        totals[c] * totals[k] * delta(c, k) for c, k in itertools.product(totals, repeat=2)
    ) / (n - 1)
    if expected == 0:
        return None
    return 1 - observed / expected


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa for two raters; ``pairs`` holds (rater A's category, rater B's) per item."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def _category_rows(rows: Iterable[Mapping[Hashable, int] | Sequence[int]]) -> list[dict]:
    out = []
    for row in rows:
        counts = dict(row) if isinstance(row, Mapping) else dict(enumerate(row))
        if sum(counts.values()) >= 2:
            out.append(counts)
    return out


def observed_agreement(rows: Iterable[Mapping[Hashable, int] | Sequence[int]]) -> float | None:
    """Mean share of agreeing rater pairs per subject (Fleiss' P-bar).

    ``rows`` gives, per subject, how many raters chose each category (a mapping or a list).
    """
    rows = _category_rows(rows)
    if not rows:
        return None
    shares = []
    for counts in rows:
        m = sum(counts.values())
        shares.append(sum(c * (c - 1) for c in counts.values()) / (m * (m - 1)))
    return sum(shares) / len(shares)


def fleiss_kappa(rows: Iterable[Mapping[Hashable, int] | Sequence[int]]) -> float | None:
    """Fleiss' kappa from per-subject category counts (see the module note on unequal n_i)."""
    rows = _category_rows(rows)
    if not rows:
        return None
    p_bar = observed_agreement(rows)
    totals: Counter = Counter()
    for counts in rows:
        totals.update(counts)
    ratings = sum(totals.values())
    p_e = sum((count / ratings) ** 2 for count in totals.values())
    if p_e == 1:
        return None
    return (p_bar - p_e) / (1 - p_e)


# --------------------------------------------------------------------------- over verdicts


@dataclass(frozen=True)
class Judgement:
    reviewer_id: int
    rating_id: int
    value: int | None


@dataclass(frozen=True)
class PairKappa:
    reviewers: tuple[str, str]
    claims: int
    kappa: float | None


@dataclass(frozen=True)
class Stats:
    """Agreement over a set of claims; coefficients are None where undefined."""

    claims: int  # claims with two or more submitted verdicts
    unanimous: int
    verdicts: int  # verdicts on those claims
    observed: float | None
    alpha_ordinal: float | None
    alpha_ordinal_claims: int  # claims with two or more numeric ratings
    alpha_nominal: float | None
    fleiss: float | None
    pairs: list[PairKappa] = field(default_factory=list)

    @property
    def disagree(self) -> int:
        return self.claims - self.unanimous

    @property
    def light(self) -> float | None:
        """Light's kappa: the mean of the defined pairwise Cohen's kappas."""
        defined = [p.kappa for p in self.pairs if p.kappa is not None]
        return sum(defined) / len(defined) if defined else None


@dataclass(frozen=True)
class ClaimAgreement:
    claim_id: int
    article_id: int
    label: str
    ratings: list[tuple[str, str]]  # (reviewer, rating label)
    unanimous: bool
    spread: int | None  # max - min of the numeric values, when two or more are numeric


@dataclass(frozen=True)
class ArticleAgreement:
    article_id: int
    title: str
    stats: Stats


@dataclass(frozen=True)
class Report:
    overall: Stats
    articles: list[ArticleAgreement]
    claims: list[ClaimAgreement]


def judgements(claims=None) -> dict[int, tuple[int, list[Judgement]]]:
    """{claim id: (article id, judgements)} for submitted verdicts, in one query.

    ``claims`` (a Claim queryset) narrows the claims considered.
    """
    from factcheck.models import Verdict

    verdicts = Verdict.objects.submitted_or_decided().written()
    if claims is not None:
        verdicts = verdicts.filter(claim__in=claims)
    table: dict[int, tuple[int, list[Judgement]]] = {}
    rows = verdicts.order_by("claim_id", "reviewer_id").values_list(
        "claim_id", "claim__article_id", "reviewer_id", "rating_id", "rating__value"
    )
    for claim_id, article_id, reviewer_id, rating_id, value in rows:
        table.setdefault(claim_id, (article_id, []))[1].append(
            Judgement(reviewer_id, rating_id, value)
        )
    return table


def stats_for(units: Mapping[int, list[Judgement]], names: Mapping[int, str]) -> Stats:
    """Agreement statistics over ``units`` ({claim id: judgements}); claims with < 2 skipped."""
    rated = {cid: js for cid, js in units.items() if len(js) >= 2}
    nominal = [[j.rating_id for j in js] for js in rated.values()]
    ordinal = [[j.value for j in js] for js in rated.values()]
    rows = [Counter(unit) for unit in nominal]
    by_reviewer: dict[int, dict[int, int]] = defaultdict(dict)
    for cid, js in rated.items():
        for j in js:
            by_reviewer[j.reviewer_id][cid] = j.rating_id
    pairs = []
    for a, b in itertools.combinations(sorted(by_reviewer, key=lambda r: names.get(r, "")), 2):
        common = sorted(set(by_reviewer[a]) & set(by_reviewer[b]))
        if common:
            kappa = cohen_kappa((by_reviewer[a][c], by_reviewer[b][c]) for c in common)
            pairs.append(
                PairKappa((names.get(a, str(a)), names.get(b, str(b))), len(common), kappa)
            )
    return Stats(
        claims=len(rated),
        unanimous=sum(len(set(unit)) == 1 for unit in nominal),
        verdicts=sum(len(js) for js in rated.values()),
        observed=observed_agreement(rows),
        alpha_ordinal=krippendorff_alpha(ordinal, level="ordinal"),
        alpha_ordinal_claims=sum(sum(v is not None for v in unit) >= 2 for unit in ordinal),
        alpha_nominal=krippendorff_alpha(nominal, level="nominal"),
        fleiss=fleiss_kappa(rows),
        pairs=pairs,
    )


def agreement_report(*, article=None, claims=None) -> Report:
    """The agreement report over all claims, one article's, or a Claim queryset's."""
    from django.contrib.auth import get_user_model

    from factcheck.models import Article, Claim, Rating

    if article is not None:
        claims = (claims if claims is not None else Claim.objects.all()).filter(article=article)
    table = judgements(claims)
    reviewer_ids = {j.reviewer_id for _, js in table.values() for j in js}
    names = dict(get_user_model().objects.filter(pk__in=reviewer_ids).values_list("pk", "username"))
    overall = stats_for({cid: js for cid, (_, js) in table.items()}, names)

    per_article: dict[int, dict[int, list[Judgement]]] = defaultdict(dict)
    for cid, (aid, js) in table.items():
        per_article[aid][cid] = js
    titles = dict(Article.objects.filter(pk__in=per_article).values_list("pk", "title"))
    articles = [
        ArticleAgreement(aid, titles.get(aid, f"Article {aid}"), stats_for(units, names))
        for aid, units in sorted(per_article.items())
    ]

    rated = {cid: row for cid, row in table.items() if len(row[1]) >= 2}
    labels = dict(Rating.objects.values_list("pk", "label"))
    claim_rows = Claim.objects.filter(pk__in=rated).values_list("pk", "summary", "quote")
    claim_labels = {pk: summary or quote for pk, summary, quote in claim_rows}
    claim_list = []
    for cid, (aid, js) in sorted(rated.items()):
        values = [j.value for j in js if j.value is not None]
        claim_list.append(
            ClaimAgreement(
                claim_id=cid,
                article_id=aid,
                label=claim_labels.get(cid, ""),
                ratings=[(names.get(j.reviewer_id, "?"), labels.get(j.rating_id, "?")) for j in js],
                unanimous=len({j.rating_id for j in js}) == 1,
                spread=max(values) - min(values) if len(values) >= 2 else None,
            )
        )
    return Report(overall=overall, articles=articles, claims=claim_list)


def format_coefficient(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
