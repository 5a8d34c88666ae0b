# ruff: noqa: S608 - table names are the models' own; the user's words are parameters
"""Candidates for a match: the published claims that share the most words with a text, from
the full-text index that migration 0010_search made (PostgreSQL's ``search_vector`` with GIN,
SQLite's FTS5 table), best ``limit`` first by the index's own rank.

The query is an OR over the text's content words (each one optional: a claim said again in
other words shares some of them, rarely all). On PostgreSQL the words are taken rarest first,
by the column's own statistics (ANALYZE keeps the commonest lexemes of a tsvector column and
the share of rows holding each), until they are expected in about ``ROW_BUDGET`` claims: a text
of common words does not rank a hundred thousand claims, and the rare words are the ones that
tell one claim from another. At 1,000,000 claims this halves the median and the p99 of a match
query (docs/matching.md); no index of its own is needed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

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
    with connection.cursor() as cursor:
        # The words as the index holds them (English stems, stopwords dropped).
        cursor.execute(
            "SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', %s)))",
            [" ".join(found)],
        )
        lexemes = chosen(sorted(lexeme for (lexeme,) in cursor.fetchall()), frequencies(cursor))
        if not lexemes:
            return []
        not_in = "AND c.id <> ALL(%s)" if exclude else ""
        cursor.execute(
            f"SELECT c.id FROM {TABLE} c, (SELECT to_tsquery('simple', "
            "string_agg(quote_literal(l), ' | ')) FROM unnest(%s::text[]) l) AS q(query) "
            f"WHERE c.status = 'published' AND c.search_vector @@ q.query {not_in} "
            "ORDER BY ts_rank(c.search_vector, q.query) DESC, c.id DESC LIMIT %s",
            [lexemes, *([exclude] if exclude else []), limit],
        )
        return [pk for (pk,) in cursor.fetchall()]


# The index is asked for the rarest words until they are expected in about this many claims
# (of every status: the GIN index holds them all, and each is read to check its status).
ROW_BUDGET = 20_000
MIN_WORDS = 3
STATS_TTL = 600.0  # seconds a process keeps the column's word frequencies
_stats: dict = {}


@dataclass(frozen=True)
class Frequencies:
    rows: float  # the table's estimated rows
    share: dict[str, float]  # lexeme -> share of rows holding it (the commonest ones)
    floor: float  # a lexeme not listed is in fewer rows than this share


def frequencies(cursor) -> Frequencies:
    """PostgreSQL's own statistics of the claims' ``search_vector`` (ANALYZE keeps the
    commonest lexemes of a tsvector column and the share of rows holding each)."""
    key = connection.settings_dict["NAME"]
    cached = _stats.get(key)
    if cached and time.monotonic() - cached[0] < STATS_TTL:
        return cached[1]
    cursor.execute(
        "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples "
        "FROM pg_class c LEFT JOIN pg_stats s ON s.tablename = c.relname "
        "AND s.attname = 'search_vector' AND s.schemaname = current_schema() "
        "WHERE c.relname = %s",
        [TABLE],
    )
    row = cursor.fetchone()
    elems, freqs, rows = row if row else (None, None, 0)
    if elems and freqs:
        share = dict(zip(elems, freqs[: len(elems)], strict=True))
        found = Frequencies(max(float(rows or 0), 0.0), share, min(share.values()))
    else:
        found = Frequencies(max(float(rows or 0), 0.0), {}, 0.0)
    _stats[key] = (time.monotonic(), found)
    return found


def chosen(lexemes: list[str], stats: Frequencies) -> list[str]:
    """The rarest ``lexemes`` first, as many as the row budget allows (at least MIN_WORDS,
    at most MAX_WORDS); every one when the table is small or not analysed yet."""
    if stats.rows <= ROW_BUDGET or not stats.share:
        return lexemes[:MAX_WORDS]
    ranked = sorted(lexemes, key=lambda lex: (stats.share.get(lex, stats.floor / 2), lex))
    picked, expected = [], 0.0
    for lexeme in ranked[:MAX_WORDS]:
        rows = stats.share.get(lexeme, stats.floor / 2) * stats.rows
        if len(picked) >= MIN_WORDS and expected + rows > ROW_BUDGET:
            break
        picked.append(lexeme)
        expected += rows
    return picked


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
