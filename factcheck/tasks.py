"""Background tasks: long work off the request path, run by ``manage.py db_worker``.

A task is a ``BackgroundTask`` row (who asked, the input, how it ended) queued through the
Tasks API (django-tasks' database backend, so any number of workers on any number of hosts
share one queue). What this module guarantees, whichever worker runs it:

- **at most once**: a task starts only by moving its row from ``queued`` to ``running`` in one
  UPDATE, so a second worker, a re-delivered queue entry or a cancel that came first makes it
  do nothing;
- **nothing half-written**: the import writes in one transaction; a failure, a cancel (raised
  from the progress callback) or a killed worker rolls it back;
- **a killed worker is noticed**: while it runs, a task holds a lock that dies with its
  process (a PostgreSQL advisory lock, or on SQLite a file lock on this host). Whoever reads
  a ``running`` task whose lock is free marks it failed (``reap``): it can be started again,
  it will not finish by itself;
- **progress and cancel without the database**: the import holds its transaction (and on
  SQLite the write lock) while it runs, so its progress and a request to cancel it travel
  through the ``tasks`` cache (Redis with REDIS_URL, files on one host otherwise).
"""

from __future__ import annotations

import fcntl
import functools
import io
import logging
import os
import socket
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from factcheck import imports
from factcheck.models import BackgroundTask

logger = logging.getLogger(__name__)

Status = BackgroundTask.Status

# How often (seconds) a running task publishes its progress and looks for a cancel.
BEAT = 0.25
# A queue entry taken this long ago whose task never started lost its worker.
STUCK_AFTER = 30
PROGRESS_TTL = 24 * 3600
WORKER_LOST = (
    "The worker running this task stopped before it finished (it was killed or its host went "
    "down). Nothing was written; start the import again."
)


class Cancelled(Exception):
    """Raised inside a running task when its owner or a moderator cancelled it."""


def _cache():
    return caches["tasks"]


def _progress_key(pk) -> str:
    return f"progress:{pk}"


def _cancel_key(pk) -> str:
    return f"cancel:{pk}"


def request_cancel(pk) -> None:
    """Tell a running task to stop (it rolls back at its next progress beat)."""
    _cache().set(_cancel_key(pk), 1, PROGRESS_TTL)


# --------------------------------------------------------------------------- liveness


def _advisory_key(pk) -> int:
    return int.from_bytes(pk.bytes[:8], "big", signed=True)


@contextmanager
def alive(pk):
    """Hold a lock for as long as this process runs task ``pk``; it dies with the process."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_advisory_key(pk)])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_advisory_key(pk)])
        return
    path = _lock_path(pk)
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
            path.unlink(missing_ok=True)


def _lock_path(pk) -> Path:
    folder = Path(settings.FACTCHECK_TASK_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{pk}.lock"


def _holder_is_gone(pk) -> bool:
    """True when no live process holds task ``pk``'s lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_advisory_key(pk)])
            (got,) = cursor.fetchone()
            if got:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_advisory_key(pk)])
        return got
    path = _lock_path(pk)
    if not path.exists():
        return True
    with open(path, "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(fh, fcntl.LOCK_UN)
        return True


def reap(bg: BackgroundTask) -> BackgroundTask:
    """Settle a task whose worker is gone; return it as it now is. A running one failed (its
    import rolled back); one a worker took from the queue but died before starting is queued
    again (the start's single UPDATE still lets only one run happen)."""
    if bg.status == Status.RUNNING and _holder_is_gone(bg.pk):
        _finish(bg.pk, Status.FAILED, detail=WORKER_LOST)
        bg.refresh_from_db()
    elif bg.status == Status.QUEUED and _taken_and_dropped(bg) and _holder_is_gone(bg.pk):
        queued = RUNNERS[bg.kind].enqueue(str(bg.pk))
        BackgroundTask.objects.filter(pk=bg.pk, status=Status.QUEUED, queue_id=bg.queue_id).update(
            queue_id=str(queued.id)
        )
        bg.refresh_from_db()
    return bg


def _taken_and_dropped(bg: BackgroundTask) -> bool:
    """Its queue entry was taken by a worker over STUCK_AFTER seconds ago, yet it never
    started (the worker died in between)."""
    from django_tasks_db.models import DBTaskResult

    try:
        uuid.UUID(bg.queue_id)
    except ValueError:  # not the database backend's (the tests' immediate one)
        return False
    since = timezone.now() - timedelta(seconds=STUCK_AFTER)
    return (
        DBTaskResult.objects.filter(pk=bg.queue_id, started_at__lt=since)
        .exclude(status="READY")
        .exists()
    )


# --------------------------------------------------------------------------- state


def state_url(bg: BackgroundTask) -> str:
    return reverse("api-task", args=[bg.pk])


def state(bg: BackgroundTask) -> dict:
    """What a task is now, as the API, the task page and the command show it."""
    bg = reap(bg)
    done, records = 0, 0
    if bg.status == Status.RUNNING:
        seen = _cache().get(_progress_key(bg.pk)) or {}
        done, records = seen.get("done", 0), seen.get("records", 0)
    elif bg.status == Status.SUCCEEDED:
        done, records = bg.size, (bg.result or {}).get("records", 0)
    data = {
        "id": str(bg.pk),
        "url": state_url(bg),
        "page": bg.get_absolute_url(),
        "kind": bg.kind,
        "status": bg.status,
        "finished": bg.finished,
        "progress": {"done": done, "total": bg.size, "unit": UNITS[bg.kind], "records": records},
        "created_by": bg.created_by.get_username() if bg.created_by_id else None,
        "created_at": bg.created_at,
        "started_at": bg.started_at,
        "finished_at": bg.finished_at,
        "options": bg.options,
        "result": bg.result,
    }
    if bg.status in (Status.FAILED, Status.CANCELLED):
        data["detail"] = bg.detail
        data["problems"] = bg.problems
    return data


class _Progress:
    """The import's progress callback: bytes read so far, published every BEAT seconds, and
    the place where a cancel is noticed (raising rolls the import back)."""

    def __init__(self, pk, stream: io.BytesIO, total: int):
        self.pk, self.stream, self.total = pk, stream, total
        self.records = 0
        self.last = 0.0

    def __call__(self) -> None:
        self.records += 1
        now = time.monotonic()
        if now - self.last < BEAT:
            return
        self.last = now
        self.publish()
        self.check_cancel()

    def check_cancel(self) -> None:
        if _cache().get(_cancel_key(self.pk)):
            raise Cancelled

    def publish(self) -> None:
        done = min(self.stream.tell(), self.total)
        _cache().set(_progress_key(self.pk), {"done": done, "records": self.records}, PROGRESS_TTL)


def _finish(pk, status: str, *, result=None, detail: str = "", problems=()) -> bool:
    """Record how a running task ended (only if it is still running: the first word wins)."""
    return bool(
        BackgroundTask.objects.filter(pk=pk, status=Status.RUNNING).update(
            status=status,
            finished_at=timezone.now(),
            result=result,
            detail=detail,
            problems=list(problems),
            payload=b"",
        )
    )


# --------------------------------------------------------------------------- the tasks


def _runs_once(body):
    """A task runner: ``body(bg)`` runs once for the BackgroundTask ``task_id`` names, marked
    running by this worker and kept alive (``alive``) while it works; it records its own
    outcome (``_finish``). A task gone, cancelled while queued or already run by someone is
    not started: never twice. Its progress and cancel keys are cleared after."""

    @functools.wraps(body)
    def run(task_id: str) -> str:
        bg = BackgroundTask.objects.filter(pk=task_id).first()
        if bg is None:
            return "gone"
        with alive(bg.pk):
            started = BackgroundTask.objects.filter(pk=bg.pk, status=Status.QUEUED).update(
                status=Status.RUNNING,
                started_at=timezone.now(),
                worker=f"{socket.gethostname()}:{os.getpid()}",
            )
            if not started:
                return "not started"
            bg.refresh_from_db()
            try:
                body(bg)
            finally:
                _cache().delete_many([_progress_key(bg.pk), _cancel_key(bg.pk)])
            bg.refresh_from_db()
            return bg.status

    return run


@task()
@_runs_once
def run_import(bg: BackgroundTask) -> None:
    """Import the uploaded file of the task ``bg`` (factcheck.imports)."""
    stream = io.BytesIO(bytes(bg.payload))
    progress = _Progress(bg.pk, stream, bg.size)
    try:
        # One transaction around the import's own, so a cancel that comes after its last
        # record (while it writes) still rolls everything back.
        with transaction.atomic():
            result = imports.import_annotations(
                stream,
                fmt=bg.options.get("format"),
                by=bg.created_by,
                dry_run=bool(bg.options.get("dry_run")),
                progress=progress,
                options=imports.ImportOptions(
                    offset_unit=bg.options.get("offset_unit"),
                    labels=bg.options.get("labels") or {},
                ),
            )
            progress.check_cancel()
    except Cancelled:
        _finish(bg.pk, Status.CANCELLED, detail="Cancelled; nothing was imported.")
    except imports.ImportFailed as exc:
        problems = [{"where": p.where, "message": p.message} for p in exc.problems]
        _finish(bg.pk, Status.FAILED, detail=str(exc), problems=problems)
    except Exception as exc:
        logger.exception("task %s failed", bg.pk)
        _finish(
            bg.pk,
            Status.FAILED,
            detail=f"The import failed ({type(exc).__name__}); nothing was imported.",
        )
    else:
        data = {**result.as_dict(), "records": progress.records}
        _finish(bg.pk, Status.SUCCEEDED, result=data)
        if settings.FACTCHECK_SUGGEST_ON_IMPORT and result.created_article_ids:
            _suggest_after_import(bg, result.created_article_ids)


def _suggest_after_import(bg: BackgroundTask, article_ids: list[int]) -> None:
    """FACTCHECK_SUGGEST_ON_IMPORT: the detector over the articles the import made, as a task
    of its own (its progress and failures are its own; the import has succeeded already)."""
    from factcheck import actions

    try:
        follow = actions.enqueue_suggest(by=bg.created_by, article_ids=article_ids)
    except Exception:
        logger.exception("task %s: could not queue the suggestions", bg.pk)
        return
    BackgroundTask.objects.filter(pk=bg.pk).update(
        result={**_result_of(bg.pk), "suggest_task": str(follow.pk)}
    )


def _result_of(pk) -> dict:
    return BackgroundTask.objects.filter(pk=pk).values_list("result", flat=True).first() or {}


@task()
@_runs_once
def run_suggest(bg: BackgroundTask) -> None:
    """Run the detector over the articles of the task ``bg`` (docs/suggestions.md).
    Each article is its own transaction: a cancel stops before the next one, and what is done
    stays done (the result says how many)."""
    from factcheck import actions

    made = {"articles": 0, "suggestions": 0}

    def counted(done: int, suggestions: int) -> None:
        made.update(articles=done, suggestions=suggestions)
        _cache().set(_progress_key(bg.pk), {"done": done, "records": suggestions}, PROGRESS_TTL)
        if _cache().get(_cancel_key(bg.pk)):
            raise Cancelled

    try:
        result = actions.suggest_for_articles(
            article_ids=bg.options.get("articles") or [], by=None, progress=counted
        )
    except Cancelled:
        _finish(
            bg.pk,
            Status.CANCELLED,
            result=made,
            detail=f"Cancelled after {made['articles']} article(s); their suggestions stay.",
        )
    except Exception as exc:
        logger.exception("task %s failed", bg.pk)
        _finish(bg.pk, Status.FAILED, detail=f"The detector failed ({type(exc).__name__}).")
    else:
        problems = result.pop("problems")
        result["records"] = result["suggestions"]
        if problems:
            detail = f"{len(problems)} of {result['articles']} article(s) failed."
            _finish(bg.pk, Status.FAILED, result=result, detail=detail, problems=problems)
        else:
            _finish(bg.pk, Status.SUCCEEDED, result=result)


class _ClaimProgress:
    """A correction's progress callback: claims written so far, published every BEAT
    seconds, and where a cancel is noticed (raising rolls the correction back)."""

    def __init__(self, pk):
        self.pk, self.last = pk, 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last < BEAT:
            return
        self.last = now
        _cache().set(_progress_key(self.pk), {"done": done, "records": done}, PROGRESS_TTL)
        if _cache().get(_cancel_key(self.pk)):
            raise Cancelled


@task()
@_runs_once
def run_correction(bg: BackgroundTask) -> None:
    """Correct the article of the task ``bg`` (actions.correct_article)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from factcheck import actions
    from factcheck.models import Article

    opts = bg.options
    try:
        article = Article.objects.get(pk=opts["article"])
        correction = actions.correct_article(
            article=article,
            text=bytes(bg.payload).decode(),
            by=bg.created_by,
            note=opts.get("note", ""),
            source=opts.get("source", ""),
            version=opts.get("version"),
            progress=_ClaimProgress(bg.pk),
        )
    except Cancelled:
        _finish(bg.pk, Status.CANCELLED, detail="Cancelled; the article was not corrected.")
    except Article.DoesNotExist:
        _finish(bg.pk, Status.FAILED, detail="The article was deleted.")
    except actions.StaleVersion as exc:
        _finish(bg.pk, Status.FAILED, detail=str(exc))
    except (ValidationError, PermissionDenied) as exc:
        _finish(bg.pk, Status.FAILED, detail="; ".join(getattr(exc, "messages", [str(exc)])))
    except Exception as exc:
        logger.exception("task %s failed", bg.pk)
        _finish(
            bg.pk,
            Status.FAILED,
            detail=f"The correction failed ({type(exc).__name__}); nothing was changed.",
        )
    else:
        result = correction.as_dict()
        result["records"] = len(correction.placements)
        result["page"] = correction.revision.get_absolute_url()
        _finish(bg.pk, Status.SUCCEEDED, result=result)


RUNNERS = {
    BackgroundTask.Kind.IMPORT: run_import,
    BackgroundTask.Kind.SUGGEST: run_suggest,
    BackgroundTask.Kind.CORRECTION: run_correction,
}
UNITS = {
    BackgroundTask.Kind.IMPORT: "bytes",
    BackgroundTask.Kind.SUGGEST: "articles",
    BackgroundTask.Kind.CORRECTION: "claims",
}
