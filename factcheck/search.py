"""Full-text search over articles, claims, speakers and statements: one query API on both
databases.

PostgreSQL: a stored, generated ``search_vector`` column per table (English stemming,
weighted: a title above a body) with a GIN index, queried with ``websearch_to_tsquery``
(quoted phrases, ``or``, ``-word``), ranked by ``ts_rank`` and shown with ``ts_headline``.
SQLite: an FTS5 table per table (Porter stemming), kept in step by triggers, ranked by
``bm25``, shown with ``snippet``. Both are made by migration 0010_search. On PostgreSQL a
visitor's search reads partial GIN indexes of what visitors may see (published claims; rows
with a published claim, counted by a trigger), made by migration 0018_search_speed, and every
search is planned on the GIN indexes (``_Postgres.planned``).

What a user may find is what they may see anywhere: each kind's ``visible_to(user)``; the
claim filters are the API's ``ClaimFilter``. A filter on claims (speaker, statement, kind,
status, rating) finds articles, speakers and statements that have such a claim the user may
see; a date filter reads an article's and a statement's own date, and a claim's article's.

    search("Putin", user, kinds=["article"], speaker=3) -> Results(hits=[Hit(...)], total=…)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from factcheck.api.filters import ClaimFilter
from factcheck.models import Article, Claim, Role, Speaker, Statement

KINDS = ("article", "claim", "speaker", "statement")
CLAIM_FILTERS = ("speaker", "statement", "kind", "status", "rating")
MAX_QUERY_CHARS = 200
MAX_HITS = 200  # per type: a search ranks, lists and counts at most this many
CONFIG = "english"
# What a snippet's matches are marked with in the database's answer: characters no text is
# expected to hold (Unicode's private use), made <mark> after the rest is escaped.
START, STOP = "\ue000", "\ue001"
PG_TEXT_CAP = 400_000  # as in migration 0010_search


@dataclass(frozen=True)
class Kind:
    name: str
    model: type
    columns: tuple[str, ...]  # indexed, in the FTS5 table's order (migration 0010_search)
    weights: tuple[float, ...]  # bm25's, per column
    snippet_from: int  # the column a snippet is cut from (-1: the best matching)

    @property
    def table(self) -> str:
        return self.model._meta.db_table


SPECS = {
    "article": Kind("article", Article, ("title", "publisher", "text"), (10.0, 2.0, 1.0), 2),
    "claim": Kind("claim", Claim, ("quote", "summary"), (1.0, 1.0), -1),
    "speaker": Kind("speaker", Speaker, ("name", "aliases"), (1.0, 1.0), -1),
    "statement": Kind("statement", Statement, ("title", "venue"), (2.0, 1.0), -1),
}


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    snippet: SafeString  # HTML: the text escaped, each match in <mark>
    rank: float  # higher is better; comparable within one search
    url: str | None
    details: dict = field(default_factory=dict)  # a few fields of the kind (status, speaker…)


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int  # of every kind asked, each counted up to MAX_HITS
    counts: dict[str, int]  # per kind
    capped: bool  # some kind had more than MAX_HITS


# --------------------------------------------------------------------------- input


class SearchForm(forms.Form):
    """What a search asks: the page's GET form and the API's query string alike. The claim
    filters are validated by the API's ``ClaimFilter`` (``errors_of``)."""

    q = forms.CharField(max_length=MAX_QUERY_CHARS, strip=True, label="Search")
    type = forms.ChoiceField(choices=[("", "Everything"), *[(k, k) for k in KINDS]], required=False)
    date_after = forms.DateField(required=False, label="From")
    date_before = forms.DateField(required=False, label="To")

    def clean_q(self):
        query = self.cleaned_data["q"].replace("\x00", "")
        if not words(query):
            raise forms.ValidationError("Type a word to search for.", code="no_words")
        return query

    def filters(self) -> dict:
        """The valid input as ``search()``'s keyword arguments (the claim filters cleaned by
        ``ClaimFilter``: call after ``errors_of`` found none)."""
        claims = ClaimFilter(self.data, queryset=Claim.objects.none())
        claims.is_valid()
        chosen = {
            name: value
            for name, value in claims.form.cleaned_data.items()
            if name in CLAIM_FILTERS and value not in (None, "")
        }
        kind = self.cleaned_data.get("type")
        return {
            "kinds": [kind] if kind else list(KINDS),
            "date_after": self.cleaned_data.get("date_after"),
            "date_before": self.cleaned_data.get("date_before"),
            **chosen,
        }


def errors_of(data) -> tuple[SearchForm, dict]:
    """The form for ``data`` and its errors, the claim filters' included ({} when valid)."""
    form = SearchForm(data)
    errors = {k: list(v) for k, v in form.errors.items()} if not form.is_valid() else {}
    claims = ClaimFilter({k: data[k] for k in CLAIM_FILTERS if k in data}, queryset=None)
    if not claims.form.is_valid():
        errors.update({k: list(v) for k, v in claims.form.errors.items()})
    return form, errors


WORD = re.compile(r"\w+")
TOKEN = re.compile(r'-?"[^"]*"?|\S+')


def words(query: str) -> list[str]:
    return WORD.findall(query)


def fts5_query(query: str) -> str:
    """``query`` as an FTS5 expression with the meaning of PostgreSQL's
    ``websearch_to_tsquery``: words and "quoted phrases" all required, ``or`` between two
    either, ``-word`` excluded. Every term is quoted, so no input is FTS5 syntax."""
    groups: list[list[str]] = []  # AND of ORs
    excluded: list[str] = []
    joining = False
    for token in TOKEN.findall(query):
        if token.lower() == "or" and groups:
            joining = True
            continue
        negative = token.startswith("-") and len(token) > 1
        found = words(token)
        if not found:
            continue
        term = '"' + " ".join(found) + '"'
        if negative:
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    if not groups:
        return ""
    expression = " AND ".join(
        group[0] if len(group) == 1 else "(" + " OR ".join(group) + ")" for group in groups
    )
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(excluded)})"
    return expression


# --------------------------------------------------------------------------- the search


def search(
    query: str,
    user,
    *,
    kinds: Iterable[str] = KINDS,
    speaker: int | None = None,
    statement: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    rating: int | None = None,
    date_after: date | None = None,
    date_before: date | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Results:
    """The best hits for ``query`` that ``user`` may see, best first, ``offset`` on."""
    claim_filters = {
        k: v
        for k, v in {
            "speaker": speaker,
            "statement": statement,
            "kind": kind,
            "status": status,
            "rating": rating,
        }.items()
        if v not in (None, "")
    }
    kinds = [k for k in KINDS if k in set(kinds)]
    query = query.replace("\x00", "")  # PostgreSQL refuses NUL in a text
    backend = _Postgres(query) if connection.vendor == "postgresql" else _Sqlite(query)
    if backend.empty:
        return Results([], 0, dict.fromkeys(kinds, 0), False)
    ranked: list[tuple[float, str, int]] = []
    counts = {}
    public = Role.of(user) is None  # a visitor: published material only (visible_to)
    with backend.planned():
        for name in kinds:
            spec = SPECS[name]
            scope = _scope(spec, user, claim_filters, date_after, date_before)
            rows = backend.matching(spec, scope, public=public)
            # The first MAX_HITS + 1 matches the index gives, each ranked: one query, whose
            # cost does not grow with a common word's hundred thousand matches (none sorted
            # whole).
            found = list(rows.order_by().values_list("search_rank", "pk")[: MAX_HITS + 1])
            counts[name] = len(found)
            ranked += [(rank, name, pk) for rank, pk in found[:MAX_HITS]]
    ranked.sort(key=lambda r: (-r[0], KINDS.index(r[1]), -r[2]))
    hits = _hits(backend, user, ranked[offset : offset + limit])
    capped = any(n > MAX_HITS for n in counts.values())
    counts = {k: min(n, MAX_HITS) for k, n in counts.items()}
    return Results(hits, sum(counts.values()), counts, capped)


def _scope(spec: Kind, user, claim_filters: dict, after, before) -> QuerySet:
    """The rows of ``spec``'s kind that ``user`` may see and the filters keep."""
    rows = spec.model.objects.visible_to(user)
    if spec.name == "claim":
        if claim_filters:
            rows = ClaimFilter(claim_filters, queryset=rows).qs
        return _dated(rows, "article__published_on", after, before)
    if spec.name in OWN_DATE:
        rows = _dated(rows, OWN_DATE[spec.name], after, before)
    if claim_filters or (spec.name not in OWN_DATE and (after or before)):
        # Those that have a claim the user may see and the filters keep.
        claims = Claim.objects.visible_to(user)
        if claim_filters:
            claims = ClaimFilter(claim_filters, queryset=claims).qs
        if spec.name not in OWN_DATE:
            claims = _dated(claims, "article__published_on", after, before)
        rows = rows.filter(Exists(claims.filter(**{spec.name: OuterRef("pk")})))
    return rows


OWN_DATE = {"article": "published_on", "statement": "date"}


def _dated(rows: QuerySet, lookup: str, after, before) -> QuerySet:
    if after:
        rows = rows.filter(**{f"{lookup}__gte": after})
    if before:
        rows = rows.filter(**{f"{lookup}__lte": before})
    return rows


class _Postgres:
    def __init__(self, query: str):
        from django.contrib.postgres.search import SearchQuery

        self.query = SearchQuery(query, config=CONFIG, search_type="websearch")
        self.empty = not words(query)

    @contextmanager
    def planned(self):
        """The search's queries planned to read the GIN indexes, never a table whole.

        PostgreSQL guesses a phrase's matches as if its words could be anywhere ("energy
        prices": 9 % of the articles, where 0.03 % hold the phrase) and any two words' as
        if they were independent; with a LIMIT, a guess of many matches makes reading the
        table from its start look cheaper than the index, and a wrong guess then tests
        every row's de-TOASTed vector (0.9 s for a phrase at 50,000 articles). Through the
        index, a search costs its matches' posting lists and at most MAX_HITS + 1 rows, a
        bounded cost whatever the guess (docs/performance.md, "Search at 1,000,000
        claims"). JIT is off too: a disabled plan's cost would turn it on, and it only
        pays for long queries. Both settings are put back as they were (SET LOCAL would
        outlive this block in a caller's transaction); after an error, the rollback of the
        block's transaction or savepoint puts them back."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), current_setting('jit'), "
                "set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)"
            )
            before = cursor.fetchone()[:2]
            yield
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), set_config('jit', %s, true)",
                before,
            )

    def vector(self, spec: Kind):
        from django.contrib.postgres.search import SearchVectorField

        column = f'"{spec.table}"."search_vector"'
        return RawSQL(column, [], output_field=SearchVectorField())  # noqa: S611 (no input)

    def matching(self, spec: Kind, rows: QuerySet, *, public: bool) -> QuerySet:
        from django.contrib.postgres.search import SearchRank

        if public and spec.name != "claim":
            # What a visitor may see has a published claim (visible_to, which ``rows`` keeps
            # asking): saying so in the query's own terms lets PostgreSQL read the partial
            # index of such rows (migration 0018_search_speed) rather than test visible_to
            # on ten rows for each one it keeps. Visitors' claims are published ones, which
            # the claims' partial index serves as it is.
            counted = f'"{spec.table}"."published_claims" > 0'
            rows = rows.filter(RawSQL(counted, [], output_field=BooleanField()))  # noqa: S611
        return (
            rows.annotate(search_vector=self.vector(spec))
            .filter(search_vector=self.query)
            .annotate(search_rank=SearchRank(self.vector(spec), self.query))
        )

    def snippet(self, spec: Kind):
        from django.contrib.postgres.search import SearchHeadline
        from django.db.models import TextField, Value
        from django.db.models.functions import Concat, Left

        if spec.snippet_from >= 0:
            source = Left(spec.columns[spec.snippet_from], PG_TEXT_CAP)
        else:
            parts = []
            for column in spec.columns:
                parts += [column, Value(" · ")]
            source = Concat(*parts[:-1], output_field=TextField())
        return SearchHeadline(
            source,
            self.query,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )


class _Sqlite:
    def __init__(self, query: str):
        self.expression = fts5_query(query)
        self.empty = not self.expression

    def planned(self):
        return nullcontext()

    def matching(self, spec: Kind, rows: QuerySet, *, public: bool) -> QuerySet:
        fts, table = f"{spec.table}_fts", spec.table
        weights = ", ".join(str(w) for w in spec.weights)
        # (Table names are the models'; the query is a parameter.)
        found = RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [self.expression])  # noqa: S608, S611
        # bm25 is lower for a better match; rank is higher.
        rank = RawSQL(  # noqa: S611
            f"(SELECT -bm25({fts}, {weights}) FROM {fts} "  # noqa: S608
            f'WHERE {fts} MATCH %s AND rowid = "{table}"."id")',
            [self.expression],
        )
        return rows.filter(pk__in=found).annotate(search_rank=rank)

    def snippet(self, spec: Kind):
        fts, table = f"{spec.table}_fts", spec.table
        return RawSQL(  # noqa: S611
            f"(SELECT snippet({fts}, {spec.snippet_from}, %s, %s, '…', 24) "  # noqa: S608
            f'FROM {fts} WHERE {fts} MATCH %s AND rowid = "{table}"."id")',
            [START, STOP, self.expression],
        )


# --------------------------------------------------------------------------- the hits


def marked(raw: str | None) -> SafeString:
    """A snippet from the database as HTML: everything escaped, then the matches (between
    START and STOP) in <mark>, always balanced whatever the text held."""
    out, inside = [], False
    for piece in re.split(f"([{START}{STOP}])", raw or ""):
        if piece == START:
            if not inside:
                out.append("<mark>")
            inside = True
        elif piece == STOP:
            if inside:
                out.append("</mark>")
            inside = False
        else:
            out.append(escape(piece))
    if inside:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)


def _hits(backend, user, page: list[tuple[float, str, int]]) -> list[Hit]:
    desk = Role.of(user) is not None
    by_kind: dict[str, list[int]] = {}
    for _, name, pk in page:
        by_kind.setdefault(name, []).append(pk)
    shown: dict[tuple[str, int], tuple] = {}
    for name, ids in by_kind.items():
        spec = SPECS[name]
        rows = spec.model.objects.filter(pk__in=ids).annotate(snippet=backend.snippet(spec))
        for pk, shape in DESCRIBE[name](rows, desk).items():
            shown[name, pk] = shape
    hits = []
    for rank, name, pk in page:
        if (name, pk) not in shown:
            continue  # deleted since it was ranked
        title, url, details, snippet = shown[name, pk]
        hits.append(Hit(name, pk, title, marked(snippet), rank, url, details))
    return hits


def _articles(rows, desk):
    return {
        pk: (
            title,
            reverse("article-detail", args=[pk]) if desk else None,
            {"publisher": publisher, "published_on": on.isoformat() if on else None},
            snippet,
        )
        for pk, title, publisher, on, snippet in rows.values_list(
            "pk", "title", "publisher", "published_on", "snippet"
        )
    }


def _claims(rows, desk):
    found = {}
    for (
        pk,
        summary,
        quote,
        status,
        kind,
        article,
        article_title,
        speaker,
        name,
        snippet,
    ) in rows.values_list(
        "pk",
        "summary",
        "quote",
        "status",
        "kind",
        "article_id",
        "article__title",
        "speaker_id",
        "speaker__name",
        "snippet",
    ):
        found[pk] = (
            summary or (quote if len(quote) <= 120 else quote[:119] + "…"),
            reverse("claim-detail" if desk else "factcheck-detail", args=[pk]),
            {
                "status": status,
                "kind": kind,
                "article": article,
                "article_title": article_title,
                "speaker": speaker,
                "speaker_name": name or "",
            },
            snippet,
        )
    return found


def _speakers(rows, desk):
    return {
        pk: (
            name,
            reverse("speaker-detail" if desk else "speaker-public", args=[pk]),
            {"speaker_kind": kind},
            snippet,
        )
        for pk, name, kind, snippet in rows.values_list("pk", "name", "kind", "snippet")
    }


def _statements(rows, desk):
    return {
        pk: (
            title,
            reverse("statement-detail" if desk else "statement-public", args=[pk]),
            {
                "date": on.isoformat() if on else None,
                "speaker": speaker,
                "speaker_name": speaker_name or "",
            },
            snippet,
        )
        for pk, title, on, speaker, speaker_name, snippet in rows.values_list(
            "pk", "title", "date", "speaker_id", "speaker__name", "snippet"
        )
    }


DESCRIBE = {
    "article": _articles,
    "claim": _claims,
    "speaker": _speakers,
    "statement": _statements,
}


def restore_sqlite_triggers(using: str = "default", **kwargs) -> None:
    """After every migrate (``post_migrate``): on SQLite, put back the FTS5 triggers a
    migration's table rebuild dropped (SQLite's ALTER TABLE remakes the table, and its
    triggers go with the old one), and rebuild that index from its table."""
    import importlib

    from django.db import connections

    db = connections[using]
    if db.vendor != "sqlite":
        return
    declared = importlib.import_module("factcheck.migrations.0010_search")
    with db.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        have = {name for (name,) in cursor.fetchall()}
        for table, columns in declared.INDEXED:
            fts = f"{table}_fts"
            if fts not in have or all(f"{fts}_{s}" in have for s in ("ai", "ad", "au")):
                continue  # not migrated so far yet, or whole
            for statement in declared.sqlite_triggers(table, columns):
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608 - our table names
