"""Writes that touch several models at once. Each is atomic and keyword-only.

Views, the API, the admin and management commands all call these, so a claim or a
verdict goes through the same checks whichever way it arrives.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connections, router, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from factcheck import bulk, lifecycle, public_cache
from factcheck import text as textlib
from factcheck.models import (
    Article,
    ArticleRevision,
    BackgroundTask,
    Claim,
    ClaimAnchoring,
    ClaimLink,
    EvidenceSource,
    Rating,
    Role,
    Speaker,
    Statement,
    Suggestion,
    Verdict,
    text_hash,
)

if TYPE_CHECKING:
    from factcheck import imports

logger = logging.getLogger(__name__)


class StaleVersion(Exception):
    """The object changed since the client read it (optimistic locking)."""

    def __init__(self, current: int):
        super().__init__(
            f"This was changed by someone else (now at version {current}); "
            "reload and apply your edit again."
        )
        self.current = current


class ClaimChanged(StaleVersion):
    """A moderation decision made on a claim version that is no longer current (409)."""

    def __init__(self, current: int, message: str = ""):
        super().__init__(current)
        self.args = (
            message
            or f"The claim changed since you read it (now at version {current}); "
            "reload it and decide again.",
        )


# PostgreSQL's deadlock_detected and serialization_failure; SQLite's busy database.
TRANSIENT_SQLSTATES = {"40P01", "40001"}


def _is_transient(exc: OperationalError) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(exc)


def retry_once(func):
    """Run ``func`` again once when its transaction hit a deadlock or serialization failure.

    Only as the outermost transaction: inside someone else's, the whole of it is lost and
    only its owner can start again. Goes outside ``@transaction.atomic``.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except OperationalError as exc:
            if not _is_transient(exc) or transaction.get_connection().in_atomic_block:
                raise
            return func(*args, **kwargs)

    return wrapper


def _lock_claim(pk: int) -> tuple[Claim, list[Verdict]]:
    """Lock a claim, then its verdicts (by id): the one lock order of every write."""
    claim = Claim.objects.select_for_update().select_related("article").filter(pk=pk).first()
    if claim is None:
        raise ValidationError({"claim": "This claim was deleted."})
    verdicts = list(Verdict.objects.select_for_update().filter(claim_id=pk).order_by("pk"))
    return claim, verdicts


def _check_claim_version(claim: Claim, version: int | None) -> None:
    if version is not None and version != claim.version:
        raise ClaimChanged(claim.version)


def _check_version(obj, version: int | None) -> None:
    if version is not None and version != obj.version:
        raise StaleVersion(obj.version)


@dataclass(frozen=True)
class Source:
    url: str
    title: str = ""
    excerpt: str = ""


# --------------------------------------------------------------------------- articles


@retry_once
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
    new_speaker: dict | None = None,
    new_statement: dict | None = None,
) -> tuple[Speaker | None, Statement | None]:
    """Objects given directly win; typed names are reused when known, else created (with
    ``new_speaker``'s kind and ``new_statement``'s kind, date and url, which a known one
    ignores)."""
    if speaker is None and speaker_name.strip():
        speaker, _ = Speaker.objects.resolve(speaker_name, kind=(new_speaker or {}).get("kind"))
    if statement is None and statement_title.strip():
        statement, _ = Statement.objects.resolve(speaker, statement_title, defaults=new_statement)
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


@retry_once
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
    new_speaker: dict | None = None,
    new_statement: dict | None = None,
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
    claim = build_claim(
        article=article,
        span=span,
        by=by,
        kind=kind,
        speaker=known[0] if known else speaker,
        statement=known[1] if known else statement,
        summary=summary,
        check_worthy=check_worthy,
        cue=cue,
        source_mention=source_mention,
    )
    with transaction.atomic():
        if known is None:
            claim.speaker, claim.statement = resolve_speaker_and_statement(
                **names, new_speaker=new_speaker, new_statement=new_statement
            )
        claim.save()
    return claim


def build_claim(**fields) -> Claim:
    """A new claim, checked and not saved (the arguments are ``ClaimBuilder``'s):
    ``create_claim`` saves it, an import many at once (with one ``ClaimBuilder`` for them
    all)."""
    return ClaimBuilder()(**fields)


class ClaimBuilder:
    """``build_claim``, made once for many claims (an import builds 50,000 with one).

    A claim is a copy of one claim made by ``Model.__init__`` (its defaults, in the fields'
    own attributes) with the given values put in, as ``copy.copy`` of a model instance does
    without ``__init__`` (``Model.__setstate__``): ``__init__`` sets each of 30 fields
    through its descriptor, and that and the related objects' descriptors were a fifth of an
    import. A related object is put where its descriptor puts it (its key in the field's
    attribute, itself in the instance's cache). Defaults that are made anew each time
    (callables) are made for each claim. The claim is then checked by ``bulk.FullClean``:
    ``full_clean``'s own checks, each field's verdict on a value remembered across claims.
    """

    def __init__(self):
        # No pre_init or post_init receivers for Claim (a copy would skip them): asserted in
        # the tests, which would see such a receiver's work missing.
        fields = Claim._meta.concrete_fields
        row = [None if f.has_default() and callable(f.default) else f.get_default() for f in fields]
        self.template = Claim(*row).__dict__.copy()
        del self.template["_state"]
        self.made_each_time = [
            (f.attname, f) for f in fields if f.has_default() and callable(f.default)
        ]
        self.relations = {
            name: (field.attname, field.cache_name, field.related_model, field.target_field.attname)
            for name in ("article", "speaker", "statement", "created_by")
            for field in [Claim._meta.get_field(name)]
        }
        self.check = bulk.FullClean(Claim, exclude=CLAIM_NOT_CHECKED + SPAN_FIELDS)

    def __call__(
        self,
        *,
        article: Article,
        span: textlib.Span,
        by,
        kind: str = Claim.Kind.DIRECT_QUOTE,
        speaker: Speaker | None = None,
        statement: Statement | None = None,
        summary: str = "",
        check_worthy: bool = True,
        cue: tuple[int, int] | None = None,
        source_mention: tuple[int, int] | None = None,
    ) -> Claim:
        cue, source_mention = cue or (None, None), source_mention or (None, None)
        claim = Claim.__new__(Claim)
        state = ModelState()
        values = claim.__dict__
        values.update(self.template)
        for attname, field in self.made_each_time:
            values[attname] = field.get_default()
        values.update(
            _state=state,
            start=span.start,
            end=span.end,
            quote=span.quote,
            prefix=span.prefix,
            suffix=span.suffix,
            kind=kind,
            summary=textlib.shorten(summary, 200) if summary else "",
            check_worthy=check_worthy,
            cue_start=cue[0],
            cue_end=cue[1],
            source_start=source_mention[0],
            source_end=source_mention[1],
        )
        # Related objects only when there are some (the template has none).
        cache = state.fields_cache
        for name, obj in (
            ("article", article),
            ("speaker", speaker),
            ("statement", statement),
            ("created_by", by),
        ):
            if obj is None:
                continue
            attname, cache_name, model, key = self.relations[name]
            if not isinstance(obj, model):
                setattr(claim, name, obj)  # the descriptor's own refusal (ValueError)
            values[attname] = getattr(obj, key)
            cache[cache_name] = obj
        # clean() checks the span, cue and source against the text, and the related objects
        # were just loaded or are made with the claim: re-querying each foreign key and each
        # CHECK constraint would be 15 of the 27 queries of a claim. The database still
        # enforces both. Nor are the fields a new claim gets by default (status, version,
        # times) checked again, and a claim has nothing unique but its id.
        # Nor are the span's own fields checked one by one: clean() checks start, end and
        # quote against the text itself (more than their fields' validators can), and prefix
        # and suffix are cut from the text by span_at, never given.
        self.check(claim)
        return claim


SPAN_FIELDS = ["start", "end", "quote", "prefix", "suffix"]


CLAIM_NOT_CHECKED = [
    "created_by",
    "article",
    "speaker",
    "statement",
    "status",
    "version",
    "created_at",
    "updated_at",
    "published_at",
    "moderation_note",
    "moderated_by",
    "moderated_at",
]


@transaction.atomic
def create_imported(
    *,
    articles: Sequence[Article],
    speakers: Sequence[Speaker],
    statements: Sequence[Statement],
    claims: Sequence[Claim],
    by=None,
) -> None:
    """Write what an import checked, at once: each model in a few multi-row INSERTs, with its
    history rows. Nothing is checked here (``imports`` did it, by the rules of the single
    writes above) so the transaction, and SQLite's write lock, lasts only as long as the
    INSERTs (``factcheck.bulk``). Objects refer to each other unsaved; each foreign key is
    set from the object saved before it.
    """
    write_imported(
        prepared=prepare_imported(
            articles=articles, speakers=speakers, statements=statements, claims=claims, by=by
        )
    )


def prepare_imported(
    *,
    articles: Sequence[Article],
    speakers: Sequence[Speaker],
    statements: Sequence[Statement],
    claims: Sequence[Claim],
    by=None,
    connection=None,
    ids: bulk.Ids | None = None,
) -> Iterator[bulk.Rows]:
    """The rows ``write_imported`` writes for what an import checked (and their history
    rows), in the order they must be written; each object is given its pk (from ``ids``,
    drawn when needed by default). Lazy, a batch at a time."""
    connection = connection or connections[router.db_for_write(Claim)]
    ids = ids or bulk.Ids(connection)
    for model, objs in (
        (Article, articles),
        (Speaker, speakers),
        (Statement, statements),
        (Claim, claims),
    ):
        yield from bulk.prepare_with_history(model, objs, by=by, connection=connection, ids=ids)


def write_imported(*, prepared: Iterable[bulk.Rows], connection=None) -> None:
    """Write rows ``prepare_imported`` made, inside a transaction the caller holds, on
    ``connection`` (the thread's own by default): an import on PostgreSQL writes a part at a
    time from a thread of its own, on the connection, and in the transaction, of the thread
    checking (and preparing) the rest."""
    bulk.insert(connection or connections[router.db_for_write(Claim)], prepared)


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


@retry_once
@transaction.atomic
def update_claim(
    *,
    claim: Claim,
    by,
    version: int | None = None,
    speaker_name: str = "",
    statement_title: str = "",
    new_speaker: dict | None = None,
    new_statement: dict | None = None,
    **changes,
) -> Claim:
    """Edit a claim. ``version`` (if given) must be the one the editor read."""
    claim = _lock_claim(claim.pk)[0]
    lifecycle.check(by, "edit", claim=claim)
    _check_version(claim, version)
    unknown = set(changes) - CLAIM_EDITABLE
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    if speaker_name or statement_title:
        speaker, statement = resolve_speaker_and_statement(
            speaker=changes.get("speaker"),
            speaker_name=speaker_name,
            statement=changes.get("statement"),
            statement_title=statement_title,
            new_speaker=new_speaker,
            new_statement=new_statement,
        )
        changes["speaker"], changes["statement"] = speaker, statement
    for field, value in changes.items():
        setattr(claim, field, value)
    if "summary" in changes:
        claim.summary = textlib.shorten(claim.summary or "", 200)
    if {"start", "end"} & set(changes):
        if claim.anchor_state == Claim.AnchorState.ORPHANED:
            raise ValidationError(
                {"start": "A correction orphaned this claim: re-attach it to a span instead."}
            )
        try:
            claim.anchor_in(claim.article.text)
        except ValueError as exc:
            raise ValidationError({"end": str(exc)}) from exc
    claim.version += 1
    claim.full_clean(exclude=["created_by", "moderated_by"])
    claim.save()
    if claim.status == Claim.Status.PUBLISHED:
        _public_changed()
    return claim


@retry_once
@transaction.atomic
def delete_claim(*, claim: Claim, by, version: int | None = None) -> None:
    """Delete a claim (and its verdicts). ``version`` (if given) must be the one read."""
    claim = _lock_claim(claim.pk)[0]
    lifecycle.check(by, "delete", claim=claim)
    _check_version(claim, version)
    if claim.status == Claim.Status.PUBLISHED:
        _public_changed()
        _withdraw_reuses(claim.pk, by=by, why=f"fact-check {claim.pk} was deleted")
    claim.delete()


# --------------------------------------------------------------------------- verdicts


@retry_once
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
    claim, verdicts = _lock_claim(claim.pk)
    verdict = next((v for v in verdicts if v.reviewer_id == reviewer.pk), None)
    # Once submitted, a verdict stays submitted: an edit without ``submit`` keeps it there.
    keeps_submitted = verdict is not None and verdict.status != Verdict.Status.DRAFT
    action = "submit" if submit or keeps_submitted else "draft"
    lifecycle.check(reviewer, action, claim=claim, verdict=verdict, subject=lifecycle.VERDICT)
    if verdict is None:
        verdict = Verdict(claim=claim, reviewer=reviewer)
    else:
        _check_version(verdict, version)
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


def _locked_verdict(verdict: Verdict) -> tuple[Claim, Verdict, list[Verdict]]:
    """The verdict's claim, the verdict and its siblings, locked claim first."""
    claim_id = Verdict.objects.filter(pk=verdict.pk).values_list("claim_id", flat=True).first()
    if claim_id is None:
        raise ValidationError({"status": "This verdict was deleted."})
    claim, verdicts = _lock_claim(claim_id)
    mine = next((v for v in verdicts if v.pk == verdict.pk), None)
    if mine is None:
        raise ValidationError({"status": "This verdict was deleted."})
    return claim, mine, verdicts


def _demote(verdict: Verdict, *, by, when, note: str) -> None:
    verdict.status = Verdict.Status.SUBMITTED
    verdict.moderator, verdict.moderated_at, verdict.moderation_note = by, when, note
    verdict.version += 1
    verdict.save()
    _withdraw_reuses(verdict.claim_id, by=by, why=f"{note} (fact-check {verdict.claim_id})")


@retry_once
@transaction.atomic
def approve_verdict(
    *,
    verdict: Verdict,
    by,
    note: str = "",
    version: int | None = None,
    claim_version: int | None = None,
) -> Verdict:
    """Approve ``verdict`` and publish its claim.

    ``version`` and ``claim_version`` are the verdict's and the claim's as the moderator read
    them; either changed, the decision is refused. Replacing the claim's approved verdict
    (which goes back to the queue) needs ``claim_version``: two moderators approving two
    verdicts at once, the second is told the claim was published meanwhile.
    """
    claim, verdict, verdicts = _locked_verdict(verdict)
    lifecycle.check(by, "approve", claim=claim, verdict=verdict)
    lifecycle.check_verdict_content(verdict)
    _check_version(verdict, version)
    _check_claim_version(claim, claim_version)
    others = [v for v in verdicts if v.status == Verdict.Status.APPROVED and v.pk != verdict.pk]
    if others and claim_version is None:
        raise ClaimChanged(
            claim.version,
            f"This claim is already published with verdict {others[0].pk} (claim version "
            f"{claim.version}); to replace it, approve again with that claim version.",
        )
    now = timezone.now()
    for other in others:
        _demote(other, by=by, when=now, note=f"Demoted: verdict {verdict.pk} was approved instead.")
    verdict.status = Verdict.Status.APPROVED
    verdict.moderator, verdict.moderated_at, verdict.moderation_note = by, now, note
    verdict.version += 1
    verdict.save()
    _publish(claim, now)
    claim.version += 1
    claim.save()
    _public_changed()
    return verdict


def _publish(claim: Claim, now) -> None:
    """Publish ``claim``: the moderator decides on its words as they are now, so a flag of a
    correction that edited them before it was published is cleared (an orphan stays one: its
    words are gone)."""
    claim.status, claim.published_at = Claim.Status.PUBLISHED, now
    if claim.anchor_state == Claim.AnchorState.EDITED:
        claim.anchor_state = Claim.AnchorState.OK


@retry_once
@transaction.atomic
def reject_verdict(
    *,
    verdict: Verdict,
    by,
    note: str,
    version: int | None = None,
    claim_version: int | None = None,
) -> Verdict:
    """Reject ``verdict`` with a note for its reviewer; an approved one unpublishes the claim."""
    claim, verdict, _ = _locked_verdict(verdict)
    lifecycle.check(by, "reject", claim=claim, verdict=verdict)
    if not (note or "").strip():
        raise ValidationError({"moderation_note": "Say why the verdict is rejected."})
    _check_version(verdict, version)
    _check_claim_version(claim, claim_version)
    was_approved = verdict.status == Verdict.Status.APPROVED
    verdict.status = Verdict.Status.REJECTED
    verdict.moderator, verdict.moderated_at, verdict.moderation_note = by, timezone.now(), note
    verdict.version += 1
    verdict.save()
    if was_approved:
        _withdraw_reuses(claim.pk, by=by, why=f"its verdict was rejected: {note}")
        _unpublish(claim)
    return verdict


@retry_once
@transaction.atomic
def delete_verdict(*, verdict: Verdict, by, version: int | None = None) -> None:
    """Delete a verdict; its claim goes back to open when no submitted verdict remains."""
    claim, verdict, _ = _locked_verdict(verdict)
    lifecycle.check(by, "delete", claim=claim, verdict=verdict)
    _check_version(verdict, version)
    verdict.delete()
    if claim.status == Claim.Status.IN_REVIEW:
        status = lifecycle.status_after_review(claim)
        if status != claim.status:
            claim.status = status
            claim.version += 1
            claim.save()


def _unpublish(claim: Claim) -> None:
    claim.status, claim.published_at = Claim.Status.IN_REVIEW, None
    claim.version += 1
    claim.save()
    _public_changed()


def _public_changed() -> None:
    """What everyone may see changed: the cached public exports are retired on commit."""
    transaction.on_commit(public_cache.bump_published_version)


def _record_decision(claim: Claim, *, by, note: str) -> None:
    claim.moderation_note, claim.moderated_by, claim.moderated_at = note, by, timezone.now()


TAKEN_DOWN = {"unpublish": "Claim unpublished.", "reject": "Claim rejected."}


def _take_down(claim: Claim, action: str, *, by, note: str, version: int | None) -> Claim:
    """Lock ``claim`` (then its verdicts), check ``action`` and the version read, send its
    approved verdict back to the queue and record the decision; the caller sets the state."""
    claim, verdicts = _lock_claim(claim.pk)
    lifecycle.check(by, action, claim=claim)
    _check_version(claim, version)
    now = timezone.now()
    for verdict in verdicts:
        if verdict.status == Verdict.Status.APPROVED:
            _demote(verdict, by=by, when=now, note=note or TAKEN_DOWN[action])
    _record_decision(claim, by=by, note=note)
    return claim


@retry_once
@transaction.atomic
def unpublish_claim(*, claim: Claim, by, note: str = "", version: int | None = None) -> Claim:
    """Take a published claim down; its approved verdict goes back to the moderation queue."""
    claim = _take_down(claim, "unpublish", by=by, note=note, version=version)
    _unpublish(claim)
    return claim


@retry_once
@transaction.atomic
def reject_claim(*, claim: Claim, by, note: str = "", version: int | None = None) -> Claim:
    """Reject a claim (e.g. not check-worthy), keeping the note; it leaves every queue."""
    claim = _take_down(claim, "reject", by=by, note=note, version=version)
    if claim.status == Claim.Status.PUBLISHED:
        _public_changed()
    claim.status, claim.published_at = Claim.Status.REJECTED, None
    claim.version += 1
    claim.save()
    return claim


@retry_once
@transaction.atomic
def reopen_claim(*, claim: Claim, by, note: str = "", version: int | None = None) -> Claim:
    """Send a rejected claim back: in review while a submitted verdict waits, else open."""
    claim = _lock_claim(claim.pk)[0]
    lifecycle.check(by, "reopen", claim=claim)
    _check_version(claim, version)
    _record_decision(claim, by=by, note=note)
    claim.status = lifecycle.status_after_review(claim)
    claim.version += 1
    claim.save()
    return claim


# --------------------------------------------------------------------------- registry


ALREADY_MERGED = "Already merged: {} is gone (merged or deleted by someone else); reload the list."


def _lock_for_merge(model, survivor, others) -> tuple:
    """Lock the survivor and the others in id order (one order, so two merges never
    deadlock); any of them gone means someone merged them first."""
    wanted = {survivor.pk} | {o.pk for o in others}
    locked = {
        o.pk: o for o in model.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    }
    missing = wanted - set(locked)
    if missing:
        gone = ", ".join(f"#{pk}" for pk in sorted(missing))
        raise ValidationError(ALREADY_MERGED.format(gone))
    return locked[survivor.pk], [locked[pk] for pk in sorted(wanted - {survivor.pk})]


@retry_once
@transaction.atomic
def merge_speakers(*, survivor: Speaker, others: Iterable[Speaker], by=None) -> Speaker:
    """Fold ``others`` into ``survivor``: claims and statements move, old names become aliases."""
    if by is not None:
        _require_moderator(by)
    survivor, others = _lock_for_merge(Speaker, survivor, list(others))
    for other in others:
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


@retry_once
@transaction.atomic
def merge_statements(*, survivor: Statement, others: Iterable[Statement], by=None) -> Statement:
    """Fold ``others`` into ``survivor``; their claims now point at it."""
    if by is not None:
        _require_moderator(by)
    survivor, others = _lock_for_merge(Statement, survivor, list(others))
    for other in others:
        changes = {"statement": survivor}
        if survivor.speaker_id:
            changes["speaker"] = survivor.speaker
        _repoint_claims(Claim.objects.filter(statement=other), **changes)
        other.delete()
    return survivor


def _repoint_claims(claims, **changes) -> None:
    """Save each claim (not a bulk update) so every move is in its history."""
    for claim in claims.select_for_update(of=("self",)).select_related("article"):
        for field, value in changes.items():
            setattr(claim, field, value)
        claim.version += 1
        claim.save()


# --------------------------------------------------------------------------- background tasks


class TaskFinished(Exception):
    """The task already ended; there is nothing to cancel."""


@transaction.atomic
def enqueue_import(
    *,
    by,
    data: bytes,
    fmt: str | None = None,
    dry_run: bool = False,
    filename: str = "",
    options: imports.ImportOptions | None = None,
) -> BackgroundTask:
    """Queue an import of ``data`` as ``by`` (factcheck.tasks.run_import); the row and its queue
    entry are written together. Under the immediate backend (tests) it has run on return."""
    from factcheck import imports, tasks

    if not Role.has(by, Role.ANNOTATOR):
        raise PermissionDenied("Importing needs the annotator role.")
    bg = BackgroundTask.objects.create(
        kind=BackgroundTask.Kind.IMPORT,
        created_by=by,
        options={
            "format": fmt,
            "dry_run": dry_run,
            "filename": filename,
            **(options or imports.ImportOptions()).as_dict(),
        },
        payload=data,
        size=len(data),
    )
    queued = tasks.run_import.enqueue(str(bg.pk))
    BackgroundTask.objects.filter(pk=bg.pk).update(queue_id=str(queued.id))
    bg.refresh_from_db()
    return bg


def cancel_task(*, task: BackgroundTask, by) -> BackgroundTask:
    """Cancel ``task`` as ``by`` (its creator or a moderator). A queued task never starts; a
    running one rolls back at its next progress beat and ends ``cancelled``."""
    from factcheck import tasks

    if task.created_by_id != by.pk and not Role.has(by, Role.MODERATOR):
        raise PermissionDenied("Only the one who started a task, or a moderator, can cancel it.")
    task.refresh_from_db(fields=["status"])
    if task.finished:
        raise TaskFinished(f"This task already ended ({task.status}).")
    # A running task is told through the tasks cache, not the database: on SQLite its import
    # holds the write lock until it ends.
    stopped = task.status == BackgroundTask.Status.QUEUED and BackgroundTask.objects.filter(
        pk=task.pk, status=BackgroundTask.Status.QUEUED
    ).update(
        status=BackgroundTask.Status.CANCELLED,
        finished_at=timezone.now(),
        detail="Cancelled before it started; nothing was imported.",
        payload=b"",
    )
    if not stopped:
        tasks.request_cancel(task.pk)
    task.refresh_from_db()
    return task


# --------------------------------------------------------------------------- suggestions


class SuggestionDecided(Exception):
    """The suggestion was accepted or rejected already (by someone else, often): 409."""


def _detector():
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.FACTCHECK_DETECTOR)


def _registry():
    """The speaker and statement registry as the detector takes it (it reads no database)."""
    from factcheck.detect import KnownSpeaker, KnownStatement

    speakers = [
        KnownSpeaker(id=s.pk, name=s.name, aliases=tuple(s.alias_list), kind=s.kind)
        for s in Speaker.objects.only("pk", "name", "aliases", "kind").order_by("pk")
    ]
    statements = [
        KnownStatement(id=s.pk, speaker_id=s.speaker_id, title=s.title, kind=s.kind, date=s.date)
        for s in Statement.objects.only("pk", "speaker_id", "title", "kind", "date").order_by("pk")
    ]
    return speakers, statements


def _part(text: str, part) -> tuple[int, int] | None:
    """A proposal's cue or source mention as a span of ``text``, or None if it does not fit."""
    if part is None:
        return None
    try:
        textlib.check_span(text, part.start, part.end)
    except (TypeError, ValueError):
        return None
    return part.start, part.end


def _suggestion_from(article: Article, proposal, *, digest: str, version: str, known) -> Suggestion:
    """A proposal as an unsaved suggestion; ValueError when it does not fit the text."""
    text = article.text
    span = textlib.span_at(text, proposal.start, proposal.end)  # ValueError outside the text
    if proposal.kind not in Claim.Kind.values:
        raise ValueError(f"unknown kind {proposal.kind!r}")
    speaker_ids, statement_ids = known
    suggestion = Suggestion(
        article=article,
        detector_version=version,
        text_hash=digest,
        kind=proposal.kind,
        start=span.start,
        end=span.end,
        quote=span.quote,
        prefix=span.prefix,
        suffix=span.suffix,
        confidence=min(1.0, max(0.0, float(proposal.confidence))),
        check_worthiness=min(1.0, max(0.0, float(proposal.check_worthiness))),
    )
    for name, part in (("cue", proposal.cue), ("source", proposal.source_mention)):
        found = _part(text, part)
        if found:
            setattr(suggestion, f"{name}_start", found[0])
            setattr(suggestion, f"{name}_end", found[1])
    who = proposal.speaker
    if who is not None:
        suggestion.speaker_id = who.id if who.id in speaker_ids else None
        suggestion.speaker_name = " ".join(who.name.split())[:200]
        kind = who.kind if who.kind in Speaker.Kind.values else Speaker.Kind.PERSON
        suggestion.speaker_kind = kind
    occasion = proposal.statement
    if occasion is not None:
        suggestion.statement_id = occasion.id if occasion.id in statement_ids else None
        suggestion.statement_title = " ".join(occasion.title.split())[:300]
        kind = occasion.kind if occasion.kind in Statement.Kind.values else Statement.Kind.OTHER
        suggestion.statement_kind = kind
        suggestion.statement_date = occasion.date
        suggestion.statement_group = str(occasion.group)[:100]
    return suggestion


@retry_once
@transaction.atomic
def suggest_for_article(*, article: Article, by=None) -> list[Suggestion]:
    """Run the detector on ``article`` and store its proposals as pending suggestions.

    A run replaces the article's pending suggestions and keeps the decided ones; a proposal
    decided before on the same text (same kind and span) is not proposed again. ``by`` None
    is the system (the command, an import, the background task). Returns the article's
    suggestions on its current text, in text order.
    """
    from factcheck import detect

    lifecycle.check_suggestion(by, "suggest")
    speakers, statements = _registry()
    known = ({s.id for s in speakers}, {s.id for s in statements})
    proposals = _detector()(
        article.text, language=article.language, speakers=speakers, statements=statements
    )
    digest = text_hash(article.text)
    Suggestion.objects.filter(article=article, status=Suggestion.Status.PENDING).delete()
    taken = set(
        Suggestion.objects.filter(article=article, text_hash=digest).values_list(
            "kind", "start", "end"
        )
    )
    # Words someone has made a claim of already are not proposed (whatever their kind).
    claimed = set(article.claims.values_list("start", "end"))
    fresh = []
    for proposal in proposals:
        try:
            suggestion = _suggestion_from(
                article, proposal, digest=digest, version=detect.VERSION, known=known
            )
        except (TypeError, ValueError) as exc:
            logger.warning("suggest: a proposal for article %s left out: %s", article.pk, exc)
            continue
        key = (suggestion.kind, suggestion.start, suggestion.end)
        if key in taken or key[1:] in claimed:
            continue
        taken.add(key)
        fresh.append(suggestion)
    Suggestion.objects.bulk_create(fresh)
    return list(Suggestion.objects.for_text_of(article).in_text_order())


def _accept_arguments(suggestion: Suggestion, overrides: dict) -> dict:
    """``create_claim``'s arguments for ``suggestion``, with the reader's ``overrides`` (the
    claim API's fields: a name given, even empty, replaces the proposal's)."""
    o = dict(overrides)
    args = {
        "start": suggestion.start,
        "end": suggestion.end,
        "kind": o.pop("kind", suggestion.kind),
        "summary": o.pop("summary", ""),
        "check_worthy": o.pop("check_worthy", True),
        "cue": suggestion.cue,
        "source_mention": suggestion.source_mention,
    }
    if "start" in o or "end" in o:
        args["start"], args["end"] = o.pop("start", suggestion.start), o.pop("end", suggestion.end)
    for name in ("cue", "source"):
        if f"{name}_start" in o or f"{name}_end" in o:
            s, e = o.pop(f"{name}_start", None), o.pop(f"{name}_end", None)
            if (s is None) != (e is None):
                raise ValidationError({f"{name}_start": f"Give both {name}_start and {name}_end."})
            args["cue" if name == "cue" else "source_mention"] = (s, e) if s is not None else None
    speaker_given = "speaker" in o or "speaker_name" in o
    if speaker_given:
        args["speaker"] = o.pop("speaker", None)
        args["speaker_name"] = o.pop("speaker_name", "")
        kind = o.pop("speaker_kind", suggestion.speaker_kind or Speaker.Kind.PERSON)
        args["new_speaker"] = {"kind": kind}
    elif suggestion.speaker_id:
        args["speaker"] = suggestion.speaker
    elif suggestion.speaker_name:
        args["speaker_name"] = suggestion.speaker_name
        args["new_speaker"] = {"kind": o.pop("speaker_kind", suggestion.speaker_kind or None)}
    statement_given = "statement" in o or "statement_title" in o
    proposed = {
        "kind": suggestion.statement_kind or Statement.Kind.OTHER,
        **({"date": suggestion.statement_date} if suggestion.statement_date else {}),
    }
    typed = {
        field: o.pop(f"statement_{field}")
        for field in ("kind", "date", "url")
        if f"statement_{field}" in o
    }
    if statement_given:
        args["statement"] = o.pop("statement", None)
        args["statement_title"] = o.pop("statement_title", "")
        args["new_statement"] = {**proposed, **typed}
    elif suggestion.statement_id and not speaker_given:
        args["statement"] = suggestion.statement
    elif suggestion.proposes_statement:
        # A new occasion, or the speaker changed: the statement by its title, for that speaker.
        args["statement_title"] = suggestion.statement_title or suggestion.statement.title
        args["new_statement"] = {**proposed, **typed}
    if o:
        raise ValidationError(dict.fromkeys(o, "Not a field of an accepted suggestion."))
    return args


def _lock_pending(suggestion: Suggestion) -> Suggestion:
    locked = (
        Suggestion.objects.select_for_update(of=("self",))
        .select_related("article", "speaker", "statement")
        .filter(pk=suggestion.pk)
        .first()
    )
    if locked is None:
        raise SuggestionDecided("This suggestion is gone (the detector ran again?); reload.")
    if locked.status != Suggestion.Status.PENDING:
        raise SuggestionDecided(f"This suggestion was {locked.status} already.")
    if not locked.made_on(locked.article.text):
        raise SuggestionDecided(
            "The article text changed since this suggestion was made; run the detector again."
        )
    return locked


def _accept(suggestion: Suggestion, *, by, overrides: dict, when) -> Claim:
    claim = create_claim(
        article=suggestion.article, by=by, **_accept_arguments(suggestion, overrides)
    )
    suggestion.status = Suggestion.Status.ACCEPTED
    suggestion.decided_by, suggestion.decided_at, suggestion.claim = by, when, claim
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "claim"])
    return claim


@retry_once
@transaction.atomic
def accept_suggestion(*, suggestion: Suggestion, by, overrides: dict | None = None) -> Claim:
    """Make ``suggestion`` a claim through ``create_claim`` (as a typed claim is made), with
    the reader's ``overrides`` (the claim API's fields), and mark it accepted. A new speaker
    or statement is made with the proposed kind and date."""
    lifecycle.check_suggestion(by, "accept")
    locked = _lock_pending(suggestion)
    return _accept(locked, by=by, overrides=overrides or {}, when=timezone.now())


@retry_once
@transaction.atomic
def reject_suggestion(*, suggestion: Suggestion, by) -> Suggestion:
    """Mark ``suggestion`` rejected: the detector will not propose it again for this text."""
    lifecycle.check_suggestion(by, "reject")
    locked = _lock_pending(suggestion)
    locked.status = Suggestion.Status.REJECTED
    locked.decided_by, locked.decided_at = by, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


@retry_once
@transaction.atomic
def accept_all_above(*, article: Article, threshold: float, by) -> list[Claim]:
    """Accept every pending suggestion on ``article``'s text with a confidence of at least
    ``threshold``, as proposed (moderators). All or nothing: one that cannot become a claim
    stops the lot, naming it."""
    lifecycle.check_suggestion(by, "accept_all")
    chosen = (
        Suggestion.objects.for_text_of(article)
        .pending()
        .filter(confidence__gte=threshold)
        .select_for_update(of=("self",))
        .in_text_order()
    )
    now = timezone.now()
    claims = []
    for suggestion in chosen.select_related("article", "speaker", "statement"):
        try:
            claims.append(_accept(suggestion, by=by, overrides={}, when=now))
        except ValidationError as exc:
            where = f"suggestion {suggestion.pk} (“{textlib.shorten(suggestion.quote, 40)}”)"
            raise ValidationError({"detail": f"{where}: {'; '.join(exc.messages)}"}) from exc
    return claims


def suggest_for_articles(*, article_ids: Iterable[int], by=None, progress=None) -> dict:
    """Run the detector on each of ``article_ids`` (one transaction each: an article done
    stays done). ``progress(done, made)`` is called after each. Returns the counts and, per
    article that failed, why."""
    done = made = 0
    problems = []
    for pk in article_ids:
        article = Article.objects.filter(pk=pk).first()
        if article is None:
            problems.append({"where": f"article {pk}", "message": "There is no such article."})
        else:
            try:
                suggestions = suggest_for_article(article=article, by=by)
            except Exception as exc:  # one article's failure does not stop the others
                logger.exception("suggest: article %s failed", pk)
                problems.append({"where": f"article {pk}", "message": type(exc).__name__})
            else:
                made += sum(s.status == Suggestion.Status.PENDING for s in suggestions)
        done += 1
        if progress is not None:
            progress(done, made)
    return {"articles": done, "suggestions": made, "failed": len(problems), "problems": problems}


@transaction.atomic
def enqueue_suggest(*, by, article_ids: Sequence[int]) -> BackgroundTask:
    """Queue the detector over ``article_ids`` as ``by`` (factcheck.tasks.run_suggest); the row
    and its queue entry are written together. Under the immediate backend (tests) it has run
    on return."""
    from factcheck import tasks

    lifecycle.check_suggestion(by, "suggest")
    bg = BackgroundTask.objects.create(
        kind=BackgroundTask.Kind.SUGGEST,
        created_by=by,
        options={"articles": list(article_ids)},
        size=len(article_ids),
    )
    queued = tasks.run_suggest.enqueue(str(bg.pk))
    BackgroundTask.objects.filter(pk=bg.pk).update(queue_id=str(queued.id))
    bg.refresh_from_db()
    return bg


# --------------------------------------------------------------------------- corrections
#
# A correction gives an article a new text (a new ArticleRevision) and moves every claim,
# with its cue and source spans, to where its words now are (factcheck.reanchor), in one
# transaction: every claim gets its outcome, or nothing changes.

# Spans of other models that live on an article's text (pending suggestions, say) follow a
# correction through these hooks. Each is called inside the correction's transaction as
# ``hook(article=, old_text=, new_text=, revision=, by=)`` and re-anchors its own rows
# (``reanchor.reanchor`` is the engine); raising rolls the whole correction back.
CORRECTION_HOOKS: list = []


def reanchor_suggestions(*, article: Article, old_text: str, new_text: str, **_) -> None:
    """A correction's hook: the article's pending suggestions are re-anchored as its claims
    are. One whose words survive (unchanged or moved) takes its new span and context, and the
    new text's hash (so it can still be accepted); its cue and source mention follow it, or
    are dropped if their words did not survive. One whose words were edited or are gone is
    deleted: it was the detector's guess about words the article no longer has (Suggest
    again). Decided suggestions stay as they were: they are the record of a decision."""
    from factcheck import reanchor

    pending = list(Suggestion.objects.filter(article=article).pending())
    if not pending:
        return
    anchors = []
    for s in pending:
        anchors.append(
            reanchor.Anchor(("quote", s.pk), s.start, s.end, s.quote, s.prefix, s.suffix)
        )
        for part in ("cue", "source"):
            start, end = getattr(s, f"{part}_start"), getattr(s, f"{part}_end")
            if start is not None and end is not None:
                prefix, suffix = textlib.context_of(old_text, start, end)
                words = old_text[start:end]
                anchors.append(reanchor.Anchor((part, s.pk), start, end, words, prefix, suffix))
    placed = {p.key: p for p in reanchor.reanchor(old_text, new_text, anchors)}
    kept, gone, digest = [], [], text_hash(new_text)
    for s in pending:
        quote = placed[("quote", s.pk)]
        if quote.outcome not in ("unchanged", "moved"):
            gone.append(s.pk)
            continue
        s.start, s.end = quote.start, quote.end
        s.prefix, s.suffix = textlib.context_of(new_text, quote.start, quote.end)
        for part in ("cue", "source"):
            p = placed.get((part, s.pk))
            ok = p is not None and p.outcome in ("unchanged", "moved")
            setattr(s, f"{part}_start", p.start if ok else None)
            setattr(s, f"{part}_end", p.end if ok else None)
        s.text_hash = digest
        kept.append(s)
    Suggestion.objects.filter(pk__in=gone).delete()
    Suggestion.objects.bulk_update(
        kept,
        ["start", "end", "prefix", "suffix", "cue_start", "cue_end", "source_start", "source_end"]
        + ["text_hash"],
    )


CORRECTION_HOOKS.append(reanchor_suggestions)

# Above this many claims a correction from the page or the API runs as a background task.
CORRECTION_TASK_CLAIMS = 200


def correction_runs_in_background(article: Article) -> bool:
    from django.conf import settings

    limit = getattr(settings, "FACTCHECK_CORRECTION_TASK_CLAIMS", CORRECTION_TASK_CLAIMS)
    return article.claims.count() > limit


@dataclass(frozen=True)
class Correction:
    revision: ArticleRevision
    placements: list[dict]  # per claim: id, outcome, start, end, quote, score

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(ClaimAnchoring.Outcome.values[:4], 0)
        for p in self.placements:
            out[p["outcome"]] += 1
        return out

    def as_dict(self) -> dict:
        return {
            "article": self.revision.article_id,
            "revision": self.revision.number,
            "counts": self.counts(),
            "claims": self.placements,
        }


def may_correct(user) -> bool:
    """Desk members (annotators and up) correct an article's text."""
    return Role.has(user, Role.ANNOTATOR)


def clean_article_text(text: str) -> str:
    """The text as stored, or a ValidationError saying why it cannot be an article's."""
    probe = Article(title="-", text=text)
    probe.clean()  # normalises; refuses an empty or oversize text
    return probe.text


def _span_anchor(key, text: str, start, end):
    from factcheck import reanchor

    if start is None or end is None:
        return None
    span = textlib.span_at(text, start, end)
    return reanchor.Anchor(key, start, end, span.quote, span.prefix, span.suffix)


def _reason(revision: ArticleRevision, outcome: str, old, new, score: float) -> str:
    """The history row's change reason: what the correction did to the claim (100 chars max)."""
    where = f"{new[0]}-{new[1]}" if new[0] is not None else "none"
    return (
        f"correction r{revision.number}: {outcome} {old[0]}-{old[1]} -> {where} score {score:.2f}"
    )[:100]


@retry_once
@transaction.atomic
def correct_article(
    *,
    article: Article,
    text: str,
    by,
    note: str = "",
    source: str = "",
    version: int | None = None,
    progress=None,
) -> Correction:
    """Give ``article`` the new ``text`` (a new revision) and re-anchor its claims.

    ``version`` (if given) must be the article version the corrector read. ``progress`` (if
    given) is called with the number of claims written so far.
    """
    from factcheck import reanchor

    if not may_correct(by):
        raise PermissionDenied("Correcting an article needs a desk role (annotator or up).")
    article = Article.objects.select_for_update().filter(pk=article.pk).first()
    if article is None:
        raise ValidationError({"article": "This article was deleted."})
    _check_version(article, version)
    new_text = clean_article_text(text)
    old_text = article.text
    if new_text == old_text:
        raise ValidationError({"text": "This is the article's current text: nothing to correct."})
    _ensure_first_revision(article)
    claims = list(Claim.objects.select_for_update().filter(article=article).order_by("pk"))
    anchors = []
    for c in claims:
        if c.anchor_state == Claim.AnchorState.ORPHANED:
            continue  # its span points into an earlier revision: it stays an orphan
        anchors.append(reanchor.Anchor(c.pk, c.start, c.end, c.quote, c.prefix, c.suffix))
        for name in ("cue", "source"):
            extra = _span_anchor(
                (name, c.pk), old_text, getattr(c, f"{name}_start"), getattr(c, f"{name}_end")
            )
            if extra:
                anchors.append(extra)
    placed = {p.key: p for p in reanchor.reanchor(old_text, new_text, anchors)}

    now = timezone.now()
    revision = ArticleRevision.objects.create(
        article=article,
        number=article.revisions.next_number(),
        text=new_text,
        note=note.strip(),
        source=source.strip()[:500],
        created_by=by,
        created_at=now,
    )
    article.text, article.revision = new_text, revision.number
    article._revision_written = True
    article.save()

    placements, anchorings, public = [], [], False
    for done, claim in enumerate(claims, 1):
        claim.article = article
        placement = placed.get(claim.pk)
        if placement is None:  # an orphan already
            placements.append(_placement_dict(claim.pk, "orphaned", None, None, None, 0.0))
            continue
        old = (claim.start, claim.end)
        old_quote = claim.quote
        outcome = placement.outcome
        if outcome == "orphaned":
            claim.anchor_state = Claim.AnchorState.ORPHANED
        else:
            claim.start, claim.end = placement.start, placement.end
            claim.anchor_in(new_text)
            if outcome == "edited":
                claim.anchor_state = Claim.AnchorState.EDITED
            for name in ("cue", "source"):
                span = placed.get((name, claim.pk))
                if span is not None:
                    start, end = (
                        (span.start, span.end) if span.outcome != "orphaned" else (None, None)
                    )
                    setattr(claim, f"{name}_start", start)
                    setattr(claim, f"{name}_end", end)
        if outcome != "unchanged":
            claim.corrected_at = now
            claim.version += 1
            if lifecycle.flagged_by_correction(claim, outcome):
                public = True
        new = (placement.start, placement.end)
        claim._change_reason = _reason(revision, outcome, old, new, placement.score)
        claim.save()
        anchorings.append(
            ClaimAnchoring(
                revision=revision,
                claim=claim,
                outcome=outcome,
                old_start=old[0],
                old_end=old[1],
                old_quote=old_quote,
                new_start=placement.start,
                new_end=placement.end,
                new_quote=placement.quote,
                score=placement.score,
                created_by=by,
                created_at=now,
            )
        )
        placements.append(
            _placement_dict(
                claim.pk, outcome, placement.start, placement.end, placement.quote, placement.score
            )
        )
        if progress is not None:
            progress(done)
    ClaimAnchoring.objects.bulk_create(anchorings, batch_size=500)
    for hook in CORRECTION_HOOKS:
        hook(article=article, old_text=old_text, new_text=new_text, revision=revision, by=by)
    if public or any(c.status == Claim.Status.PUBLISHED for c in claims):
        _public_changed()
    return Correction(revision=revision, placements=placements)


def _placement_dict(pk, outcome, start, end, quote, score) -> dict:
    return {
        "id": pk,
        "outcome": outcome,
        "start": start,
        "end": end,
        "quote": quote,
        "score": round(float(score), 4),
    }


def _ensure_first_revision(article: Article) -> None:
    """An article made before revisions (or by a bulk import) gets its revision 1 now."""
    if not article.revisions.exists():
        ArticleRevision.objects.create(
            article=article,
            number=1,
            text=article.text,
            created_by=article.created_by,
            created_at=article.created_at,
        )


@transaction.atomic
def enqueue_correction(
    *, article: Article, text: str, by, note: str = "", source: str = "", version=None
) -> BackgroundTask:
    """Queue a correction (factcheck.tasks.run_correction) after checking what can be checked
    now: the role, the version read and the text. Its outcome is the task's result."""
    from factcheck import tasks

    if not may_correct(by):
        raise PermissionDenied("Correcting an article needs a desk role (annotator or up).")
    _check_version(article, version)
    new_text = clean_article_text(text)
    if new_text == article.text:
        raise ValidationError({"text": "This is the article's current text: nothing to correct."})
    data = new_text.encode()
    bg = BackgroundTask.objects.create(
        kind=BackgroundTask.Kind.CORRECTION,
        created_by=by,
        options={
            "article": article.pk,
            "note": note,
            "source": source,
            "version": article.version if version is None else version,
        },
        payload=data,
        size=article.claims.count(),
    )
    queued = tasks.run_correction.enqueue(str(bg.pk))
    BackgroundTask.objects.filter(pk=bg.pk).update(queue_id=str(queued.id))
    bg.refresh_from_db()
    return bg


@retry_once
@transaction.atomic
def reattach_claim(*, claim: Claim, by, start: int, end: int, version: int | None = None) -> Claim:
    """Give an orphan (or any claim a correction moved) a span of the current text, chosen by
    a person. A published claim stays flagged until a moderator confirms it."""
    claim = _lock_claim(claim.pk)[0]
    lifecycle.check(by, "reattach", claim=claim)
    _check_version(claim, version)
    text = claim.article.text
    try:
        textlib.check_span(text, start, end)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"end": str(exc)}) from exc
    old = (claim.start, claim.end)
    old_quote, was = claim.quote, claim.anchor_state
    claim.start, claim.end = start, end
    claim.anchor_in(text)
    claim.cue_start = claim.cue_end = claim.source_start = claim.source_end = None
    published = claim.status == Claim.Status.PUBLISHED
    same_words = claim.quote == old_quote
    if published and not (same_words and was != Claim.AnchorState.EDITED):
        claim.anchor_state = Claim.AnchorState.EDITED
    else:
        claim.anchor_state = Claim.AnchorState.OK
    claim.version += 1
    revision = claim.article.revisions.order_by("-number").first()
    claim._change_reason = (
        f"re-attached by hand r{revision.number if revision else 1}: "
        f"{old[0]}-{old[1]} -> {start}-{end}"
    )[:100]
    claim.save()
    if revision is not None:
        ClaimAnchoring.objects.create(
            revision=revision,
            claim=claim,
            outcome=ClaimAnchoring.Outcome.REATTACHED,
            old_start=old[0],
            old_end=old[1],
            old_quote=old_quote,
            new_start=start,
            new_end=end,
            new_quote=claim.quote,
            score=1.0,
            created_by=by,
        )
    if published:
        _public_changed()
    return claim


@retry_once
@transaction.atomic
def confirm_claim(*, claim: Claim, by, note: str = "", version: int | None = None) -> Claim:
    """A moderator says a flagged published claim's verdict holds for the corrected wording."""
    claim = _lock_claim(claim.pk)[0]
    lifecycle.check(by, "confirm", claim=claim)
    _check_version(claim, version)
    _record_decision(claim, by=by, note=note or "Confirmed for the corrected wording.")
    claim.anchor_state = Claim.AnchorState.OK
    claim.version += 1
    claim._change_reason = "confirmed after a correction"
    claim.save()
    _public_changed()
    return claim


# --------------------------------------------------------------------------- claim links
# "Same claim as ...": a claim linked to an earlier published fact-check, whose verdict it
# reuses once a moderator confirms (lifecycle's "link" rows; models.ClaimLink).


def _live_link(claim_pk: int) -> ClaimLink | None:
    """The claim's live link, locked (the claim is locked first)."""
    return ClaimLink.objects.live().select_for_update().filter(claim_id=claim_pk).first()


def _bump(claim: Claim, reason: str) -> None:
    """A link changes what the claim reads as (``same_as``): a new version, so a decision or
    an edit made on what was read before is refused as stale."""
    claim.version += 1
    claim._change_reason = reason[:100]
    claim.save()


def _check_earlier(claim: Claim, earlier: Claim | None, verdicts: Sequence[Verdict] | None = None):
    """``earlier`` must be another claim, published with an approved verdict."""
    if earlier is None:
        raise ValidationError({"earlier": "That fact-check was deleted."})
    if earlier.pk == claim.pk:
        raise ValidationError({"earlier": "A claim cannot be the same claim as itself."})
    verdicts = earlier.verdicts.all() if verdicts is None else verdicts
    approved = next((v for v in verdicts if v.status == Verdict.Status.APPROVED), None)
    if earlier.status != Claim.Status.PUBLISHED or approved is None:
        raise ValidationError(
            {"earlier": f"Claim {earlier.pk} is not a published fact-check: link to one that is."}
        )
    return approved


@retry_once
@transaction.atomic
def link_claim(
    *,
    claim: Claim,
    earlier: Claim,
    by,
    note: str = "",
    score: float | None = None,
    version: int | None = None,
) -> ClaimLink:
    """Propose that ``claim`` is the same claim as the published fact-check ``earlier`` (its
    root, if ``earlier`` itself reuses another). A moderator confirms it (``confirm_link``).
    ``score`` is the matcher's, when the link was proposed from a match."""
    claim = _lock_claim(claim.pk)[0]
    link = _live_link(claim.pk)
    lifecycle.check(by, "link", claim=claim, subject=lifecycle.LINK, link=link)
    _check_version(claim, version)
    if score is not None and not (0 <= score <= 1):
        raise ValidationError({"score": "A match score is between 0 and 1."})
    earlier = Claim.objects.filter(pk=earlier.pk).first()
    root = ClaimLink.objects.root_of(earlier) if earlier is not None else None
    _check_earlier(claim, root)
    link = ClaimLink.objects.create(
        claim=claim, earlier=root, score=score, note=(note or "").strip(), proposed_by=by
    )
    _bump(claim, f"linked: same claim as {root.pk} (proposed)")
    return link


@retry_once
@transaction.atomic
def confirm_link(*, claim: Claim, by, note: str = "", version: int | None = None) -> ClaimLink:
    """A moderator confirms ``claim``'s proposed link: the claim is published with a copy of
    the earlier approved verdict (rating, rationale, sources, and its reviewer: theirs is the
    judgement), the moderator as its moderator. Verdicts of the claim's own stay as they are.
    """
    proposed = (
        ClaimLink.objects.live().filter(claim_id=claim.pk).values_list("earlier_id", flat=True)
    ).first()
    # Both claims, in id order (then each one's verdicts): the lock order of every write.
    locked = {pk: _lock_claim(pk) for pk in sorted({claim.pk, proposed or claim.pk})}
    claim, verdicts = locked[claim.pk]
    link = _live_link(claim.pk)
    lifecycle.check(by, "confirm", claim=claim, subject=lifecycle.LINK, link=link)
    _check_version(claim, version)
    if link.earlier_id not in locked:  # linked again, to another, since we looked
        raise ClaimChanged(claim.version)
    earlier, earlier_verdicts = locked[link.earlier_id]
    approved = _check_earlier(claim, earlier, earlier_verdicts)
    if any(v.reviewer_id == approved.reviewer_id for v in verdicts):
        raise ValidationError(
            {
                "earlier": f"{approved.reviewer}, who wrote fact-check {earlier.pk}'s verdict, has "
                "a verdict of their own on this claim: decide on that one instead of reusing."
            }
        )
    now = timezone.now()
    copy = Verdict.objects.create(
        claim=claim,
        reviewer_id=approved.reviewer_id,
        rating_id=approved.rating_id,
        rationale=approved.rationale,
        status=Verdict.Status.APPROVED,
        moderator=by,
        moderated_at=now,
        submitted_at=now,
        moderation_note=f"Same claim as fact-check {earlier.pk}: its verdict {approved.pk} reused."
        + (f" {note.strip()}" if (note or "").strip() else ""),
    )
    bulk_create_with_history(
        [
            EvidenceSource(verdict=copy, url=s.url, title=s.title, excerpt=s.excerpt, order=s.order)
            for s in approved.sources.all()
        ],
        EvidenceSource,
        default_user=by,
    )
    link.status, link.confirmed_by, link.confirmed_at = ClaimLink.Status.CONFIRMED, by, now
    link.earlier_verdict, link.verdict = approved, copy
    link.save()
    _record_decision(claim, by=by, note=note or f"Same claim as fact-check {earlier.pk}.")
    _publish(claim, now)
    _bump(claim, f"same claim as {earlier.pk}: confirmed, published with its verdict")
    _public_changed()
    return link


@retry_once
@transaction.atomic
def unlink_claim(*, claim: Claim, by, note: str = "", version: int | None = None) -> ClaimLink:
    """End ``claim``'s link (recorded: who, when, ``note``). A confirmed one takes the reused
    verdict back: the copy is removed and the claim leaves published, in review if a submitted
    verdict of its own waits, else open (lifecycle's "unreuse")."""
    claim = _lock_claim(claim.pk)[0]
    link = _live_link(claim.pk)
    lifecycle.check(by, "unlink", claim=claim, subject=lifecycle.LINK, link=link)
    _check_version(claim, version)
    _end_link(link, claim, by=by, note=(note or "").strip())
    return link


def _end_link(link: ClaimLink, claim: Claim, *, by, note: str) -> None:
    """Unlink ``link`` of the locked ``claim``; a confirmed one's copied verdict is removed."""
    confirmed = link.status == ClaimLink.Status.CONFIRMED
    copy = link.verdict
    link.status, link.unlinked_by, link.unlinked_at = ClaimLink.Status.UNLINKED, by, timezone.now()
    link.unlink_note, link.verdict = note, None
    link.save()
    if confirmed:
        if copy is not None:
            copy.delete()  # with its sources; their history rows stay
        _record_decision(claim, by=by, note=note or f"Unlinked from fact-check {link.earlier_id}.")
        claim.status, claim.published_at = lifecycle.status_after_review(claim), None
        _public_changed()
    _bump(claim, f"unlinked from {link.earlier_id}")


def _withdraw_reuses(earlier_pk: int, *, by, why: str) -> None:
    """The fact-check ``earlier_pk``'s approved verdict stops being approved (unpublished,
    rejected, replaced, deleted): no claim keeps a verdict copied from it, and no proposal
    to reuse it waits. Each live link to it is unlinked, with ``why``, as by ``unlink_claim``.
    The caller holds the earlier claim's lock; each reuse is locked after it."""
    waiting = (
        ClaimLink.objects.live()
        .filter(earlier_id=earlier_pk)
        .order_by("claim_id")
        .values_list("claim_id", flat=True)
    )
    for claim_pk in list(waiting):
        claim = _lock_claim(claim_pk)[0]
        link = _live_link(claim_pk)
        if link is not None and link.earlier_id == earlier_pk:
            _end_link(link, claim, by=by, note=f"Withdrawn: {why}"[:2000])
