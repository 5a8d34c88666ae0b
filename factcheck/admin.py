"""The moderators' admin: queues, decisions, merges, history and users' roles.

Every decision goes through ``factcheck.actions`` (which checks the role again, records
the moderator and the time, and is atomic); this module only gathers input and reports
the outcome. History is read-only here: reverting through the admin would bypass actions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce, Length
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_manager_for_model

from factcheck import accounts, actions, lifecycle
from factcheck import text as textlib
from factcheck.models import (
    Article,
    ArticleRevision,
    Claim,
    ClaimLink,
    EvidenceSource,
    Rating,
    Role,
    Speaker,
    Statement,
    Suggestion,
    Verdict,
)
from factcheck.roles import role_group_of, set_role

CONTEXT_CHARS = 400


def error_text(exc: Exception) -> str:
    """One line from a ValidationError / PermissionDenied / StaleVersion."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or exc.__class__.__name__


def swatch(colour: str) -> str:
    # SVG presentation attributes, not style="": the CSP forbids inline styles.
    return format_html(
        '<svg class="fc-swatch" width="12" height="12" aria-hidden="true">'
        '<rect width="12" height="12" rx="2" fill="{}"></rect></svg>',
        colour,
    )


def is_moderator(request) -> bool:
    return Role.has(request.user, Role.MODERATOR)


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin with the history shown but never reverted from the admin."""

    # The library's list carries an inline style, which the CSP blocks.
    object_history_list_template = "admin/factcheck/object_history_list.html"

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("History is read-only; edit the object itself.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_moderate_permission(self, request):
        return is_moderator(request)

    def save_model(self, request, obj, form, change):
        if change:
            keep_baseline(type(obj), obj.pk)
        super().save_model(request, obj, form, change)


def keep_baseline(model, pk) -> None:
    """Rows made outside the ORM's save (data migrations) have no history yet: record their
    stored state before the first admin edit, so the old values are never lost."""
    history = get_history_manager_for_model(model)
    if not history.filter(**{model._meta.pk.attname: pk}).exists():
        stored = model._default_manager.filter(pk=pk).first()
        if stored is not None:
            history.bulk_history_create([stored], default_change_reason="State before first edit")


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Decision:
    """A moderation step offered on a change page and run through an action."""

    name: str
    title: str
    button: str
    done: str  # message after success, formatted with the object
    note: str  # "required", "optional" or "none"
    explanation: str


POSTED_AS = {"claim_version": "read_version"}


class DecisionViews:
    """Mixin for admins whose objects take decisions at ``<id>/decide/<name>/``.

    GET shows a confirmation page (with a note field where the decision takes one, and the
    versions the moderator is deciding on as hidden fields); POST runs it with those versions,
    so a change since the page was read is refused instead of decided blind. Errors from the
    action come back on the same page with status 400, carrying the current versions.
    """

    decisions: dict[str, Decision] = {}

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/decide/<slug:decision>/",
                self.admin_site.admin_view(self.decision_view),
                name="{}_{}_decide".format(*info),
            ),
            *super().get_urls(),
        ]

    def run_decision(self, request, obj, decision: str, note: str, versions: dict):
        raise NotImplementedError

    def decision_allowed(self, request, obj, decision: str) -> bool:
        return True

    def decision_refusal(self, request, obj, decision: str) -> str:
        """Why the lifecycle table refuses ``decision`` on ``obj`` now."""
        return ""

    def decision_versions(self, obj) -> dict[str, int]:
        """The versions a decision on ``obj`` is made on (hidden fields of its form)."""
        return {}

    def posted_versions(self, request, obj) -> dict[str, int | None]:
        """The versions the form carried (None for a field it did not carry)."""
        posted = {}
        for name in self.decision_versions(obj):
            # The claim page's Approve buttons post its whole change form: there the verdict's
            # version is verdict_version_<id> and the claim's is read_version.
            value = (
                request.POST.get(name)
                or request.POST.get(f"{name}_{obj.pk}")
                or request.POST.get(POSTED_AS.get(name, ""), "")
            ).strip()
            posted[name] = int(value) if value.isdigit() and len(value) < 10 else None
        return posted

    def after_decision_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def decision_view(self, request, object_id, decision):
        if not is_moderator(request):
            raise PermissionDenied
        spec = self.decisions.get(decision)
        if not str(object_id).isdigit():
            raise Http404("No such item.")
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if spec is None or not self.decision_allowed(request, obj, decision):
            why = self.decision_refusal(request, obj, decision) if spec else ""
            messages.error(request, f"That decision is not available for this item. {why}".strip())
            return HttpResponseRedirect(self.after_decision_url(obj))
        error, status = "", 200
        note = (request.POST.get("note") or "").strip()
        if request.method == "POST":
            if spec.note == "required" and not note and "_confirm" not in request.POST:
                pass  # arrived from a one-click button: ask for the note first
            elif spec.note == "required" and not note:
                error, status = "Write a note: the reviewer will read why.", 400
            else:
                try:
                    versions = self.posted_versions(request, obj)
                    result = self.run_decision(request, obj, decision, note, versions)
                except (ValidationError, PermissionDenied, actions.StaleVersion) as exc:
                    error, status = error_text(exc), 400
                    obj = get_object_or_404(self.get_queryset(request), pk=object_id)
                else:
                    messages.success(request, spec.done.format(obj=result))
                    return HttpResponseRedirect(self.after_decision_url(result))
        context = {
            **self.admin_site.each_context(request),
            "title": spec.title,
            "opts": self.model._meta,
            "object": obj,
            "spec": spec,
            "note": note,
            "error": error,
            "versions": self.decision_versions(obj),
            "cancel_url": self.after_decision_url(obj),
        }
        return TemplateResponse(request, "admin/factcheck/decision.html", context, status=status)


def report(
    request,
    done: int,
    verb: str,
    noun: str,
    failures: list[tuple[Any, Exception]],
    *,
    said: bool = False,
):
    """One message per outcome: how many were done, each failure, or that nothing was;
    ``said``: the caller already told the user why nothing (or what) was done."""
    if done:
        plural = noun if done == 1 else noun + "s"
        messages.success(request, f"{verb.capitalize()} {done} {plural}.")
    for obj, exc in failures:
        messages.error(request, f"{obj}: not {verb} — {error_text(exc)}")
    if not done and not failures and not said:
        messages.warning(request, f"Nothing was {verb}.")


# --------------------------------------------------------------------------- filters


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("moderation", "Awaiting moderation"),
            ("disagree", "Reviewers disagree"),
            ("agree", "Reviewers agree"),
            ("verdicts", "Awaiting verdicts"),
            ("published", "Published"),
            ("rejected", "Rejected"),
            ("corrected", "Flagged by a correction"),
            ("orphaned", "Orphaned by a correction"),
        ]

    def queryset(self, request, queryset):
        submitted = Verdict.objects.filter(claim=OuterRef("pk"), status=Verdict.Status.SUBMITTED)
        match self.value():
            case "moderation":
                return queryset.filter(Exists(submitted), status=Claim.Status.IN_REVIEW)
            case "disagree":
                return queryset.filter(n_verdicts__gte=2, n_ratings__gt=1)
            case "agree":
                return queryset.filter(n_verdicts__gte=2, n_ratings=1)
            case "verdicts":
                return queryset.filter(status=Claim.Status.OPEN)
            case "published":
                return queryset.filter(status=Claim.Status.PUBLISHED)
            case "rejected":
                return queryset.filter(status=Claim.Status.REJECTED)
            case "corrected":
                return queryset.flagged()
            case "orphaned":
                return queryset.orphaned()
        return queryset


class RatingFilter(admin.SimpleListFilter):
    title = "a verdict rated"
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [(str(r.pk), r.label) for r in Rating.objects.all()]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        rated = Verdict.objects.submitted_or_decided().filter(
            claim=OuterRef("pk"), rating_id=int(self.value())
        )
        return queryset.filter(Exists(rated))


class BoundedRelatedFilter(admin.RelatedFieldListFilter):
    """A related-object filter that stays cheap on a big desk (thousands of speakers).

    Up to ``limit`` choices are listed; past that only the chosen one is: the filter still
    works from the URL and from links, and the search box finds the rest. Only what ``str()``
    needs is loaded (an article's text, up to a megabyte, never is).
    """

    limit = 100

    def choices_queryset(self, field):
        return field.related_model._default_manager.all()

    def field_choices(self, field, request, model_admin):
        queryset = self.choices_queryset(field)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        first = list(queryset[: self.limit + 1])
        if len(first) <= self.limit:
            return [(o.pk, str(o)) for o in first]
        chosen = [v for v in self.lookup_val or [] if str(v).isdigit()]
        return [(o.pk, str(o)) for o in queryset.filter(pk__in=chosen)] if chosen else []


class ArticleListFilter(BoundedRelatedFilter):
    def choices_queryset(self, field):
        return Article.objects.only("pk", "title")


class StatementListFilter(BoundedRelatedFilter):
    """Statement choices with their speakers in one query (str() names the speaker)."""

    def choices_queryset(self, field):
        return Statement.objects.select_related("speaker")


class ClaimChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # Rows show the article's title, never its text (which list_select_related would load).
        return super().get_queryset(request, exclude_parameters).defer("article__text")


# --------------------------------------------------------------------------- claims


class VerdictInline(admin.TabularInline):
    model = Verdict
    fk_name = "claim"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = ["reviewer", "rating_shown", "status", "rationale_shown", "sources_shown"]
    fields += ["moderation", "decide"]
    readonly_fields = [name for row in fields for name in ([row] if isinstance(row, str) else row)]
    verbose_name_plural = "Verdicts"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("reviewer", "rating", "moderator")
            .prefetch_related("sources")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Rating")
    def rating_shown(self, verdict):
        return format_html("{} {}", swatch(verdict.rating.colour), verdict.rating.label)

    @admin.display(description="Rationale")
    def rationale_shown(self, verdict):
        return format_html('<div class="fc-rationale">{}</div>', verdict.rationale or "—")

    @admin.display(description="Sources")
    def sources_shown(self, verdict):
        sources = list(verdict.sources.all())
        if not sources:
            return "—"
        return format_html(
            '<ul class="fc-sources">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}" rel="noopener noreferrer">{}</a>{}</li>',
                (
                    (s.url, s.title or s.url, format_html(" — {}", s.excerpt) if s.excerpt else "")
                    for s in sources
                ),
            ),
        )

    @admin.display(description="Moderation")
    def moderation(self, verdict):
        if not verdict.moderated_at:
            return "—"
        # format_html escapes each argument to a string first, so a date format in the
        # template ("{:%Y-%m-%d}") raised and the admin showed its "-" instead (issue 15).
        return format_html(
            "{} on {}{}",
            verdict.moderator or "?",
            date_format(localtime(verdict.moderated_at), "Y-m-d H:i"),
            format_html(": “{}”", verdict.moderation_note) if verdict.moderation_note else "",
        )

    @admin.display(description="Decide")
    def decide(self, verdict):
        buttons = []
        decide = "admin:factcheck_verdict_decide"
        if verdict.status in (Verdict.Status.SUBMITTED, Verdict.Status.REJECTED):
            buttons.append(
                format_html(
                    # formaction posts the surrounding change form (and its CSRF token) here.
                    # The version it shows goes with it (the claim form's read_version is
                    # the claim's), so a rating changed since is refused, not approved blind.
                    '<input type="hidden" name="verdict_version_{}" value="{}">'
                    '<button type="submit" class="button fc-approve" formnovalidate '
                    'formaction="{}" name="_approve" value="{}">Approve</button>',
                    verdict.pk,
                    verdict.version,
                    reverse(decide, args=[verdict.pk, "approve"]),
                    verdict.pk,
                )
            )
        if verdict.status in (Verdict.Status.SUBMITTED, Verdict.Status.APPROVED):
            buttons.append(
                format_html(
                    '<a class="button fc-reject" href="{}">Reject…</a>',
                    reverse(decide, args=[verdict.pk, "reject"]),
                )
            )
        return format_html_join(" ", "{}", ((b,) for b in buttons)) or "—"


class ClaimLinkInline(admin.TabularInline):
    """The claim's "same claim as" links (its record: unlinked ones too), read-only: they are
    made on the claim page and the API, and confirmed or unlinked by the link admin's actions."""

    model = ClaimLink
    fk_name = "claim"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = ["earlier_shown", "status", "score", "proposed", "confirmed", "unlinked"]
    readonly_fields = fields
    verbose_name = "Same claim as"
    verbose_name_plural = "Same claim as (links to earlier fact-checks)"

    def get_queryset(self, request):
        return super().get_queryset(request).with_people().select_related("earlier")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Earlier fact-check")
    def earlier_shown(self, link):
        return link_to_claim(link.earlier)

    @admin.display(description="Proposed")
    def proposed(self, link):
        return who_when(link.proposed_by, link.proposed_at, link.note)

    @admin.display(description="Confirmed")
    def confirmed(self, link):
        return who_when(link.confirmed_by, link.confirmed_at)

    @admin.display(description="Unlinked")
    def unlinked(self, link):
        return who_when(link.unlinked_by, link.unlinked_at, link.unlink_note)


def link_to_claim(claim: Claim) -> str:
    return format_html(
        '<a href="{}">{}: {}</a>',
        reverse("admin:factcheck_claim_change", args=[claim.pk]),
        claim.pk,
        textlib.shorten(claim.summary or claim.quote, 60),
    )


def who_when(user, when, note: str = "") -> str:
    if when is None:
        return "—"
    return format_html(
        "{} on {}{}",
        user or "?",
        date_format(localtime(when), "Y-m-d H:i"),
        format_html(": “{}”", note) if note else "",
    )


class ClaimForm(forms.ModelForm):
    """Carries the version the moderator read, so a concurrent edit is not overwritten."""

    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Claim
        fields = ["kind", "speaker", "statement", "summary", "check_worthy"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["read_version"].initial = self.instance.version


CLAIM_DECISIONS = {
    "unpublish": Decision(
        "unpublish",
        "Unpublish this claim",
        "Unpublish",
        "Unpublished “{obj}”; its verdict is back in the moderation queue.",
        "optional",
        "The public fact-check goes offline and the approved verdict returns to the queue.",
    ),
    "reject": Decision(
        "reject",
        "Reject this claim",
        "Reject claim",
        "Rejected “{obj}”.",
        "optional",
        "The claim leaves every queue (for example: not check-worthy). It can be reopened.",
    ),
    "reopen": Decision(
        "reopen",
        "Reopen this claim",
        "Reopen",
        "Reopened “{obj}”.",
        "none",
        "The claim goes back to reviewers (in review if it has verdicts, open otherwise).",
    ),
    "confirm": Decision(
        "confirm",
        "Confirm this fact-check for the corrected wording",
        "Confirm",
        "Confirmed “{obj}” for the article's corrected wording.",
        "optional",
        "A correction of the article edited the claim's words; the verdict holds for the new "
        "wording, and the flag on its public page goes.",
    ),
}

CLAIM_RUN = {
    "unpublish": actions.unpublish_claim,
    "reject": actions.reject_claim,
    "reopen": actions.reopen_claim,
    "confirm": actions.confirm_claim,
}


@admin.register(Claim)
class ClaimAdmin(DecisionViews, HistoryAdmin):
    form = ClaimForm
    decisions = CLAIM_DECISIONS
    list_display = [
        "id",
        "quote_short",
        "status",
        "verdict_count",
        "agreement",
        "published_rating",
        "speaker",
        "statement_title",
        "article_short",
    ]
    list_display_links = ["id", "quote_short"]
    list_filter = [
        QueueFilter,
        RatingFilter,
        "status",
        ("speaker", BoundedRelatedFilter),
        ("statement", StatementListFilter),
        ("article", ArticleListFilter),
        "kind",
        "check_worthy",
    ]
    list_select_related = ["article", "speaker", "statement", "statement__speaker"]
    search_fields = ["quote", "summary", "speaker__name", "speaker__aliases", "statement__title"]
    # Newest first by id (ids grow with creation): the primary key walks straight to a page,
    # where -created_at (no index) sorted every claim and its verdict subqueries first.
    ordering = ["-id"]
    list_per_page = 50
    autocomplete_fields = ["speaker", "statement"]
    fieldsets = [
        (None, {"fields": ["quote_in_context", "article_link", "status", "public_page"]}),
        ("Edit", {"fields": ["kind", "speaker", "statement", "summary", "check_worthy"]}),
        ("Last decision", {"fields": ["moderated_by", "moderated_at", "moderation_note"]}),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": ["start", "end", "created_by", "created_at", "updated_at"]
                + ["published_at", "version", "read_version"],
            },
        ),
    ]
    readonly_fields = ["quote_in_context", "article_link", "status", "public_page", "start", "end"]
    readonly_fields += ["created_by", "created_at", "updated_at", "published_at", "version"]
    readonly_fields += ["moderated_by", "moderated_at", "moderation_note"]
    inlines = [VerdictInline, ClaimLinkInline]
    actions = ["approve_agreed", "unpublish_selected", "reject_selected", "reopen_selected"]
    history_list_display = ["status", "speaker", "statement", "moderation_note"]
    change_form_template = "admin/factcheck/claim/change_form.html"

    def get_queryset(self, request):
        submitted = Verdict.objects.submitted_or_decided().filter(claim=OuterRef("pk")).order_by()
        count = submitted.values("claim").annotate(c=Count("pk")).values("c")
        ratings = submitted.values("claim").annotate(c=Count("rating", distinct=True)).values("c")
        approved = Verdict.objects.filter(claim=OuterRef("pk"), status=Verdict.Status.APPROVED)
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_verdicts=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
                n_ratings=Coalesce(Subquery(ratings, output_field=IntegerField()), Value(0)),
                approved_label=Subquery(approved.values("rating__label")[:1]),
            )
            # The agreement column reads each row's verdicts: one query for the whole page.
            .prefetch_related(self.get_list_queryset_prefetch())
        )

    def get_changelist(self, request, **kwargs):
        return ClaimChangeList

    def get_list_queryset_prefetch(self):
        return Prefetch(
            "verdicts",
            queryset=Verdict.objects.submitted_or_decided().select_related("rating"),
            to_attr="submitted_verdicts",
        )

    def has_add_permission(self, request):
        return False  # claims are marked in the article, from the annotation page

    def has_delete_permission(self, request, obj=None):
        return is_moderator(request) and super().has_delete_permission(request, obj)

    # --- columns

    @admin.display(description="Quote")
    def quote_short(self, claim):
        return textlib.shorten(claim.quote, 70)

    @admin.display(description="Article", ordering="article__title")
    def article_short(self, claim):
        return textlib.shorten(claim.article.title, 40)

    @admin.display(description="Statement", ordering="statement__title")
    def statement_title(self, claim):
        return textlib.shorten(claim.statement.title, 40) if claim.statement_id else "—"

    @admin.display(description="Verdicts", ordering="n_verdicts")
    def verdict_count(self, claim):
        return claim.n_verdicts

    @admin.display(description="Agreement", ordering="n_ratings")
    def agreement(self, claim):
        if claim.n_verdicts < 2:
            return "—"
        labels = sorted({v.rating.label for v in getattr(claim, "submitted_verdicts", [])})
        if claim.n_ratings == 1:
            return format_html(
                '<span class="fc-agree">✔ agree</span> ({} × {})',
                claim.n_verdicts,
                labels[0] if labels else "?",
            )
        return format_html('<span class="fc-disagree">✘ disagree</span> ({})', ", ".join(labels))

    @admin.display(description="Published rating", ordering="approved_label")
    def published_rating(self, claim):
        return claim.approved_label or "—"

    # --- change page

    @admin.display(description="Quote in its article")
    def quote_in_context(self, claim):
        text = claim.span_text  # an orphan's words are shown in the text they were in
        lo = max(0, claim.start - CONTEXT_CHARS)
        hi = min(len(text), claim.end + CONTEXT_CHARS)
        spans = [(claim.start, claim.end, "fc-quote", "claim")]
        for name, label in (("cue", "cue"), ("source", "source")):
            s, e = getattr(claim, f"{name}_start"), getattr(claim, f"{name}_end")
            if s is not None and e is not None and lo <= s and e <= hi:
                spans.append((s, e, f"fc-{name}", label))
        parts, cursor = [], lo
        for s, e, css, label in sorted(spans):
            if s < cursor:
                continue  # overlaps a span already marked
            parts.append(conditional_escape(text[cursor:s]))
            parts.append(
                format_html('<mark class="{}" title="{}">{}</mark>', css, label, text[s:e])
            )
            cursor = e
        parts.append(conditional_escape(text[cursor:hi]))
        return format_html(
            '<div class="fc-context">{}{}{}</div>',
            "…" if lo > 0 else "",
            mark_safe("".join(parts)),  # noqa: S308 - every part escaped above
            "…" if hi < len(text) else "",
        )

    @admin.display(description="Article")
    def article_link(self, claim):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:factcheck_article_change", args=[claim.article_id]),
            claim.article,
        )

    @admin.display(description="Public page")
    def public_page(self, claim):
        if claim.status != Claim.Status.PUBLISHED:
            return "— (not published)"
        url = reverse("factcheck-detail", args=[claim.pk])
        return format_html('<a href="{}">{}</a>', url, url)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["decisions"] = [
                d for name, d in self.decisions.items() if self.decision_allowed(request, obj, name)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in actions.CLAIM_EDITABLE
        }
        if changes:
            actions.update_claim(
                claim=obj, by=request.user, version=form.cleaned_data.get("read_version"), **changes
            )
            obj.refresh_from_db()

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Verdicts go with their claim; actions.delete_claim decides who may do that.
        perms_needed -= {Verdict._meta.verbose_name, EvidenceSource._meta.verbose_name}
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        actions.delete_claim(claim=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for claim in queryset:
            actions.delete_claim(claim=claim, by=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, PermissionDenied, actions.StaleVersion) as exc:
            if request.method != "POST":
                raise
            messages.error(request, f"Not saved: {error_text(exc)}")
            return HttpResponseRedirect(request.path)

    # --- decisions

    def decision_allowed(self, request, claim, decision):
        return decision in CLAIM_RUN and lifecycle.allows(request.user, decision, claim=claim)

    def decision_refusal(self, request, claim, decision):
        return error_text(lifecycle.find(request.user, decision, claim=claim))

    def decision_versions(self, claim):
        return {"claim_version": claim.version}

    def run_decision(self, request, claim, decision, note, versions):
        return CLAIM_RUN[decision](
            claim=claim, by=request.user, note=note, version=versions["claim_version"]
        )

    # --- bulk actions

    @admin.action(description="Approve the verdict reviewers agree on", permissions=["moderate"])
    def approve_agreed(self, request, queryset):
        done, failures, skipped = 0, [], 0
        for claim in queryset:
            verdicts = claim.submitted_verdicts
            unanimous = len(verdicts) >= 2 and len({v.rating_id for v in verdicts}) == 1
            waiting = [v for v in verdicts if v.status == Verdict.Status.SUBMITTED]
            if claim.status != Claim.Status.IN_REVIEW or not unanimous or not waiting:
                skipped += 1
                continue
            try:
                actions.approve_verdict(
                    verdict=waiting[0],
                    by=request.user,
                    version=waiting[0].version,
                    claim_version=claim.version,
                )
                done += 1
            except (ValidationError, PermissionDenied, actions.StaleVersion) as exc:
                failures.append((claim, exc))
        if done:
            messages.success(request, f"Published {done} claim{'s' if done != 1 else ''}.")
        if skipped:
            messages.warning(
                request,
                f"Skipped {skipped}: only claims in review whose reviewers (two or more) "
                "all gave the same rating are approved in bulk.",
            )
        # Its own message says what was published and what skipped; report adds the failures.
        report(request, 0, "approved", "claim", failures, said=bool(done or skipped))

    @admin.action(description="Unpublish selected claims", permissions=["moderate"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, "unpublished", actions.unpublish_claim)

    @admin.action(description="Reject selected claims (not check-worthy)", permissions=["moderate"])
    def reject_selected(self, request, queryset):
        self._bulk(request, queryset, "rejected", actions.reject_claim)

    @admin.action(description="Reopen selected claims", permissions=["moderate"])
    def reopen_selected(self, request, queryset):
        # Only those the table lets reopen (the rejected ones); the others are left alone.
        rejected = [c for c in queryset if lifecycle.allows(request.user, "reopen", claim=c)]
        self._bulk(request, rejected, "reopened", actions.reopen_claim)

    def _bulk(self, request, queryset, verb, action):
        done, failures = 0, []
        for claim in queryset:
            try:
                # The version the list was read at: a claim changed meanwhile is reported.
                action(claim=claim, by=request.user, version=claim.version)
                done += 1
            except (ValidationError, PermissionDenied, actions.StaleVersion) as exc:
                failures.append((claim, exc))
        report(request, done, verb, "claim", failures)


# --------------------------------------------------------------------------- verdicts


class EvidenceSourceInline(admin.TabularInline):
    model = EvidenceSource
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["order", "url", "title", "excerpt"]
    readonly_fields = [name for row in fields for name in ([row] if isinstance(row, str) else row)]

    def has_change_permission(self, request, obj=None):
        return False


VERDICT_DECISIONS = {
    "approve": Decision(
        "approve",
        "Approve this verdict",
        "Approve",
        "Approved “{obj}”; the claim is published.",
        "optional",
        "The claim is published with this rating. Any other approved verdict on it goes back "
        "to the queue.",
    ),
    "reject": Decision(
        "reject",
        "Reject this verdict",
        "Reject…",
        "Rejected “{obj}”.",
        "required",
        "The reviewer sees your note. If this verdict was published, the claim is unpublished.",
    ),
}

VERDICT_RUN = {"approve": actions.approve_verdict, "reject": actions.reject_verdict}


class VerdictStatusFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("moderation", "Awaiting moderation"), *Verdict.Status.choices]

    def queryset(self, request, queryset):
        if self.value() == "moderation":
            return queryset.filter(
                status=Verdict.Status.SUBMITTED, claim__status=Claim.Status.IN_REVIEW
            )
        if self.value() in Verdict.Status.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Verdict)
class VerdictAdmin(DecisionViews, HistoryAdmin):
    decisions = VERDICT_DECISIONS
    list_display = ["id", "claim_short", "reviewer", "rating_shown", "status", "submitted_at"]
    list_display += ["moderator", "moderated_at"]
    list_display_links = ["id", "claim_short"]
    list_filter = [
        VerdictStatusFilter,
        "rating",
        "reviewer",
        ("claim__article", ArticleListFilter),
    ]
    list_select_related = ["claim", "reviewer", "rating", "moderator"]
    search_fields = ["claim__quote", "claim__summary", "rationale", "reviewer__username"]
    ordering = ["-submitted_at", "-id"]
    fields = ["claim_link", "reviewer", "rating", "status", "rationale", "submitted_at"]
    fields += ["moderator", "moderated_at", "moderation_note", "version"]
    readonly_fields = [name for row in fields for name in ([row] if isinstance(row, str) else row)]
    inlines = [EvidenceSourceInline]
    actions = ["approve_selected", "reject_selected"]
    history_list_display = ["status", "rating", "moderator", "moderation_note"]
    change_form_template = "admin/factcheck/verdict/change_form.html"

    def has_add_permission(self, request):
        return False  # reviewers write verdicts on the claim page

    def has_change_permission(self, request, obj=None):
        return False  # a verdict is the reviewer's; moderators decide on it, they do not edit

    def has_delete_permission(self, request, obj=None):
        return False  # reject instead: a deleted verdict would leave no trace in the queue

    @admin.display(description="Claim", ordering="claim__summary")
    def claim_short(self, verdict):
        return str(verdict.claim)

    @admin.display(description="Rating", ordering="rating__order")
    def rating_shown(self, verdict):
        return format_html("{} {}", swatch(verdict.rating.colour), verdict.rating.label)

    @admin.display(description="Claim")
    def claim_link(self, verdict):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:factcheck_claim_change", args=[verdict.claim_id]),
            verdict.claim,
        )

    def after_decision_url(self, verdict):
        return reverse("admin:factcheck_claim_change", args=[verdict.claim_id])

    def decision_allowed(self, request, verdict, decision):
        return decision in VERDICT_RUN and lifecycle.allows(
            request.user, decision, claim=verdict.claim, verdict=verdict
        )

    def decision_refusal(self, request, verdict, decision):
        found = lifecycle.find(request.user, decision, claim=verdict.claim, verdict=verdict)
        return error_text(found)

    def decision_versions(self, verdict):
        return {"verdict_version": verdict.version, "claim_version": verdict.claim.version}

    def run_decision(self, request, verdict, decision, note, versions):
        return VERDICT_RUN[decision](
            verdict=verdict,
            by=request.user,
            note=note,
            version=versions["verdict_version"],
            claim_version=versions["claim_version"],
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["decisions"] = [
                d for name, d in self.decisions.items() if self.decision_allowed(request, obj, name)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(
        description="Approve selected verdicts (publishes their claims)", permissions=["moderate"]
    )
    def approve_selected(self, request, queryset):
        verdicts = list(queryset.select_related("claim"))
        per_claim = Counter(v.claim_id for v in verdicts)
        done, failures = 0, []
        for verdict in verdicts:
            if per_claim[verdict.claim_id] > 1:
                failures.append(
                    (verdict, ValidationError("select one verdict per claim to approve"))
                )
                continue
            try:
                # Without a claim version: a claim published with another verdict is
                # reported, not silently switched (that is decided on the claim's page).
                actions.approve_verdict(verdict=verdict, by=request.user, version=verdict.version)
                done += 1
            except (ValidationError, PermissionDenied, actions.StaleVersion) as exc:
                failures.append((verdict, exc))
        report(request, done, "approved", "verdict", failures)

    @admin.action(description="Reject selected verdicts…", permissions=["moderate"])
    def reject_selected(self, request, queryset):
        note = (request.POST.get("note") or "").strip()
        if "_confirm" in request.POST and note:
            done, failures = 0, []
            for verdict in queryset:
                try:
                    actions.reject_verdict(
                        verdict=verdict, by=request.user, note=note, version=verdict.version
                    )
                    done += 1
                except (ValidationError, PermissionDenied, actions.StaleVersion) as exc:
                    failures.append((verdict, exc))
            report(request, done, "rejected", "verdict", failures)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject verdicts",
            "opts": self.model._meta,
            "objects": queryset.select_related("claim", "reviewer", "rating"),
            "action": "reject_selected",
            "checkbox_name": ACTION_CHECKBOX_NAME,
            "note": note,
            "error": "Write a note: the reviewers will read why."
            if "_confirm" in request.POST
            else "",
        }
        status = 400 if context["error"] else 200
        return TemplateResponse(
            request, "admin/factcheck/reject_verdicts.html", context, status=status
        )


# --------------------------------------------------------------------------- registry


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = queryset
        self.fields["survivor"].label = "Keep"


class MergeAdmin(HistoryAdmin):
    """A ``merge`` action: an intermediate page picks the survivor, then an action merges."""

    merge_label = "items"
    actions = ["merge"]

    def merge_queryset(self, queryset):
        return queryset

    def run_merge(self, survivor, others, by):
        raise NotImplementedError

    @admin.action(description="Merge selected…", permissions=["moderate"])
    def merge(self, request, queryset):
        queryset = self.merge_queryset(queryset)
        if queryset.count() < 2:
            messages.warning(request, f"Select two or more {self.merge_label} to merge.")
            return None
        form = MergeForm(request.POST if "_confirm" in request.POST else None, queryset=queryset)
        if form.is_valid():
            survivor = form.cleaned_data["survivor"]
            others = [o for o in queryset if o.pk != survivor.pk]
            try:
                survivor = self.run_merge(survivor, others, request.user)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, f"Nothing merged: {error_text(exc)}")
                return None
            opts = self.model._meta
            noun = opts.verbose_name if len(others) == 1 else opts.verbose_name_plural
            messages.success(
                request,
                f"Merged {len(others)} {noun} into “{survivor}”: "
                + ", ".join(f"“{o}” (#{o.pk})" for o in others)
                + ". Their claims now point to it; their history stays in the history tables.",
            )
            return HttpResponseRedirect(
                reverse(
                    f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_change",
                    args=[survivor.pk],
                )
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Merge {self.merge_label}",
            "opts": self.model._meta,
            "form": form,
            "objects": queryset,
            "checkbox_name": ACTION_CHECKBOX_NAME,
            "merge_label": self.merge_label,
        }
        return TemplateResponse(request, "admin/factcheck/merge.html", context)


def claim_count(model_field: str):
    return Coalesce(
        Subquery(
            Claim.objects.filter(**{model_field: OuterRef("pk")})
            .order_by()
            .values(model_field)
            .annotate(c=Count("pk"))
            .values("c"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


@admin.register(Speaker)
class SpeakerAdmin(MergeAdmin):
    merge_label = "speakers"
    list_display = ["name", "kind", "aliases_shown", "description", "claims", "statements"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases", "description"]
    history_list_display = ["name", "aliases"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_claims=claim_count("speaker"),
                n_statements=Coalesce(
                    Subquery(
                        Statement.objects.filter(speaker=OuterRef("pk"))
                        .order_by()
                        .values("speaker")
                        .annotate(c=Count("pk"))
                        .values("c"),
                        output_field=IntegerField(),
                    ),
                    Value(0),
                ),
            )
        )

    def merge_queryset(self, queryset):
        return queryset.order_by("name")

    def run_merge(self, survivor, others, by):
        return actions.merge_speakers(survivor=survivor, others=others, by=by)

    @admin.display(description="Aliases")
    def aliases_shown(self, speaker):
        return ", ".join(speaker.alias_list) or "—"

    @admin.display(description="Claims", ordering="n_claims")
    def claims(self, speaker):
        return speaker.n_claims

    @admin.display(description="Statements", ordering="n_statements")
    def statements(self, speaker):
        return speaker.n_statements


@admin.register(Statement)
class StatementAdmin(MergeAdmin):
    merge_label = "statements"
    list_display = ["title", "speaker", "kind", "date", "venue", "claims"]
    list_filter = ["kind", ("speaker", BoundedRelatedFilter)]
    list_select_related = ["speaker"]
    search_fields = ["title", "venue", "speaker__name", "speaker__aliases"]
    autocomplete_fields = ["speaker"]
    history_list_display = ["title", "speaker"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_claims=claim_count("statement"))

    def merge_queryset(self, queryset):
        return queryset.select_related("speaker").order_by("title")

    def run_merge(self, survivor, others, by):
        return actions.merge_statements(survivor=survivor, others=others, by=by)

    @admin.display(description="Claims", ordering="n_claims")
    def claims(self, statement):
        return statement.n_claims


@admin.register(Rating)
class RatingAdmin(HistoryAdmin):
    list_display = ["label", "colour_shown", "value", "order", "description", "verdicts"]
    list_editable = ["order"]
    history_list_display = ["label", "value", "order"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_verdicts=Count("verdicts"))

    @admin.display(description="Colour")
    def colour_shown(self, rating):
        return format_html("{} {}", swatch(rating.colour), rating.colour)

    @admin.display(description="Verdicts", ordering="n_verdicts")
    def verdicts(self, rating):
        return rating.n_verdicts


class RevisionInline(admin.TabularInline):
    """Every text the article had (read-only; a correction makes a new one)."""

    model = ArticleRevision
    fields = ["number", "created_at", "created_by", "note", "source", "length", "changes"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-number"]

    def get_queryset(self, request):
        # The texts can be a megabyte each: their lengths, counted by the database, are shown.
        revisions = super().get_queryset(request).select_related("created_by")
        return revisions.annotate(text_length=Length("text")).defer("text")

    def has_view_permission(self, request, obj=None):
        # Whoever sees the article sees its texts (revisions have no permissions of their own).
        return request.user.has_perm("factcheck.view_article")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Characters")
    def length(self, revision):
        return revision.text_length

    @admin.display(description="What changed")
    def changes(self, revision):
        if revision.number == 1:
            return "—"
        url = reverse("article-revisions", args=[revision.article_id])
        return format_html(
            '<a href="{}?from={}&amp;to={}">diff and claims</a>',
            url,
            revision.number - 1,
            revision.number,
        )


@admin.register(Article)
class ArticleAdmin(HistoryAdmin):
    list_display = ["title", "publisher", "published_on", "language", "claims", "created_at"]
    search_fields = ["title", "publisher", "url"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "created_by",
        "created_at",
        "updated_at",
        "version",
        "revision",
        "correct_text",
    ]
    inlines = [RevisionInline]

    @admin.display(description="Correction (a new revision; the claims are re-anchored)")
    def correct_text(self, article):
        if not article.pk:
            return "—"
        url = reverse("article-correct", args=[article.pk])
        return format_html('<a href="{}">Correct the text</a>', url)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "text":
            # The text as stored: its line end at the end, stripped, was a change of the text
            # (refused for an article with claims) whenever anything else on it was saved.
            field.strip = False
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_claims=claim_count("article"))

    @admin.display(description="Claims", ordering="n_claims")
    def claims(self, article):
        return article.n_claims

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --------------------------------------------------------------------------- users


ROLE_CHOICES = [("", "No role (sees published fact-checks only)"), *Role.choices]


class UserRoleChangeForm(UserChangeForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "role" in self.fields:
            role = role_group_of(self.instance)
            self.fields["role"].initial = role.value if role else ""


class UserRoleCreationForm(AdminUserCreationForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES, required=False)


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [*Role.choices, ("none", "No role")]

    def queryset(self, request, queryset):
        if self.value() in Role.values:
            return queryset.filter(groups__name=self.value())
        if self.value() == "none":
            return queryset.exclude(groups__name__in=Role.values)
        return queryset


admin.site.unregister(User)


@admin.register(User)
class RoleUserAdmin(UserAdmin):
    """Moderators set roles; only superusers touch superusers, passwords and raw permissions."""

    form = UserRoleChangeForm
    add_form = UserRoleCreationForm
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active"]
    list_display += ["last_login"]
    list_filter = [RoleFilter, "is_active", "is_superuser"]
    moderator_fieldsets = [
        (None, {"fields": ["username"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
        ("Desk", {"fields": ["role", "is_active"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "usable_password", "password1", "password2", "role"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if request.user.is_superuser:
            return [*self.fieldsets, ("Desk", {"fields": ["role"]})]
        return self.moderator_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            # A moderator cannot demote themselves out of the admin by accident.
            own = ["role", "is_active"] if obj.pk == request.user.pk else []
            # With someone's e-mail address goes their password (by reset): superusers only.
            keys = ["username", "email"]
            identity = [] if accounts.may_change_identity(request.user, obj) else keys
            return ["last_login", "date_joined", *identity, *own]
        return super().get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not accounts.may_edit(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"email", "username"} & set(form.changed_data):
            accounts.tell_old_address(
                old_email=form.initial.get("email", ""),
                old_username=form.initial.get("username", ""),
                user=obj,
                by=request.user,
            )

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied("Only superusers set other people's passwords.")
        return super().user_change_password(request, id, form_url)

    @admin.display(description="Role")
    def role(self, user):
        if user.is_superuser:
            return "superuser"
        role = role_group_of(user)
        return role.label if role else "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "role" in form.cleaned_data:
            set_role(form.instance, form.cleaned_data["role"] or None)


# The task queue's rows (django-tasks-db) are the workers' business: people follow their tasks
# on the task pages and through the API (BackgroundTask), so the queue has no admin pages.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """The detector's suggestions, for moderators to look over: read-only (they are decided on
    the reading page and through the API)."""

    list_display = ["short_quote", "article", "kind", "proposed_speaker", "confidence", "status"]
    list_filter = ["status", "kind", "detector_version"]
    list_select_related = ["article", "speaker"]
    search_fields = ["quote", "speaker_name", "statement_title"]
    show_full_result_count = False
    fields = [
        "article",
        "kind",
        ("start", "end"),
        "quote",
        ("cue_start", "cue_end", "source_start", "source_end"),
        ("speaker", "speaker_name", "speaker_kind"),
        ("statement", "statement_title", "statement_kind", "statement_date", "statement_group"),
        ("confidence", "check_worthiness"),
        ("status", "decided_by", "decided_at", "claim"),
        ("detector_version", "created_at", "text_hash"),
    ]
    readonly_fields = [name for row in fields for name in ([row] if isinstance(row, str) else row)]

    @admin.display(description="quote")
    def short_quote(self, obj):
        return textlib.shorten(obj.quote, 80)

    @admin.display(description="speaker")
    def proposed_speaker(self, obj):
        if obj.speaker_id:
            return obj.speaker.name
        return f"{obj.speaker_name} (new)" if obj.speaker_name else "the author"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --------------------------------------------------------------------------- claim links


@admin.register(ClaimLink)
class ClaimLinkAdmin(HistoryAdmin):
    """ "Same claim as" links, for moderators: the proposals waiting, and what was confirmed
    or unlinked (read-only). Confirming and unlinking are actions here, made through
    ``actions.confirm_link`` / ``unlink_claim`` where the lifecycle table allows them."""

    list_display = ["id", "claim_shown", "earlier_shown", "status", "score", "proposed_by"]
    list_display += ["proposed_at", "confirmed_by", "unlinked_by"]
    list_filter = ["status"]
    list_select_related = ["claim", "earlier", "proposed_by", "confirmed_by", "unlinked_by"]
    search_fields = ["claim__quote", "earlier__quote", "note", "unlink_note"]
    ordering = ["-id"]
    show_full_result_count = False
    actions = ["confirm_selected", "unlink_selected"]
    fields = [
        "claim_shown",
        "earlier_shown",
        "status",
        "score",
        "note",
        ("proposed_by", "proposed_at"),
        ("confirmed_by", "confirmed_at"),
        ("earlier_verdict", "verdict"),
        ("unlinked_by", "unlinked_at"),
        "unlink_note",
    ]
    readonly_fields = [name for row in fields for name in ([row] if isinstance(row, str) else row)]
    history_list_display = ["status", "unlink_note"]

    @admin.display(description="Claim")
    def claim_shown(self, link):
        return link_to_claim(link.claim)

    @admin.display(description="Same claim as")
    def earlier_shown(self, link):
        return link_to_claim(link.earlier)

    def has_add_permission(self, request):
        return False  # links are proposed on the claim page and through the API

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # unlinked, never deleted: the record stays

    @admin.action(
        description="Confirm selected links (publish with the earlier verdict)",
        permissions=["moderate"],
    )
    def confirm_selected(self, request, queryset):
        self._bulk(request, queryset, "confirm", "confirmed", actions.confirm_link)

    @admin.action(description="Unlink selected links", permissions=["moderate"])
    def unlink_selected(self, request, queryset):
        self._bulk(request, queryset, "unlink", "unlinked", actions.unlink_claim)

    def _bulk(self, request, queryset, action, verb, run):
        done, failures, skipped = 0, [], 0
        for link in queryset.select_related("claim"):
            if not lifecycle.allows(
                request.user, action, claim=link.claim, subject=lifecycle.LINK, link=link
            ):
                skipped += 1
                continue
            try:
                # The claim's version as the list read it: a change since is reported.
                run(claim=link.claim, by=request.user, version=link.claim.version)
                done += 1
            except (ValidationError, PermissionDenied, actions.StaleVersion) as exc:
                failures.append((link, exc))
        if skipped:
            messages.warning(request, f"Skipped {skipped}: the link table does not allow that now.")
        report(request, done, verb, "link", failures, said=bool(skipped))
