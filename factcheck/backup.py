"""Whole-desk backups: every row that matters, as JSON Lines, and back into an empty database.

``manage.py export all -o FILE`` writes ``dump()``; ``manage.py import all FILE`` runs
``load()``. The file holds a header line, then one line per row: users (with their password
hashes and roles, so sign-ins survive), ratings, speakers, statements, articles (with every
revision of their text), claims (with where each correction put them), verdicts, evidence
sources, every django-simple-history row and the admin's log. Primary keys are kept, so every
reference (a claim's author, a verdict's reviewer, a history row's user) comes back as it was;
content types, permissions and groups are referred to by their natural keys, since a new
database numbers them its own way. API tokens and sessions are
secrets, not data: they are left out, and people sign in again.

Rows are written and read model by model with Django's serializers, in raw mode: nothing is
re-validated, no timestamp is touched and no history row is added by the restore itself.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model

FORMAT = "factcheck-backup"
VERSION = 1
CHUNK = 1000

# In an order that respects every foreign key (loading also defers constraint checks).
MODELS = [
    "auth.user",
    "factcheck.rating",
    "factcheck.speaker",
    "factcheck.statement",
    "factcheck.article",
    "factcheck.articlerevision",
    "factcheck.claim",
    "factcheck.claimanchoring",
    "factcheck.verdict",
    "factcheck.evidencesource",
    "factcheck.claimlink",
    "factcheck.historicalrating",
    "factcheck.historicalspeaker",
    "factcheck.historicalstatement",
    "factcheck.historicalarticle",
    "factcheck.historicalclaim",
    "factcheck.historicalverdict",
    "factcheck.historicalevidencesource",
    "factcheck.historicalclaimlink",
    "admin.logentry",
]


class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder rounds times to milliseconds; a backup keeps the microseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """The file is not a backup we can read, or the database is not empty."""


def backed_up_models() -> list[type[Model]]:
    return [apps.get_model(label) for label in MODELS if _installed(label)]


def _installed(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def _label(model: type[Model]) -> str:
    return model._meta.label_lower


# --------------------------------------------------------------------------- dump


def dump() -> Iterator[str]:
    """The backup, line by line (each ends with a newline). Memory stays flat."""
    models = backed_up_models()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "counts": {_label(m): m._default_manager.count() for m in models},
    }
    yield json.dumps(header) + "\n"
    for model in models:
        rows = model._default_manager.order_by("pk").iterator(chunk_size=CHUNK)
        for record in serializers.serialize(
            "python", rows, use_natural_foreign_keys=True, use_natural_primary_keys=False
        ):
            yield json.dumps(record, cls=_Encoder, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- load


def existing_rows() -> dict[str, int]:
    """Rows already in the tables a restore writes (migration-made ratings aside)."""
    counts = {}
    for model in backed_up_models():
        manager = model._default_manager
        if _label(model) == "factcheck.rating":
            continue  # the default scale from the migrations; replaced if unused
        n = manager.count()
        if n:
            counts[_label(model)] = n
    return counts


def _records(lines: Iterable[str]) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise BackupError(f"line {number}: not valid JSON ({exc})") from exc
        if not isinstance(record, dict):
            raise BackupError(f"line {number}: expected a JSON object")
        yield number, record


@transaction.atomic
def load(lines: Iterable[str]) -> dict[str, int]:
    """Restore a backup into an empty database; all or nothing. Returns rows per model."""
    records = _records(lines)
    try:
        _, header = next(records)
    except StopIteration:
        raise BackupError("the file is empty") from None
    if header.get("format") != FORMAT:
        raise BackupError("this is not a factcheck backup (made by `manage.py export all`)")
    if header.get("version") != VERSION:
        raise BackupError(f"backup version {header.get('version')!r}; this desk reads {VERSION}")
    busy = existing_rows()
    if busy:
        listed = ", ".join(f"{n} {label}" for label, n in sorted(busy.items()))
        raise BackupError(
            f"the database is not empty ({listed}); restore into a new, migrated database"
        )
    # The migrations' default scale goes (the backup brings its own), and so does the history
    # row its deletion writes: the history table was empty a moment ago.
    apps.get_model("factcheck", "Rating").objects.all().delete()
    apps.get_model("factcheck", "HistoricalRating").objects.all().delete()
    known = {_label(m) for m in backed_up_models()}
    loaded: dict[str, int] = {}
    touched: set[type[Model]] = set()
    with connection.constraint_checks_disabled():
        batch: list[dict] = []
        first_line = None
        for number, record in records:
            if record.get("model") not in known:
                raise BackupError(f"line {number}: unknown model {record.get('model')!r}")
            if first_line is None:
                first_line = number
            batch.append(record)
            if len(batch) >= CHUNK:
                _save(batch, first_line, loaded, touched)
                batch, first_line = [], None
        if batch:
            _save(batch, first_line, loaded, touched)
    tables = [m._meta.db_table for m in touched]
    try:
        connection.check_constraints(table_names=tables)
    except Exception as exc:
        raise BackupError(f"the backup's references do not hold together: {exc}") from exc
    _reset_sequences(touched)
    expected = {k: v for k, v in (header.get("counts") or {}).items() if v}
    if expected and expected != loaded:
        raise BackupError(f"the backup is incomplete: expected {expected}, found {loaded}")
    return loaded


def _save(batch: list[dict], first_line: int, loaded: dict, touched: set) -> None:
    try:
        for obj in serializers.deserialize("python", batch, handle_forward_references=True):
            obj.save(force_insert=True)
            model = type(obj.object)
            touched.add(model)
            loaded[_label(model)] = loaded.get(_label(model), 0) + 1
    except Exception as exc:
        raise BackupError(f"near line {first_line}: {exc}") from exc


def _reset_sequences(models: Iterable[type[Model]]) -> None:
    """Let new rows get ids after the restored ones (PostgreSQL keeps separate sequences)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
