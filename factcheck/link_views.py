""" "Same claim as …" on the desk's claim page: its section's data (the claim's link, the
earlier fact-checks the matcher finds, the reuses of this one) and the three forms it posts
(link, confirm, unlink), which validate and call ``actions.link_claim`` / ``confirm_link`` /
``unlink_claim``. Who is offered what is the lifecycle table's (``lifecycle.link_actions``).

A refused form answers the claim page again with the reason beside the section: 400 for
bad input or a state that does not allow it, 403 for a role that may not, 409 when the claim
changed since the page was read (its version travels in each form).
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from factcheck import actions, lifecycle
from factcheck.models import Claim, ClaimLink, Verdict
from factcheck.views import claim_page, desk_required

MATCHES_SHOWN = 5
# A fact-check named by its id or by the URL of its public or desk page.
EARLIER_URL = re.compile(r"/(?:factchecks|claims)/([0-9]{1,18})/?(?:[?#].*)?$")


def links_context(request, claim: Claim, *, error: str = "") -> dict:
    """What the claim page's "Same claim as…" section shows ``request.user``."""
    user = request.user
    links = list(
        ClaimLink.objects.filter(claim=claim)
        .with_people()
        .select_related("earlier__speaker", "earlier__article")
        .prefetch_related(
            Prefetch(
                "earlier__verdicts",
                queryset=Verdict.objects.filter(status=Verdict.Status.APPROVED).select_related(
                    "rating"
                ),
            )
        )
    )
    live = next((link for link in links if link.live), None)
    offered = lifecycle.link_actions(user, claim, live)
    matches = []
    if "link" in offered:
        from factcheck.matching import matches_for

        matches = matches_for(claim, user, limit=MATCHES_SHOWN)
    reuses = (
        ClaimLink.objects.confirmed()
        .filter(earlier=claim)
        .select_related("claim__speaker", "claim__article")
        .order_by("claim_id")
    )
    from factcheck.matching import STRONG

    return {
        "link": live,
        # A stored score is shown as the matcher's word only where it was a strong match.
        "link_strong": live is not None and live.score is not None and live.score >= STRONG,
        "link_offered": offered,
        "link_matches": matches,
        "link_past": [link for link in links if not link.live],
        "link_reuses": list(reuses),
        "link_error": error,
    }


def earlier_id(value: str) -> int | None:
    """A fact-check's id from what was typed: ``123``, ``/factchecks/123/`` or a full URL."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    found = EARLIER_URL.search(value)
    return int(found.group(1)) if found else None


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _score(request) -> float | None:
    try:
        score = float(request.POST.get("score", "") or "nan")
    except ValueError:
        return None
    return score if 0 <= score <= 1 else None


def _decide(request, pk, run, done: str):
    """Run ``run(claim)``; done: back to the claim page; refused: the page with the reason."""
    claim = get_object_or_404(Claim.objects.with_relations(), pk=pk)
    try:
        run(claim)
    except ValidationError as exc:
        return claim_page(request, claim, status=400, link_error=" ".join(exc.messages))
    except PermissionDenied as exc:
        return claim_page(request, claim, status=403, link_error=str(exc))
    except actions.StaleVersion as exc:
        return claim_page(request, claim, status=409, link_error=str(exc))
    messages.success(request, done)
    return redirect("claim-detail", pk=claim.pk)


@desk_required()
@require_POST
def claim_link(request, pk):
    """ "Same claim as this": link the claim to an earlier fact-check (a match's button posts
    its id and score; the field takes an id or a URL)."""

    def run(claim):
        found = earlier_id(request.POST.get("earlier", ""))
        earlier = Claim.objects.filter(pk=found).first() if found is not None else None
        if earlier is None:
            raise ValidationError(
                "Give the id of an earlier fact-check, or the address of its page "
                "(/factchecks/<id>/)."
            )
        actions.link_claim(
            claim=claim,
            earlier=earlier,
            by=request.user,
            note=request.POST.get("note", "")[:2000],
            score=_score(request),
            version=_version(request),
        )

    return _decide(
        request, pk, run, "Linked: a moderator confirms it before its verdict is reused."
    )


@desk_required()
@require_POST
def claim_link_confirm(request, pk):
    def run(claim):
        actions.confirm_link(
            claim=claim,
            by=request.user,
            note=request.POST.get("note", "")[:2000],
            version=_version(request),
        )

    return _decide(request, pk, run, "Confirmed: published with the earlier fact-check's verdict.")


@desk_required()
@require_POST
def claim_unlink(request, pk):
    def run(claim):
        actions.unlink_claim(
            claim=claim,
            by=request.user,
            note=request.POST.get("note", "")[:2000],
            version=_version(request),
        )

    return _decide(request, pk, run, "Unlinked.")
