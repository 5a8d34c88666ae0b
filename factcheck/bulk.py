"""Multi-row INSERTs with their history rows, for writes of many thousand objects (imports).

``simple_history.utils.bulk_create_with_history`` does the same through ``bulk_create``, whose
compiler turns each value into SQL on its own: 90 % of a 50,000-claim import's write. Here
each value still goes through its field's own ``pre_save`` and ``get_db_prep_save`` (what
``bulk_create`` calls), and each statement's SQL is made once per batch size.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model
from django.utils import timezone


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


def create_with_history(model: type[Model], objs: Sequence[Model], *, by=None) -> None:
    """INSERT the unsaved ``objs`` and a "+" history row for each; set their pks.

    Foreign keys are taken from related objects saved before (``bulk_create`` does the same
    with ``_prepare_related_fields_for_save``). Run it inside a transaction.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert:
        raise NotImplementedError("needs INSERT ... RETURNING (SQLite 3.35+, PostgreSQL)")
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk and not f.generated]
    history = model.history.model
    history_fields, take = _history_columns(history, meta, fields, by, connection)
    per = _per_statement(connection, len(fields))
    # auto_now and auto_now_add: one time for the whole write (it is one transaction), set on
    # each object and prepared for the database once.
    now = timezone.now()
    stamped = {
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    prepared_now = {
        f.attname: f.get_db_prep_save(now, connection) for f in fields if f.attname in stamped
    }
    # A batch at a time, so that the prepared rows of 50,000 claims are never all in memory.
    for i in range(0, len(objs), per):
        batch = objs[i : i + per]
        rows = []
        for obj in batch:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            for name in stamped:
                setattr(obj, name, now)
            values = obj.__dict__
            rows.append(
                [
                    prepared_now[f.attname]
                    if f.attname in prepared_now
                    else None
                    if values[f.attname] is None  # NULL whatever the field
                    else f.get_db_prep_save(values[f.attname], connection)
                    for f in fields
                ]
            )
        pks = _insert(connection, meta.db_table, fields, rows, meta.pk.column)
        for obj, pk in zip(batch, pks, strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias
        history_rows = [
            [pk if how == "pk" else row[where] if how == "row" else where for how, where in take]
            for row, pk in zip(rows, pks, strict=True)
        ]
        _insert(connection, history._meta.db_table, history_fields, history_rows, None)


def _per_statement(connection, columns: int) -> int:
    """Rows a statement: up to 500, within the database's limit on parameters (with room for
    the history table's few more columns)."""
    limit = connection.features.max_query_params or 65_535  # PostgreSQL: none but the protocol's
    if connection.vendor == "sqlite":  # Django assumes 999; SQLite 3.32+ allows 32,766
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(500, limit // (columns + 5)))


def _history_columns(history, meta, fields, by, connection) -> tuple[list, list[tuple]]:
    """The history table's columns, and for each where its value comes from: the object's pk,
    its prepared row, or the values every "+" row of this write shares."""
    at = {f.attname: i for i, f in enumerate(fields)}
    shared = {
        "history_date": history._meta.get_field("history_date").get_db_prep_save(
            timezone.now(), connection
        ),
        "history_change_reason": None,
        "history_type": "+",
        "history_user_id": getattr(by, "pk", None),
    }
    columns, take = [], []  # the history table's fields, and where each value comes from
    for f in history._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f)
        if f.attname == meta.pk.attname:
            take.append(("pk", None))
        elif f.attname in at:
            take.append(("row", at[f.attname]))
        else:
            take.append(("shared", shared[f.attname]))  # a history field unknown here: KeyError
    return columns, take
