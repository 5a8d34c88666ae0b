import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from factcheck.agreement import Stats, agreement_report, format_coefficient
from factcheck.models import Article


def stats_lines(stats: Stats, indent: str = "  ") -> list[str]:
    f = format_coefficient
    lines = [
        f"{indent}claims with 2+ submitted verdicts: {stats.claims} ({stats.verdicts} verdicts)",
        f"{indent}unanimous: {stats.unanimous}, disagree: {stats.disagree}",
        f"{indent}observed agreement (pairs): {f(stats.observed)}",
        f"{indent}Krippendorff's alpha, ordinal: {f(stats.alpha_ordinal)}"
        f" (claims with 2+ numeric ratings: {stats.alpha_ordinal_claims})",
        f"{indent}Krippendorff's alpha, nominal: {f(stats.alpha_nominal)}",
        f"{indent}Fleiss' kappa: {f(stats.fleiss)}",
        f"{indent}Light's kappa (mean pairwise Cohen's): {f(stats.light)}",
    ]
    for pair in stats.pairs:
        lines.append(
            f"{indent}Cohen's kappa {pair.reviewers[0]} & {pair.reviewers[1]}: "
            f"{f(pair.kappa)} over {pair.claims} claims"
        )
    return lines


def stats_dict(stats: Stats) -> dict:
    return {
        "claims": stats.claims,
        "verdicts": stats.verdicts,
        "unanimous": stats.unanimous,
        "observed_agreement": stats.observed,
        "krippendorff_alpha_ordinal": stats.alpha_ordinal,
        "krippendorff_alpha_ordinal_claims": stats.alpha_ordinal_claims,
        "krippendorff_alpha_nominal": stats.alpha_nominal,
        "fleiss_kappa": stats.fleiss,
        "light_kappa": stats.light,
        "cohen_kappa": [
            {"reviewers": list(p.reviewers), "claims": p.claims, "kappa": p.kappa}
            for p in stats.pairs
        ],
    }


class Command(BaseCommand):
    help = (
        "Print how far reviewers agree: per claim (two or more submitted verdicts), "
        "Krippendorff's alpha (ordinal over the numeric scale, and nominal), Fleiss' kappa "
        "and pairwise Cohen's kappa, overall and per article. 'n/a' marks an undefined figure."
    )

    def add_arguments(self, parser):
        parser.add_argument("--article", type=int, help="Only this article (its id).")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text.")

    def handle(self, *args, article=None, json=False, **options):
        chosen = None
        if article is not None:
            chosen = Article.objects.filter(pk=article).first()
            if chosen is None:
                raise CommandError(f"There is no article with id {article}.")
        report = agreement_report(article=chosen)
        if json:
            self.stdout.write(self.as_json(report))
            return
        scope = f"article {chosen.pk} “{chosen.title}”" if chosen else "all articles"
        self.stdout.write(f"Reviewer agreement, {scope}")
        self.stdout.write("\n".join(stats_lines(report.overall)))
        if chosen is None and report.articles:
            self.stdout.write("\nPer article:")
            for a in report.articles:
                self.stdout.write(f"  [{a.article_id}] {a.title}")
                self.stdout.write("\n".join(stats_lines(a.stats, "    ")))
        self.stdout.write("\nClaims:")
        if not report.claims:
            self.stdout.write("  none has two submitted verdicts yet")
        for c in report.claims:
            mark = "agree" if c.unanimous else "DISAGREE"
            ratings = "; ".join(f"{who}: {label}" for who, label in c.ratings)
            spread = "" if c.spread is None else f" (spread {c.spread})"
            self.stdout.write(f"  #{c.claim_id} {mark}{spread}: {ratings} — {c.label}")

    @staticmethod
    def as_json(report) -> str:
        return jsonlib.dumps(
            {
                "overall": stats_dict(report.overall),
                "articles": [
                    {"id": a.article_id, "title": a.title, **stats_dict(a.stats)}
                    for a in report.articles
                ],
                "claims": [
                    {
                        "id": c.claim_id,
                        "article": c.article_id,
                        "label": c.label,
                        "ratings": [{"reviewer": r, "rating": lab} for r, lab in c.ratings],
                        "unanimous": c.unanimous,
                        "spread": c.spread,
                    }
                    for c in report.claims
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
