"""The moderators' desk: the admin site itself, its overview numbers and their SVG charts.

Only moderators (and superusers) enter this admin site, whatever ``is_staff`` says; the
login form refuses everyone else. Charts are drawn here as plain SVG (no script, no inline
style: the CSP forbids both) and every chart carries a table of its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from factcheck import agreement as agreementlib
from factcheck.models import Article, Claim, Rating, Role, Verdict
from factcheck.throttle import ThrottledAuthenticationMixin

STATUS_COLOURS = {
    Claim.Status.OPEN: "#57606a",
    Claim.Status.IN_REVIEW: "#9a6700",
    Claim.Status.PUBLISHED: "#1a7f37",
    Claim.Status.REJECTED: "#cf222e",
}
AGREE, DISAGREE = "#1a7f37", "#bc4c00"


# --------------------------------------------------------------------------- the site


class DeskLoginForm(ThrottledAuthenticationMixin, AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        **ThrottledAuthenticationMixin.error_messages,
        "not_moderator": "Only moderators can sign in to the admin. Your role does not allow it.",
    }

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if not Role.has(user, Role.MODERATOR):
            raise ValidationError(self.error_messages["not_moderator"], code="not_moderator")


class DeskAdminSite(admin.AdminSite):
    site_header = "factcheck desk"
    site_title = "factcheck desk"
    index_title = "Moderation"
    login_form = DeskLoginForm
    enable_nav_sidebar = False  # the queues need the width

    def has_permission(self, request):
        return Role.has(request.user, Role.MODERATOR)

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if getattr(form, "throttled", False):
            response.status_code = 429  # too many failed sign-ins (factcheck.throttle)
        return response

    def get_urls(self):
        return [
            path("desk/", self.admin_view(self.desk_view), name="desk"),
            path("agreement/", self.admin_view(self.agreement_view), name="agreement"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        return super().index(request, {"queues": queue_counts(), **(extra_context or {})})

    def desk_view(self, request):
        context = {
            **self.each_context(request),
            "title": "Desk overview",
            "queues": queue_counts(),
            "charts": overview_charts(),
        }
        return TemplateResponse(request, "admin/factcheck/desk.html", context)

    def agreement_view(self, request):
        form = ArticleChoiceForm(request.GET or None)
        article = form.cleaned_data["article"] if form.is_valid() else None
        status = 400 if form.is_bound and not form.is_valid() else 200
        context = {
            **self.each_context(request),
            "title": "Reviewer agreement",
            "subtitle": article.title if article else None,
            "form": form,
            "article": article,
            "report": agreementlib.agreement_report(article=article),
        }
        return TemplateResponse(request, "admin/factcheck/agreement.html", context, status=status)


class ArticleChoiceForm(forms.Form):
    article = forms.ModelChoiceField(
        queryset=Article.objects.order_by("title"), required=False, empty_label="All articles"
    )


# --------------------------------------------------------------------------- numbers


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


def claims_by_status() -> list[tuple[str, int, str]]:
    counts = dict(Claim.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return [
        (label, counts.get(value, 0), STATUS_COLOURS[value])
        for value, label in Claim.Status.choices
    ]


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


# --------------------------------------------------------------------------- charts


@dataclass
class Chart:
    """An SVG picture and the same numbers as a table (for screen readers)."""

    slug: str
    title: str
    description: str
    svg: SafeString
    columns: list[str]
    rows: list[list] = field(default_factory=list)


BAR_W, LABEL_W, ROW_H, TOP = 360, 190, 26, 8


def _label(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(rows: list[tuple[str, int, str]]) -> SafeString:
    """Horizontal bars, one per (label, value, colour)."""
    top = max([v for _, v, _ in rows] + [1])
    height = TOP * 2 + ROW_H * len(rows)
    parts = []
    for i, (label, value, colour) in enumerate(rows):
        y = TOP + i * ROW_H
        width = round(BAR_W * value / top, 1)
        parts.append(
            format_html(
                '<g><title>{}: {}</title><text x="{}" y="{}" class="fc-chart-label" '
                'text-anchor="end">{}</text><rect x="{}" y="{}" width="{}" height="{}" '
                'fill="{}" rx="2"></rect><text x="{}" y="{}" class="fc-chart-value">{}</text></g>',
                label,
                value,
                LABEL_W - 8,
                y + ROW_H / 2 + 4,
                _label(label),
                LABEL_W,
                y + 3,
                width,
                ROW_H - 6,
                colour,
                LABEL_W + width + 6,
                y + ROW_H / 2 + 4,
                value,
            )
        )
    return _svg(height, parts)


def stacked_bar_chart(
    rows: list[tuple[str, list[tuple[str, int, str]]]], legend: list[tuple[str, str]]
) -> SafeString:
    """One horizontal bar per row, split into (segment label, value, colour) pieces."""
    top = max([sum(v for _, v, _ in segs) for _, segs in rows] + [1])
    legend_h = 22 * ((len(legend) + 3) // 4)
    height = TOP * 2 + ROW_H * len(rows) + legend_h + 6
    parts = []
    for i, (label, segments) in enumerate(rows):
        y = TOP + i * ROW_H
        x = LABEL_W
        pieces = []
        for seg_label, value, colour in segments:
            if not value:
                continue
            width = round(BAR_W * value / top, 1)
            pieces.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} {}</title></rect>",
                    x,
                    y + 3,
                    width,
                    ROW_H - 6,
                    colour,
                    label,
                    value,
                    seg_label,
                )
            )
            x += width
        total = sum(v for _, v, _ in segments)
        parts.append(
            format_html(
                '<g><text x="{}" y="{}" class="fc-chart-label" text-anchor="end">{}</text>'
                '{}<text x="{}" y="{}" class="fc-chart-value">{}</text></g>',
                LABEL_W - 8,
                y + ROW_H / 2 + 4,
                _label(label),
                mark_safe("".join(pieces)),  # noqa: S308 - each piece built by format_html
                x + 6,
                y + ROW_H / 2 + 4,
                total,
            )
        )
    legend_y = TOP + ROW_H * len(rows) + 10
    for i, (seg_label, colour) in enumerate(legend):
        lx, ly = 10 + (i % 4) * 140, legend_y + (i // 4) * 22
        parts.append(
            format_html(
                '<g><rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
                '<text x="{}" y="{}" class="fc-chart-legend">{}</text></g>',
                lx,
                ly,
                colour,
                lx + 17,
                ly + 11,
                _label(seg_label, 18),
            )
        )
    return _svg(height, parts)


def _svg(height: float, parts: list[str]) -> SafeString:
    width = LABEL_W + BAR_W + 60
    return format_html(
        '<svg class="fc-chart" viewBox="0 0 {} {}" width="{}" height="{}" aria-hidden="true" '
        'focusable="false" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        width,
        height,
        width,
        height,
        mark_safe("".join(parts)),  # noqa: S308 - each part built by format_html
    )


TOP_ROWS = 20  # a chart of 2,000 speakers is neither readable nor small (2.6 MB at 100,000 claims)


def top_rows(rows: list, size: int, other) -> list:
    """The first ``size`` of ``rows`` (already in order), the rest folded by ``other(rest)``."""
    if len(rows) <= size + 1:
        return rows
    return [*rows[:size], other(rows[size:])]


def overview_charts() -> list[Chart]:
    charts = []

    status_rows = claims_by_status()
    charts.append(
        Chart(
            "status",
            "Claims by status",
            "How many claims are open, in review, published or rejected.",
            bar_chart(status_rows),
            ["Status", "Claims"],
            [[label, n] for label, n, _ in status_rows],
        )
    )

    ratings, speakers = verdicts_by_speaker()
    used = [r for r in ratings if any(r.pk in counts for _, counts in speakers)]

    def other_speakers(rest):
        folded: dict[int, int] = {}
        for _, counts in rest:
            for rating_id, n in counts.items():
                folded[rating_id] = folded.get(rating_id, 0) + n
        return (f"{len(rest):,} other speakers", folded)

    speakers = top_rows(speakers, TOP_ROWS, other_speakers)
    charts.append(
        Chart(
            "speakers",
            "Verdicts by rating for each speaker",
            "Submitted and approved verdicts on each speaker's claims (drafts and rejected "
            f"verdicts left out); the {TOP_ROWS} speakers with most verdicts, then the rest "
            "together.",
            stacked_bar_chart(
                [
                    (name, [(r.label, counts.get(r.pk, 0), r.colour) for r in used])
                    for name, counts in speakers
                ],
                [(r.label, r.colour) for r in used],
            ),
            ["Speaker", *[r.label for r in used], "Total"],
            [
                [name, *[counts.get(r.pk, 0) for r in used], sum(counts.values())]
                for name, counts in speakers
            ],
        )
    )

    report = agreementlib.agreement_report()
    fmt = agreementlib.format_coefficient
    # Most disagreement first: those are the articles a moderator looks at.
    ranked = sorted(report.articles, key=lambda a: (-a.stats.disagree, -a.stats.claims, a.title))
    articles = top_rows(
        [
            (
                a.title,
                a.stats.unanimous,
                a.stats.disagree,
                fmt(a.stats.alpha_ordinal),
                fmt(a.stats.fleiss),
            )
            for a in ranked
        ],
        TOP_ROWS,
        lambda rest: (
            f"{len(rest):,} other articles",
            sum(r[1] for r in rest),
            sum(r[2] for r in rest),
            "",
            "",
        ),
    )
    charts.append(
        Chart(
            "agreement",
            "Reviewer agreement per article",
            "Claims with two or more submitted verdicts: reviewers unanimous or not. "
            f"Overall Krippendorff's alpha (ordinal) {fmt(report.overall.alpha_ordinal)}, "
            f"Fleiss' kappa {fmt(report.overall.fleiss)}. The {TOP_ROWS} articles with most "
            "disagreement, then the rest together; every article is on the agreement page.",
            stacked_bar_chart(
                [
                    (title, [("agree", agree, AGREE), ("disagree", disagree, DISAGREE)])
                    for title, agree, disagree, _, _ in articles
                ],
                [("Reviewers agree", AGREE), ("Reviewers disagree", DISAGREE)],
            ),
            ["Article", "Agree", "Disagree", "Alpha (ordinal)", "Fleiss' kappa"],
            [list(row) for row in articles],
        )
    )

    work = work_per_reviewer()
    charts.append(
        Chart(
            "work",
            "Work waiting per reviewer",
            "Open and in-review claims on which each reviewer has not submitted a verdict "
            "(their drafts in brackets in the table).",
            bar_chart([(name, waiting, "#0969da") for name, waiting, _ in work]),
            ["Reviewer", "Claims awaiting their verdict", "Drafts"],
            [[name, waiting, drafts] for name, waiting, drafts in work],
        )
    )
    return charts
