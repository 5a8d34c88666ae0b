"""The public pages: the index of fact-checks, a page per speaker and per statement.

No sign-in. What they show is what an anonymous reader may see, by the QuerySets' own rules
(``Claim.objects.fact_checks()``, ``Speaker/Statement.objects.visible_to``), whoever asks: a
desk member sees the public page as the public does.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from factcheck.models import Claim, Rating, Speaker, Statement
from factcheck.views import paginate

PUBLIC = AnonymousUser()


def _int(value) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@require_safe
def factcheck_list(request):
    """Published fact-checks, newest first; filtered by rating, speaker and kind of statement
    (the nearest thing to a topic the desk records)."""
    checks = Claim.objects.fact_checks()
    speakers = Speaker.objects.visible_to(PUBLIC).order_by("name", "pk")
    chosen = {
        "rating": _int(request.GET.get("rating")),
        "speaker": _int(request.GET.get("speaker")),
        "kind": request.GET.get("kind", "") if request.GET.get("kind") in Statement.Kind else "",
    }
    if chosen["rating"]:
        checks = checks.filter(verdicts__status="approved", verdicts__rating=chosen["rating"])
    if chosen["speaker"]:
        checks = checks.filter(speaker=chosen["speaker"])
    if chosen["kind"]:
        checks = checks.filter(statement__kind=chosen["kind"])
    page = paginate(request, checks)
    return render(
        request,
        "factcheck/factcheck_list.html",
        {
            "page": page,
            "chosen": chosen,
            "ratings": Rating.objects.all(),
            "speakers": speakers.only("pk", "name"),
            "kinds": Statement.Kind.choices,
            "filtered": any(chosen.values()),
        },
    )


@require_safe
def speaker_public(request, pk):
    """What a speaker said, and what we found: their published fact-checks."""
    speaker = get_object_or_404(Speaker.objects.visible_to(PUBLIC), pk=pk)
    checks = Claim.objects.fact_checks().filter(speaker=speaker)
    return render(
        request,
        "factcheck/speaker_public.html",
        {"speaker": speaker, "page": paginate(request, checks)},
    )


@require_safe
def statement_public(request, pk):
    """One statement's published fact-checks."""
    statement = get_object_or_404(
        Statement.objects.visible_to(PUBLIC).select_related("speaker"), pk=pk
    )
    checks = Claim.objects.fact_checks().filter(statement=statement).order_by("start", "pk")
    shown_speaker = (
        statement.speaker
        if statement.speaker_id
        and Speaker.objects.visible_to(PUBLIC).filter(pk=statement.speaker_id).exists()
        else None
    )
    return render(
        request,
        "factcheck/statement_public.html",
        {"statement": statement, "speaker": shown_speaker, "page": paginate(request, checks)},
    )
