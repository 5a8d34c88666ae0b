"""The query plans behind the list endpoints, at the size of the data set in DATABASE_URL.

Keyset (cursor) pages must walk an index from the cursor and stop after a page, whatever
the table size; a plan with a full scan or a sort of the whole table is a finding.
Prints one JSON line: ``{name: {"sql": ..., "plan": ...}}`` (PostgreSQL: EXPLAIN ANALYZE).
"""

from __future__ import annotations

import json
import os


def querysets() -> dict:
    from django.contrib.auth.models import User

    from factcheck.models import Article, Claim, Verdict

    claims = Claim.objects.select_related("speaker", "statement", "created_by").order_by("id")
    middle = Claim.objects.order_by("id").values_list("id", flat=True)[Claim.objects.count() // 2]
    speaker = Claim.objects.order_by("id").values_list("speaker_id", flat=True).first()
    page_ids = list(Claim.objects.order_by("id").values_list("id", flat=True)[:50])
    reviewer = User.objects.filter(username="bench-reviewer").first()
    article = Article.objects.order_by("-id").values_list("id", flat=True).first()
    out = {
        "claims page 1 (cursor, id order)": claims[:51],
        "claims deep page (id > middle)": claims.filter(id__gt=middle)[:51],
        "claims ?status=published, deep page": claims.filter(status="published", id__gt=middle)[
            :51
        ],
        "claims ?speaker=": claims.filter(speaker_id=speaker)[:51],
        "approved verdicts of a page": Verdict.objects.filter(
            status="approved", claim_id__in=page_ids
        ).select_related("rating"),
        "articles page 1": Article.objects.defer("text").order_by("id")[:51],
        "claim counts by status for a page of articles": Claim.objects.filter(
            article_id__in=list(Article.objects.order_by("id").values_list("id", flat=True)[:50])
        )
        .values("article_id", "status")
        .order_by(),
        # The page reads these through the declared fields (claim_read.ClaimReader), as an
        # id subquery of this one.
        "article page: claims of the long article": Claim.objects.filter(
            article_id=article
        ).order_by(),
        "admin claim list, old ordering (-created_at, -id)": Claim.objects.order_by(
            "-created_at", "-id"
        )[:50],
        "admin claim list, ordering -id": Claim.objects.order_by("-id")[:50],
    }
    if reviewer is not None:
        queue = Claim.objects.awaiting_verdict_from(reviewer)
        out["review queue page (oldest first by id)"] = queue.order_by("pk")[:25]
        # The page counts at most 1,001 rows (views.CappedPaginator).
        out["review queue count (at most 1,001)"] = queue.order_by()[:1001]
    return out


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    plans = {}
    for name, queryset in querysets().items():
        if name.startswith("review queue count"):
            queryset = queryset.values("pk")
        plan = queryset.explain(analyze=True) if postgres else queryset.explain()
        plans[name] = {"sql": str(queryset.query)[:2000], "plan": plan}
    print(json.dumps(plans))


if __name__ == "__main__":
    main()
