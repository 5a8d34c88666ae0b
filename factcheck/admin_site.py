"""The moderators' desk: the admin site itself, with its overview and agreement pages.

Only moderators (and superusers) enter this admin site, whatever ``is_staff`` says; the
login form refuses everyone else. The overview's numbers come from ``factcheck.selectors``
and are drawn by ``factcheck.charts``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse

from factcheck import agreement as agreementlib
from factcheck import charts, selectors
from factcheck.models import Article, Claim
from factcheck.roles import Role
from factcheck.throttle import ThrottledAuthenticationMixin, ThrottledOldPasswordMixin

STATUS_COLOURS = {
    Claim.Status.OPEN: "#57606a",
    Claim.Status.IN_REVIEW: "#9a6700",
    Claim.Status.PUBLISHED: "#1a7f37",
    Claim.Status.REJECTED: "#cf222e",
}
AGREE, DISAGREE = "#1a7f37", "#bc4c00"


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


class DeskPasswordChangeForm(ThrottledOldPasswordMixin, AdminPasswordChangeForm):
    pass


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
        if getattr(form, "throttled", 0):
            response.status_code = 429  # too many failed sign-ins (factcheck.throttle)
            response["Retry-After"] = str(form.throttled)
        return response

    def password_change(self, request, extra_context=None):
        """Django's, with the old password checked through the sign-in count (429)."""
        from factcheck.views import PasswordChangeView

        defaults = {
            "form_class": DeskPasswordChangeForm,
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        return PasswordChangeView.as_view(**defaults)(request)

    def get_urls(self):
        return [
            path("desk/", self.admin_view(self.desk_view), name="desk"),
            path("agreement/", self.admin_view(self.agreement_view), name="agreement"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        return super().index(request, {"queues": selectors.queue_counts(), **(extra_context or {})})

    def desk_view(self, request):
        context = {
            **self.each_context(request),
            "title": "Desk overview",
            "queues": selectors.queue_counts(),
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


# --------------------------------------------------------------------------- the overview


def overview_charts() -> list[charts.Chart]:
    drawn = []

    status_rows = [
        (label, n, STATUS_COLOURS[value]) for value, label, n in selectors.claims_by_status()
    ]
    drawn.append(
        charts.Chart(
            "status",
            "Claims by status",
            "How many claims are open, in review, published or rejected.",
            charts.bar_chart(status_rows),
            ["Status", "Claims"],
            [[label, n] for label, n, _ in status_rows],
        )
    )

    ratings, speakers = selectors.verdicts_by_speaker()
    used = [r for r in ratings if any(r.pk in counts for _, counts in speakers)]

    def other_speakers(rest):
        folded: dict[int, int] = {}
        for _, counts in rest:
            for rating_id, n in counts.items():
                folded[rating_id] = folded.get(rating_id, 0) + n
        return (f"{len(rest):,} other speakers", folded)

    speakers = charts.top_rows(speakers, charts.TOP_ROWS, other_speakers)
    drawn.append(
        charts.Chart(
            "speakers",
            "Verdicts by rating for each speaker",
            "Submitted and approved verdicts on each speaker's claims (drafts and rejected "
            f"verdicts left out); the {charts.TOP_ROWS} speakers with most verdicts, then the rest "
            "together.",
            charts.stacked_bar_chart(
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
    articles = charts.top_rows(
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
        charts.TOP_ROWS,
        lambda rest: (
            f"{len(rest):,} other articles",
            sum(r[1] for r in rest),
            sum(r[2] for r in rest),
            "",
            "",
        ),
    )
    drawn.append(
        charts.Chart(
            "agreement",
            "Reviewer agreement per article",
            "Claims with two or more submitted verdicts: reviewers unanimous or not. "
            f"Overall Krippendorff's alpha (ordinal) {fmt(report.overall.alpha_ordinal)}, "
            f"Fleiss' kappa {fmt(report.overall.fleiss)}. The {charts.TOP_ROWS} articles with most "
            "disagreement, then the rest together; every article is on the agreement page.",
            charts.stacked_bar_chart(
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

    work = selectors.work_per_reviewer()
    drawn.append(
        charts.Chart(
            "work",
            "Work waiting per reviewer",
            "Open and in-review claims on which each reviewer has not submitted a verdict "
            "(their drafts in brackets in the table).",
            charts.bar_chart([(name, waiting, "#0969da") for name, waiting, _ in work]),
            ["Reviewer", "Claims awaiting their verdict", "Drafts"],
            [[name, waiting, drafts] for name, waiting, drafts in work],
        )
    )
    return drawn
