"""HTML pages, and the two suggestion reads the annotation page calls (it writes claims
through /api/v1/claims/).

Views check roles, validate input and call ``factcheck.actions``; nothing more. Every
page's queries are fixed in number (select_related/prefetch_related), whatever the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

import orjson
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_safe,
)

from factcheck import actions, claim_read, lifecycle, search, tasks, throttle
from factcheck import text as textlib
from factcheck.api.matching import kept_matches
from factcheck.api.suggestions import suggestion_data
from factcheck.forms import ArticleForm, ImportForm, VerdictForm
from factcheck.models import (
    Article,
    BackgroundTask,
    Claim,
    ClaimLink,
    Rating,
    Role,
    Speaker,
    Statement,
    Suggestion,
    Verdict,
    count_for,
    text_hash,
)
from factcheck.throttle import ThrottledAuthenticationForm, ThrottledPasswordChangeForm

PAGE_SIZE = 25
OPTION_ROWS = 500  # review-queue filters offer the articles, speakers, statements of this many
CONTEXT_CHARS = 400
WORD_CHARS = 30  # the longest word an excerpt moves its cut for


# --------------------------------------------------------------------------- access


def desk_required(role: Role = Role.ANNOTATOR, *, json: bool = False):
    """Signed-in users with ``role`` (or higher) only; others are sent to sign in or get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if json:
                    return json_error("Sign in first.", status=401)
                return redirect_to_login(request.get_full_path())
            if not Role.has(request.user, role):
                message = f"This needs the {role.label.lower()} role (or a higher one)."
                if json:
                    return json_error(message, status=403)
                return render(request, "factcheck/forbidden.html", {"message": message}, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def json_error(message, *, status: int) -> JsonResponse:
    """An error as the API words it (DRF's ``{"detail": ...}``)."""
    return JsonResponse({"detail": str(message)}, status=status)


def paginate(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows (then "of 40+ pages"): a queue's exact size can cost a
    scan of the whole table (the review queue: 65 ms at 100,000 claims), and nobody pages
    that far; the cap moves with the page asked for, so "Next" is there while rows are."""

    def __init__(self, *args, cap: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        found = self.object_list[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)


def paginate_capped(request, queryset, size: int = PAGE_SIZE, cap: int = 1000):
    asked = request.GET.get("page", "")
    cap = max(cap, (int(asked) + 1) * size) if asked.isdigit() and len(asked) < 7 else cap
    return CappedPaginator(queryset, size, cap=cap).get_page(asked)


def visible_verdicts(user):
    """Prefetch of a claim's verdicts the user may see (blind review), with their rating."""
    return Prefetch(
        "verdicts",
        queryset=Verdict.objects.visible_to(user).select_related("rating", "reviewer"),
    )


# --------------------------------------------------------------------------- articles


class _Throttled:
    """A form view whose form says how long it is refused (``form.throttled``, seconds):
    answered 429 with ``Retry-After``."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
            response["Retry-After"] = str(form.throttled)
        return response


class LoginView(_Throttled, auth_views.LoginView):
    """Django's sign-in page, with repeated failures refused for a while (429)."""

    authentication_form = ThrottledAuthenticationForm


class PasswordChangeView(_Throttled, auth_views.PasswordChangeView):
    """Django's password change, its old password checked through the sign-in count (429)."""

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with requests per e-mail and per address counted (429)."""

    def form_valid(self, form):
        wait = throttle.count_password_reset(self.request, form.cleaned_data["email"])
        if not wait:
            return super().form_valid(form)
        form.add_error(
            "email",
            f"Too many password reset requests. Wait {throttle.minutes(wait)} minutes, "
            "then try again.",
        )
        response = self.form_invalid(form)
        response.status_code = 429
        response["Retry-After"] = str(wait)
        return response


def home(request):
    if request.user.is_authenticated:
        return redirect("article-list")
    return redirect("login")


@desk_required()
@require_http_methods(["GET", "POST"])
def article_list(request):
    form = ArticleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                article = actions.create_article(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            else:
                messages.success(request, f"Article “{article.title}” added.")
                return redirect(article)
        else:
            status = 413 if getattr(form, "too_large", False) else 400
    query = request.GET.get("q", "").strip()
    articles = Article.objects.search(query).defer("text").order_by("-created_at", "-id")
    page = paginate(request, articles)
    count_for(page, Claim.objects.all(), "article", "claims", by="status", values=Claim.Status)
    return render(
        request,
        "factcheck/article_list.html",
        {
            "page": page,
            "query": query,
            "form": form,
            "statuses": Claim.Status.choices,
            "form_open": request.method == "POST",
        },
        status=status,
    )


def page_claims(claims, user) -> tuple[dict, int]:
    """``claims`` as the annotation page's script gets them: the fields ``claim_read``
    declares for the page, in columns (``static/factcheck/claims.js`` makes each row the
    API's claim object, ``editable`` for ``user`` included), and how many there are.
    Unordered: the script orders them (a sort by the database cost more than the query)."""
    fields, rows, count = claim_read.ClaimReader(claim_read.PAGE, user).columns(claims.order_by())
    return {"fields": fields, "rows": orjson.Fragment(rows)}, count


def json_for_script(value) -> bytes:
    """``value`` as UTF-8 JSON safe inside ``<script type="application/json">``.

    The same escapes as Django's ``json_script`` (``<``, ``>`` and ``&`` as ``\\uXXXX``), by
    orjson: the article page sends a thousand claims, and the standard library's encoder and
    ``str.translate`` took a sixth of the page's time.
    """
    encoded = orjson.dumps(value)
    return encoded.replace(b"&", b"\\u0026").replace(b"<", b"\\u003C").replace(b">", b"\\u003E")


PART = re.compile(rb"<!--factcheck-part:(\w+)-->")


def render_with_parts(request, template_name: str, context: dict, parts: dict[str, bytes]):
    """``template_name`` rendered, with ready-made bytes put where ``{{ name }}`` stands.

    For a page whose bulk is a few large pieces (an article's text, its claims as JSON): the
    template engine joins and copies its output at every level of nesting, which for a
    300 KB page cost more than all the rest of it. Each part is rendered as a marker that no
    escaped value can contain (``<!--``), then replaced by its bytes. Parts must already be
    safe for where they stand (escaped text, script-safe JSON).
    """
    markers = {name: mark_safe(f"<!--factcheck-part:{name}-->") for name in parts}  # noqa: S308
    shell = render_to_string(template_name, {**context, **markers}, request=request).encode()
    pieces = PART.split(shell)
    # pieces: text, name, text, name, ..., text: every odd one is a part's name.
    names = pieces[1::2]
    if sorted(n.decode() for n in names) != sorted(parts):
        raise ValueError(f"{template_name} must show each of {sorted(parts)} exactly once.")
    pieces[1::2] = [parts[n.decode()] for n in names]
    return HttpResponse(b"".join(pieces))


BLOCK_TAGS = {"p": "p", "h": "h2", "li": "li"}
# Bump when reading_blocks or reading_html change what they make: the layouts in the cache
# are kept by text (a digest) and this number.
READING_LAYOUT_VERSION = 2  # 2: "-" against a letter is a bullet
READING_LAYOUT_SECONDS = 24 * 3600


def reading_layout(text: str, digest: str) -> tuple[orjson.Fragment, bytes]:
    """The article's blocks (``[kind, start, body, body_end, end]`` each, as JSON for the
    page's script) and its reading HTML (``reading_html``), kept in the cache by the text's
    ``digest`` (``text_hash``): the same for every reader of a text, and 1.5 ms to make for
    100,000 characters. A correction makes a new text, so a new key; nothing needs clearing."""
    key = f"factcheck:reading:{READING_LAYOUT_VERSION}:{digest}"
    kept = cache.get(key)
    if kept is None:
        blocks = textlib.reading_blocks(text)
        kept = (
            orjson.dumps([[b.kind, b.start, b.body, b.body_end, b.end] for b in blocks]),
            reading_html(text, blocks),
        )
        cache.set(key, kept, timeout=READING_LAYOUT_SECONDS)
    return orjson.Fragment(kept[0]), kept[1]


def reading_html(text: str, blocks: list[textlib.Block]) -> bytes:
    """The article as paragraphs, subheadings and list items, escaped: the twin of
    ``highlights.articleFragment`` (which the script puts in its place, with the highlights)
    for a page without JavaScript. The hidden parts keep ``textContent`` equal to ``text``."""
    out = []
    in_list = False
    for b in blocks:
        if (b.kind == "li") != in_list:
            out.append('<ul class="blk-list">' if b.kind == "li" else "</ul>")
            in_list = b.kind == "li"
        tag = BLOCK_TAGS[b.kind]
        lead, tail = text[b.start : b.body], text[b.body_end : b.end]
        body = text[b.body : b.body_end]
        out.append(f'<{tag} class="blk blk-{b.kind}">')
        if lead:
            out.append(f'<span class="cut" hidden>{escape(lead)}</span>')
        out.append(escape(body))
        if tail:
            out.append(f'<span class="cut" hidden>{escape(tail)}</span>')
        out.append(f"</{tag}>")
    if in_list:
        out.append("</ul>")
    return "".join(out).encode()


@desk_required()
@require_safe
def article_detail(request, pk):
    article = get_object_or_404(Article, pk=pk)
    # Orphans of a correction point into an earlier text: listed apart, never highlighted.
    visible = article.claims.visible_to(request.user)
    claims, count = page_claims(visible.anchored(), request.user)
    digest = text_hash(article.text)
    blocks, reading = reading_layout(article.text, digest)
    page_data = {
        "article": article.pk,
        "blocks": blocks,
        "claims": claims,
        "kinds": {str(value): str(label) for value, label in Claim.Kind.choices},
        "statuses": {str(value): str(label) for value, label in Claim.Status.choices},
        "claimUrl": reverse("claim-detail", args=[0]),
        # The one write door: POST here, PATCH and DELETE <claimsUrl><id>/ (with If-Match).
        "claimsUrl": reverse("api-claim-list"),
        "speakersUrl": reverse("suggest-speakers"),
        "statementsUrl": reverse("suggest-statements"),
        "canAnnotate": Role.has(request.user, Role.ANNOTATOR),
        # "Checked before?" (matches.js): earlier fact-checks of a text and of a claim.
        "matchUrl": reverse("api-factcheck-match"),
        "claimMatchesUrl": reverse("api-claim-matches", args=[0]),
        "matchMaxChars": search.MAX_QUERY_CHARS,
        **suggestion_page_data(article, request.user, digest),
    }
    return render_with_parts(
        request,
        "factcheck/article_detail.html",
        {
            "article": article,
            # Publisher, date, byline: only those present, so no stray separators.
            "meta": [
                part
                for part in (
                    article.publisher,
                    article.published_on and article.published_on.isoformat(),
                    article.byline,
                )
                if part
            ],
            "claim_count": count,
            # Only a corrected article has a correction to show and orphans to list.
            "corrected": article.revision > 1
            and article.revisions.filter(number=article.revision).first(),
            "orphans": list(visible.orphaned().order_by("start", "pk"))
            if article.revision > 1
            else [],
            "can_correct": actions.may_correct(request.user),
            "can_decide": lifecycle.may_decide(request.user),
            "kinds": Claim.Kind.choices,
            "statuses": Claim.Status.choices,
            "speaker_kinds": Speaker.Kind.choices,
            "statement_kinds": Statement.Kind.choices,
            "suggestions_shown": "suggestions" in page_data,
            "can_accept_all": page_data.get("canAcceptAll", False),
        },
        {
            "article_text": reading,
            "page_data": json_for_script(page_data),
        },
    )


# --------------------------------------------------------------------------- suggestions


def suggestion_page_data(article, user, digest: str) -> dict:
    """The detector's pending suggestions and their doors, for desk members only (they are
    never on a public page); ``digest`` is the ``text_hash`` of the article's text."""
    if not lifecycle.may_suggestion(user, "view"):
        return {}
    # Most pages have nothing pending most of the time: asking first costs half of reading
    # (the ORM compiles 30 columns and their order for the rows).
    shown = []
    if Suggestion.objects.for_text_of(article, digest=digest).pending().exists():
        # Through the article's own manager, each suggestion's article is this one (the
        # serializer reads its text): joined, every row carried the whole text again.
        pending = article.suggestions.for_text_of(article, digest=digest).pending()
        shown = suggestion_data(pending.select_related("speaker", "statement").in_text_order())
    return {
        "suggestions": shown,
        "suggestionsUrl": reverse("api-article-suggestions", args=[article.pk]),
        "acceptAboveUrl": reverse("api-article-suggestions-accept-above", args=[article.pk]),
        "suggestionUrl": reverse("api-suggestion-accept", args=[0]).removesuffix("0/accept/"),
        "canSuggest": lifecycle.may_suggestion(user, "suggest"),
        "canAcceptAll": lifecycle.may_suggestion(user, "accept_all"),
    }


@require_GET
@desk_required(json=True)
def suggest_speakers(request):
    query = request.GET.get("q", "").strip()
    speakers = Speaker.objects.search(query).order_by("name")[:20]
    return JsonResponse({"results": [{"name": s.name, "aliases": s.alias_list} for s in speakers]})


@require_GET
@desk_required(json=True)
def suggest_statements(request):
    """The statements of the speaker named ``speaker`` (name or alias, any case)."""
    speaker = Speaker.objects.named(request.GET.get("speaker", "")).first()
    statements = Statement.objects.filter(speaker=speaker).order_by("-date", "title")[:50]
    return JsonResponse(
        {
            "speaker": speaker.name if speaker else None,
            "results": [{"title": s.title, "date": s.date} for s in statements],
        }
    )


# --------------------------------------------------------------------------- review


@desk_required(Role.REVIEWER)
@require_safe
def review_queue(request):
    queue = Claim.objects.awaiting_verdict_from(request.user)
    filters = queue_filters(request)
    # The page's ids first, from the claims table alone (oldest first: ids grow with creation),
    # then those claims with their relations. Joined in one query, SQLite's planner could
    # start from the articles and sort the whole queue (100 ms at 100,000 claims).
    ids = queue.filter(**filters).order_by("pk").values_list("pk", flat=True)
    page = paginate_capped(request, ids)
    rows = (
        Claim.objects.filter(pk__in=list(page.object_list))
        .with_relations()
        .defer("article__text")  # the cards show the title; a text can be a megabyte
        .in_bulk()
    )
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    # Earlier fact-checks: those the cache keeps go with the page; the queue's script asks
    # the API for the others (a match costs a few queries a claim: not in the page's time).
    kept = kept_matches(page.object_list, request.user, limit=QUEUE_MATCHES)
    # The filters offer what the head of the queue holds: a queue of 100,000 claims would
    # otherwise scan them all three times and list every speaker and statement.
    ids = list(queue.order_by("pk").values_list("pk", flat=True)[:OPTION_ROWS])
    for name, value in filters.items():  # a chosen option stays listed
        ids += queue.filter(**{name: value}).order_by().values_list("pk", flat=True)[:1]
    head = Claim.objects.filter(pk__in=ids).order_by()  # no ordering: a plain DISTINCT
    options = {
        "article": head.values_list("article_id", "article__title").distinct(),
        "speaker": head.exclude(speaker=None).values_list("speaker_id", "speaker__name").distinct(),
        "statement": head.exclude(statement=None)
        .values_list("statement_id", "statement__title")
        .distinct(),
    }
    done = (
        Verdict.objects.submitted_or_decided()
        .written()
        .filter(reviewer=request.user, **{f"claim__{k}": v for k, v in filters.items()})
        .count()
    )
    return render(
        request,
        "factcheck/review_queue.html",
        {
            "page": page,
            "queue_data": {
                "matchesUrl": reverse("api-claim-matches", args=[0]),
                "limit": QUEUE_MATCHES,
                "kept": {str(pk): rows for pk, rows in kept.items()},
            },
            "done": done,
            "query": urlencode(filters),
            "filters": [
                (name, option_list(opts), str(filters.get(name, "")))
                for name, opts in options.items()
            ],
            "filtered": bool(filters),
        },
    )


# Each queued claim shows its strong matches among its best QUEUE_MATCHES, else its best one.
QUEUE_MATCHES = 2


QUEUE_FILTERS = ("article", "speaker", "statement")


def queue_filters(request) -> dict[str, int]:
    """The review queue's filters in the query string (kept from the queue to each claim)."""
    filters = {}
    for name in QUEUE_FILTERS:
        value = request.GET.get(name, "")
        if value.isdigit() and len(value) < 19:
            filters[name] = int(value)
    return filters


def next_in_queue(user, claim: Claim, filters: dict) -> Claim | None:
    """The claim after ``claim`` in ``user``'s review queue with the same filters (oldest
    first, as the queue lists them), or the queue's first if none comes after."""
    queue = Claim.objects.awaiting_verdict_from(user).filter(**filters).exclude(pk=claim.pk)
    return queue.filter(pk__gt=claim.pk).order_by("pk").first() or queue.order_by("pk").first()


def option_list(pairs, width: int = 60) -> list[tuple[str, str]]:
    """(value, label) pairs for a <select>, sorted by label, labels cut to ``width``.

    Done here, not with template filters: a queue's filters offer hundreds of options, and
    ``truncatechars`` and number localisation per option cost more than the rest of the page.
    """
    options = sorted(set(pairs), key=lambda o: o[1].casefold())
    return [
        (str(value), label if len(label) <= width else label[: width - 1] + "…")
        for value, label in options
    ]


def options_of(rows, chosen: str = "") -> list[tuple[str, str]]:
    """``rows`` (a QuerySet of (pk, label) pairs) as a filter's options: the first
    OPTION_ROWS, and the ``chosen`` one (a pk from the query string) wherever it sits, so a
    filter set by a link stays selected and the next submit of the form keeps it."""
    pairs = list(rows[:OPTION_ROWS])
    if chosen.isdigit() and len(chosen) < 10 and int(chosen) not in {pk for pk, _ in pairs}:
        pairs += rows.filter(pk=int(chosen))
    return option_list(pairs)


VERDICT_SAVED = {
    Verdict.Status.DRAFT: "Draft saved. Only you can see it; submit it to send it for moderation.",
    Verdict.Status.SUBMITTED: "Verdict submitted for moderation. You can edit it until a "
    "moderator decides.",
}


def claim_context(claim: Claim) -> dict:
    text = claim.span_text  # an orphan's words are shown in the text they were in
    before_at = max(0, claim.start - CONTEXT_CHARS)
    after_at = min(len(text), claim.end + CONTEXT_CHARS)
    # Cut between words (within a word's length: text without spaces, as Chinese, is cut
    # where it falls).
    for _ in range(WORD_CHARS):
        if not (before_at < claim.start and textlib.cuts_a_word(text, before_at, before_at)):
            break
        before_at += 1
    for _ in range(WORD_CHARS):
        if not (after_at > claim.end and textlib.cuts_a_word(text, after_at, after_at)):
            break
        after_at -= 1
    return {
        "before": text[before_at : claim.start],
        "after": text[claim.end : after_at],
        "cut_before": before_at > 0,
        "cut_after": after_at < len(text),
    }


@desk_required()
@require_http_methods(["GET", "POST"])
def claim_detail(request, pk):
    claim = get_object_or_404(Claim.objects.with_relations(), pk=pk)
    user = request.user
    mine = (
        Verdict.objects.filter(claim=claim, reviewer=user)
        .select_related("rating")
        .prefetch_related("sources")
        .first()
    )
    may_edit = lifecycle.allows(user, "submit", claim=claim, verdict=mine, subject="verdict")
    status = 200
    if request.method == "POST":
        if not may_edit:
            return render(
                request,
                "factcheck/forbidden.html",
                {"message": "You cannot give or change a verdict on this claim."},
                status=403,
            )
        form = VerdictForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                saved = actions.save_verdict(
                    claim=claim,
                    reviewer=user,
                    rating=form.cleaned_data["rating"],
                    rationale=form.cleaned_data["rationale"],
                    sources=form.cleaned_data["sources"],
                    submit="draft" not in request.POST,
                    version=int(request.POST["version"])
                    if request.POST.get("version", "").isdigit()
                    else None,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    if field.startswith("sources["):
                        line = int(field[8:-1]) + 1
                        form.add_error("sources", [f"Line {line}: {e}" for e in errors])
                    else:
                        form.add_error(field if field in form.fields else None, errors)
            except actions.StaleVersion as exc:
                form.add_error(None, str(exc))
                status = 409  # edited in another tab since this form was read
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, VERDICT_SAVED[saved.status])
                return redirect(request.get_full_path())  # the queue's filters kept
    else:
        form = verdict_form_for(mine)
    return render_claim_page(
        request, claim, mine=mine, form=form if may_edit else None, status=status
    )


def verdict_form_for(mine: Verdict | None) -> VerdictForm:
    if mine is None:
        return VerdictForm()
    return VerdictForm(
        initial={
            "rating": mine.rating_id,
            "rationale": mine.rationale,
            "sources": VerdictForm.sources_as_text(mine),
        }
    )


def claim_page(request, claim: Claim, *, status: int = 200, link_error: str = ""):
    """The claim page as a GET shows it (with ``link_error`` by its "same claim as" section:
    the link views' answer to a refused link)."""
    user = request.user
    mine = (
        Verdict.objects.filter(claim=claim, reviewer=user)
        .select_related("rating")
        .prefetch_related("sources")
        .first()
    )
    may_edit = lifecycle.allows(user, "submit", claim=claim, verdict=mine, subject="verdict")
    form = verdict_form_for(mine) if may_edit else None
    return render_claim_page(
        request, claim, mine=mine, form=form, status=status, link_error=link_error
    )


def render_claim_page(request, claim, *, mine, form, status: int, link_error: str = ""):
    from factcheck.link_views import links_context

    user = request.user
    can_review = Role.has(user, Role.REVIEWER)
    others = (
        Verdict.objects.visible_to(user)
        .filter(claim=claim)
        .exclude(reviewer=user)
        .select_related("rating", "reviewer", "reused_by")
        .prefetch_related("sources")
    )
    return render(
        request,
        "factcheck/claim_detail.html",
        {
            "claim": claim,
            "context": claim_context(claim),
            "mine": mine,
            "others": list(others),
            "form": form,
            "can_review": can_review,
            "takes_verdicts": lifecycle.takes_verdicts(claim),
            **links_context(request, claim, error=link_error),
            "blind": can_review and (mine is None or mine.status == Verdict.Status.DRAFT),
            "queue_query": urlencode(queue_filters(request)),
            "next_claim": next_in_queue(user, claim, queue_filters(request))
            if can_review and mine is not None and mine.status != Verdict.Status.DRAFT
            else None,
            "ratings": Rating.objects.all(),
        },
        status=status,
    )


# --------------------------------------------------------------------------- registry


@desk_required()
@require_safe
def speaker_list(request):
    query = request.GET.get("q", "").strip()
    page = paginate(request, Speaker.objects.search(query).order_by("name", "pk"))
    count_for(page, Claim.objects.all(), "speaker", "num_claims")
    count_for(page, Statement.objects.all(), "speaker", "num_statements")
    return render(request, "factcheck/speaker_list.html", {"page": page, "query": query})


@desk_required()
@require_safe
def speaker_detail(request, pk):
    speaker = get_object_or_404(Speaker, pk=pk)
    statements = speaker.statements.annotate(num_claims=Count("claims"))
    claims = (
        speaker.claims.with_relations()
        .prefetch_related(visible_verdicts(request.user))
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "factcheck/speaker_detail.html",
        {"speaker": speaker, "statements": statements, "page": paginate(request, claims)},
    )


@desk_required()
@require_safe
def statement_list(request):
    query = request.GET.get("q", "").strip()
    statements = (
        Statement.objects.search(query).select_related("speaker").order_by("-date", "title", "pk")
    )
    page = paginate(request, statements)
    count_for(page, Claim.objects.all(), "statement", "num_claims")
    return render(request, "factcheck/statement_list.html", {"page": page, "query": query})


@desk_required()
@require_safe
def statement_detail(request, pk):
    statement = get_object_or_404(Statement.objects.select_related("speaker"), pk=pk)
    claims = (
        statement.claims.with_relations()
        .prefetch_related(visible_verdicts(request.user))
        .order_by("article__published_on", "article_id", "start", "pk")
    )
    return render(
        request,
        "factcheck/statement_detail.html",
        {"statement": statement, "page": paginate(request, claims)},
    )


# --------------------------------------------------------------------------- public


@require_safe
def factcheck_detail(request, pk):
    approved = (
        Verdict.objects.filter(status=Verdict.Status.APPROVED)
        .select_related("rating", "reviewer", "moderator")
        .prefetch_related("sources")
    )
    claim = get_object_or_404(
        Claim.objects.published()
        .with_relations()
        .prefetch_related(Prefetch("verdicts", queryset=approved)),
        pk=pk,
    )
    verdict = claim.approved_verdict
    if verdict is None:
        raise Http404("No approved verdict.")
    # "Same claim as …" both ways, as the public may see them (confirmed, both published).
    public_links = ClaimLink.objects.visible_to(AnonymousUser())
    return render(
        request,
        "factcheck/factcheck_detail.html",
        {
            "claim": claim,
            "verdict": verdict,
            "same_as": public_links.filter(claim=claim)
            .select_related("earlier__speaker", "earlier__article")
            .first(),
            "also_said": list(
                public_links.filter(earlier=claim)
                .select_related("claim__speaker", "claim__article")
                .order_by("claim_id")
            ),
            "scale": Rating.objects.all(),  # the rating shown in its place on the scale
            "updated_at": max(claim.updated_at, verdict.updated_at),
        },
    )


@dataclass(frozen=True)
class ExportFormat:
    label: str
    view: str  # the API view that makes it (factcheck.api.exports)
    filename: str  # after "<article slug>-<id>-" or "factcheck-"


# The export buttons (templates/factcheck/_export_menu.html), in the order they are offered.
EXPORT_FORMATS = {
    "csv": ExportFormat("CSV, one claim a row (spreadsheets)", "CsvView", "claims.csv"),
    "jsonl": ExportFormat("JSON Lines (doccano and scripts)", "JsonlView", "claims.jsonl"),
    "w3c": ExportFormat(
        "W3C Web Annotation (JSON-LD)", "AnnotationCollectionView", "annotations.jsonld"
    ),
    "claimreview": ExportFormat(
        "ClaimReview (schema.org, published only)", "ClaimReviewView", "claimreview.jsonld"
    ),
}


@require_safe
def export_download(request, fmt):
    """An export as a file to save: the API's export (same rows, same rules for who sees what,
    same errors), with ``Content-Disposition: attachment`` and a name saying what it holds."""
    from factcheck.api import exports

    wanted = EXPORT_FORMATS.get(fmt)
    if wanted is None:
        raise Http404("No such export format.")
    if fmt == "w3c" and "page_size" not in request.GET:
        request.GET = request.GET.copy()
        request.GET["page_size"] = "all"  # the whole collection in one file, not its first page
    response = getattr(exports, wanted.view).as_view()(request)
    if response.status_code != 200:
        return response
    article = request.GET.get("article", "")  # the API view refused anything but a number
    # Named after the article only for those who may see it (the file of a hidden one is empty).
    visible = Article.objects.visible_to(request.user).filter(pk=article or None)
    title = visible.values_list("title", flat=True).first()
    prefix = f"{slugify(title)[:50] or 'article'}-{article}" if title else "factcheck"
    response["Content-Disposition"] = f'attachment; filename="{prefix}-{wanted.filename}"'
    return response


@require_safe
def favicon(request):
    """Browsers ask /favicon.ico whatever the page links; the icon is an SVG in static."""
    return redirect(static("factcheck/favicon.svg"), permanent=True)


# --------------------------------------------------------------------------- background tasks


@desk_required()
@require_http_methods(["GET", "POST"])
def import_page(request):
    """Upload a file to import; it runs as a background task, watched on its task page."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        bg = actions.enqueue_import(
            by=request.user,
            data=upload.read(),
            fmt=form.cleaned_data["format"] or None,
            dry_run=form.cleaned_data["dry_run"],
            filename=upload.name or "",
            options=form.cleaned_data["options"],
        )
        return redirect(bg)
    recent = BackgroundTask.objects.visible_to(request.user).filter(created_by=request.user)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "factcheck/import.html",
        {"form": form, "recent": recent.defer("payload")[:10]},
        status=status,
    )


@desk_required()
@require_safe
def task_detail(request, pk):
    """A background task's progress bar, kept up to date by task.js polling the API."""
    bg = get_object_or_404(
        BackgroundTask.objects.visible_to(request.user)
        .defer("payload")
        .select_related("created_by"),
        pk=pk,
    )
    data = tasks.state(bg)
    return render(request, "factcheck/task_detail.html", {"task": bg, "state": data})


# --------------------------------------------------------------------------- search


SEARCH_GROUP = 5  # hits of each type when a search asks for every type
SEARCH_PAGE = 20  # hits a page when it asks for one
KIND_TITLES = {
    "article": "Articles",
    "claim": "Claims",
    "speaker": "Speakers",
    "statement": "Statements",
}


def search_options(user, chosen: dict) -> dict:
    """The choices of the search page's filters (speakers and statements: the first
    OPTION_ROWS the user may see, by name, and the chosen one)."""
    speakers = Speaker.objects.visible_to(user).order_by("name").values_list("pk", "name")
    statements = Statement.objects.visible_to(user).order_by("title").values_list("pk", "title")
    return {
        "speakers": options_of(speakers, chosen["speaker"]),
        "statements": options_of(statements, chosen["statement"]),
        "kinds": Claim.Kind.choices,
        "statuses": Claim.Status.choices,
        "ratings": Rating.objects.values_list("pk", "label"),
    }


@require_safe
def search_page(request):
    """Search everything the user may see (anonymous visitors: what is published), results
    grouped by type with snippets; the filters are a GET form (factcheck.search)."""
    asked = bool(request.GET.get("q", "").strip())
    form, errors = search.errors_of(request.GET) if asked else (search.SearchForm(), {})
    groups, page = [], None
    if asked and not errors:
        filters = form.filters()
        kinds = filters.pop("kinds")
        query = form.cleaned_data["q"]
        if len(kinds) == 1:
            number = request.GET.get("page", "1")
            number = int(number) if number.isdigit() and 0 < len(number) < 5 else 1
            found = search.search(
                query,
                request.user,
                kinds=kinds,
                offset=(number - 1) * SEARCH_PAGE,
                limit=SEARCH_PAGE,
                **filters,
            )
            page = {
                "number": number,
                "previous": number - 1 if number > 1 else None,
                "next": number + 1 if number * SEARCH_PAGE < found.total else None,
            }
            groups.append((kinds[0], KIND_TITLES[kinds[0]], found.hits, found.total, found.capped))
        else:
            for kind in kinds:
                found = search.search(
                    query, request.user, kinds=[kind], limit=SEARCH_GROUP, **filters
                )
                groups.append((kind, KIND_TITLES[kind], found.hits, found.total, found.capped))
    params = request.GET.copy()
    params.pop("page", None)
    chosen = {k: request.GET.get(k, "") for k in (*search.CLAIM_FILTERS, "type")}
    return render(
        request,
        "factcheck/search.html",
        {
            "form": form,
            "errors": errors,
            "asked": asked,
            "groups": groups,
            "found_any": any(g[3] for g in groups),
            "page": page,
            "params": params,
            "chosen": chosen,
            "options": search_options(request.user, chosen),
            "kind_titles": KIND_TITLES,
        },
        status=400 if errors else 200,
    )
