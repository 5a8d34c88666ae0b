"""Bring an article in from the web or a file: fetch or upload, extract, confirm, save.

Two steps, both on one page: the page or file is read into an ``Extracted`` (factcheck.extract),
shown in a form the desk can correct, and only saving that form creates the article (through
``actions.create_article``, as a pasted article). An article already here under the same URL
(factcheck.urls_canon) is shown instead of a duplicate.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from factcheck import actions
from factcheck.extract import Extracted, ExtractError, extract_fetched, extract_file
from factcheck.fetch import FetchError, fetch
from factcheck.forms import ConfirmArticleForm, FetchForm, UploadForm
from factcheck.models import Article
from factcheck.views import desk_required


@desk_required()
@require_http_methods(["GET", "POST"])
def article_import_web(request):
    step = request.POST.get("step", "")
    fetch_form = FetchForm(request.POST if step == "fetch" else None)
    upload_form = UploadForm(
        request.POST if step == "upload" else None, request.FILES if step == "upload" else None
    )
    context = {"fetch_form": fetch_form, "upload_form": upload_form, "confirm": None}
    status = 400 if request.method == "POST" else 200
    extracted = None
    if step == "fetch" and fetch_form.is_valid():
        url = fetch_form.cleaned_data["url"]
        try:
            page = fetch(url, by=request.user)
            extracted = extract_fetched(page)
        except (FetchError, ExtractError) as exc:
            fetch_form.add_error("url", str(exc))
        else:
            context["found"] = Article.objects.with_url(page.url).first()
    elif step == "upload" and upload_form.is_valid():
        upload = upload_form.cleaned_data["file"]
        limit = settings.FACTCHECK_FETCH_MAX_BYTES
        if upload.size > limit:
            upload_form.add_error("file", f"The file is larger than the limit of {limit:,} bytes.")
            status = 413
        else:
            try:
                extracted = extract_file(upload.name or "", upload.read())
            except ExtractError as exc:
                upload_form.add_error("file", str(exc))
    elif step == "save":
        confirm = ConfirmArticleForm(request.POST)
        context["confirm"] = confirm
        if confirm.is_valid():
            try:
                article = actions.create_article(by=request.user, **confirm.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    confirm.add_error(field if field in confirm.fields else None, errors)
            else:
                messages.success(request, f"Article “{article.title}” added.")
                return redirect(article)
        elif getattr(confirm, "too_large", False):
            status = 413
    if extracted is not None:
        status = 200
        context.update(confirm_for(extracted), found=context.get("found") or found_for(extracted))
    return render(request, "factcheck/article_import_web.html", context, status=status)


def confirm_for(extracted: Extracted) -> dict:
    form = ConfirmArticleForm(initial=extracted.article_fields())
    return {"confirm": form, "warnings": extracted.warnings}


def found_for(extracted: Extracted) -> Article | None:
    return Article.objects.with_url(extracted.url).first() if extracted.url else None
