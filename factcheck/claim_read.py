"""What a claim is when read: one declaration, and every reader built from it.

``CLAIM`` lists a claim's fields as readers see them, each by name, with where the value
comes from (a lookup or an ORM expression) and which readers show it: the API (``api``),
the annotation page's data (``page``) and the exports (``export``). ``APPROVED_VERDICT``
does the same for the approved verdict every reader shows beside a claim.

``ClaimReader`` turns a claim queryset into rows: dicts keyed by these names, read in one
ORM query (its WHERE is the caller's queryset: ``visible_to``, filters, paging) and one
more for the approved verdicts. The API (``api/serializers.py``), the annotation page
(``views.article_detail``) and every format in ``exports/`` read those rows by name.

To add a field to every reader: add it to the model (and its migration), then here. A
format with a fixed vocabulary maps the names it knows and carries the others as they
are (see each format's ``extras``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

API, PAGE, EXPORT = "api", "page", "export"
EVERYWHERE = frozenset({API, PAGE, EXPORT})
NOT_PAGE = frozenset({API, EXPORT})
ONLY_EXPORT = frozenset({EXPORT})


@dataclass(frozen=True)
class ReadField:
    """One named value of a claim row.

    ``source`` is a lookup (``"speaker_id"``), an ORM expression, or a function of the
    reading user giving one (built when read: ``editable`` depends on who reads, and
    expressions over other models need the app registry).
    ``type`` is the Python type of the value read (``None`` allowed when ``null``).
    """

    name: str
    source: str | object | Callable
    type: type = str
    readers: frozenset = EVERYWHERE
    null: bool = False
    help: str = ""

    def expression(self, user):
        source = self.source(user) if callable(self.source) else self.source
        return F(source) if isinstance(source, str) else source


def _name_of(model_name: str, column: str, key: str) -> Callable:
    """A related row's column by a correlated subquery ("" when there is none).

    A subquery, not a join: each is an index lookup per claim, where PostgreSQL's planner
    hashed every speaker and statement to join a page of claims to them.
    """

    def expression(user):
        from django.apps import apps

        model = apps.get_model("factcheck", model_name)
        related = model._base_manager.filter(pk=OuterRef(key)).order_by().values(column)[:1]
        return Coalesce(Subquery(related), Value(""))

    return expression


def _editable(user):
    from factcheck.models import Claim

    condition = Claim.editable_condition(user)
    if isinstance(condition, bool):
        return Value(condition, output_field=BooleanField())
    return ExpressionWrapper(condition, output_field=BooleanField())


def _claim_fields() -> tuple[ReadField, ...]:
    return (
        ReadField("id", "id", int),
        ReadField("article", "article_id", int),
        ReadField("start", "start", int, help="Code-point offset of the first character."),
        ReadField("end", "end", int, help="Code-point offset just past the last character."),
        ReadField("quote", "quote", readers=NOT_PAGE, help="Exactly article.text[start:end]."),
        ReadField("prefix", "prefix", readers=NOT_PAGE),
        ReadField("suffix", "suffix", readers=NOT_PAGE),
        ReadField("kind", "kind"),
        ReadField("speaker", "speaker_id", int, null=True, help="Empty: the article's author."),
        ReadField("speaker_name", _name_of("Speaker", "name", "speaker_id")),
        ReadField("statement", "statement_id", int, null=True),
        ReadField("statement_title", _name_of("Statement", "title", "statement_id")),
        ReadField("summary", "summary"),
        ReadField("check_worthy", "check_worthy", bool),
        ReadField("status", "status"),
        ReadField("cue_start", "cue_start", int, NOT_PAGE, null=True),
        ReadField("cue_end", "cue_end", int, NOT_PAGE, null=True),
        ReadField("source_start", "source_start", int, NOT_PAGE, null=True),
        ReadField("source_end", "source_end", int, NOT_PAGE, null=True),
        ReadField(
            "created_by",
            F("created_by__username"),
            str,
            NOT_PAGE,
            null=True,
            help="Username of the annotator.",
        ),
        ReadField("created_at", "created_at", datetime.datetime, NOT_PAGE),
        ReadField("updated_at", "updated_at", datetime.datetime, NOT_PAGE),
        ReadField("published_at", "published_at", datetime.datetime, NOT_PAGE, null=True),
        ReadField("version", "version", int, help="Bumped on every edit (the ETag)."),
        ReadField(
            "editable",
            _editable,
            bool,
            frozenset({API, PAGE}),
            help="Whether you may edit (and delete) this claim.",
        ),
        # What the exports say about the claim's article, speaker, statement and author.
        ReadField("article_title", F("article__title"), readers=ONLY_EXPORT),
        ReadField("article_url", F("article__url"), readers=ONLY_EXPORT),
        ReadField("article_publisher", F("article__publisher"), readers=ONLY_EXPORT),
        ReadField("article_byline", F("article__byline"), readers=ONLY_EXPORT),
        ReadField(
            "article_published_on",
            F("article__published_on"),
            datetime.date,
            ONLY_EXPORT,
            null=True,
        ),
        ReadField("speaker_kind", F("speaker__kind"), str, ONLY_EXPORT, null=True),
        ReadField("speaker_description", F("speaker__description"), str, ONLY_EXPORT, null=True),
        ReadField("speaker_aliases", F("speaker__aliases"), str, ONLY_EXPORT, null=True),
        ReadField("speaker_wikidata_id", F("speaker__wikidata_id"), str, ONLY_EXPORT, null=True),
        ReadField("statement_kind", F("statement__kind"), str, ONLY_EXPORT, null=True),
        ReadField("statement_date", F("statement__date"), datetime.date, ONLY_EXPORT, null=True),
        ReadField("statement_venue", F("statement__venue"), str, ONLY_EXPORT, null=True),
        ReadField("statement_url", F("statement__url"), str, ONLY_EXPORT, null=True),
        ReadField("created_by_first_name", F("created_by__first_name"), str, ONLY_EXPORT, True),
        ReadField("created_by_last_name", F("created_by__last_name"), str, ONLY_EXPORT, True),
    )


def _verdict_fields() -> tuple[ReadField, ...]:
    return (
        ReadField("id", "id", int),
        ReadField("rating", "rating_id", int, NOT_PAGE),
        ReadField("rating_label", F("rating__label")),
        ReadField("rating_value", F("rating__value"), int, ONLY_EXPORT, null=True),
        ReadField("rationale", "rationale", readers=NOT_PAGE),
        ReadField("reviewer", F("reviewer__username"), readers=ONLY_EXPORT),
        ReadField("reviewer_first_name", F("reviewer__first_name"), readers=ONLY_EXPORT),
        ReadField("reviewer_last_name", F("reviewer__last_name"), readers=ONLY_EXPORT),
        ReadField("moderated_at", "moderated_at", datetime.datetime, NOT_PAGE, null=True),
    )


# The declarations. Lists (not tuples) so that a test may add a field and see it everywhere.
CLAIM: list[ReadField] = list(_claim_fields())
APPROVED_VERDICT: list[ReadField] = list(_verdict_fields())


def fields_for(reader: str, declaration: Sequence[ReadField] | None = None) -> list[ReadField]:
    return [f for f in (CLAIM if declaration is None else declaration) if reader in f.readers]


def names_for(reader: str, declaration: Sequence[ReadField] | None = None) -> list[str]:
    return [f.name for f in fields_for(reader, declaration)]


def extras(row: dict, known: Iterable[str], reader: str = EXPORT) -> dict:
    """The fields of ``row`` that a format with a fixed vocabulary does not map itself."""
    known = set(known)
    return {f.name: row[f.name] for f in fields_for(reader) if f.name not in known}


@dataclass
class ClaimReader:
    """Reads claims as rows of the declared fields for one ``reader`` (and one user).

    ``values(claims)`` is the ORM query (a ``values()`` queryset a paginator can page);
    ``rows(values)`` names its dicts and attaches each claim's ``approved_verdict`` (a dict
    of the declared verdict fields, with ``sources`` when asked for, or None).
    """

    reader: str
    user: object = None
    sources: bool = False
    fields: list[ReadField] = field(init=False)
    verdict_fields: list[ReadField] = field(init=False)

    def __post_init__(self):
        self.fields = fields_for(self.reader)
        self.verdict_fields = fields_for(self.reader, APPROVED_VERDICT)

    def values(self, claims):
        """``claims`` as a values() queryset of the declared fields, in its order."""
        plain, aliased = _split(self.fields, self.user)
        return claims.values(*plain, **aliased)

    def rows(self, values: Iterable[dict], verdicts_of=None) -> list[dict]:
        """Rows from ``values`` dicts; ``verdicts_of`` narrows the verdict query (a claim
        queryset or a Q on the verdict), by default the rows' ids."""
        names = [(_key(f), f.name) for f in self.fields]
        rows = [{name: v[key] for key, name in names} for v in values]
        self.attach_verdicts(rows, verdicts_of)
        return rows

    def read(self, claims) -> list[dict]:
        return self.rows(self.values(claims), verdicts_of=claims)

    def batches(
        self, claims, size: int = 2000, *, limit: int | None = None
    ) -> Iterator[list[dict]]:
        """``claims`` in id order, a keyset batch of rows at a time (flat memory), at most
        ``limit`` rows in all."""
        values = self.values(claims.order_by("pk"))
        after, taken = None, 0
        while limit is None or taken < limit:
            page = values if after is None else values.filter(pk__gt=after)
            want = size if limit is None else min(size, limit - taken)
            batch = list(page[:want])
            if not batch:
                return
            first, last = batch[0]["id"], batch[-1]["id"]
            yield self.rows(batch, Q(claim_id__gte=first, claim_id__lte=last))
            taken += len(batch)
            if len(batch) < want:
                return
            after = last

    def attach_verdicts(self, rows: list[dict], verdicts_of=None) -> None:
        if not rows:
            return
        from factcheck.models import EvidenceSource, Verdict

        approved = Verdict.objects.filter(status=Verdict.Status.APPROVED)
        if verdicts_of is None:
            approved = approved.filter(claim_id__in=[r["id"] for r in rows])
        elif isinstance(verdicts_of, Q):
            approved = approved.filter(verdicts_of)
        else:
            approved = approved.filter(claim__in=verdicts_of.order_by().values("pk"))
        approved = approved.order_by()  # at most one per claim (a constraint): no sort
        fields = [*self.verdict_fields, ReadField("claim_id", "claim_id", int)]
        plain, aliased = _split(fields, self.user)
        names = [(_key(f), f.name) for f in self.verdict_fields]
        by_claim = {
            v["claim_id"]: {name: v[key] for key, name in names}
            for v in approved.values(*plain, **aliased)
        }
        if self.sources and by_claim:
            by_verdict = {v["id"]: v for v in by_claim.values()}
            for v in by_verdict.values():
                v["sources"] = []
            for s in (
                EvidenceSource.objects.filter(verdict_id__in=list(by_verdict))
                .order_by("verdict_id", "order", "pk")
                .values("verdict_id", "url", "title", "excerpt")
            ):
                by_verdict[s.pop("verdict_id")]["sources"].append(s)
        for row in rows:
            row["approved_verdict"] = by_claim.get(row["id"])


def _key(f: ReadField) -> str:
    # A field read by its own column keeps its name (a paginator orders by it); any other
    # is aliased r_<name>, since a declared name may be a model field's own (``speaker`` is
    # the id, ``created_by`` the username), which values() refuses as an annotation.
    return f.name if f.source == f.name else f"r_{f.name}"


def _split(fields: Sequence[ReadField], user) -> tuple[list[str], dict]:
    plain = [f.name for f in fields if f.source == f.name]
    aliased = {_key(f): f.expression(user) for f in fields if f.source != f.name}
    return plain, aliased


def full_name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")
