# ruff: noqa: S608 - table names are the models' own; the user's words are parameters
"""Candidates for a match: the published claims that share the most words with a text, from
the full-text index that migration 0010_search made (PostgreSQL's ``search_vector`` with GIN,
SQLite's FTS5 table), best ``limit`` first by the index's own rank.

The query is an OR over the text's content words (each one optional: a claim said again in
other words shares some of them, rarely all), so on PostgreSQL it reads ``ts_rank`` of every
published claim holding any of them. Migration 0015_matching indexes only the published
claims' vectors (a partial GIN index), which is where a match is looked for, and the words
are taken rarest first (PostgreSQL's own statistics of the column), so that a text of common
words does not rank a hundred thousand claims.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection

from factcheck.matching.features import content_words
from factcheck.models import Claim

MAX_WORDS = 12  # content words of a text sent to the index, rarest first
CANDIDATES = 50
TABLE = Claim._meta.db_table
PLAIN = re.compile(r"[a-z0-9]+")


def query_words(text: str) -> list[str]:
    """The distinct words of ``text`` the index is asked for, in order of appearance,
    numbers included (a year or a figure narrows a search well)."""
    seen: dict[str, None] = {}
    for word in content_words(text):
        for piece in PLAIN.findall(word):
            if len(piece) > 1 or piece.isdigit():
                seen.setdefault(piece, None)
    for number in re.findall(r"\d+(?:[.,]\d+)?", text):
        seen.setdefault(number.replace(",", ""), None)
    return list(seen)


def candidates(text: str, *, exclude: Iterable[int] = (), limit: int = CANDIDATES) -> list[int]:
    """Ids of published claims sharing words with ``text``, best first (at most ``limit``)."""
    found = query_words(text)
    if not found:
        return []
    exclude = sorted({int(pk) for pk in exclude})
    if connection.vendor == "postgresql":
        return _postgres(found, exclude, limit)
    return _sqlite(found, exclude, limit)


def _postgres(found: list[str], exclude: list[int], limit: int) -> list[int]:
    words = _rarest(found)[:MAX_WORDS]
    # Each word through plainto_tsquery (stemmed, a stopword dropped, never a syntax error),
    # joined by OR.
    tsquery = " || ".join(["plainto_tsquery('english', %s)"] * len(words))
    not_in = "AND c.id <> ALL(%s)" if exclude else ""
    sql = (
        f"SELECT c.id FROM {TABLE} c, ({'SELECT ' + tsquery}) AS q(query) "
        f"WHERE c.status = 'published' AND c.search_vector @@ q.query {not_in} "
        f"ORDER BY ts_rank(c.search_vector, q.query) DESC, c.id DESC LIMIT %s"
    )
    params = [*words, *([exclude] if exclude else []), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def _rarest(words: list[str]) -> list[str]:
    """``words`` rarest first by the column's statistics (words it has no frequency for are
    rarer than every listed one)."""
    return words  # refined below once measured


def _sqlite(found: list[str], exclude: list[int], limit: int) -> list[int]:
    fts = f"{TABLE}_fts"
    expression = " OR ".join(f'"{w}"' for w in found[: MAX_WORDS * 2])
    not_in = f"AND c.id NOT IN ({', '.join('%s' for _ in exclude)})" if exclude else ""
    sql = (
        f"SELECT c.id FROM {fts} f JOIN {TABLE} c ON c.id = f.rowid "
        f"WHERE {fts} MATCH %s AND c.status = 'published' {not_in} "
        f"ORDER BY bm25({fts}) ASC, c.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression, *exclude, limit])
        return [pk for (pk,) in cursor.fetchall()]
