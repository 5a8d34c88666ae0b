"""Multi-row INSERTs with their history rows, for writes of many thousand objects (imports).

``simple_history.utils.bulk_create_with_history`` does the same through ``bulk_create``, whose
compiler turns each value into SQL on its own: 90 % of a 50,000-claim import's write. Here
each value still goes through its field's own ``pre_save`` and ``get_db_prep_save`` (what
``bulk_create`` calls), and each statement's SQL is made once per batch size.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from operator import itemgetter
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import CharField, Field, IntegerField, Model, TextField
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


class Rows(NamedTuple):
    """An INSERT made ready: the table, its columns (model fields) and the prepared rows."""

    table: str
    fields: list
    rows: list


class Ids:
    """The primary keys of the objects a write makes, by model. PostgreSQL: drawn from the
    table's sequence, and possibly ahead of the rows (``draw``), so that an import's next
    rows are made while the connection still writes the ones before (``imports._Batch``);
    an id drawn and never used is a gap, as a rolled-back INSERT leaves. SQLite: the ids the
    table would give (past the largest it ever gave), when they are taken: the transaction
    holds the write lock (BEGIN IMMEDIATE), so no other writer takes them meanwhile, and
    none are ever drawn ahead (a row written after would take them)."""

    def __init__(self, connection):
        self.connection = connection
        self.pools: dict[type[Model], list[int]] = {}

    def ready(self, model: type[Model], count: int) -> bool:
        """Are ``count`` ids of ``model`` drawn already (none to ask the database for)?"""
        return len(self.pools.get(model, ())) >= count

    def take(self, model: type[Model], count: int) -> list[int]:
        pool = self.pools.setdefault(model, [])
        if len(pool) < count:
            self.draw(model, count - len(pool))
        taken, self.pools[model] = pool[:count], pool[count:]
        return taken

    def ahead(self, model: type[Model], count: int) -> None:
        """Have ``count`` ids of ``model`` drawn (PostgreSQL), for rows made later while the
        connection is busy."""
        self.draw(model, count - len(self.pools.get(model, ())))

    def draw(self, model: type[Model], count: int) -> None:
        """Draw ``count`` more ids of ``model`` (one query)."""
        if count <= 0:
            return
        meta, quote = model._meta, self.connection.ops.quote_name
        pool = self.pools.setdefault(model, [])
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # The sequence looked up once, not for each row (a twentieth of the server's
                # share of an import was pg_get_serial_sequence).
                cursor.execute(
                    "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS s) "
                    "SELECT nextval(s.s) FROM s, generate_series(1, %s)",
                    [quote(meta.db_table), meta.pk.column, count],
                )
                pool.extend(row[0] for row in cursor.fetchall())
                return
            if pool:  # (SQLite: see above)
                raise RuntimeError("SQLite ids are drawn when they are taken, never ahead")
            # Written with the rows: RETURNING made SQLite keep and hand back each
            # statement's rows, a third of the INSERT.
            cursor.execute(
                f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608 - names from the model
                f"coalesce((SELECT max({quote(meta.pk.column)}) FROM {quote(meta.db_table)}), 0))",
                [meta.db_table],
            )
            first = cursor.fetchone()[0] + 1
            pool.extend(range(first, first + count))


def insert(connection, prepared: Iterable[Rows]) -> None:
    """Write ``prepared`` rows (``prepare_with_history``), in their order."""
    for rows in prepared:
        _insert(connection, rows.table, rows.fields, rows.rows)


def _insert(connection, table: str, fields: list, rows: list):
    """INSERT ``rows`` (values of ``fields``, prepared): on PostgreSQL COPYed, in binary
    (psycopg's C path; a multi-row INSERT spent most of its time spelling values out in
    Python); on SQLite multi-row VALUES."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Binary: the server reads each value as it is stored rather than parsing its
            # text (a twentieth of the server's share of an import: the times, the numbers).
            types = _column_types(cursor, table, [f.column for f in fields])
            copy = f"COPY {quote(table)} ({columns}) FROM STDIN (FORMAT BINARY)"
            with cursor.cursor.copy(copy) as sink:
                sink.set_types(types)
                for row in rows:
                    sink.write_row(row)
        return
    per = _per_statement(connection, len(fields))
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        # SQLite's own placeholders, on its own cursor, by sqlite3's own execute: Django's
        # wrapper rewrote each statement's thousands of %s into ? with a regular expression.
        one = f"({', '.join(['?'] * len(rows[0]))})"
        for i in range(0, len(rows), per):
            batch = rows[i : i + per]
            values = ", ".join([one] * len(batch))
            params = list(chain.from_iterable(batch))
            with connection.wrap_database_errors:
                sqlite3.Cursor.execute(
                    cursor,
                    f"INSERT INTO {quote(table)} ({columns}) VALUES {values}",  # noqa: S608 - names from the model
                    params,
                )


def _column_types(cursor, table: str, columns: list[str]) -> list[int]:
    """The type (oid) of each of ``table``'s ``columns``, as the database has them (what a
    binary COPY must be told), asked once for each database, table and columns."""
    key = (cursor.db.settings_dict["NAME"], table, tuple(columns))
    types = _TYPES.get(key)
    if types is None:
        cursor.execute(
            "SELECT a.atttypid FROM unnest(%s::text[]) WITH ORDINALITY AS c(name, i) "
            "JOIN pg_attribute a ON a.attrelid = %s::regclass AND a.attname = c.name "
            "ORDER BY c.i",
            [columns, cursor.db.ops.quote_name(table)],
        )
        types = _TYPES[key] = [row[0] for row in cursor.fetchall()]
        if len(types) != len(columns):
            del _TYPES[key]
            raise LookupError(f"{table}: not all of {columns} are its columns")
    return types


_TYPES: dict[tuple, list[int]] = {}


def prepare_with_history(
    model: type[Model],
    objs: Sequence[Model],
    *,
    by=None,
    connection=None,
    ids: Ids | None = None,
) -> Iterator[Rows]:
    """The rows of the unsaved ``objs`` and of a "+" history row for each, a batch at a time
    (the batch's rows, then its history rows), for ``insert``: each object is given its pk
    (from ``ids``) and its foreign keys from the related objects given theirs before
    (``bulk_create`` does the same with ``_prepare_related_fields_for_save``; here
    ``_Relations``). Lazy: on SQLite each batch's ids are taken after the batch before is
    written. Write them inside a transaction, on ``connection`` (the model's database's, of
    this thread, by default)."""
    if not objs:
        return
    connection = connection or connections[router.db_for_write(model)]
    if connection.vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"bulk writes on {connection.vendor}")
    ids = ids or Ids(connection)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk and not f.generated]
    history = model.history.model
    history_fields, history_rows = _history_columns(history, meta, fields, by, connection)
    per = _per_statement(connection, len(fields) + 1)
    # auto_now and auto_now_add: one time for the whole write (it is one transaction), set on
    # each object and prepared for the database once.
    now = timezone.now()
    stamps = {
        f.attname: now
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    columns = [_Column(f, connection, stamped=f.attname in stamps, now=now) for f in fields]
    relate = _Relations(model)
    # A batch at a time, so that the prepared rows of 50,000 claims are never all in memory.
    for i in range(0, len(objs), per):
        batch = objs[i : i + per]
        for obj in batch:
            relate(obj)
            obj.__dict__.update(stamps)
        values = [obj.__dict__ for obj in batch]
        prepared = [column(values) for column in columns]
        pks = ids.take(model, len(batch))
        for obj, pk in zip(batch, pks, strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias
        yield Rows(meta.db_table, [meta.pk, *fields], list(zip(pks, *prepared, strict=True)))
        yield Rows(history._meta.db_table, history_fields, history_rows(prepared, pks))


class _Relations:
    """``Model._prepare_related_fields_for_save`` (what ``bulk_create`` calls on each object)
    for many objects of one model: each foreign key whose related object was saved since it
    was set takes its key, and an unsaved one is refused by Django's own call (its message).
    The same steps, looked up once for the model rather than for each object and field: a
    tenth of an import's write was this loop over every field of 50,000 claims."""

    def __init__(self, model: type[Model]):
        meta = model._meta
        self.fields = [
            (f, f.cache_name, f.attname, f.target_field.attname)
            for f in meta.concrete_fields
            if f.is_relation
        ]
        self.whole = bool(meta.private_fields)  # GenericForeignKeys: Django's own loop

    def __call__(self, obj: Model) -> None:
        if self.whole:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            return
        cache, values = obj._state.fields_cache, obj.__dict__
        if not cache:
            return  # nothing related was set: nothing to check
        for field, name, attname, key in self.fields:
            related = cache.get(name)
            if not related:
                continue
            if not related._is_pk_set():
                obj._prepare_related_fields_for_save(operation_name="bulk_create")  # raises
            if values[attname] in field.empty_values:
                values[attname] = getattr(related, key)  # (its descriptor's assignment)
            elif getattr(related, key) != values[attname]:
                del cache[name]


class _Column:
    """One field's values of a batch of objects as the database takes them: its
    ``get_db_prep_save``, once for each distinct value of the whole write (a claim's kind,
    status and article repeat, and 50,000 claims' offsets are a few thousand numbers), none
    for a string of Django's own CharField or TextField or an int of its IntegerField where
    the backend adapts none (their preparation is ``str``'s or ``int``'s own value), one
    value for the times of ``auto_now`` fields. Made column by column, a row was 27 calls in
    Python per object."""

    LIMIT = 100_000  # prepared values remembered, at most

    def __init__(self, field, connection, *, stamped: bool, now):
        self.field, self.connection = field, connection
        self.name = itemgetter(field.attname)
        self.constant = field.get_db_prep_save(now, connection) if stamped else _UNKNOWN
        kind = type(field)
        own = (
            kind.get_db_prep_save is Field.get_db_prep_save
            and kind.get_db_prep_value is Field.get_db_prep_value
            and kind.get_prep_value in (CharField.get_prep_value, TextField.get_prep_value)
            and kind.to_python in (CharField.to_python, TextField.to_python)
        )
        whole = (
            kind.get_db_prep_save is Field.get_db_prep_save
            and kind.get_db_prep_value is IntegerField.get_db_prep_value
            and kind.get_prep_value is IntegerField.get_prep_value
            and type(connection.ops).adapt_integerfield_value
            is BaseDatabaseOperations.adapt_integerfield_value
        )
        self.as_they_are = {str, type(None)} if own else {int, type(None)} if whole else set()
        self.known: dict = {}  # (type, value) -> prepared, across the batches of a write

    def __call__(self, objects: list[dict]) -> list:
        if self.constant is not _UNKNOWN:
            return [self.constant] * len(objects)
        values = list(map(self.name, objects))
        types = list(map(type, values))
        if self.as_they_are and set(types) <= self.as_they_are:
            return values
        try:
            # By value and type: 1 and True are one key of a dict, not one value of a field.
            distinct = dict.fromkeys(zip(types, values, strict=True))
        except TypeError:  # unhashable values: each on its own
            return [self._prepare(value) for value in values]
        known = self.known
        for key in distinct:
            prepared = known.get(key, _UNKNOWN)
            if prepared is _UNKNOWN:
                prepared = self._prepare(key[1])
                if key[0] in _REMEMBERED and len(known) < self.LIMIT:
                    known[key] = prepared
            distinct[key] = prepared
        return list(map(distinct.__getitem__, zip(types, values, strict=True)))

    def _prepare(self, value):
        if value is None:  # NULL whatever the field
            return None
        return self.field.get_db_prep_save(value, self.connection)


def _per_statement(connection, columns: int) -> int:
    """Rows a statement. SQLite: up to 500, within its limit on parameters (with room for
    the history table's few more columns). PostgreSQL's COPY has none: up to 5,000, so that
    a part of an import (``imports._Batch.flush``) is a few statements, each a wait for the
    thread that writes it."""
    if connection.vendor == "postgresql":
        return 5000
    connection.ensure_connection()  # Django assumes 999; SQLite 3.32+ allows 32,766
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(500, limit // (columns + 5)))


def _history_columns(history, meta, fields, by, connection) -> tuple[list, Callable]:
    """The history table's columns, and a function making the "+" history rows of a batch
    from its prepared columns and its pks (the rest is what every row of this write shares)."""
    at = {f.attname: i for i, f in enumerate(fields)}
    shared = {
        "history_date": history._meta.get_field("history_date").get_db_prep_save(
            timezone.now(), connection
        ),
        "history_change_reason": None,
        "history_type": "+",
        "history_user_id": getattr(by, "pk", None),
    }
    # Where each history column comes from: the pk, a column of the row, or a constant.
    columns, takes = [], []
    for f in history._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f)
        if f.attname == meta.pk.attname:
            takes.append(("pk", None))
        elif f.attname in at:
            takes.append(("column", at[f.attname]))
        else:
            takes.append(("constant", shared[f.attname]))  # a history field unknown: KeyError

    def rows(prepared: list[list], pks: list) -> list[tuple]:
        return list(
            zip(
                *(
                    pks
                    if how == "pk"
                    else prepared[where]
                    if how == "column"
                    else [where] * len(pks)
                    for how, where in takes
                ),
                strict=True,
            )
        )

    return columns, rows
