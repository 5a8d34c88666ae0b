"""The claim and verdict lifecycle: which transitions exist, and who may make them.

``TRANSITIONS`` is the one table. The actions (``factcheck.actions``) enforce it with
``check()``; the admin, the API and the pages only ask it (``allows()``, ``offered()``) which
transitions to offer and leave the rest to the actions. A new transition is a new row here
and the action that makes it; docs/moderation.md describes the table for people.
"""

from __future__ import annotations

import enum
import functools
import operator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from factcheck.models import Claim, ClaimLink, Role, Verdict

CLAIM, VERDICT, LINK = "claim", "verdict", "link"
NEW = "new"  # a verdict (or a claim's link) not yet written
DELETED = "deleted"

C, V, L = Claim.Status, Verdict.Status, ClaimLink.Status
EVERY_CLAIM_STATE = tuple(C.values)


class Who(enum.StrEnum):
    MODERATOR = "moderator"
    REVIEWER = "reviewer"  # any reviewer, for a verdict of their own not yet written
    OWN_REVIEWER = "own reviewer"  # the reviewer who wrote the verdict
    OWN_ANNOTATOR = "own annotator"  # the annotator who made the claim
    DESK = "desk member"  # any annotator, reviewer or moderator
    PROPOSER = "proposer"  # the desk member who proposed the link
    FOLLOWS = "follows"  # nobody asks for it: it follows from another transition


@dataclass(frozen=True)
class Transition:
    subject: str  # CLAIM, VERDICT or LINK
    action: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]  # more than one: the action picks (see ``effect``)
    who: tuple[Who, ...]
    claim_in: tuple[str, ...] = EVERY_CLAIM_STATE  # verdicts, links: the claim states allowed
    effect: str = ""


T = Transition
TRANSITIONS: tuple[Transition, ...] = (
    # ---------------------------------------------------------------- claims
    T(CLAIM, "edit", (C.OPEN,), (C.OPEN,), (Who.OWN_ANNOTATOR,)),
    T(CLAIM, "edit", EVERY_CLAIM_STATE, EVERY_CLAIM_STATE, (Who.MODERATOR,), effect="same state"),
    T(
        CLAIM,
        "delete",
        (C.OPEN,),
        (DELETED,),
        (Who.OWN_ANNOTATOR,),
        effect="only while no verdict of it was submitted",
    ),
    T(CLAIM, "delete", EVERY_CLAIM_STATE, (DELETED,), (Who.MODERATOR,), effect="with its verdicts"),
    T(CLAIM, "review", (C.OPEN,), (C.IN_REVIEW,), (Who.FOLLOWS,), effect="a verdict is submitted"),
    T(
        CLAIM,
        "settle",
        (C.IN_REVIEW,),
        (C.OPEN,),
        (Who.FOLLOWS,),
        effect="the last submitted verdict is deleted",
    ),
    T(
        CLAIM,
        "publish",
        (C.OPEN, C.IN_REVIEW, C.PUBLISHED),
        (C.PUBLISHED,),
        (Who.FOLLOWS,),
        effect="a verdict is approved (or a link to an earlier fact-check confirmed: see "
        "the link rows)",
    ),
    T(
        CLAIM,
        "unpublish",
        (C.PUBLISHED,),
        (C.IN_REVIEW,),
        (Who.MODERATOR,),
        effect="its approved verdict goes back to submitted",
    ),
    T(
        CLAIM,
        "reject",
        (C.OPEN, C.IN_REVIEW, C.PUBLISHED),
        (C.REJECTED,),
        (Who.MODERATOR,),
        effect="a published claim is unpublished first; the note is kept on the claim",
    ),
    T(
        CLAIM,
        "reopen",
        (C.REJECTED,),
        (C.OPEN, C.IN_REVIEW),
        (Who.MODERATOR,),
        effect="in review if a submitted verdict waits, else open; a published claim is "
        "unpublished instead",
    ),
    # A correction of the article (actions.correct_article) that edited or removed a published
    # claim's words: it stays published, flagged on its public page, in the moderators' queue
    # until one confirms it (or unpublishes or rejects it).
    T(
        CLAIM,
        "flag",
        (C.PUBLISHED,),
        (C.PUBLISHED,),
        (Who.FOLLOWS,),
        effect="a correction edited or removed its words; flagged on its public page",
    ),
    T(
        CLAIM,
        "confirm",
        (C.PUBLISHED,),
        (C.PUBLISHED,),
        (Who.MODERATOR,),
        effect="the verdict holds for the corrected wording; the flag is cleared",
    ),
    # An orphan of a correction given a span of the current text by hand.
    T(CLAIM, "reattach", (C.OPEN,), (C.OPEN,), (Who.OWN_ANNOTATOR,)),
    T(
        CLAIM,
        "reattach",
        EVERY_CLAIM_STATE,
        EVERY_CLAIM_STATE,
        (Who.MODERATOR,),
        effect="a published claim stays flagged until confirmed",
    ),
    # Reusing an earlier fact-check's verdict (the link rows below make these happen).
    T(
        CLAIM,
        "reuse",
        (C.OPEN, C.IN_REVIEW),
        (C.PUBLISHED,),
        (Who.FOLLOWS,),
        effect="its link is confirmed: published with a copy of the earlier approved verdict",
    ),
    T(
        CLAIM,
        "unreuse",
        (C.PUBLISHED,),
        (C.OPEN, C.IN_REVIEW),
        (Who.FOLLOWS,),
        effect="its confirmed link is unlinked or withdrawn: the copied verdict is removed; in "
        "review if a submitted verdict of its own waits, else open",
    ),
    # ---------------------------------------------------------------- verdicts
    T(
        VERDICT,
        "draft",
        (NEW,),
        (V.DRAFT,),
        (Who.REVIEWER,),
        claim_in=(C.OPEN, C.IN_REVIEW),
    ),
    T(
        VERDICT,
        "draft",
        (V.DRAFT,),
        (V.DRAFT,),
        (Who.OWN_REVIEWER,),
        claim_in=(C.OPEN, C.IN_REVIEW),
    ),
    T(
        VERDICT,
        "submit",
        (NEW,),
        (V.SUBMITTED,),
        (Who.REVIEWER,),
        claim_in=(C.OPEN, C.IN_REVIEW),
        effect="an open claim goes in review",
    ),
    T(
        VERDICT,
        "submit",
        (V.DRAFT, V.SUBMITTED),
        (V.SUBMITTED,),
        (Who.OWN_REVIEWER,),
        claim_in=(C.OPEN, C.IN_REVIEW),
        effect="an open claim goes in review; a submitted verdict stays editable until moderated",
    ),
    T(
        VERDICT,
        "approve",
        (V.SUBMITTED, V.REJECTED),
        (V.APPROVED,),
        (Who.MODERATOR,),
        claim_in=(C.OPEN, C.IN_REVIEW, C.PUBLISHED),
        effect="the claim is published; replacing another approved verdict (which goes back to "
        "submitted) needs the claim version the moderator saw",
    ),
    T(
        VERDICT,
        "reject",
        (V.SUBMITTED, V.APPROVED),
        (V.REJECTED,),
        (Who.MODERATOR,),
        effect="a note is required; rejecting the approved verdict unpublishes the claim",
    ),
    T(
        VERDICT,
        "demote",
        (V.APPROVED,),
        (V.SUBMITTED,),
        (Who.FOLLOWS,),
        effect="its claim is unpublished, rejected, or published with another verdict",
    ),
    T(VERDICT, "delete", (V.DRAFT,), (DELETED,), (Who.OWN_REVIEWER, Who.MODERATOR)),
    T(
        VERDICT,
        "delete",
        (V.SUBMITTED, V.REJECTED),
        (DELETED,),
        (Who.MODERATOR,),
        effect="the claim goes back to open when no submitted verdict remains",
    ),
    # ---------------------------------------------------------------- links ("same claim as")
    # The state is the claim's live link (NEW: none). A published claim with a confirmed link
    # is not unpublished, rejected or given another verdict: it is unlinked (REQUIRES).
    T(
        LINK,
        "link",
        (NEW,),
        (L.PROPOSED,),
        (Who.DESK,),
        claim_in=(C.OPEN, C.IN_REVIEW),
        effect="to a published fact-check (its root if that one reuses another); the claim "
        "stays where it is",
    ),
    T(
        LINK,
        "confirm",
        (L.PROPOSED,),
        (L.CONFIRMED,),
        (Who.MODERATOR,),
        claim_in=(C.OPEN, C.IN_REVIEW),
        effect="the claim is published with a copy of the earlier approved verdict (its rating, "
        "rationale, sources and reviewer); submitted verdicts of its own wait",
    ),
    T(
        LINK,
        "unlink",
        (L.PROPOSED,),
        (L.UNLINKED,),
        (Who.PROPOSER, Who.MODERATOR),
        effect="recorded: who, when, a note",
    ),
    T(
        LINK,
        "unlink",
        (L.CONFIRMED,),
        (L.UNLINKED,),
        (Who.MODERATOR,),
        claim_in=(C.PUBLISHED,),
        effect="the claim leaves published (unreuse): its copied verdict is removed; recorded",
    ),
    T(
        LINK,
        "withdraw",
        (L.PROPOSED, L.CONFIRMED),
        (L.UNLINKED,),
        (Who.FOLLOWS,),
        effect="the earlier fact-check's approved verdict stops being approved (unpublished, "
        "rejected, replaced, or the claim deleted): every live link to it is unlinked, a "
        "confirmed one as by unlink",
    ),
)

# Why a transition is refused, by (subject, action): to a user whose role never allows it,
# and for a state it does not start from.
REFUSALS: dict[tuple[str, str], tuple[str, str]] = {
    (CLAIM, "edit"): (
        "Only the annotator who made an open claim, or a moderator, may edit it.",
        "",
    ),
    (CLAIM, "delete"): (
        "Only the annotator who made an open claim, or a moderator, may delete it.",
        "",
    ),
    (CLAIM, "confirm"): (
        "Only moderators can do this.",
        "Only a published claim is confirmed; the others are not public.",
    ),
    (CLAIM, "reattach"): (
        "Only the annotator who made an open claim, or a moderator, may re-attach it.",
        "",
    ),
    (CLAIM, "unpublish"): (
        "Only moderators can do this.",
        "Only a published claim can be unpublished.",
    ),
    (CLAIM, "reject"): ("Only moderators can do this.", "This claim is already rejected."),
    (CLAIM, "reopen"): (
        "Only moderators can do this.",
        "Only a rejected claim is reopened; unpublish a published one.",
    ),
    (VERDICT, "draft"): (
        "Only reviewers can give verdicts.",
        "A {status} verdict cannot go back to draft.",
    ),
    (VERDICT, "submit"): (
        "Only reviewers can give verdicts.",
        "This verdict has been moderated and can no longer be edited.",
    ),
    (VERDICT, "approve"): (
        "Only moderators can do this.",
        "A {status} verdict cannot be approved{why}.",
    ),
    (VERDICT, "reject"): (
        "Only moderators can do this.",
        "A {status} verdict cannot be rejected{why}.",
    ),
    (VERDICT, "delete"): (
        "Reviewers delete only their own drafts; moderators reject instead.",
        "An approved verdict is not deleted; reject it (with a note) instead.",
    ),
    (LINK, "link"): (
        "Only desk members link claims.",
        "This claim is already {status}; unlink it first.",
    ),
    (LINK, "confirm"): (
        "Only moderators can do this.",
        "There is no proposed link to confirm: this claim is {status}.",
    ),
    (LINK, "unlink"): (
        "Only a moderator, or the desk member who proposed it, may unlink a proposed link; "
        "only a moderator a confirmed one.",
        "This claim is not linked.",
    ),
}
WHY = {V.DRAFT: "; it was never submitted", V.APPROVED: "; it is approved already"}
CLAIM_REFUSALS = {
    (VERDICT, "approve", C.REJECTED): "The claim was rejected; reopen it before approving.",
}


def _is(who: Who, user, claim: Claim | None, verdict: Verdict | None, link=None) -> bool:
    if who == Who.DESK:
        return Role.has(user, Role.ANNOTATOR)
    if who == Who.PROPOSER:
        return (
            link is not None
            and link.proposed_by_id is not None
            and link.proposed_by_id == user.pk
            and Role.has(user, Role.ANNOTATOR)
        )
    if who == Who.MODERATOR:
        return Role.has(user, Role.MODERATOR)
    if who == Who.REVIEWER:
        return Role.has(user, Role.REVIEWER)
    if who == Who.OWN_REVIEWER:
        return (
            verdict is not None and verdict.reviewer_id == user.pk and Role.has(user, Role.REVIEWER)
        )
    if who == Who.OWN_ANNOTATOR:
        return (
            claim is not None
            and claim.created_by_id is not None
            and claim.created_by_id == user.pk
            and Role.has(user, Role.ANNOTATOR)
        )
    return False  # Who.FOLLOWS: never asked for directly


def rows(subject: str, action: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.subject == subject and t.action == action]


def _subject(subject, claim, verdict, link):
    if subject == CLAIM:
        return claim.status
    if subject == LINK:
        return link.status if link is not None else NEW
    return verdict.status if verdict is not None else NEW


def find(
    user,
    action: str,
    *,
    claim: Claim,
    verdict: Verdict | None = None,
    subject=None,
    link: ClaimLink | None = None,
):
    """The row that lets ``user`` make ``action``, or the reason it is refused (an exception).
    Link actions name ``subject=LINK`` and give the claim's live ``link`` (None: none)."""
    subject = subject or (VERDICT if verdict is not None or action in VERDICT_ONLY else CLAIM)
    candidates = rows(subject, action)
    if not candidates:
        raise ValueError(f"No {subject} transition called {action!r}.")
    denied, wrong_state = REFUSALS.get((subject, action), ("You may not do this.", ""))
    # A role that never allows the action (ownership aside) hears that first.
    roles = {
        Who.MODERATOR: Role.has(user, Role.MODERATOR),
        Who.REVIEWER: Role.has(user, Role.REVIEWER),
        Who.OWN_REVIEWER: Role.has(user, Role.REVIEWER),
        Who.OWN_ANNOTATOR: Role.has(user, Role.ANNOTATOR),
        Who.DESK: Role.has(user, Role.ANNOTATOR),
        Who.PROPOSER: Role.has(user, Role.ANNOTATOR),
        Who.FOLLOWS: False,
    }
    if not any(roles[w] for t in candidates for w in t.who):
        return PermissionDenied(denied)
    # Writing: a claim that takes no more verdicts says so before anything else.
    writing = subject == VERDICT and action in ("draft", "submit")
    if writing and not any(claim.status in t.claim_in for t in candidates):
        return _claim_refusal(action, claim)
    state = _subject(subject, claim, verdict, link)
    from_here = [t for t in candidates if state in t.sources]
    if not from_here:
        could = any(_is(w, user, claim, verdict, link) for t in candidates for w in t.who)
        if not could:
            return PermissionDenied(denied)
        message = (
            wrong_state.format(
                status=_state_label(subject, state),
                why=WHY.get(state, ""),
            )
            or f"Not possible while {state}."
        )
        if (subject, action) in STATE_DENIED:
            return PermissionDenied(message)
        return ValidationError({"status": message})
    if subject == VERDICT and not any(claim.status in t.claim_in for t in from_here):
        return _claim_refusal(action, claim)
    if subject == LINK and not any(claim.status in t.claim_in for t in from_here):
        if not any(_is(w, user, claim, verdict, link) for t in from_here for w in t.who):
            return PermissionDenied(denied)
        return ValidationError(
            {
                "status": f"This claim is {claim.get_status_display().lower()}; only a claim "
                "in review (open or in review) is linked or its link confirmed."
            }
        )
    for t in from_here:
        if claim.status in t.claim_in and any(_is(w, user, claim, verdict, link) for w in t.who):
            guard = GUARDS.get((subject, action))
            if guard and not Role.has(user, Role.MODERATOR) and guard[0](claim, verdict):
                return PermissionDenied(guard[1])
            field, requirement = REQUIRES.get((subject, action), ("", None))
            unmet = requirement(claim, verdict) if requirement else ""
            if unmet:
                return ValidationError({field: unmet})
            return t
    return PermissionDenied(denied)


def _state_label(subject: str, state: str) -> str:
    if subject == LINK:
        return "not linked" if state == NEW else f"linked ({L(state).label.lower()})"
    return Verdict.Status(state).label.lower() if state in V.values else state


def _claim_refusal(action: str, claim: Claim) -> ValidationError:
    message = CLAIM_REFUSALS.get(
        (VERDICT, action, claim.status),
        f"This claim is {claim.get_status_display().lower()}; it takes no more verdicts.",
    )
    return ValidationError({"claim" if action in ("draft", "submit") else "status": message})


# A moderated verdict is no longer its reviewer's: editing it is refused, not invalid.
STATE_DENIED = {(VERDICT, "submit")}
VERDICT_ONLY = {"draft", "submit", "approve", "demote"}

# Conditions beyond the states, for everyone but moderators: (refused when true, why).
GUARDS = {
    (CLAIM, "delete"): (
        lambda claim, verdict: claim.verdicts.exclude(status=V.DRAFT).exists(),
        "This claim has verdicts; ask a moderator to reject it instead.",
    ),
}


def _confirmable(claim: Claim, verdict=None) -> str:
    if claim.anchor_state == Claim.AnchorState.ORPHANED:
        return "This claim's words are gone: re-attach it first, or unpublish it."
    if claim.anchor_state == Claim.AnchorState.OK:
        return "This claim is not flagged by a correction: nothing to confirm."
    return ""


REUSING = (
    "This claim reuses the verdict of fact-check {earlier} (same claim): unlink it instead; it "
    "goes back to review."
)


def _not_reusing(claim: Claim, verdict=None) -> str:
    """A published claim whose confirmed link gave it its verdict is taken off by unlinking
    it (which removes the copy), never by moves that would leave the copy behind."""
    if claim.status != C.PUBLISHED:
        return ""
    link = ClaimLink.objects.confirmed().filter(claim=claim).values_list("earlier_id").first()
    return REUSING.format(earlier=link[0]) if link else ""


# What a claim must be beyond its status, for everyone (moderators too): (the field said to
# be wrong, why it is not).
REQUIRES = {
    (CLAIM, "confirm"): ("anchor_state", _confirmable),
    (CLAIM, "unpublish"): ("same_as", _not_reusing),
    (CLAIM, "reject"): ("same_as", _not_reusing),
    (VERDICT, "approve"): ("same_as", _not_reusing),
    (VERDICT, "reject"): ("same_as", _not_reusing),
}


RATIONALE_REQUIRED = "Say why: a submitted verdict needs a rationale (a draft may be empty)."


def check_verdict_content(verdict: Verdict) -> None:
    """What a verdict must carry in its status, beyond its fields' own validation: past the
    draft, a rationale (readers are shown it as the "why" of the rating). Asked by
    ``Verdict.clean`` (so every save through ``actions.save_verdict``: the page, the API) and
    by the approval (a row from before the rule is not published with an empty "why")."""
    if verdict.status != V.DRAFT and not (verdict.rationale or "").strip():
        raise ValidationError({"rationale": RATIONALE_REQUIRED})


def check(
    user, action: str, *, claim: Claim, verdict: Verdict | None = None, subject=None, link=None
):
    """The row allowing ``action``; raises PermissionDenied or ValidationError if none does."""
    found = find(user, action, claim=claim, verdict=verdict, subject=subject, link=link)
    if isinstance(found, Exception):
        raise found
    return found


def allows(
    user, action: str, *, claim: Claim, verdict: Verdict | None = None, subject=None, link=None
):
    """Whether ``user`` may make ``action`` now (what the admin, API and pages offer)."""
    found = find(user, action, claim=claim, verdict=verdict, subject=subject, link=link)
    return isinstance(found, Transition)


def link_actions(user, claim: Claim, link: ClaimLink | None) -> list[str]:
    """The link actions ``user`` may make on ``claim`` whose live link is ``link``."""
    names = dict.fromkeys(t.action for t in TRANSITIONS if t.subject == LINK)
    return [a for a in names if allows(user, a, claim=claim, subject=LINK, link=link)]


def condition(user, action: str) -> bool | Q:
    """The claims on which ``user`` may make the claim ``action``, from the same rows as
    ``allows``: True (every claim), False (none), or a condition on the claim's row. A
    reader that shows a page of claims (``claim_read``'s ``editable``) asks the query."""
    if (CLAIM, action) in GUARDS and not Role.has(user, Role.MODERATOR):
        raise ValueError(f"{action!r} has a guard that no row condition can say.")
    parts = []
    for t in rows(CLAIM, action):
        for who in t.who:
            if who == Who.MODERATOR and Role.has(user, Role.MODERATOR):
                if set(t.sources) >= set(EVERY_CLAIM_STATE):
                    return True
                parts.append(Q(status__in=t.sources))
            elif who == Who.OWN_ANNOTATOR and Role.has(user, Role.ANNOTATOR):
                parts.append(Q(created_by_id=user.pk, status__in=t.sources))
    return functools.reduce(operator.or_, parts) if parts else False


def offered(user, *, claim: Claim, verdict: Verdict | None = None) -> list[str]:
    """The actions ``user`` may make on the verdict (if given) or else the claim, in table order."""
    subject = VERDICT if verdict is not None else CLAIM
    names = dict.fromkeys(t.action for t in TRANSITIONS if t.subject == subject)
    return [a for a in names if allows(user, a, claim=claim, verdict=verdict, subject=subject)]


REVIEW = {C.OPEN, C.IN_REVIEW}
DECISIONS = {"unpublish", "reject", "reopen"}


def decision_towards(claim: Claim, wanted: str) -> str | None:
    """The claim decision that takes ``claim`` from its status to ``wanted`` (the API's
    ``PATCH {"status": ...}``); "open" and "in review" both mean back to review."""
    wanted_set = REVIEW if wanted in REVIEW else {wanted}
    for t in TRANSITIONS:
        if (
            t.subject == CLAIM
            and t.action in DECISIONS
            and claim.status in t.sources
            and wanted_set & set(t.targets)
        ):
            return t.action
    return None


def may_decide(user, subject: str = CLAIM) -> bool:
    """Whether ``user``'s role takes moderation decisions at all (before any state)."""
    return any(
        _is(Who.MODERATOR, user, None, None)
        for t in TRANSITIONS
        if t.subject == subject and Who.MODERATOR in t.who and t.action in DECISIONS
    )


def takes_verdicts(claim: Claim) -> bool:
    """Whether reviewers may still write verdicts on ``claim``."""
    return any(claim.status in t.claim_in for t in rows(VERDICT, "submit"))


def status_after_review(claim: Claim) -> str:
    """A claim not published nor rejected: in review while a submitted verdict waits."""
    waiting = claim.verdicts.filter(status=V.SUBMITTED).exists()
    return C.IN_REVIEW if waiting else C.OPEN


# ---------------------------------------------------------------- suggestions
# Who may do what with the detector's suggestions (factcheck.models.Suggestion): the least
# role for each action. The actions enforce it; the page and the API ask ``may_suggestion``.
SUGGESTION_ACTIONS = {
    "view": Role.ANNOTATOR,
    "suggest": Role.ANNOTATOR,
    "accept": Role.ANNOTATOR,
    "reject": Role.ANNOTATOR,
    "accept_all": Role.MODERATOR,
}


def may_suggestion(user, action: str) -> bool:
    return Role.has(user, SUGGESTION_ACTIONS[action])


def check_suggestion(user, action: str) -> None:
    if user is not None and not may_suggestion(user, action):
        need = SUGGESTION_ACTIONS[action].label.lower()
        raise PermissionDenied(f"This needs the {need} role.")


FLAGGING_OUTCOMES = frozenset({"edited", "orphaned"})


def flagged_by_correction(claim: Claim, outcome: str) -> bool:
    """Whether a correction with ``outcome`` for ``claim`` flags it (the "flag" row): its
    fact-check is public and now refers to words the article no longer has as they were."""
    return outcome in FLAGGING_OUTCOMES and any(
        claim.status in t.sources for t in rows(CLAIM, "flag")
    )
