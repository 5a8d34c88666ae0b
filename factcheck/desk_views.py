"""The desk's list of every claim (``/claims/``): filtered with the API's ``ClaimFilter``,
read with the claim read model, and bulk decisions taken through the actions (each asks
the lifecycle), with a report of what was done and what was refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from factcheck import actions, claim_read, lifecycle
from factcheck.api.filters import ClaimFilter
from factcheck.models import Article, Claim, Rating, Role, Speaker, Statement
from factcheck.views import desk_required, options_of, paginate_capped

BULK_LIMIT = 100  # claims one bulk action may name (a page's worth)


class DeskClaimFilter(ClaimFilter):
    """The API's claim filters, and the day a claim was made."""

    created_after = django_filters.DateFilter(field_name="created_at__date", lookup_expr="gte")
    created_before = django_filters.DateFilter(field_name="created_at__date", lookup_expr="lte")


SORTS = {
    "newest": ("Newest first", ("-created_at", "-pk")),
    "oldest": ("Oldest first", ("created_at", "pk")),
    "article": ("Article, in text order", ("article_id", "start", "pk")),
    "status": ("Status", ("status", "-pk")),
    "speaker": ("Speaker", ("speaker__name", "-pk")),
}


@dataclass(frozen=True)
class BulkAction:
    label: str
    done: str  # "<n> claims <done>"
    apply: Callable  # (claim, user, note) -> None; raises when refused
    moderators_only: bool = False


BULK_ACTIONS = {
    "check_worthy": BulkAction(
        "Mark check-worthy",
        "marked check-worthy",
        lambda claim, by, note: actions.update_claim(claim=claim, by=by, check_worthy=True),
    ),
    "not_check_worthy": BulkAction(
        "Mark not check-worthy",
        "marked not check-worthy",
        lambda claim, by, note: actions.update_claim(claim=claim, by=by, check_worthy=False),
    ),
    "reject": BulkAction(
        "Reject",
        "rejected",
        lambda claim, by, note: actions.reject_claim(claim=claim, by=by, note=note),
        moderators_only=True,
    ),
    "reopen": BulkAction(
        "Reopen",
        "reopened",
        lambda claim, by, note: actions.reopen_claim(claim=claim, by=by, note=note),
        moderators_only=True,
    ),
    "unpublish": BulkAction(
        "Unpublish",
        "unpublished",
        lambda claim, by, note: actions.unpublish_claim(claim=claim, by=by, note=note),
        moderators_only=True,
    ),
}


def offered_actions(user) -> dict[str, BulkAction]:
    """The bulk actions ``user``'s role may take on some claim (the lifecycle decides on
    each claim when it is taken)."""
    edits = lifecycle.condition(user, "edit") is not False
    decides = lifecycle.may_decide(user)
    return {
        name: action
        for name, action in BULK_ACTIONS.items()
        if (decides if action.moderators_only else edits)
    }


def take_bulk_action(user, name: str, ids: list[int], note: str) -> tuple[list, list]:
    """``name`` on each claim of ``ids`` the user may see, each in its own transaction:
    (claims done, [(claim id, why refused)])."""
    action = BULK_ACTIONS[name]
    claims = Claim.objects.visible_to(user).in_bulk(ids)
    done, refused = [], []
    for pk in ids:
        claim = claims.get(pk)
        if claim is None:
            refused.append((pk, "No such claim (deleted meanwhile?)."))
            continue
        try:
            action.apply(claim, user, note)
        except PermissionDenied as exc:
            refused.append((pk, str(exc) or "Your role does not allow this."))
        except ValidationError as exc:
            refused.append((pk, " ".join(exc.messages)))
        else:
            done.append(pk)
    return done, refused


def _bulk(request):
    """Take the POSTed bulk action, report it in messages, and go back to the same list."""
    offered = offered_actions(request.user)
    name = request.POST.get("action", "")
    raw = request.POST.getlist("claims")
    note = request.POST.get("note", "").strip()[:2000]
    problem = None
    if name not in offered:
        problem = "Choose an action your role may take."
    elif not raw:
        problem = "Select at least one claim."
    elif len(raw) > BULK_LIMIT or not all(v.isdigit() and len(v) < 19 for v in raw):
        problem = f"Select at most {BULK_LIMIT} claims from the list."  # noqa: S608 (not SQL)
    if problem:
        messages.error(request, problem)
        return redirect(request.get_full_path())
    ids = list(dict.fromkeys(int(v) for v in raw))
    done, refused = take_bulk_action(request.user, name, ids, note)
    if done:
        messages.success(
            request,
            f"{len(done)} claim{'s' if len(done) != 1 else ''} {offered[name].done}: "
            + ", ".join(f"#{pk}" for pk in done)
            + ".",
        )
    for pk, why in refused:
        messages.error(request, f"Claim #{pk} not {offered[name].done}: {why}")
    return redirect(request.get_full_path())


@desk_required()
@require_http_methods(["GET", "POST"])
def claim_list(request):
    """Every claim the user may see, filtered, sorted and paged; bulk actions on a page."""
    if request.method == "POST":
        return _bulk(request)
    user = request.user
    claims = Claim.objects.visible_to(user)
    filters = DeskClaimFilter(request.GET, queryset=claims)
    errors = {} if filters.is_valid() else {k: list(v) for k, v in filters.errors.items()}
    sort = request.GET.get("sort", "newest")
    if sort not in SORTS:
        errors["sort"] = [f"Sort by one of: {', '.join(SORTS)}."]
    rows, page = [], None
    if not errors:
        ordered = filters.qs.order_by(*SORTS[sort][1])
        page = paginate_capped(request, ordered.values_list("pk", flat=True))
        ids = list(page.object_list)
        read = claim_read.ClaimReader(claim_read.API, user).read(Claim.objects.filter(pk__in=ids))
        by_id = {row["id"]: row for row in read}
        titles = dict(
            Article.objects.filter(pk__in={r["article"] for r in read}).values_list("pk", "title")
        )
        for pk in ids:
            if pk in by_id:
                row = by_id[pk]
                row["article_title"] = titles.get(row["article"], "")
                rows.append(row)
    chosen = {name: request.GET.get(name, "") for name in (*DeskClaimFilter.base_filters, "sort")}
    # The exports take one filter, the article: with one chosen, its claims are exported.
    chosen_article = None if errors else filters.form.cleaned_data.get("article")
    export_article = chosen_article and Article.objects.filter(pk=chosen_article).first()
    return render(
        request,
        "factcheck/claims.html",
        {
            "rows": rows,
            "page": page,
            "errors": errors,
            "chosen": chosen,
            "export_article": export_article,
            "filtered": any(v for k, v in chosen.items() if k != "sort"),
            "sorts": [(k, label) for k, (label, _) in SORTS.items()],
            "actions": [(k, a.label) for k, a in offered_actions(user).items()],
            "moderator": Role.has(user, Role.MODERATOR),
            "bulk_limit": BULK_LIMIT,
            "options": {
                "article": options_of(
                    Article.objects.order_by("-created_at").values_list("pk", "title"),
                    chosen["article"],
                ),
                "speaker": options_of(
                    Speaker.objects.order_by("name").values_list("pk", "name"), chosen["speaker"]
                ),
                "statement": options_of(
                    Statement.objects.order_by("title").values_list("pk", "title"),
                    chosen["statement"],
                ),
                "kind": Claim.Kind.choices,
                "status": Claim.Status.choices,
                "rating": [
                    (str(pk), label) for pk, label in Rating.objects.values_list("pk", "label")
                ],
            },
            "kinds": dict(Claim.Kind.choices),
            "statuses": dict(Claim.Status.choices),
        },
        status=400 if errors else 200,
    )


@desk_required()
@require_POST
def article_suggest(request):
    """Run the detector over the articles ticked on the articles list, as a background task
    (``actions.enqueue_suggest``): its page shows the progress; problems go back to the list."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    back = back or reverse("article-list")
    if not lifecycle.may_suggestion(request.user, "suggest"):
        messages.error(request, "Your role may not run suggestions.")
        return redirect(back)
    raw = request.POST.getlist("articles")
    if not raw:
        messages.error(request, "Select at least one article.")
        return redirect(back)
    if len(raw) > BULK_LIMIT or not all(v.isdigit() and len(v) < 19 for v in raw):
        messages.error(request, f"Select at most {BULK_LIMIT} articles from the list.")  # noqa: S608 (not SQL)
        return redirect(back)
    wanted = list(dict.fromkeys(int(v) for v in raw))
    found = set(
        Article.objects.visible_to(request.user).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    ids = [pk for pk in wanted if pk in found]
    if len(ids) < len(wanted):
        gone = ", ".join(f"#{pk}" for pk in wanted if pk not in found)
        messages.error(request, f"No such article (deleted meanwhile?): {gone}.")
        if not ids:
            return redirect(back)
    task = actions.enqueue_suggest(by=request.user, article_ids=ids)
    messages.success(
        request,
        f"Suggesting claims for {len(ids)} article{'s' if len(ids) != 1 else ''}.",
    )
    return redirect(task)
