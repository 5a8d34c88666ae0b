"""HTML pages. Views validate input and call models/actions; nothing more."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from factcheck.models import Article, Claim, Speaker, Statement


def home(request):
    return redirect("article-list")


@login_required
def article_list(request):
    articles = Article.objects.with_claim_counts().order_by("-created_at", "-id")
    return render(request, "factcheck/article_list.html", {"articles": articles[:50]})


@login_required
def article_detail(request, pk):
    article = get_object_or_404(Article, pk=pk)
    claims = article.claims.visible_to(request.user).with_relations().in_text_order()
    return render(request, "factcheck/article_detail.html", {"article": article, "claims": claims})


@login_required
def claim_detail(request, pk):
    claim = get_object_or_404(Claim.objects.visible_to(request.user).with_relations(), pk=pk)
    return render(request, "factcheck/claim_detail.html", {"claim": claim})


@login_required
def speaker_detail(request, pk):
    speaker = get_object_or_404(Speaker, pk=pk)
    return render(request, "factcheck/speaker_detail.html", {"speaker": speaker})


@login_required
def statement_detail(request, pk):
    statement = get_object_or_404(Statement.objects.select_related("speaker"), pk=pk)
    return render(request, "factcheck/statement_detail.html", {"statement": statement})


def factcheck_detail(request, pk):
    claim = get_object_or_404(Claim.objects.published().with_relations(), pk=pk)
    verdict = claim.approved_verdict
    if verdict is None:
        raise Http404("No approved verdict.")
    return render(request, "factcheck/factcheck_detail.html", {"claim": claim, "verdict": verdict})
