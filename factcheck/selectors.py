"""The moderators' overview numbers: reads across many claims, verdicts and reviewers.

Each helper costs a fixed number of queries whatever the size of the desk.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q

from factcheck.models import Claim, Rating, Verdict
from factcheck.roles import Role


def queue_counts() -> dict[str, int]:
    """How much work waits at the desk, in one query."""
    submitted = Verdict.objects.filter(claim=OuterRef("pk"), status=Verdict.Status.SUBMITTED)
    return Claim.objects.aggregate(
        awaiting_moderation=Count("pk", filter=Q(Exists(submitted), status=Claim.Status.IN_REVIEW)),
        open=Count("pk", filter=Q(status=Claim.Status.OPEN)),
        in_review=Count("pk", filter=Q(status=Claim.Status.IN_REVIEW)),
        published=Count("pk", filter=Q(status=Claim.Status.PUBLISHED)),
        rejected=Count("pk", filter=Q(status=Claim.Status.REJECTED)),
        total=Count("pk"),
    )


def claims_by_status() -> list[tuple[str, str, int]]:
    """(status, its label, how many claims have it) for every status, in the model's order."""
    counts = dict(Claim.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return [(value, label, counts.get(value, 0)) for value, label in Claim.Status.choices]


def verdicts_by_speaker() -> tuple[list[Rating], list[tuple[str, dict[int, int]]]]:
    """Submitted and approved verdicts (not drafts, not rejected) per speaker and rating."""
    rows = (
        Verdict.objects.filter(status__in=[Verdict.Status.SUBMITTED, Verdict.Status.APPROVED])
        .order_by()
        .values_list("claim__speaker_id", "claim__speaker__name", "rating_id")
        .annotate(n=Count("pk"))
    )
    speakers: dict[int | None, tuple[str, dict[int, int]]] = {}
    for speaker_id, name, rating_id, n in rows:
        speakers.setdefault(speaker_id, (name or "The article's author", {}))[1][rating_id] = n
    ratings = list(Rating.objects.all())
    ordered = sorted(speakers.values(), key=lambda item: (-sum(item[1].values()), item[0]))
    return ratings, ordered


def work_per_reviewer() -> list[tuple[str, int, int]]:
    """(reviewer, claims awaiting their verdict, their drafts) for every reviewer.

    Reviewers are members of the reviewer group plus anyone who has given a verdict.
    Costs three queries whatever the number of reviewers.
    """
    waiting = Claim.objects.filter(
        status__in=[Claim.Status.OPEN, Claim.Status.IN_REVIEW], check_worthy=True
    )
    total = waiting.count()
    User = get_user_model()
    users = (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=Role.REVIEWER) | Q(verdicts__isnull=False))
        .distinct()
        .annotate(
            done=Count(
                "verdicts",
                filter=Q(verdicts__claim__in=waiting) & ~Q(verdicts__status=Verdict.Status.DRAFT),
                distinct=True,
            ),
            drafts=Count(
                "verdicts", filter=Q(verdicts__status=Verdict.Status.DRAFT), distinct=True
            ),
        )
        .order_by("username")
    )
    return [(u.username, total - u.done, u.drafts) for u in users]
