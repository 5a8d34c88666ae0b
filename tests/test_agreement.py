"""Agreement statistics against textbook worked examples, then over real verdicts."""

import pytest

from factcheck import actions
from factcheck.agreement import (
    agreement_report,
    cohen_kappa,
    coincidences,
    fleiss_kappa,
    krippendorff_alpha,
    observed_agreement,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C:
# four observers, twelve units, values 1..5, "." = missing.
N = None
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
UNITS_C = list(zip(*KRIPPENDORFF_C, strict=True))

# Fleiss (1971) as worked on Wikipedia's "Fleiss' kappa": 10 subjects, 14 raters, 5 categories.
FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_example_c(level, expected):
    assert krippendorff_alpha(UNITS_C, level=level) == pytest.approx(expected, abs=5e-4)


def test_krippendorff_example_c_coincidences():
    # Krippendorff's table of coincidences: n_1 = 9, n_2 = 13, n_3 = 10, n_4 = 5, n_5 = 3.
    matrix = coincidences(UNITS_C)
    totals = {c: sum(w for (a, _), w in matrix.items() if a == c) for c in range(1, 6)}
    assert totals == pytest.approx({1: 9, 2: 13, 3: 10, 4: 5, 5: 3})
    assert matrix[1, 1] == pytest.approx(7) and matrix[1, 2] == pytest.approx(4 / 3)
    assert matrix[2, 2] == pytest.approx(10) and matrix[4, 4] == pytest.approx(4)
    # Unit 12 has a single value and is not pairable: n = 40 pairable values.
    assert sum(matrix.values()) == pytest.approx(40)


def test_krippendorff_example_a_binary_two_observers():
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha(zip(a, b, strict=True)) == pytest.approx(0.095, abs=5e-4)


def test_krippendorff_edge_cases():
    assert krippendorff_alpha([]) is None
    assert krippendorff_alpha([[1, None], [2]]) is None  # nothing pairable
    assert krippendorff_alpha([[3, 3], [3, 3]]) is None  # no variation: undefined
    assert krippendorff_alpha([[1, 1], [2, 2]], level="ordinal") == 1.0
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha(UNITS_C, level="fuzzy")


def test_fleiss_worked_example():
    assert observed_agreement(FLEISS) == pytest.approx(0.378, abs=5e-4)
    assert fleiss_kappa(FLEISS) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_accepts_mappings_and_unequal_raters():
    # With equal raters the mapping form gives the same figure.
    as_maps = [dict(enumerate(row)) for row in FLEISS]
    assert fleiss_kappa(as_maps) == pytest.approx(fleiss_kappa(FLEISS))
    # Unequal raters: P_i per subject with its own n_i; categories pooled over all ratings.
    rows = [{"T": 2}, {"T": 1, "F": 2}, {"F": 1}]  # the last has one rater: skipped
    p_bar = (1 + 2 / 6) / 2
    p_e = (3 / 5) ** 2 + (2 / 5) ** 2
    assert fleiss_kappa(rows) == pytest.approx((p_bar - p_e) / (1 - p_e))
    assert fleiss_kappa([{"T": 3}, {"T": 2}]) is None
    assert fleiss_kappa([]) is None


def test_cohen_wikipedia_example():
    # 50 proposals: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 -> kappa 0.4.
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert cohen_kappa([]) is None
    assert cohen_kappa([("y", "y"), ("y", "y")]) is None
    assert cohen_kappa([("y", "n"), ("n", "y")]) == pytest.approx(-1)


# --------------------------------------------------------------------------- over verdicts


def claim_at(article, alice, n):
    return actions.create_claim(article=article, by=alice, start=n, end=n + 3)


@pytest.fixture
def rated(article, alice, bob, carol, dana, ratings):
    """Three claims: agreement, disagreement on the scale, and one with Misleading."""
    r = ratings
    plan = [
        {bob: r["True"], carol: r["True"]},
        {bob: r["True"], carol: r["Half true"], dana: r["False"]},
        {bob: r["Misleading"], carol: r["Mostly true"]},
        {bob: r["False"]},  # one verdict: not a unit
    ]
    claims = []
    for i, verdicts in enumerate(plan):
        claim = claim_at(article, alice, i * 4)
        for reviewer, rating in verdicts.items():
            actions.save_verdict(
                claim=claim,
                reviewer=reviewer,
                rating=rating,
                rationale="Checked against the record.",
            )
        claims.append(claim)
    # A draft never counts.
    actions.save_verdict(claim=claims[0], reviewer=dana, rating=r["False"], submit=False)
    return claims


def test_report_over_verdicts(rated, ratings, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        report = agreement_report()
    s = report.overall
    assert (s.claims, s.unanimous, s.verdicts) == (3, 1, 7)
    ids = {k: v.pk for k, v in ratings.items()}
    nominal = [
        [ids["True"], ids["True"]],
        [ids["True"], ids["Half true"], ids["False"]],
        [ids["Misleading"], ids["Mostly true"]],
    ]
    assert s.alpha_nominal == pytest.approx(krippendorff_alpha(nominal))
    # Ordinal alpha uses Rating.value; Misleading has none, so claim 3 drops out.
    assert s.alpha_ordinal == pytest.approx(
        krippendorff_alpha([[5, 5], [5, 3, 1], [None, 4]], level="ordinal")
    )
    assert s.alpha_ordinal_claims == 2
    assert s.fleiss == pytest.approx(fleiss_kappa([{1: 2}, {1: 1, 2: 1, 3: 1}, {4: 1, 5: 1}]))
    pairs = {p.reviewers: (p.claims, p.kappa) for p in s.pairs}
    assert pairs[("bob", "carol")][0] == 3
    # One shared claim, rated differently: observed 0, expected 0, kappa 0.
    assert pairs[("bob", "dana")] == (1, 0.0) and pairs[("carol", "dana")] == (1, 0.0)
    bob_carol = cohen_kappa([("T", "T"), ("T", "H"), ("M", "MT")])
    assert pairs[("bob", "carol")][1] == pytest.approx(bob_carol)
    assert s.light == pytest.approx(bob_carol / 3)
    by_claim = {c.claim_id: c for c in report.claims}
    assert by_claim[rated[0].pk].unanimous and by_claim[rated[0].pk].spread == 0
    assert not by_claim[rated[1].pk].unanimous and by_claim[rated[1].pk].spread == 4
    assert by_claim[rated[2].pk].spread is None
    assert rated[3].pk not in by_claim
    assert [a.article_id for a in report.articles] == [rated[0].article_id]


def test_report_for_one_article_and_moderation_does_not_change_it(rated, alice, dana, ratings):
    before = agreement_report(article=rated[0].article).overall
    actions.approve_verdict(verdict=rated[1].verdicts.first(), by=dana)
    actions.reject_verdict(verdict=rated[0].verdicts.first(), by=dana, note="redo")
    after = agreement_report(article=rated[0].article).overall
    assert after == before
    other = actions.create_article(title="Other", text="Nothing to see here.", by=alice)
    assert agreement_report(article=other).overall.claims == 0
