"""The pages of corrections: the form that corrects an article's text, and its revisions with
what changed and where the claims went. Writes go through ``actions.correct_article``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from factcheck import actions, diffs
from factcheck.extract import ExtractError, extract_fetched
from factcheck.fetch import FetchError, fetch
from factcheck.models import Article, ArticleRevision, Claim
from factcheck.views import desk_required


class CorrectionForm(forms.Form):
    text = forms.CharField(
        label="Corrected text",
        widget=forms.Textarea(attrs={"rows": 18}),
        required=False,
        strip=False,
        help_text="Paste the whole new text, or upload it below.",
    )
    file = forms.FileField(
        label="…or a UTF-8 text file", required=False, help_text="Replaces the text above."
    )
    note = forms.CharField(
        label="What was corrected", required=False, max_length=2000, help_text="Shown to readers."
    )
    source = forms.CharField(
        label="Source", required=False, max_length=500, help_text="The URL or file it came from."
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "This file is not UTF-8 text.")
            data["source"] = data.get("source") or upload.name or ""
        if not (data.get("text") or "").strip() and not self.errors:
            self.add_error("text", "Give the corrected text (paste it or upload a file).")
        return data


@desk_required()
@require_http_methods(["GET", "HEAD", "POST"])
def article_correct(request, pk):
    article = get_object_or_404(Article, pk=pk)
    initial = {"text": article.text, "version": article.version, "source": article.url}
    fetch_error = None
    if request.method != "POST" and request.GET.get("from_url") and article.url:
        # The text again from the article's URL, extracted as the web import does (the
        # guarded fetcher), shown in the form to check: saved only when submitted.
        try:
            page = fetch(article.url, by=request.user)
            extracted = extract_fetched(page)
        except (FetchError, ExtractError) as exc:
            fetch_error = f"The article's URL could not be fetched: {exc}"
        else:
            initial.update(text=extracted.text, source=page.url)
    form = CorrectionForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            kwargs = {
                "article": article,
                "text": data["text"],
                "by": request.user,
                "note": data["note"],
                "source": data["source"],
                "version": data["version"],
            }
            try:
                if actions.correction_runs_in_background(article):
                    return redirect(actions.enqueue_correction(**kwargs))
                correction = actions.correct_article(**kwargs)
            except actions.StaleVersion as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                return redirect(correction.revision)
    return render(
        request,
        "factcheck/article_correct.html",
        {
            "article": article,
            "form": form,
            "claim_count": article.claims.count(),
            "background": actions.correction_runs_in_background(article),
            "can_fetch": bool(article.url),
            "fetch_error": fetch_error,
        },
        status=status,
    )


def _number(value, default: int) -> int:
    return int(value) if (value or "").isdigit() else default


@desk_required()
@require_safe
def article_revisions(request, pk):
    """Every revision; the diff of two (``?from=&to=``, by default the last correction) and
    where that correction put each claim the reader may see."""
    article = get_object_or_404(Article.objects.visible_to(request.user), pk=pk)
    revisions = list(article.revisions.select_related("created_by").order_by("number"))
    if not revisions:
        revisions = [ArticleRevision(article=article, number=1, text=article.text)]
    by_number = {r.number: r for r in revisions}
    last = revisions[-1].number
    to = by_number.get(_number(request.GET.get("to"), last)) or revisions[-1]
    old = by_number.get(_number(request.GET.get("from"), to.number - 1))
    if old is not None and old.number >= to.number:
        old = None
    anchorings = []
    if to.pk:
        visible = Claim.objects.visible_to(request.user).filter(article=article)
        anchorings = list(
            to.anchorings.filter(claim__in=visible)
            .select_related("claim")
            .order_by("old_start", "claim_id")
        )
    return render(
        request,
        "factcheck/article_revisions.html",
        {
            "article": article,
            "revisions": revisions,
            "old": old,
            "new": to,
            "diff": diffs.diff_html(old.text, to.text) if old else None,
            "anchorings": anchorings,
            "can_correct": actions.may_correct(request.user),
        },
    )
