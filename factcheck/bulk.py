"""Multi-row INSERTs with their history rows, for writes of many thousand objects (imports).

``simple_history.utils.bulk_create_with_history`` does the same through ``bulk_create``, whose
compiler turns each value into SQL on its own: 90 % of a 50,000-claim import's write. Here
each value still goes through its field's own ``pre_save`` and ``get_db_prep_save`` (what
``bulk_create`` calls), and each statement's SQL is made once per batch size.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Callable, Sequence
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Model
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone

# A field's verdict on a value is remembered only for values of these types (immutable).
_REMEMBERED = (str, int, float, bool, datetime.date, datetime.datetime, datetime.time)
_UNKNOWN = object()


class FullClean:
    """``Model.full_clean(exclude, validate_unique=False, validate_constraints=False)`` for
    many new objects of one model: the same checks, each field's verdict on a value
    remembered (50,000 imported claims have four kinds and two check-worthy values; the
    fields' ``clean`` one by one was most of ``full_clean``). Relations are checked each time
    (their check may read the database), ``Model.clean`` runs on each object, and an object
    with any problem goes through ``full_clean`` itself, so its messages are Django's own.
    """

    LIMIT = 100_000  # remembered verdicts, at most

    def __init__(self, model: type[Model], exclude: Sequence[str] = ()):
        self.exclude = list(exclude)
        self.fields = [
            (f, f.attname, not f.is_relation)
            for f in model._meta.fields
            if f.name not in self.exclude and not f.generated
        ]
        self.verdicts: dict = {}

    def __call__(self, obj: Model) -> None:
        values = obj.__dict__
        for field, attname, remember in self.fields:
            raw = values[attname]
            # As clean_fields: an empty value of a field that may be blank is not checked.
            if field.blank and raw in field.empty_values or isinstance(raw, DatabaseDefault):
                continue
            key = (attname, type(raw), raw) if remember else None
            try:
                verdict = self.verdicts.get(key, _UNKNOWN)
            except TypeError:  # unhashable: checked each time
                key, verdict = None, _UNKNOWN
            if verdict is _UNKNOWN:
                try:
                    verdict = field.clean(raw, obj)
                except ValidationError:
                    return self._whole(obj)
                if key and isinstance(verdict, _REMEMBERED) and len(self.verdicts) < self.LIMIT:
                    self.verdicts[key] = verdict
            if verdict is not raw:
                setattr(obj, attname, verdict)
        try:
            obj.clean()
        except ValidationError:
            self._whole(obj)

    def _whole(self, obj: Model) -> None:
        obj.full_clean(exclude=self.exclude, validate_unique=False, validate_constraints=False)


def _insert(connection, table: str, fields: list, rows: list[list], returning: str | None):
    """INSERT ``rows`` (values of ``fields``, prepared) and return the new ``returning`` ids:
    on PostgreSQL ids drawn from the table's sequence and the rows COPYed (psycopg's C path;
    a multi-row INSERT spent most of its time spelling values out in Python), elsewhere
    multi-row VALUES ... RETURNING."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            pks = []
            if returning:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [quote(table), returning, len(rows)],
                )
                pks = [row[0] for row in cursor.fetchall()]
                columns = f"{quote(returning)}, {columns}"
            copy = f"COPY {quote(table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy) as sink:
                for i, row in enumerate(rows):
                    sink.write_row([pks[i], *row] if returning else row)
        return pks
    tail = f" RETURNING {quote(returning)}" if returning else ""
    per = _per_statement(connection, len(fields))
    # SQLite's own placeholders, on its own cursor: Django's wrapper rewrote each statement's
    # thousands of %s into ? with a regular expression (a tenth of the write).
    one = f"({', '.join(['?'] * len(fields))})"
    out = []
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        for i in range(0, len(rows), per):
            batch = rows[i : i + per]
            values = ", ".join([one] * len(batch))
            params = [value for row in batch for value in row]
            with connection.wrap_database_errors:
                cursor.execute(
                    f"INSERT INTO {quote(table)} ({columns}) VALUES {values}{tail}",  # noqa: S608 - names from the model
                    params,
                )
                if returning:
                    out.extend(row[0] for row in cursor.fetchall())
    return out


def create_with_history(
    model: type[Model], objs: Sequence[Model], *, by=None, connection=None
) -> None:
    """INSERT the unsaved ``objs`` and a "+" history row for each; set their pks.

    Foreign keys are taken from related objects saved before (``bulk_create`` does the same
    with ``_prepare_related_fields_for_save``). Run it inside a transaction, on
    ``connection`` (the model's database's, of this thread, by default).
    """
    if not objs:
        return
    connection = connection or connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert:
        raise NotImplementedError("needs INSERT ... RETURNING (SQLite 3.35+, PostgreSQL)")
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk and not f.generated]
    history = model.history.model
    history_fields, history_row = _history_columns(history, meta, fields, by, connection)
    per = _per_statement(connection, len(fields))
    # auto_now and auto_now_add: one time for the whole write (it is one transaction), set on
    # each object and prepared for the database once.
    now = timezone.now()
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    prepare = [
        _Constant(f.get_db_prep_save(now, connection))
        if f.attname in stamped
        else _Prepared(f, connection)
        for f in fields
    ]
    columns = [(f.attname, p) for f, p in zip(fields, prepare, strict=True)]
    # A batch at a time, so that the prepared rows of 50,000 claims are never all in memory.
    for i in range(0, len(objs), per):
        batch = objs[i : i + per]
        rows = []
        for obj in batch:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            values = obj.__dict__
            for name in stamped:
                values[name] = now
            rows.append([p(values[name]) for name, p in columns])
        pks = _insert(connection, meta.db_table, fields, rows, meta.pk.column)
        for obj, pk in zip(batch, pks, strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias
        history_rows = [history_row(row, pk) for row, pk in zip(rows, pks, strict=True)]
        _insert(connection, history._meta.db_table, history_fields, history_rows, None)


class _Constant:
    """A value prepared once for every row of a write (the time of its ``auto_now`` fields)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __call__(self, _):
        return self.value


class _Prepared:
    """A field's values as the database takes them: its ``get_db_prep_save``, each distinct
    value prepared once while values repeat (a claim's kind, status, article), and every
    value on its own in a field where they do not (a quote)."""

    __slots__ = ("field", "connection", "seen", "looked", "hits")

    TRIAL = 1000  # values looked up before a field whose values do not repeat stops looking

    def __init__(self, field, connection):
        self.field, self.connection = field, connection
        self.seen: dict | None = {}
        self.looked = self.hits = 0

    def __call__(self, value):
        if value is None:  # NULL whatever the field
            return None
        seen = self.seen
        if seen is None:
            return self.field.get_db_prep_save(value, self.connection)
        try:
            known = seen.get(value)
        except TypeError:  # unhashable
            return self.field.get_db_prep_save(value, self.connection)
        if known is not None and known[0] is type(value):  # 1 and True are equal keys
            self.hits += 1
            return known[1]
        prepared = self.field.get_db_prep_save(value, self.connection)
        self.looked += 1
        if self.looked < self.TRIAL or self.hits * 2 > self.looked:
            seen[value] = (type(value), prepared)
        else:
            self.seen = None
        return prepared


def _per_statement(connection, columns: int) -> int:
    """Rows a statement: up to 500, within the database's limit on parameters (with room for
    the history table's few more columns)."""
    limit = connection.features.max_query_params or 65_535  # PostgreSQL: none but the protocol's
    if connection.vendor == "sqlite":  # Django assumes 999; SQLite 3.32+ allows 32,766
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(500, limit // (columns + 5)))


def _history_columns(history, meta, fields, by, connection) -> tuple[list, Callable]:
    """The history table's columns, and a function making a "+" history row of them from
    an object's prepared row and its pk (the rest is what every row of this write shares)."""
    at = {f.attname: i for i, f in enumerate(fields)}
    shared = {
        "history_date": history._meta.get_field("history_date").get_db_prep_save(
            timezone.now(), connection
        ),
        "history_change_reason": None,
        "history_type": "+",
        "history_user_id": getattr(by, "pk", None),
    }
    # Each history column's place in [*row, pk, *constants].
    columns, places, constants = [], [], []
    for f in history._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f)
        if f.attname == meta.pk.attname:
            places.append(len(fields))
        elif f.attname in at:
            places.append(at[f.attname])
        else:
            places.append(len(fields) + 1 + len(constants))
            constants.append(shared[f.attname])  # a history field unknown here: KeyError
    take = itemgetter(*places)
    return columns, lambda row, pk: take([*row, pk, *constants])
