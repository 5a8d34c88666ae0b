"""Writes that touch several models at once. Each is atomic and keyword-only.

Views, the API, the admin and management commands all call these, so a claim or a
verdict goes through the same checks whichever way it arrives.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from factcheck import text as textlib
from factcheck.models import (
    Article,
    Claim,
    EvidenceSource,
    Rating,
    Role,
    Speaker,
    Statement,
    Verdict,
)


class StaleVersion(Exception):
    """The object changed since the client read it (optimistic locking)."""

    def __init__(self, current: int):
        super().__init__(
            f"This was changed by someone else (now at version {current}); "
            "reload and apply your edit again."
        )
        self.current = current


@dataclass(frozen=True)
class Source:
    url: str
    title: str = ""
    excerpt: str = ""


# --------------------------------------------------------------------------- articles


@transaction.atomic
def create_article(*, title: str, text: str, by=None, **fields) -> Article:
    article = Article(title=title, text=text, created_by=by, **fields)
    article.full_clean()
    article.save()
    return article


# --------------------------------------------------------------------------- claims


def resolve_span(
    article: Article,
    *,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    prefix: str = "",
    suffix: str = "",
) -> textlib.Span:
    """A span from positions, from a quote selector, or from both (which must agree)."""
    text = article.text
    if start is not None or end is not None:
        if start is None or end is None:
            raise ValidationError({"end" if end is None else "start": "Give both start and end."})
        try:
            span = textlib.span_at(text, start, end)
        except ValueError as exc:
            raise ValidationError({"end" if "end" in str(exc) else "start": str(exc)}) from exc
        if quote is not None and textlib.normalize_text(quote) != span.quote:
            raise ValidationError(
                {"quote": "The quote does not match the article text at start/end."}
            )
        return span
    if quote is None:
        raise ValidationError({"start": "Give start and end, or a quote."})
    try:
        return textlib.anchor_quote(text, quote, prefix, suffix)
    except textlib.AnchorError as exc:
        raise ValidationError({"quote": str(exc)}) from exc


def resolve_speaker_and_statement(
    *,
    speaker: Speaker | None = None,
    speaker_name: str = "",
    statement: Statement | None = None,
    statement_title: str = "",
) -> tuple[Speaker | None, Statement | None]:
    """Objects given directly win; typed names are reused when known, else created."""
    if speaker is None and speaker_name.strip():
        speaker, _ = Speaker.objects.resolve(speaker_name)
    if statement is None and statement_title.strip():
        statement, _ = Statement.objects.resolve(speaker, statement_title)
    if statement is not None and speaker is None:
        speaker = statement.speaker
    return speaker, statement


def find_speaker_and_statement(
    *,
    speaker: Speaker | None = None,
    speaker_name: str = "",
    statement: Statement | None = None,
    statement_title: str = "",
) -> tuple[Speaker | None, Statement | None] | None:
    """What ``resolve_speaker_and_statement`` returns when it has nothing to create, else None.

    It only reads (the lookups of ``Speaker.objects.resolve`` and ``Statement.objects.resolve``),
    so it can run before a write transaction.
    """
    if speaker is None and speaker_name.strip():
        speaker = next(iter(Speaker.objects.matching(speaker_name)), None)
        if speaker is None:
            return None
    if statement is None and statement_title.strip():
        title = " ".join(statement_title.split())
        statement = (
            Statement.objects.filter(speaker=speaker, title__iexact=title).order_by("pk").first()
        )
        if statement is None:
            return None
    if statement is not None and speaker is None:
        speaker = statement.speaker
    return speaker, statement


def create_claim(
    *,
    article: Article,
    by,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    prefix: str = "",
    suffix: str = "",
    kind: str = Claim.Kind.DIRECT_QUOTE,
    speaker: Speaker | None = None,
    speaker_name: str = "",
    statement: Statement | None = None,
    statement_title: str = "",
    summary: str = "",
    check_worthy: bool = True,
    cue: tuple[int, int] | None = None,
    source_mention: tuple[int, int] | None = None,
) -> Claim:
    """A new claim, with the speaker and statement it names made if they are new.

    The span is checked and known names are looked up before the transaction, which holds
    only the writes: SQLite lets one writer in at a time, and a claim kept it out for
    twice as long while it checked the text and looked names up. All or nothing still holds:
    a new speaker or statement is made inside the transaction, with the claim.
    """
    span = resolve_span(article, start=start, end=end, quote=quote, prefix=prefix, suffix=suffix)
    names = {
        "speaker": speaker,
        "speaker_name": speaker_name,
        "statement": statement,
        "statement_title": statement_title,
    }
    known = find_speaker_and_statement(**names)
    claim = Claim(
        article=article,
        start=span.start,
        end=span.end,
        quote=span.quote,
        prefix=span.prefix,
        suffix=span.suffix,
        kind=kind,
        speaker=known[0] if known else speaker,
        statement=known[1] if known else statement,
        summary=textlib.shorten(summary, 200) if summary else "",
        check_worthy=check_worthy,
        created_by=by,
        cue_start=cue[0] if cue else None,
        cue_end=cue[1] if cue else None,
        source_start=source_mention[0] if source_mention else None,
        source_end=source_mention[1] if source_mention else None,
    )
    # clean() checks the span, cue and source against the text, and the related objects were
    # just loaded or are made below: re-querying each foreign key and each CHECK constraint
    # would be 15 of the 27 queries of a claim. The database still enforces both, and save()
    # checks the text (and that the statement is the speaker's) again.
    claim.full_clean(
        exclude=["created_by", "article", "speaker", "statement"], validate_constraints=False
    )
    with transaction.atomic():
        if known is None:
            claim.speaker, claim.statement = resolve_speaker_and_statement(**names)
        claim.save()
    return claim


CLAIM_EDITABLE = {
    "kind",
    "speaker",
    "statement",
    "summary",
    "check_worthy",
    "start",
    "end",
    "cue_start",
    "cue_end",
    "source_start",
    "source_end",
}


@transaction.atomic
def update_claim(
    *,
    claim: Claim,
    by,
    version: int | None = None,
    speaker_name: str = "",
    statement_title: str = "",
    **changes,
) -> Claim:
    """Edit a claim. ``version`` (if given) must be the one the editor read."""
    claim = Claim.objects.select_for_update().select_related("article").get(pk=claim.pk)
    if not claim.is_editable_by(by):
        raise PermissionDenied(
            "Only the annotator who made an open claim, or a moderator, may edit it."
        )
    if version is not None and version != claim.version:
        raise StaleVersion(claim.version)
    unknown = set(changes) - CLAIM_EDITABLE
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    if speaker_name or statement_title:
        speaker, statement = resolve_speaker_and_statement(
            speaker=changes.get("speaker"),
            speaker_name=speaker_name,
            statement=changes.get("statement"),
            statement_title=statement_title,
        )
        changes["speaker"], changes["statement"] = speaker, statement
    for field, value in changes.items():
        setattr(claim, field, value)
    if "summary" in changes:
        claim.summary = textlib.shorten(claim.summary or "", 200)
    if {"start", "end"} & set(changes):
        try:
            claim.anchor_in(claim.article.text)
        except ValueError as exc:
            raise ValidationError({"end": str(exc)}) from exc
    claim.version += 1
    claim.full_clean(exclude=["created_by"])
    claim.save()
    return claim


@transaction.atomic
def delete_claim(*, claim: Claim, by) -> None:
    if not claim.is_editable_by(by):
        raise PermissionDenied(
            "Only the annotator who made an open claim, or a moderator, may delete it."
        )
    if claim.verdicts.exclude(status=Verdict.Status.DRAFT).exists() and not Role.has(
        by, Role.MODERATOR
    ):
        raise PermissionDenied("This claim has verdicts; ask a moderator to reject it instead.")
    claim.delete()


# --------------------------------------------------------------------------- verdicts


@transaction.atomic
def save_verdict(
    *,
    claim: Claim,
    reviewer,
    rating: Rating,
    rationale: str = "",
    sources: Sequence[Source] = (),
    submit: bool = True,
    version: int | None = None,
) -> Verdict:
    """Create or edit ``reviewer``'s verdict on ``claim``; ``submit`` sends it for moderation."""
    if not Role.has(reviewer, Role.REVIEWER):
        raise PermissionDenied("Only reviewers can give verdicts.")
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status in (Claim.Status.PUBLISHED, Claim.Status.REJECTED):
        raise ValidationError(
            {
                "claim": f"This claim is {claim.get_status_display().lower()}; "
                "it takes no more verdicts."
            }
        )
    verdict = Verdict.objects.select_for_update().filter(claim=claim, reviewer=reviewer).first()
    if verdict is None:
        verdict = Verdict(claim=claim, reviewer=reviewer)
    else:
        if not verdict.is_editable_by(reviewer):
            raise PermissionDenied("This verdict has been moderated and can no longer be edited.")
        if version is not None and version != verdict.version:
            raise StaleVersion(verdict.version)
        verdict.version = verdict.version + 1
    verdict.rating = rating
    verdict.rationale = rationale
    if submit and verdict.status == Verdict.Status.DRAFT:
        verdict.status = Verdict.Status.SUBMITTED
        verdict.submitted_at = timezone.now()
    checked = [
        EvidenceSource(url=s.url.strip(), title=s.title, excerpt=s.excerpt, order=i)
        for i, s in enumerate(sources)
    ]
    errors = {}
    for i, src in enumerate(checked):
        try:
            src.full_clean(exclude=["verdict"])
        except ValidationError as exc:
            errors[f"sources[{i}]"] = "; ".join(m for ms in exc.message_dict.values() for m in ms)
    if errors:
        raise ValidationError(errors)
    verdict.full_clean(exclude=["reviewer", "claim"], validate_unique=False)
    verdict.save()
    verdict.sources.all().delete()
    for src in checked:
        src.verdict = verdict
    # With history rows, like every other write (a plain bulk_create would leave none).
    bulk_create_with_history(checked, EvidenceSource, default_user=reviewer)
    if verdict.status == Verdict.Status.SUBMITTED and claim.status == Claim.Status.OPEN:
        claim.status = Claim.Status.IN_REVIEW
        claim.save(update_fields=["status", "updated_at"])
    return verdict


def _require_moderator(user):
    if not Role.has(user, Role.MODERATOR):
        raise PermissionDenied("Only moderators can do this.")


@transaction.atomic
def approve_verdict(*, verdict: Verdict, by, note: str = "") -> Verdict:
    """Approve ``verdict`` and publish its claim; any other approved verdict is demoted."""
    _require_moderator(by)
    verdict = Verdict.objects.select_for_update().select_related("claim").get(pk=verdict.pk)
    if verdict.status == Verdict.Status.DRAFT:
        raise ValidationError(
            {"status": "A draft verdict cannot be approved; it was never submitted."}
        )
    claim = Claim.objects.select_for_update().get(pk=verdict.claim_id)
    if claim.status == Claim.Status.REJECTED:
        raise ValidationError({"status": "The claim was rejected; reopen it before approving."})
    now = timezone.now()
    for other in claim.verdicts.filter(status=Verdict.Status.APPROVED).exclude(pk=verdict.pk):
        other.status = Verdict.Status.SUBMITTED
        other.moderator, other.moderated_at = by, now
        other.moderation_note = f"Demoted: verdict {verdict.pk} was approved instead."
        other.version += 1
        other.save()
    verdict.status = Verdict.Status.APPROVED
    verdict.moderator, verdict.moderated_at, verdict.moderation_note = by, now, note
    verdict.version += 1
    verdict.save()
    claim.status, claim.published_at = Claim.Status.PUBLISHED, now
    claim.version += 1
    claim.save()
    return verdict


@transaction.atomic
def reject_verdict(*, verdict: Verdict, by, note: str) -> Verdict:
    _require_moderator(by)
    if not (note or "").strip():
        raise ValidationError({"moderation_note": "Say why the verdict is rejected."})
    verdict = Verdict.objects.select_for_update().get(pk=verdict.pk)
    if verdict.status == Verdict.Status.DRAFT:
        raise ValidationError(
            {"status": "A draft verdict cannot be rejected; it was never submitted."}
        )
    was_approved = verdict.status == Verdict.Status.APPROVED
    verdict.status = Verdict.Status.REJECTED
    verdict.moderator, verdict.moderated_at, verdict.moderation_note = by, timezone.now(), note
    verdict.version += 1
    verdict.save()
    if was_approved:
        _unpublish(Claim.objects.select_for_update().get(pk=verdict.claim_id))
    return verdict


def _unpublish(claim: Claim) -> None:
    claim.status, claim.published_at = Claim.Status.IN_REVIEW, None
    claim.version += 1
    claim.save()


@transaction.atomic
def unpublish_claim(*, claim: Claim, by, note: str = "") -> Claim:
    """Take a published claim down; its approved verdict goes back to the moderation queue."""
    _require_moderator(by)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != Claim.Status.PUBLISHED:
        raise ValidationError({"status": "Only a published claim can be unpublished."})
    now = timezone.now()
    for verdict in claim.verdicts.filter(status=Verdict.Status.APPROVED):
        verdict.status = Verdict.Status.SUBMITTED
        verdict.moderator, verdict.moderated_at = by, now
        verdict.moderation_note = note or "Claim unpublished."
        verdict.version += 1
        verdict.save()
    _unpublish(claim)
    return claim


@transaction.atomic
def reject_claim(*, claim: Claim, by, note: str = "") -> Claim:
    """Reject a claim (e.g. not check-worthy); it leaves every queue."""
    _require_moderator(by)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status == Claim.Status.PUBLISHED:
        unpublish_claim(claim=claim, by=by, note=note or "Claim rejected.")
        claim.refresh_from_db()
    claim.status = Claim.Status.REJECTED
    claim.version += 1
    claim.save()
    return claim


@transaction.atomic
def reopen_claim(*, claim: Claim, by) -> Claim:
    _require_moderator(by)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    has_verdicts = claim.verdicts.exclude(status=Verdict.Status.DRAFT).exists()
    claim.status = Claim.Status.IN_REVIEW if has_verdicts else Claim.Status.OPEN
    claim.version += 1
    claim.save()
    return claim


# --------------------------------------------------------------------------- registry


@transaction.atomic
def merge_speakers(*, survivor: Speaker, others: Iterable[Speaker], by=None) -> Speaker:
    """Fold ``others`` into ``survivor``: claims and statements move, old names become aliases."""
    if by is not None:
        _require_moderator(by)
    survivor = Speaker.objects.select_for_update().get(pk=survivor.pk)
    for other in (
        Speaker.objects.select_for_update()
        .filter(pk__in=[o.pk for o in others])
        .exclude(pk=survivor.pk)
    ):
        for statement in other.statements.all():
            clash = Statement.objects.filter(
                speaker=survivor, title__iexact=statement.title
            ).first()
            if clash:
                # The same occasion recorded twice: keep the survivor's and move its claims.
                _repoint_claims(
                    Claim.objects.filter(statement=statement), statement=clash, speaker=survivor
                )
                statement.delete()
            else:
                statement.speaker = survivor
                statement.save()
        _repoint_claims(Claim.objects.filter(speaker=other), speaker=survivor)
        survivor.add_alias(other.name)
        for alias in other.alias_list:
            survivor.add_alias(alias)
        other.delete()
    survivor.save()
    return survivor


@transaction.atomic
def merge_statements(*, survivor: Statement, others: Iterable[Statement], by=None) -> Statement:
    """Fold ``others`` into ``survivor``; their claims now point at it."""
    if by is not None:
        _require_moderator(by)
    others = [o for o in others if o.pk != survivor.pk]
    for other in others:
        changes = {"statement": survivor}
        if survivor.speaker_id:
            changes["speaker"] = survivor.speaker
        _repoint_claims(Claim.objects.filter(statement=other), **changes)
        other.delete()
    return survivor


def _repoint_claims(claims, **changes) -> None:
    """Save each claim (not a bulk update) so every move is in its history."""
    for claim in claims.select_related("article"):
        for field, value in changes.items():
            setattr(claim, field, value)
        claim.version += 1
        claim.save()
