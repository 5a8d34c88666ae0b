"""Import articles with claims from our JSONL, doccano, Label Studio and W3C annotations.

An import is all or nothing: every record is checked before anything is written (so one
bad record does not hide the others' problems), and if any failed nothing is written and
``ImportFailed`` lists each problem with its line (or item) number. Otherwise everything is
written at once, in bulk, with its history rows (``actions.create_imported``).

What comes in: articles (reused when the URL, or title and text, match) and their claims
with spans, kind, speaker, statement, summary, cue and source mention. Claims arrive
``open``; verdicts and publication are the desk's work and are not imported.

Nothing is lost silently: offsets are counted in the text as it came and mapped through its
normalisation (``text.normalize_with_offsets``); doccano's are read in its unit (UTF-16 by
default, ``ImportOptions.offset_unit``) and a span that only makes sense in another unit is
refused; labels become kinds through ``ImportOptions.labels`` and an unknown label is refused;
what a file holds but the import does not read (predictions, say) is counted in the result,
and an import that finds no claim in a file with span-like data fails saying what it skipped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
import io
import itertools
import json
import logging
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from urllib.parse import SplitResult, parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.urls import resolve
from django.urls.exceptions import Resolver404
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.fields import SkipField, empty
from rest_framework.serializers import Serializer as DRFSerializer
from rest_framework.validators import ProhibitSurrogateCharactersValidator, UniqueValidator

from factcheck import actions, bulk
from factcheck import text as textlib
from factcheck.api import serializers as rules
from factcheck.models import Article, Claim, Speaker, Statement
from factcheck.urls_canon import canonical_url_key

logger = logging.getLogger(__name__)

FORMATS = ("ours", "doccano", "labelstudio", "w3c")
OFFSET_UNITS = textlib.OFFSET_UNITS
MAX_PROBLEMS = 200

ARTICLE_FIELDS = ("url", "publisher", "byline", "published_on", "language")


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self):
        return f"{self.where}: {self.message}"


class ImportFailed(Exception):
    """Nothing was imported; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem], total: int | None = None, guessed: str = ""):
        self.problems = problems
        self.total = total if total is not None else len(problems)
        self.guessed = guessed
        read_as = f" (read as {guessed}; choose another format if that is wrong)" if guessed else ""
        super().__init__(f"{self.total} problem(s){read_as}; nothing was imported.")


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file: doccano's offset unit, and which claim kind each label means."""

    offset_unit: str | None = None  # None: what the file says ("offset_unit"), else utf16
    labels: Mapping[str, str] = field(default_factory=dict)  # label -> kind; "*": any other

    @classmethod
    def from_input(cls, *, offset_unit=None, labels=None) -> ImportOptions:
        """Options as a user gives them (API, command, form); ``ValueError`` says what is
        wrong."""
        if offset_unit in ("", None):
            offset_unit = None
        elif offset_unit not in OFFSET_UNITS:
            raise ValueError(f"offset unit {offset_unit!r}: use one of {', '.join(OFFSET_UNITS)}.")
        return cls(offset_unit=offset_unit, labels=parse_label_map(labels))

    def as_dict(self) -> dict:
        return {"offset_unit": self.offset_unit, "labels": dict(self.labels)}


def parse_label_map(value) -> dict[str, str]:
    """``{"LABEL": "kind"}`` from a mapping, its JSON, or ``LABEL=kind,OTHER=kind`` (``*`` for
    every label not named); a kind is named by its value or its label, in any case."""
    if value in (None, "", {}):
        return {}
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = _json(text)
            except ValueError as exc:
                raise ValueError(f"labels: not valid JSON ({exc}).") from None
        else:
            pairs = [p.rpartition("=") for p in text.split(",") if p.strip()]
            if any(not sep or not label.strip() for label, sep, _ in pairs):
                raise ValueError('labels: write LABEL=kind pairs, e.g. "CLAIM=direct_quote".')
            value = {label.strip(): kind.strip() for label, _, kind in pairs}
    if not isinstance(value, Mapping):
        raise ValueError("labels: give an object of label to claim kind.")
    mapping = {}
    for label, kind in value.items():
        known = _KIND_BY_NAME.get(_folded_label(kind)) if isinstance(kind, str) else None
        if known is None:
            kinds = ", ".join(k.value for k in Claim.Kind)
            raise ValueError(f"labels: {kind!r} (for {label!r}) is not a claim kind ({kinds}).")
        mapping[str(label)] = known
    return mapping


def _folded_label(label) -> str:
    return " ".join(str(label).replace("_", " ").replace("-", " ").split()).casefold()


@dataclass
class ImportResult:
    format: str
    articles_created: int = 0
    articles_reused: int = 0
    claims_created: int = 0
    claims_skipped: int = 0
    dry_run: bool = False
    guessed: str = ""  # how the format was guessed; empty when it was given
    skipped: dict[str, int] = field(default_factory=dict)  # what the file holds, not read
    # What was read otherwise than the file said, each with its record (a W3C position that
    # disagreed with its quote, read by the quote): imported, but worth a look.
    notes: list[str] = field(default_factory=list)
    created_claim_ids: list[int] = field(default_factory=list, repr=False)
    created_article_ids: list[int] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        data = asdict(self)
        del data["created_claim_ids"], data["created_article_ids"]
        return data


class _Skip(Exception):
    """A record problem already described."""


# --------------------------------------------------------------------------- reading


BOM = b"\xef\xbb\xbf"


def _as_binary(source):
    """Bytes in, so a byte that is not UTF-8 is reported on its own line."""
    if isinstance(source, str):
        return io.BytesIO(source.removeprefix("\ufeff").encode())
    if isinstance(source, bytes):
        return io.BytesIO(source.removeprefix(BOM))
    if isinstance(source, io.TextIOBase):
        return io.BytesIO(source.read().removeprefix("\ufeff").encode())
    return source


def guess_format(value) -> tuple[str, str]:
    """The format of a file whose first record (or whole JSON document) is ``value``, from its
    structure, and why: (format, reason)."""
    if isinstance(value, list):
        first = next((v for v in value if isinstance(v, dict)), None)
        if first is None:
            return "ours", "a JSON array with no object in it"
        fmt, why = guess_format(first)
        return fmt, f"a JSON array whose first item is {why}"
    if not isinstance(value, dict):
        return "ours", "not a JSON object"
    # "type" may be a list: our container is ["BasicContainer", "AnnotationCollection"].
    kinds = _types(value) if value.get("type") is not None else set()
    paged = sorted(kinds & {_W3C_COLLECTION, _W3C_PAGE})
    if paged or ("Annotation" in kinds and "target" in value):
        return "w3c", f'a W3C {paged[0] if paged else "Annotation"} (its "type")'
    if "target" in value:
        return "w3c", 'an annotation with a "target"'
    if _search_rows(value) is not None:
        return "w3c", 'a Hypothesis search result (its "total" and "rows")'
    if isinstance(value.get("data"), dict):
        return "labelstudio", 'a Label Studio task (its "data")'
    if "claims" in value:
        return "ours", 'our JSONL (its "claims")'
    if "text" in value:
        return "doccano", 'a doccano record ("text" and no "claims")'
    return "ours", "no key this import knows"


def _guess(stream) -> tuple[str, str]:
    """``guess_format`` of the first JSON line of ``stream``, or of the whole of it when that
    line is not JSON by itself (a pretty-printed object or array). ``stream`` is rewound."""
    lines = _first_lines(stream)
    stream.seek(0)
    try:
        first = _json(lines[-1].removeprefix(BOM).decode("utf-8")) if lines else None
    except ValueError:
        first = None
    if isinstance(first, dict):
        return guess_format(first)
    data, _, error = _whole_json(stream)
    stream.seek(0)
    if error or data is None:
        return "ours", "not one JSON document: read as JSON Lines"
    return guess_format(data)


def _first_lines(stream) -> list[bytes]:
    """The lines of ``stream`` up to its first that is not blank."""
    lines = []
    for line in stream:
        lines.append(line)
        if line.strip():
            break
    return lines


def _utf8(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start + 1} of {where})") from exc


def _json(text: str):
    """JSON, with nesting too deep for the parser a ValueError like any other bad JSON."""
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


def _json_lines(stream) -> Iterator[tuple[str, object]]:
    for number, raw in enumerate(stream, 1):
        where = f"line {number}"
        try:
            line = _utf8(raw.removeprefix(BOM) if number == 1 else raw, "the line")
        except ValueError as exc:
            yield where, exc
            continue
        if not line.strip():
            continue
        try:
            yield where, _json(line)
        except ValueError as exc:
            yield where, ValueError(f"not valid JSON ({exc})")


def _whole_json(stream) -> tuple[object, bytes, Exception | None]:
    raw = stream.read().removeprefix(BOM)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, raw, ValueError(f"line {line}: not valid UTF-8")
    try:
        return _json(text), raw, None
    except ValueError:
        return None, raw, None  # perhaps JSON Lines


def records(stream, fmt: str, follow=None) -> Iterator[tuple[str, object]]:
    """(where, record-or-exception) for each record of ``stream`` in ``fmt``. ``follow``
    reads a W3C page of this server by its IRI (``_local_page``), or None."""
    if fmt in ("ours", "doccano"):
        # JSON Lines; or one pretty-printed object, or a JSON array of records.
        head = _first_lines(stream)
        try:
            first = _json(head[-1].removeprefix(BOM).decode("utf-8")) if head else None
        except ValueError:
            first = None
        if isinstance(first, dict) or not head:
            yield from _json_lines(itertools.chain(head, stream))
            return
        rest = b"".join(head) + stream.read()
        data, raw, error = _whole_json(io.BytesIO(rest))
        if error:
            yield "file", error
        elif isinstance(data, dict):
            yield "record 1", data
        elif isinstance(data, list):
            for i, item in enumerate(data, 1):
                yield f"record {i}", item
        else:
            yield from _json_lines(io.BytesIO(raw))
        return
    data, raw, error = _whole_json(stream)
    if error:
        yield "file", error
        return
    if data is None:
        yield from _json_lines(io.BytesIO(raw))
        return
    if fmt == "labelstudio":
        tasks = data if isinstance(data, list) else [data]
        for i, task in enumerate(tasks, 1):
            yield f"task {i}", task
        return
    yield from _w3c_records(data, follow)


_W3C_PAGE, _W3C_COLLECTION = "AnnotationPage", "AnnotationCollection"
MAX_PAGES = 100_000


def _types(obj) -> set:
    """The W3C types of ``obj``; an untyped object with ``first``/``items`` is read as the
    collection/page it looks like."""
    if not isinstance(obj, dict):
        return set()
    kind = obj.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    if kind is None and isinstance(obj.get("first"), dict | str):
        kinds.add(_W3C_COLLECTION)
    elif kind is None and "items" in obj:
        kinds.add(_W3C_PAGE)
    return kinds


def _iri_of(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _w3c_records(data, follow) -> Iterator[tuple[str, object]]:
    """The annotations of a W3C file: one Annotation, an array of them, an AnnotationPage or
    an AnnotationCollection, all of whose pages are read (a page alone: those before it too,
    by its ``prev``, and those after it). A page's ``next`` is looked for in
    this file (a JSON array of the collection and its pages), then, when it is on this
    server, read from the export in-process (``follow``); never fetched from elsewhere. A
    collection whose pages cannot all be read is refused whole, with how to get it whole."""
    rows = _search_rows(data)
    if rows is not None:  # Hypothesis's search API: a page of rows, and the total
        for i, item in enumerate(rows, 1):
            yield f"annotation {i}", item
        total = data["total"]
        if isinstance(total, int) and len(rows) < total:
            message = (
                f"the Hypothesis search result holds {len(rows)} of its {total} annotations, "
                "and a part would be a silent loss, so nothing was imported. Ask the API for "
                "every page (search_after) and put every row in the file (a JSON array of the "
                "annotations, or one result with all of them)."
            )
            yield "file", ValueError(message)
        return
    parts = data if isinstance(data, list) else [data]
    paged = [p for p in parts if _types(p) & {_W3C_PAGE, _W3C_COLLECTION}]
    if not paged:
        for i, item in enumerate(parts, 1):
            yield f"annotation {i}", item
        return
    in_file = {_iri_of(p): p for p in paged if _types(p) & {_W3C_PAGE}}
    for p in paged:  # a collection's embedded first page is a page of this file too
        first = p.get("first") if _types(p) & {_W3C_COLLECTION} else None
        if isinstance(first, dict) and _iri_of(first):
            in_file.setdefault(_iri_of(first), first)
    collections = [p for p in paged if _types(p) & {_W3C_COLLECTION}]
    if len(collections) > 1:
        yield "file", ValueError("the file holds several collections; import one at a time")
        return
    collection = collections[0] if collections else None
    if collection is not None:
        page, total = collection.get("first"), collection.get("total")
    else:  # pages only: start from the one nothing points back from
        page = next((p for p in paged if not p.get("prev")), paged[0])
        # A later page alone: the pages before it are read as the ones after it are.
        back = {_iri_of(page)}
        while page.get("prev") is not None:
            iri = _iri_of(page.get("prev"))
            earlier = in_file.get(iri) or (follow(iri) if follow and iri else None)
            if not isinstance(earlier, dict):
                yield "file", ValueError(_incomplete(iri, 0, None, before=True))
                return
            if _iri_of(earlier) in back or len(back) > MAX_PAGES:
                yield "file", ValueError(f"the pages loop back to {iri}; is the file whole?")
                return
            back.add(_iri_of(earlier))
            page = earlier
        part_of = page.get("partOf")  # embedded, it may say how many there are
        total = part_of.get("total") if isinstance(part_of, dict) else None
    count = 0
    for part in parts:  # annotations beside the pages are annotations too
        if part not in paged:
            count += 1
            yield f"annotation {count}", part
    loose, seen_pages = count, set()
    while page is not None:
        if not isinstance(page, dict):
            iri = _iri_of(page)
            page = in_file.get(iri) or (follow(iri) if follow and iri else None)
            if page is None:
                yield "file", ValueError(_incomplete(iri, count - loose, total))
                return
        iri = _iri_of(page)
        if iri in seen_pages or len(seen_pages) > MAX_PAGES:
            yield "file", ValueError(f"the pages loop back to {iri}; is the file whole?")
            return
        seen_pages.add(iri)
        items = page.get("items") or []
        for item in items if isinstance(items, list) else [items]:
            count += 1
            yield f"annotation {count}", item
        page = page.get("next")
    if isinstance(total, int) and count - loose != total:
        yield "file", ValueError(_incomplete(None, count - loose, total))


def _search_rows(data) -> list | None:
    """The rows of a Hypothesis search result (``{"total": n, "rows": [annotation, ...]}``),
    or None for anything else."""
    if not (isinstance(data, dict) and "total" in data and isinstance(data.get("rows"), list)):
        return None
    first = next((r for r in data["rows"] if isinstance(r, dict)), None)
    return data["rows"] if first is None or "target" in first else None


def _incomplete(iri, count: int, total, before: bool = False) -> str:
    where = (
        f"the collection {'starts before this page, ' * before}"
        f"{'at' if before else 'goes on at'} {iri}, which is neither in this file nor on "
        "this server"
        if iri
        else "the collection's pages end early"
    )
    holds = (
        "the pages before are not in the file"
        if before
        else f"the file holds {count}{f' of its {total}' if isinstance(total, int) else ''} "
        "annotations"
    )
    return (
        f"{where}: {holds}, and a part would be a silent loss, "
        "so nothing was imported. Export the whole collection in one document "
        "(GET /api/v1/export/annotations/?page_size=all, or manage.py export w3c), or put "
        "every page in the file (a JSON array of the collection and its pages)."
    )


# --------------------------------------------------------------------------- normalising


@dataclass
class ClaimSpec:
    start: int | None = None
    end: int | None = None
    quote: str | None = None
    prefix: str = ""
    suffix: str = ""
    kind: str = Claim.Kind.DIRECT_QUOTE
    label: object = None  # the file's label, when it has one: its kind is looked up on writing
    speaker: object = None  # an object or a name (checked when written)
    statement: object = None
    summary: str = ""
    check_worthy: bool = True
    cue: tuple[int, int] | None = None
    source_mention: tuple[int, int] | None = None


@dataclass
class ArticleSpec:
    text: str | None = None
    title: str = ""
    fields: dict = field(default_factory=dict)
    existing: Article | None = None  # W3C annotations point at an article already here
    claims: list[ClaimSpec] = field(default_factory=list)
    # The record's metadata: records with the same text but other metadata are other articles.
    identity: str = ""
    skipped: Counter = field(default_factory=Counter)  # what the record holds, not read
    notes: list[str] = field(default_factory=list)  # see ImportResult.notes


_KIND_BY_NAME = {
    **{_folded_label(k.value): k.value for k in Claim.Kind},
    **{_folded_label(k.label): k.value for k in Claim.Kind},
}


def kind_from_label(label) -> str:
    """A claim kind from a label such as ``DIRECT_QUOTE`` or ``Direct quote``; default direct."""
    return _KIND_BY_NAME.get(_folded_label(label or ""), Claim.Kind.DIRECT_QUOTE)


class _LabelKinds:
    """Labels to claim kinds: the user's mapping, then kinds named by value or label (in any
    case); others are counted as unknown (and the import refused) unless ``*`` is mapped."""

    def __init__(self, given: Mapping[str, str]):
        self.given = {_folded_label(k): v for k, v in given.items() if k != "*"}
        self.other = given.get("*")
        self.unknown: Counter = Counter()
        self._known: dict = {}  # label as given -> kind, so each is folded once

    def kind(self, label) -> str | None:
        try:
            kind = self._known.get(label)
        except TypeError:  # a list or an object: never a kind
            kind = None
        if kind is None:
            name = _folded_label(label)
            kind = self.given.get(name) or _KIND_BY_NAME.get(name) or self.other
            if kind is None:
                self.unknown[str(label)] += 1
            elif isinstance(label, str | int):
                self._known[label] = kind
        return kind

    def problems(self) -> list[Problem]:
        kinds = ", ".join(k.value for k in Claim.Kind)
        return [
            Problem(
                "labels",
                f"{label!r} ({n} span{'s' * (n != 1)}) is not a claim kind ({kinds}): map it, "
                f'e.g. labels "{label}=direct_quote", or "*=direct_quote" for every other label',
            )
            for label, n in sorted(self.unknown.items())
        ]


# Keys that hold spans in the layouts read here; others holding span-like data are reported.
_SPAN_KEYS = {"start", "end", "start_offset", "end_offset", "startOffset", "endOffset"}


def _span_like(value) -> int:
    """How many span-like items ``value`` holds: objects with offsets, or [start, end, ...]."""
    if not isinstance(value, list):
        return 0
    n = 0
    for item in value:
        if isinstance(item, dict) and (_SPAN_KEYS & item.keys() or _span_like(item.get("result"))):
            n += _span_like(item.get("result")) or 1
        elif isinstance(item, dict) and isinstance(item.get("value"), dict):
            n += bool(_SPAN_KEYS & item["value"].keys())
        elif isinstance(item, list) and len(item) >= 2 and all(type(x) is int for x in item[:2]):
            n += 1
    return n


def _note_unread(spec: ArticleSpec, record: dict, read: set[str]) -> None:
    """Count in ``spec.skipped`` each key of ``record`` not ``read`` that holds span-like data."""
    for key, value in record.items():
        if key not in read and (n := _span_like(value)):
            spec.skipped[f'"{key}" (span-like data this format does not read)'] += n


def _require(cond, message):
    if not cond:
        raise ValueError(message)


def _int(value, name) -> int:
    _require(isinstance(value, int) and not isinstance(value, bool), f"{name} must be an integer")
    return value


def _pair(value, name):
    if value in (None, []):
        return None
    _require(
        isinstance(value, list | tuple) and len(value) == 2,
        f"{name} must be [start, end] or null",
    )
    return (_int(value[0], f"{name} start"), _int(value[1], f"{name} end"))


def _title_from(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "Untitled")
    return textlib.shorten(first, 120)


def _article_from(record: dict) -> ArticleSpec:
    text = record.get("text")
    _require(isinstance(text, str) and text.strip(), '"text" must be a non-empty string')
    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
    title = record.get("title") or meta.get("title") or _title_from(text)
    fields = {}
    for name in ARTICLE_FIELDS:
        value = record.get(name, meta.get(name))
        if value not in (None, ""):
            fields[name] = value
    identity = {k: v for k, v in record.items() if k not in _NOT_IDENTITY}
    return ArticleSpec(
        text=text,
        title=title,
        fields=fields,
        identity=json.dumps(identity, sort_keys=True, default=str),
    )


# What is not an article's metadata: its text and its spans in each layout.
_NOT_IDENTITY = {"text", "label", "labels", "entities", "annotations", "relations", "claims"}


def parse_ours(record, options: ImportOptions | None = None) -> ArticleSpec:
    _require(isinstance(record, dict), "each record must be a JSON object")
    claims = record.get("claims")
    if claims is None:
        return parse_doccano(record, options)
    spec = _article_from(record)
    _require(isinstance(claims, list), '"claims" must be a list')
    for i, c in enumerate(claims, 1):
        _require(isinstance(c, dict), f"claim {i} must be an object")
        try:
            spec.claims.append(
                ClaimSpec(
                    start=c.get("start"),
                    end=c.get("end"),
                    quote=c.get("quote"),
                    prefix=c.get("prefix", ""),
                    suffix=c.get("suffix", ""),
                    label=c.get("kind") or c.get("label"),
                    speaker=c.get("speaker"),
                    statement=c.get("statement"),
                    summary=c.get("summary", ""),
                    check_worthy=c.get("check_worthy", True),
                    cue=_pair(c.get("cue"), "cue"),
                    source_mention=_pair(c.get("source_mention"), "source_mention"),
                )
            )
        except ValueError as exc:
            raise ValueError(f"claim {i}: {exc}") from exc
    if isinstance(record.get("label"), list):
        _merge_doccano_edits(spec, record, options)
    _note_unread(spec, record, {"claims", "label"})
    return spec


def _merge_doccano_edits(spec: ArticleSpec, record: dict, options) -> None:
    """Our export taken through doccano: doccano edits ``label`` and keeps ``claims`` as
    metadata. A span of ``label`` no claim has (same span and kind) is a claim of its own; a
    claim whose span is no longer in ``label`` is still imported (from ``claims``); each said
    in the notes, for an export whose ``label`` nobody touched has neither."""
    kinds = _LabelKinds((options or ImportOptions()).labels)  # (its unknown labels not kept)

    def kind(label, default=None) -> str:
        if label is None:
            return default
        return kinds.kind(label) or f"?{label!r}"

    unit = (options or ImportOptions()).offset_unit or record.get("offset_unit")
    unit = unit if unit in OFFSET_UNITS else "utf16"
    if unit != "grapheme":
        # Most often nobody touched it: the claims counted in its unit are the label, which
        # needs no clusters found (the full reading below cost 5 times the rest of a record).
        # (Labels as we write them, the kind in capitals; any other spelling is compared
        # below, through the label map.)
        units = textlib.Units(spec.text)
        try:
            ours = {
                (
                    units.from_codepoint(c.start, unit),
                    units.from_codepoint(c.end, unit),
                    str(c.kind if c.label is None else c.label).casefold(),
                )
                for c in spec.claims
            }
            theirs = {(item[0], item[1], str(item[2]).casefold()) for item in record["label"]}
        except (TypeError, ValueError, IndexError, KeyError):
            ours, theirs = None, ()
        if ours == theirs:
            return
    labelled = parse_doccano({k: v for k, v in record.items() if k != "claims"}, options)

    def key(c: ClaimSpec):
        return c.start, c.end, kind(c.label, c.kind)

    claimed = {key(c) for c in spec.claims}
    in_label = {key(c) for c in labelled.claims}
    for i, c in enumerate(labelled.claims, 1):
        if key(c) not in claimed:
            spec.claims.append(c)
            spec.notes.append(
                f"label {i} ({c.start}–{c.end}) is in label only (added in doccano?): "
                "imported as a claim"
            )
    for i, c in enumerate(spec.claims, 1):
        if c.start is not None and key(c) not in in_label:
            spec.notes.append(
                f"claim {i} ({c.start}–{c.end}) is not in label (removed in doccano?): "
                "imported from claims"
            )


def _offset_span(
    text: str, start, end, quote: str | None, where: str
) -> tuple[int, int, str | None]:
    """Offsets as code points; tools that count UTF-16 units (browsers) are converted. When
    neither gives the quote (the text the annotator selected), a quote found once wins, as
    annotation clients anchor; else the offsets stay, and the quote's check refuses them."""
    start, end = _int(start, f"{where} start"), _int(end, f"{where} end")
    if quote is None or text[start:end] == quote:
        return start, end, quote
    try:
        s16, e16 = textlib.utf16_to_codepoint(text, start), textlib.utf16_to_codepoint(text, end)
    except ValueError:
        s16 = e16 = None
    if s16 is not None and text[s16:e16] == quote:
        return s16, e16, quote
    if isinstance(quote, str) and quote and text.count(quote) == 1:
        at = text.index(quote)
        return at, at + len(quote), quote
    return start, end, quote


def parse_doccano(record, options: ImportOptions | None = None) -> ArticleSpec:
    _require(isinstance(record, dict), "each record must be a JSON object")
    options = options or ImportOptions()
    spec = _article_from(record)
    # "label" (doccano's sequence-labelling export), "labels", "entities" (its newer relation
    # export) or "annotations" (before 1.0): [start, end, "LABEL"] or {"start_offset", ...}.
    keys = [k for k in ("label", "labels", "entities", "annotations") if k in record]
    labels = record[keys[0]] if keys else []
    _require(isinstance(labels, list), '"label" must be a list of [start, end, "LABEL"]')
    unit = options.offset_unit or record.get("offset_unit")
    unit = unit if unit in OFFSET_UNITS else "utf16"
    units = textlib.Units(spec.text)
    for i, item in enumerate(labels, 1):
        if isinstance(item, dict):  # {"start_offset", "end_offset", "label"}
            item = [item.get("start_offset"), item.get("end_offset"), item.get("label")]
        _require(
            isinstance(item, list) and len(item) == 3,
            f'label {i} must be [start, end, "LABEL"]',
        )
        start, end = _int(item[0], f"label {i} start"), _int(item[1], f"label {i} end")
        start, end = _span_in_unit(units, start, end, unit, f"label {i} ({start}–{end})")
        spec.claims.append(ClaimSpec(start=start, end=end, label=item[2]))
    _note_unread(spec, record, {keys[0]} if keys else set())
    return spec


def _span_in_unit(units: textlib.Units, start: int, end: int, unit: str, where: str):
    """``[start, end)`` counted in ``unit`` (doccano's, or a W3C position's), as code points of
    the text as it came.

    Where the units count this text differently, a span is refused when it splits a character
    or a word in ``unit`` but gives whole words in another: the file was counted in that one."""

    def in_unit(u):
        try:
            s, e = units.to_codepoint(start, u), units.to_codepoint(end, u)
        except ValueError:
            return None
        return (s, e) if s < e else None

    def clean(span, words=True):
        text = units.text
        return (
            span is not None
            and textlib.is_grapheme_boundary(text, span[0])
            and textlib.is_grapheme_boundary(text, span[1])
            and not (words and textlib.cuts_a_word(text, *span))
        )

    if units.uniform:
        try:  # every unit the same: as counted (a reversed span is refused when checked)
            return units.to_codepoint(start, unit), units.to_codepoint(end, unit)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    try:
        span = units.to_codepoint(start, unit), units.to_codepoint(end, unit)
    except ValueError:
        span = None
    if span is not None and (span[0] >= span[1] or clean(span)):
        return span  # (a reversed span is refused with the API's words when it is checked)
    for other in OFFSET_UNITS:
        if other != unit and clean(in_unit(other)) and in_unit(other) != span:
            s, e = in_unit(other)
            read = f"{units.text[span[0] : span[1]]!r}" if span else "no whole span"
            raise ValueError(
                f"{where}: counted in {unit} this is {read}, which cuts "
                f"{'a character' if not clean(span, words=False) else 'a word'}; counted in "
                f"{other} it is {units.text[s:e]!r}. Was the file counted in {other}? Choose "
                f"its offset unit (utf16 is doccano's default, grapheme its grapheme mode)."
            )
    if span is None or not clean(span, words=False):
        raise ValueError(f"{where}: counted in {unit} this cuts a character in two.")
    return span


def parse_labelstudio(task, options: ImportOptions | None = None) -> ArticleSpec:
    """A task: its annotations (``completions`` before Label Studio 1.0), each annotator's
    labels kept; predictions are counted as skipped (suggestions are not imported)."""
    _require(isinstance(task, dict) and isinstance(task.get("data"), dict), 'a task needs "data"')
    data = task["data"]
    text = data.get("text")
    if not isinstance(text, str):
        text = next((v for v in data.values() if isinstance(v, str) and v.strip()), None)
    spec = _article_from({**data, "text": text})
    spec.identity = json.dumps(
        {"id": task.get("id"), "data": spec.identity, "meta": task.get("meta")},
        sort_keys=True,
        default=str,
    )
    seen = set()
    annotations = task.get("annotations", task.get("completions")) or []
    _require(isinstance(annotations, list), '"annotations" must be a list')
    for a, annotation in enumerate(annotations, 1):
        _require(isinstance(annotation, dict), f"annotation {a} must be an object")
        if annotation.get("was_cancelled"):
            if n := _span_like(annotation.get("result")):
                spec.skipped["spans of cancelled annotations"] += n
            continue
        for r, result in enumerate(annotation.get("result") or [], 1):
            value = result.get("value") if isinstance(result, dict) else None
            if not isinstance(value, dict) or "start" not in value:
                continue  # relations, choices, ratings: not spans
            kind = result.get("type")
            if kind not in (None, "labels") and "labels" not in value:
                # Per-region choices, text, ratings: about a span another result labels.
                spec.skipped[f'Label Studio per-region "{kind}" results (no place for them)'] += 1
                continue
            where = f"annotation {a} result {r}"
            quote = value.get("text")
            start, end, quote = _offset_span(
                spec.text, value.get("start"), value.get("end"), quote, where
            )
            # Each label of each annotator: a claim per kind (the same kind twice is one).
            for label in value.get("labels") or [None]:
                key = (start, end, _folded_label(label or ""))
                if key in seen:
                    continue
                seen.add(key)
                spec.claims.append(ClaimSpec(start=start, end=end, quote=quote, label=label))
    if n := _span_like(task.get("predictions")):
        spec.skipped["Label Studio prediction spans (suggestions are not imported)"] += n
    _note_unread(spec, task, {"annotations", "completions", "predictions", "data"})
    return spec


_W3C_KIND = "classifying"
_QUOTE, _POSITION = "TextQuoteSelector", "TextPositionSelector"
_WIKIDATA = re.compile(r"^https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/(Q[1-9][0-9]*)$")


def _own(iri) -> SplitResult | None:
    """``iri`` split, when it names this server: FACTCHECK_BASE_URL's host, or a host that
    ALLOWED_HOSTS names exactly (not by a wildcard). Anything else is someone else's."""
    if not isinstance(iri, str) or not iri:
        return None
    parts = urlsplit(iri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.netloc == urlsplit(settings.FACTCHECK_BASE_URL).netloc:
        return parts
    exact = {h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")}
    return parts if parts.hostname in exact else None


def _article_for_source(source) -> Article | None:
    """The article a target's source names: by its URL, or by its IRI on this server
    (``/articles/12/`` here; the same path on another host is another server's article)."""
    if not isinstance(source, str) or not source:
        return None
    by_url = Article.objects.with_url(source).first()
    if by_url:
        return by_url
    parts = _own(source)
    if parts is None:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name == "article-detail":
        return Article.objects.filter(pk=match.kwargs["pk"]).first()
    return None


def _local_page(iri: str, by) -> dict | None:
    """A page of this server's annotation collection, read through the export in-process
    (as ``by`` would see it over HTTP); None for any other IRI. Nothing is fetched."""
    from factcheck.api.exports import MAX_PAGE_SIZE
    from factcheck.exports import claims_for_export, w3c

    parts = _own(iri)
    if parts is None:
        return None
    try:
        if resolve(parts.path).url_name != "api-export-annotations":
            return None
    except Resolver404:
        return None
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    numbers = {}
    for name in ("page", "after", "before", "article", "iris"):
        value = query.get(name)
        if value is not None:
            if not value.isdigit() or len(value) > 18:
                return None
            numbers[name] = int(value)
    size = query.get("page_size", "100")
    if size != "all" and not (size.isdigit() and 1 <= int(size) <= MAX_PAGE_SIZE):
        return None
    claims = Claim.objects.visible_to(by)
    if "article" in numbers:
        claims = claims.filter(article_id=numbers["article"])
    base = f"{parts.scheme}://{parts.netloc}"
    chunks = w3c.stream_page(
        claims_for_export(claims),
        base_url=base,
        collection_iri=base + parts.path,
        start=numbers.get("page", 0),
        after=numbers.get("after"),
        before=numbers.get("before"),
        size=None if size == "all" else int(size),
        iris=bool(numbers.get("iris")),
    )
    return json.loads("".join(chunks))


def _selector_list(value) -> list[dict]:
    value = value if isinstance(value, list) else [value] if value else []
    return [s for s in value if isinstance(s, dict)]


def _refined_range(text: str, selector: dict) -> tuple[int, int]:
    """The span a selector picks, each ``refinedBy`` taken within the one it refines
    (Web Annotation 4.2.9). A selector we cannot place (XPath, CSS, a fragment) leaves the
    whole text to its refinement, which must then be a quote."""
    low, high = 0, len(text)
    placed = True
    while selector:
        kind = selector.get("type")
        if kind == _POSITION:
            _require(placed, "a TextPositionSelector refines a selector we cannot place")
            start = _int(selector.get("start"), "TextPositionSelector start")
            end = _int(selector.get("end"), "TextPositionSelector end")
            _require(0 <= start <= end <= high - low, "a refining position is outside its part")
            low, high = low + start, low + end
        elif kind == _QUOTE:
            exact = selector.get("exact")
            _require(isinstance(exact, str), "a TextQuoteSelector needs exact")
            try:
                span = textlib.anchor_quote(
                    text[low:high],
                    exact,
                    selector.get("prefix") or "",
                    selector.get("suffix") or "",
                )
            except textlib.AnchorError as exc:
                raise ValueError(f"refinedBy: {exc}") from exc
            low, high = low + span.start, low + span.end
            placed = True
        else:
            placed = False
        refined = _selector_list(selector.get("refinedBy"))
        selector = refined[0] if refined else None
    _require(placed, "no TextQuoteSelector or TextPositionSelector in the refinements")
    return low, high


def _w3c_selection(
    text: str, selectors: list[dict], claim: ClaimSpec, notes: list[str], unit: str | None = None
) -> None:
    """The claim's span from a target's selectors. A position that disagrees with the quote
    is read as UTF-16 code units when that fits (as browsers count, and Hypothesis's
    client), else set aside for the quote, as Hypothesis anchors: each noted. ``unit``, the
    importer's declaration of what the positions count (Web Annotation says code points),
    is read first: a position alone, with no quote to tell, can only be read by it."""
    # Positions taken on the source before our normalisation (CRLF, NFD) cannot go through
    # text.py's offset mapping: an annotation names an article already here, whose original
    # text we no longer have. They disagree with the quote, which is normalised and read
    # instead (noted).
    for selector in selectors:
        if selector.get("refinedBy"):
            claim.start, claim.end = _refined_range(text, selector)
            return
    quote = next((s for s in selectors if s.get("type") == _QUOTE), None)
    position = next((s for s in selectors if s.get("type") == _POSITION), None)
    _require(
        quote is not None or position is not None,
        "the target has neither a TextQuoteSelector nor a TextPositionSelector",
    )
    if quote is not None:
        _require(isinstance(quote.get("exact"), str), "a TextQuoteSelector needs exact")
        claim.quote = quote["exact"]
        claim.prefix = quote.get("prefix") or ""
        claim.suffix = quote.get("suffix") or ""
    if position is None:
        return
    start = _int(position.get("start"), "TextPositionSelector start")
    end = _int(position.get("end"), "TextPositionSelector end")
    if quote is None:
        # Nothing to check the position by but the text: one that cuts words as counted but
        # gives whole ones in another unit is refused, saying which (as doccano's spans are).
        claim.start, claim.end = _span_in_unit(
            textlib.Units(text),
            start,
            end,
            unit or "codepoint",
            f"its TextPositionSelector ({start}–{end})",
        )
        return
    if unit not in (None, "codepoint"):
        units = textlib.Units(text)
        try:
            start, end = units.to_codepoint(start, unit), units.to_codepoint(end, unit)
        except ValueError as exc:
            raise ValueError(f"TextPositionSelector ({start}–{end}) in {unit}: {exc}") from None
    exact = textlib.normalize_text(claim.quote)
    if 0 <= start <= end <= len(text) and text[start:end] == exact:
        claim.start, claim.end = start, end
        return
    try:
        start16, end16 = (
            textlib.utf16_to_codepoint(text, start),
            textlib.utf16_to_codepoint(text, end),
        )
    except ValueError:
        start16 = end16 = None
    if start16 is not None and text[start16:end16] == exact:
        claim.start, claim.end = start16, end16
        notes.append(
            f"its TextPositionSelector ({start}–{end}) counts UTF-16 code units; read as such "
            f"(code points {start16}–{end16})"
        )
        return
    notes.append(
        f"its TextPositionSelector ({start}–{end}) disagrees with its TextQuoteSelector; "
        "anchored by the quote instead"
    )


def _span_pair(body: dict) -> tuple[int, int] | None:
    selectors = _selector_list(body.get("selector"))
    position = next((s for s in selectors if s.get("type") == _POSITION), None)
    if position is None:
        return None
    return (_int(position.get("start"), "span start"), _int(position.get("end"), "span end"))


def _wikidata_id(value) -> str | None:
    match = _WIKIDATA.match(_iri_of(value) or "")
    return match.group(1) if match else None


def parse_w3c(annotation, options: ImportOptions | None = None) -> ArticleSpec:
    """One Annotation (ours, or any Web Annotation client's) as a claim on an article here,
    one per target (all in that article).

    Reads what ``exports/w3c.py`` writes: the kind (``classifying``), the speaker
    (``identifying``, with its schema.org Wikidata IRI, aliases, kind and description), the
    statement (``linking``, with kind, date, venue and URL), the summary (``describing``),
    the cue and source-mention spans, and whether it is check-worthy."""
    from factcheck.exports import w3c

    _require(
        isinstance(annotation, dict),
        "an annotation must be a JSON object (a collection of IRIs alone cannot be imported: "
        "export it with its descriptions)",
    )
    # Several targets (Web Annotation 3.2): a claim each, with the annotation's bodies.
    targets = annotation.get("target")
    targets = targets if isinstance(targets, list) else [targets]
    articles = []
    for target in targets:
        _require(
            isinstance(target, dict), 'the target must be an object with "source" and "selector"'
        )
        article = _article_for_source(target.get("source"))
        _require(
            article is not None,
            f"target source {target.get('source')!r} is not an article here; "
            "import the article first",
        )
        articles.append(article)
    # A reply (Hypothesis's ``references``) or a page note (no selector: a comment on the
    # whole page) is no span of the text: skipped, and counted in the result.
    if annotation.get("references") or not any(t.get("selector") for t in targets):
        what = (
            "replies (comments on another annotation, no span of its text)"
            if annotation.get("references")
            else "page notes (annotations of a whole page, no span of its text)"
        )
        return ArticleSpec(existing=articles[0], skipped=Counter({what: 1}))
    _require(
        len({a.pk for a in articles}) == 1,
        f"the annotation has targets in {len({a.pk for a in articles})} articles, and a claim "
        "is in one: give each article's targets an annotation of their own",
    )
    claim = ClaimSpec()
    bodies = annotation.get("body") or []
    for body in bodies if isinstance(bodies, list) else [bodies]:
        if not isinstance(body, dict):
            continue
        purpose, value = body.get("purpose"), body.get("value")
        role = body.get(w3c.KIND)
        if body.get("type") == "SpecificResource" and role in (w3c.CUE, w3c.SOURCE_MENTION):
            pair = _span_pair(body)
            if role == w3c.CUE:
                claim.cue = pair
            else:
                claim.source_mention = pair
        elif not isinstance(value, str):
            continue
        elif purpose == _W3C_KIND:
            if value == w3c.NOT_CHECK_WORTHY:
                claim.check_worthy = False
            else:  # a kind, or another tool's label: mapped (or refused) as every label is
                claim.label = value
        elif purpose == w3c.PURPOSE_SPEAKER:
            aliases = body.get(w3c.ALIASES)
            claim.speaker = {
                "name": value,
                "kind": role,
                "aliases": [aliases] if isinstance(aliases, str) else aliases,
                "description": body.get(w3c.DESCRIPTION),
                "wikidata_id": _wikidata_id(body.get(w3c.SAME_AS)),
            }
        elif purpose == w3c.PURPOSE_STATEMENT:
            claim.statement = {
                "title": value,
                "kind": role,
                "date": body.get(w3c.DATE),
                "venue": body.get(w3c.VENUE),
                "url": _iri_of(body.get(w3c.URL)),
            }
        elif purpose == w3c.PURPOSE_SUMMARY:
            claim.summary = value
    claims: list[ClaimSpec] = []
    notes: list[str] = []
    unit = (options or ImportOptions()).offset_unit
    for i, target in enumerate(targets, 1):
        claims.append(dataclasses.replace(claim))
        said: list[str] = []
        _w3c_selection(article.text, _selector_list(target.get("selector")), claims[-1], said, unit)
        notes.extend(f"target {i}: {note}" if len(targets) > 1 else note for note in said)
    return ArticleSpec(existing=article, claims=claims, notes=notes)


PARSERS: dict[str, Callable[[object], ArticleSpec]] = {
    "ours": parse_ours,
    "doccano": parse_doccano,
    "labelstudio": parse_labelstudio,
    "w3c": parse_w3c,
}


# --------------------------------------------------------------------------- writing


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(msgs)}" if name != "__all__" else " ".join(msgs)
            for name, msgs in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def _errors(errors) -> str:
    if isinstance(errors, dict):
        return "; ".join(
            _errors(v) if k == "non_field_errors" else f"{k}: {_errors(v)}"
            for k, v in errors.items()
        )
    if isinstance(errors, list):
        return " ".join(_errors(e) for e in errors)
    return str(errors)


class _Rules:
    """One of the API's input serializers, made once and run on each record: one set of rules
    for a field whichever door it comes through. Uniqueness aside: an import reuses what is here.

    A serializer whose fields are checked one by one (no ``validate``, no validators across
    fields, as the claim's) remembers each field's verdict on a value: 50,000 spans have a
    few thousand distinct offsets and four kinds, and the serializer's loop over its fields
    was a quarter of an import. Anything else (an error, a list, a missing required field)
    goes through the serializer as a whole, so its messages are the API's own.
    """

    def __init__(self, serializer_class):
        self.serializer = serializer_class()
        for checker in self.serializer.fields.values():
            checker.validators = [
                _NoSurrogates(v) if isinstance(v, ProhibitSurrogateCharactersValidator) else v
                for v in checker.validators
                if not isinstance(v, UniqueValidator)
            ]
        cls, fields = type(self.serializer), list(self.serializer._writable_fields)
        independent = (
            cls.validate is DRFSerializer.validate
            and not self.serializer.get_validators()
            and not any(hasattr(self.serializer, f"validate_{f.field_name}") for f in fields)
            and all(len(f.source_attrs) == 1 and f.default is empty for f in fields)
        )
        self.fields = {f.field_name: f for f in fields} if independent else None
        self.required = [f.field_name for f in fields if f.required]
        self.verdicts: dict = {}

    def __call__(self, data: dict, what: str) -> dict:
        data = {k: v for k, v in data.items() if v is not None}
        if self.fields is not None and all(name in data for name in self.required):
            checked = self._field_by_field(data)
            if checked is not None:
                return checked
        try:
            return dict(self.serializer.run_validation(data))
        except DRFValidationError as exc:
            raise ValueError(f"{what}: {_errors(exc.detail)}") from None

    def _field_by_field(self, data: dict) -> dict | None:
        checked = {}
        for name, value in data.items():
            field = self.fields.get(name)
            if field is None:
                continue  # the serializer ignores what it does not know
            key = (name, type(value), value)
            try:
                verdict = self.verdicts.get(key, _UNKNOWN)
            except TypeError:  # a list or a dict: the whole serializer
                return None
            if verdict is _UNKNOWN:
                try:
                    verdict = field.run_validation(value)
                except (DRFValidationError, ValidationError, SkipField):
                    return None
                if (
                    isinstance(verdict, str | int | float | bool | datetime.date)
                    and len(self.verdicts) < 100_000
                ):
                    self.verdicts[key] = verdict
            checked[field.source] = verdict
        return checked


_UNKNOWN = object()


class _NoSurrogates:
    """DRF's ``ProhibitSurrogateCharactersValidator``, which looks at each character in
    Python (5 % of an import: 5.5 MB of article text), asked only when a regular expression
    finds a surrogate, so that its message is the API's own."""

    SURROGATE = re.compile("[\ud800-\udfff]")

    def __init__(self, validator: ProhibitSurrogateCharactersValidator):
        self.validator = validator

    def __call__(self, value):
        if self.SURROGATE.search(str(value)):
            self.validator(value)


def _checked(rules, data: dict, what: str) -> dict:
    """``data`` checked by the API's own input serializer ``rules``."""
    return _Rules(rules)(data, what)


def _object(value, name_key: str, what: str) -> dict | None:
    """A speaker or statement given as an object, or by its name alone."""
    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        return {name_key: value}
    _require(isinstance(value, dict), f"{what} must be an object or a {name_key}")
    return value


SPEAKER_FIELDS = ("name", "kind", "aliases", "description", "wikidata_id")
STATEMENT_FIELDS = ("title", "kind", "date", "venue", "url")


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


class _Batch:
    """An import checked whole and written whole, or not at all.

    Each record is checked by the rules of the single writes (the API's serializers, the
    models' ``full_clean``, ``actions.resolve_span`` and ``actions.build_claim``) and its new
    objects are kept in memory; what it reuses (articles, speakers, statements) is looked up
    by reads alone. On SQLite ``write`` then hands everything to ``actions.create_imported``:
    the write lock is held for the INSERTs only, not for the parsing and checking.

    On PostgreSQL (``streaming``) what the records checked so far made is written while the
    next ones are checked (``flush``): by a thread of its own, on this thread's connection and
    in the transaction ``writing`` holds, which a problem anywhere in the file rolls back. The
    database's share of an import (the search vectors and their indexes, the other indexes,
    the foreign keys) was a third of its time, and is now done beside the checking.
    """

    def __init__(
        self,
        by,
        result: ImportResult,
        options: ImportOptions | None = None,
        streaming: bool = False,
    ):
        self.by, self.result, self.streaming = by, result, streaming
        self.labels = _LabelKinds((options or ImportOptions()).labels)
        self.article_rules = _Rules(rules.ArticleSerializer)
        self.claim_rules = _Rules(rules.ClaimFieldsSerializer)
        self.speaker_rules = _Rules(rules.SpeakerSerializer)
        self.statement_rules = _Rules(rules.StatementSerializer)
        self.build_claim = actions.ClaimBuilder()
        self.articles: list[Article] = []
        self.speakers: list[Speaker] = []
        self.statements: list[Statement] = []
        self.claims: list[Claim] = []
        # Articles of this file by URL and by title, for the reuse rules below.
        self._by_url: dict[str, Article] = {}
        self._by_identity: dict[tuple[str, str, str], Article] = {}  # title, text, metadata
        self._taken: dict[tuple[str, str], set[int]] = {}  # articles here given to a record
        self._here: dict[int, Article] = {}  # one object per article already here
        # By id(article): the spans it has claims at, with their kinds.
        self._spans: dict[int, set[tuple[int, int, str]]] = {}
        self._speaker_by_name: dict[str, Speaker] = {}
        self._statement_by_title: dict[tuple[int, str], Statement] = {}
        # URL keys and titles of the records ahead, read at once (``expect``): those of no
        # article here need no query each.
        self._asked: set[tuple[str, str]] = set()
        self._present: set[tuple[str, str]] = set()
        self._made: set[int] = set()  # id() of the articles this import makes
        # Streaming: the part being written, by whom, and how it failed.
        self._writer: threading.Thread | None = None
        self._ids: bulk.Ids | None = None  # (streaming) ids drawn ahead of the rows
        self._written: tuple[list, ...] = ()
        self._failure: BaseException | None = None
        self._ours_by_title: dict[str, set[int]] = {}  # articles this import wrote

    def expect(self, specs: Iterable[ArticleSpec]) -> None:
        """Read at once which of the URLs and titles of the records ahead articles here have,
        so that a record whose URL or title none has (most, in a file of new articles) asks
        the database nothing: a thousand queries of a thousand records were a tenth of an
        import. A URL or title spelt otherwise once checked is asked on its own, as before."""
        urls, titles = set(), set()
        for spec in specs:
            if not isinstance(spec, ArticleSpec) or spec.existing is not None:
                continue
            # A value PostgreSQL cannot hold (a NUL) is left to the record's own check.
            url = spec.fields.get("url")
            if isinstance(url, str) and (key := canonical_url_key(url)):
                if "\x00" not in key:
                    urls.add(key)
            elif isinstance(spec.title, str) and "\x00" not in spec.title:
                titles.add(spec.title)
        self._asked = {("url", key) for key in urls} | {("title", t) for t in titles}
        self._present = {
            ("url", key)
            for key in Article.objects.filter(url_key__in=urls).values_list("url_key", flat=True)
        } | {
            ("title", t)
            for t in Article.objects.filter(title__in=titles).values_list("title", flat=True)
        }

    def _may_be_here(self, what: str, value: str) -> bool:
        return (what, value) not in self._asked or (what, value) in self._present

    # A failed record leaves no trace (as a savepoint did): what it added is taken back.
    def add(self, spec: ArticleSpec) -> None:
        marks = (
            len(self.articles),
            len(self.speakers),
            len(self.statements),
            len(self.claims),
            dataclasses.replace(self.result),
        )
        try:
            self._add(spec)
        except Exception:
            self._undo(*marks)
            raise
        for what, n in spec.skipped.items():
            self.result.skipped[what] = self.result.skipped.get(what, 0) + n

    def _undo(self, articles, speakers, statements, claims, result) -> None:
        for article in self.articles[articles:]:
            self._spans.pop(id(article), None)
            self._made.discard(id(article))
            if self._by_url.get(article.url_key) is article:
                del self._by_url[article.url_key]
            for key in [k for k, v in self._by_identity.items() if v is article]:
                del self._by_identity[key]
        for claim in self.claims[claims:]:
            self._spans.get(id(claim.article), set()).discard((claim.start, claim.end, claim.kind))
        for speaker in self.speakers[speakers:]:
            for key in [k for k, v in self._speaker_by_name.items() if v is speaker]:
                del self._speaker_by_name[key]
        for statement in self.statements[statements:]:
            for key in [k for k, v in self._statement_by_title.items() if v is statement]:
                del self._statement_by_title[key]
        del self.articles[articles:], self.speakers[speakers:]
        del self.statements[statements:], self.claims[claims:]
        for name in ("articles_created", "articles_reused", "claims_created", "claims_skipped"):
            setattr(self.result, name, getattr(result, name))

    def _add(self, spec: ArticleSpec) -> None:
        article = self._article(spec)
        spans = self._spans_of(article)
        for i, c in enumerate(spec.claims, 1):
            if c.label is not None:
                kind = self.labels.kind(c.label)
                if kind is None:
                    continue  # an unknown label: the import is refused, saying which
                c.kind = kind  # (the spec is this record's own, read once)
            try:
                checked = self._claim_fields(c)
                span = actions.resolve_span(
                    article,
                    start=checked.get("start"),
                    end=checked.get("end"),
                    quote=checked.get("quote"),
                    prefix=checked.get("prefix", ""),
                    suffix=checked.get("suffix", ""),
                )
                kind = checked.get("kind", Claim.Kind.DIRECT_QUOTE)
                if (span.start, span.end, kind) in spans:
                    self.result.claims_skipped += 1
                    continue
                speaker = self._speaker(_object(c.speaker, "name", "speaker"))
                claim = self.build_claim(
                    article=article,
                    span=span,
                    by=self.by,
                    kind=kind,
                    speaker=speaker,
                    statement=self._statement(_object(c.statement, "title", "statement"), speaker),
                    summary=checked.get("summary", ""),
                    check_worthy=checked.get("check_worthy", True),
                    cue=c.cue,
                    source_mention=c.source_mention,
                )
            except (ValidationError, ValueError) as exc:
                message = _messages(exc) if isinstance(exc, ValidationError) else str(exc)
                raise ValidationError(f"claim {i} ({c.start}–{c.end}): {message}") from exc
            spans.add((span.start, span.end, kind))
            self.claims.append(claim)
            self.result.claims_created += 1

    def _spans_of(self, article: Article) -> set[tuple[int, int, str]]:
        """The spans (and kinds) ``article`` has claims at: an import skips a claim there."""
        if id(article) not in self._spans:
            here = article.claims.values_list("start", "end", "kind") if article.pk else ()
            self._spans[id(article)] = set(here)
        return self._spans[id(article)]

    def _article(self, spec: ArticleSpec) -> Article:
        """The record's article: the one with its URL (whose text must be the same), else one
        with its title and text. Records of this file with the same text but other metadata
        are other articles: each takes the next such article here (by age), or a new one, so
        importing the file again finds the same ones."""
        if spec.existing is not None:  # (W3C) an article here, counted once
            if spec.existing.pk not in self._here:
                self.result.articles_reused += 1
            return self._here.setdefault(spec.existing.pk, spec.existing)
        checked = self.article_rules(
            {"title": spec.title, "text": spec.text, **spec.fields}, "article"
        )
        text = textlib.normalize_text(checked["text"])
        fields = {name: checked[name] for name in spec.fields}
        url, title = fields.get("url"), checked["title"]
        key = (title, text, spec.identity)
        url_key = canonical_url_key(url or "")
        if url_key:  # the same page under another spelling of its URL is the same article
            found = self._by_url.get(url_key)
            if found is None and self._may_be_here("url", url_key):
                found = Article.objects.filter(url_key=url_key).only("pk", "text").first()
            if found is not None and found.text != text:
                raise ValidationError(
                    {"url": "An article with this URL exists here with a different text."}
                )
        else:
            found = self._by_identity.get(key)
            if found is None and self._may_be_here("title", title):
                self._wait()  # this import's own articles are not "here": all known first
                taken = self._taken.setdefault((title, text), set())
                ours = self._ours_by_title.get(title, set())
                here = Article.objects.filter(title=title).exclude(pk__in=taken | ours)
                here = here.order_by("pk")
                found = next((a for a in here.only("pk", "text")[:20] if a.text == text), None)
                if found is not None:
                    taken.add(found.pk)
        if found is not None:
            self.result.articles_reused += 1
            if found.pk is not None and id(found) not in self._made:
                found = self._here.setdefault(found.pk, Article.objects.get(pk=found.pk))
            self._by_identity.setdefault(key, found)
            return found
        article = Article(title=title, text=text, created_by=self.by, **fields)
        # As actions.create_article, bar the URL's unique constraint: a URL that is here was
        # reused or refused above, and one that is in this file too.
        article.full_clean(validate_constraints=False)
        self.articles.append(article)
        self._made.add(id(article))
        self.result.articles_created += 1
        if url_key:
            self._by_url[url_key] = article
        self._by_identity[key] = article
        return article

    def _claim_fields(self, c: ClaimSpec) -> dict:
        """The claim's own fields, by the API's rules."""
        cue, source = c.cue or (None, None), c.source_mention or (None, None)
        fields = {
            "kind": c.kind,
            "start": c.start,
            "end": c.end,
            "quote": c.quote,
            "prefix": c.prefix,
            "suffix": c.suffix,
            "summary": c.summary,
            "check_worthy": c.check_worthy,
            "cue_start": cue[0],
            "cue_end": cue[1],
            "source_start": source[0],
            "source_end": source[1],
        }
        # What is left at its default is not sent: the API would give the default back (a
        # doccano span is kind, start and end, and this is most of the time of a claim).
        for name, default in (
            ("prefix", ""),
            ("suffix", ""),
            ("summary", ""),
            ("check_worthy", True),
        ):
            if fields[name] == default and type(fields[name]) is type(default):
                del fields[name]
        return self.claim_rules(fields, "claim")

    def _speaker(self, data: dict | None) -> Speaker | None:
        """The speaker named, as ``Speaker.objects.resolve``: here or made by this import."""
        if not data or data.get("name") in (None, ""):
            return None
        fields = {k: data.get(k) for k in SPEAKER_FIELDS}
        checked = self.speaker_rules(fields, "speaker")
        name = " ".join(checked["name"].split())
        if not name:
            raise ValidationError({"speaker": "A speaker name is required."})
        if _folded(name) in self._speaker_by_name:
            return self._speaker_by_name[_folded(name)]
        speaker = next(iter(Speaker.objects.matching(name)), None)
        if speaker is None:
            speaker = Speaker(
                name=name,
                kind=(fields["kind"] and checked["kind"]) or Speaker.Kind.PERSON,
                aliases="\n".join(checked.get("alias_list", [])),
                description=checked.get("description", ""),
                wikidata_id=checked.get("wikidata_id", ""),
            )
            speaker.full_clean()
            self.speakers.append(speaker)
            for alias in speaker.alias_list:  # found by an alias too, as in the database
                self._speaker_by_name.setdefault(_folded(alias), speaker)
        self._speaker_by_name[_folded(name)] = speaker
        return speaker

    def _statement(self, data: dict | None, speaker: Speaker | None) -> Statement | None:
        """The statement titled, as ``Statement.objects.resolve``: here or made by this import."""
        if not data or data.get("title") in (None, ""):
            return None
        fields = {k: data.get(k) for k in STATEMENT_FIELDS}
        checked = self.statement_rules(fields, "statement")
        title = " ".join(checked["title"].split())
        if not title:
            raise ValidationError({"statement": "A statement title is required."})
        key = (id(speaker), _folded(title))
        if key in self._statement_by_title:
            return self._statement_by_title[key]
        statement = None
        if speaker is None or speaker.pk is not None:
            same = Statement.objects.filter(speaker=speaker, title__iexact=title)
            statement = same.order_by("pk").first()
        if statement is None:
            statement = Statement(speaker=speaker, title=title)
            for name in ("kind", "date", "venue", "url"):
                if checked.get(name):
                    setattr(statement, name, checked[name])
            # A speaker made by this import has no statements here yet: nothing to compare.
            statement.full_clean(exclude=["speaker"] if speaker and speaker.pk is None else None)
            self.statements.append(statement)
        self._statement_by_title[key] = statement
        return statement

    def write(self) -> None:
        """Write what is left to write (all of it, unless ``streaming``)."""
        if self.streaming:
            self.flush(last=True)
            self._wait()
            self._raise_failure()
            return
        actions.create_imported(
            articles=self.articles,
            speakers=self.speakers,
            statements=self.statements,
            claims=self.claims,
            by=self.by,
        )
        self._done(self.articles, self.claims)

    def _done(self, articles: list[Article], claims: list[Claim]) -> None:
        self.result.created_claim_ids.extend(claim.pk for claim in claims)
        self.result.created_article_ids.extend(article.pk for article in articles)
        for article in articles:
            self._ours_by_title.setdefault(article.title, set()).add(article.pk)

    @contextlib.contextmanager
    def writing(self):
        """Streaming: the transaction the parts are written in; the writing thread is waited
        for before it ends, however it ends."""
        if not self.streaming:
            yield
            return
        connection = self._connection()
        with transaction.atomic(using=connection.alias), _switching_often():
            deferred = self._check_keys_at_once(connection)
            try:
                yield
            finally:
                self._wait()
            if deferred:  # as they were, for the rest of a caller's transaction
                with connection.cursor() as cursor:
                    cursor.execute(f"SET CONSTRAINTS {deferred} DEFERRED")

    @staticmethod
    def _check_keys_at_once(connection) -> str:
        """The foreign keys of the tables an import writes, checked as each part is written
        (and so beside the checking of the next records) rather than all at the commit, where
        Django's DEFERRABLE INITIALLY DEFERRED keys left them: a tenth of an import, after
        the last record. The same checks; the names of the keys set so, to set them back."""
        tables = [
            m._meta.db_table
            for model in (Article, Speaker, Statement, Claim)
            for m in (model, model.history.model)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferred "
                "AND conrelid = ANY(%s::regclass[])",
                [tables],
            )
            names = ", ".join(connection.ops.quote_name(name) for (name,) in cursor.fetchall())
            if names:
                cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
        return names

    def flush(self, *, last: bool = False) -> None:
        """Streaming: start writing what the records checked so far made (a record's objects
        are whole: ``add`` took back a failed one's), once the part before is written.

        Its rows are made here, in this thread: while the part before is still being
        written when ids enough were drawn ahead (``bulk.Ids``), after it otherwise; then,
        unless it is the ``last``, ids for a part as large are drawn for the next. The
        writing thread only sends rows and waits for the database, which so always has the
        next part's rows to take: made in the writing thread, the database waited for them
        (a third of an import)."""
        if not self.streaming:
            return
        part = (self.articles, self.speakers, self.statements, self.claims)
        if not any(part):
            self._wait()
            self._raise_failure()
            return
        self.articles, self.speakers, self.statements, self.claims = [], [], [], []
        connection = self._connection()
        if self._ids is None:
            self._ids = bulk.Ids(connection)
        models = (Article, Speaker, Statement, Claim)
        sizes = [(model, len(objs)) for model, objs in zip(models, part, strict=True)]
        ready = all(self._ids.ready(model, n) for model, n in sizes)
        prepared = self._prepare(part, connection) if ready else None
        self._wait()
        self._raise_failure()
        if prepared is None:
            prepared = self._prepare(part, connection)
        for model, n in sizes if not last else ():
            self._ids.ahead(model, n)
        connection.inc_thread_sharing()  # Django's own way to lend a connection to a thread
        self._written = part
        self._writer = threading.Thread(
            target=self._write_part,
            args=(prepared, connection),
            name="import-writer",
            daemon=True,
        )
        self._writer.start()

    def _prepare(self, part: tuple[list, ...], connection) -> list[bulk.Rows]:
        articles, speakers, statements, claims = part
        return list(
            actions.prepare_imported(
                articles=articles,
                speakers=speakers,
                statements=statements,
                claims=claims,
                by=self.by,
                connection=connection,
                ids=self._ids,
            )
        )

    def _write_part(self, prepared: list[bulk.Rows], connection) -> None:
        try:
            actions.write_imported(prepared=prepared, connection=connection)
        except BaseException as exc:  # noqa: BLE001 - raised in the checking thread
            self._failure = exc

    def _wait(self) -> None:
        """Wait for the part being written, if any; its failure is kept for
        ``_raise_failure`` (it is no record's problem)."""
        if self._writer is None:
            return
        self._writer.join()
        self._writer = None
        self._connection().dec_thread_sharing()
        articles, _, _, claims = self._written
        self._written = ()
        if self._failure is None:
            self._done(articles, claims)

    def writer_failed(self, exc: Exception) -> None:
        """Streaming: a database error in the checking may be the writing thread's failure
        seen through the connection they share (its transaction aborted): if so, that
        failure is raised, not reported as a record's problem."""
        if self.streaming and isinstance(exc, DatabaseError):
            self._wait()
            self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    @staticmethod
    def _connection():
        return connections[router.db_for_write(Claim)]


def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return _messages(exc)
    if isinstance(exc, ValueError):
        return str(exc)
    logger.warning("import: a record failed unexpectedly", exc_info=exc)
    return f"this record could not be imported ({type(exc).__name__}); check its values"


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while an import holds its many thousand new objects: it
    walked them all again and again (a tenth of a 50,000-span import); none are cycles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextlib.contextmanager
def _switching_often():
    """Python's threads switched every half millisecond rather than five while an import
    writes from a thread of its own (``_Batch.flush``): the writing thread waits on the
    socket each time PostgreSQL has not yet taken the rows sent (a thousand and more times
    in 50,000 spans), and took the interpreter back only when the checking thread gave it up,
    up to 5 ms later each time, so the database sat idle. (The interval is the process's:
    imports run in task workers and commands, one at a time a process.)"""
    was = sys.getswitchinterval()
    sys.setswitchinterval(min(was, SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(was)


SWITCH_INTERVAL = 0.0005


def import_annotations(
    source,
    *,
    fmt: str | None = None,
    by=None,
    dry_run: bool = False,
    progress: Callable[[], None] | None = None,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Import ``source`` (text, bytes or a text stream) in ``fmt`` (guessed when None)."""
    with _collector_paused():
        return _import(
            source,
            fmt=fmt,
            by=by,
            dry_run=dry_run,
            progress=progress,
            options=options or ImportOptions(),
        )


# Records parsed, and their articles looked for (and on PostgreSQL, written), at a time.
CHUNK = 50

# The formats whose parsers take ImportOptions.
_WITH_OPTIONS = {"ours", "doccano", "labelstudio", "w3c"}


def map_offsets(spec: ArticleSpec) -> ArticleSpec:
    """``spec`` with its claims' offsets (counted in its text as it came) mapped into the text
    as stored (``text.normalize_with_offsets``); ``ValueError`` for one that cannot be."""
    if spec.text is None:
        return spec
    mapped = textlib.normalize_with_offsets(spec.text)
    if not mapped.edits:
        return spec

    def at(offset):
        # An offset that is no offset in the text is left for the claim's own checks to refuse.
        if type(offset) is not int or not 0 <= offset <= len(mapped.original):
            return offset
        return mapped.offset(offset)

    for i, c in enumerate(spec.claims, 1):
        try:
            c.start, c.end = at(c.start), at(c.end)
            if c.cue:
                c.cue = (at(c.cue[0]), at(c.cue[1]))
            if c.source_mention:
                c.source_mention = (at(c.source_mention[0]), at(c.source_mention[1]))
        except textlib.UnmappableOffset as exc:
            raise ValueError(f"claim {i} ({c.start}–{c.end}): {exc}") from None
    spec.text = mapped.text
    return spec


def _import(source, *, fmt, by, dry_run, progress, options) -> ImportResult:
    stream = _as_binary(source)
    guessed = ""
    if fmt is None:
        if not hasattr(stream, "seek") or not stream.seekable():
            stream = io.BytesIO(stream.read())
        fmt, why = _guess(stream)
        guessed = f"{fmt}, guessed from {why}"
    if fmt not in PARSERS:
        raise ImportFailed(
            [Problem("format", f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")]
        )
    parse = PARSERS[fmt]
    result = ImportResult(format=fmt, dry_run=dry_run, guessed=guessed)
    problems: list[Problem] = []
    total_problems = 0
    seen = 0
    # Not W3C: its pages on this server are read from the export as the file is read, which
    # must not see what the import has written so far.
    streaming = not dry_run and fmt != "w3c" and _Batch._connection().vendor == "postgresql"
    batch = _Batch(by, result, options, streaming=streaming)
    read = records(stream, fmt, follow=lambda iri: _local_page(iri, by))

    def parsed() -> list[tuple[str, ArticleSpec | Exception]]:
        """The next few records, parsed, and their articles looked for at once (expect)."""
        chunk = []
        for where, record in itertools.islice(read, CHUNK):
            try:
                if isinstance(record, Exception):
                    raise record
                spec = parse(record, options) if fmt in _WITH_OPTIONS else parse(record)
                chunk.append((where, map_offsets(spec)))
            except Exception as exc:  # any failure is this record's problem, never a 500
                batch.writer_failed(exc)
                chunk.append((where, exc))
        try:
            batch.expect(spec for _, spec in chunk)
        except DatabaseError as exc:
            batch.writer_failed(exc)
            raise
        return chunk

    with batch.writing():
        ahead = parsed()
        while ahead:
            chunk = ahead
            seen += len(chunk)
            for where, spec in chunk:
                try:
                    if isinstance(spec, Exception):
                        raise spec
                    batch.add(spec)
                    if spec.notes and len(result.notes) < MAX_PROBLEMS:
                        result.notes.extend(f"{where}: {note}" for note in spec.notes)
                except Exception as exc:  # any failure is this record's problem, never a 500
                    batch.writer_failed(exc)
                    total_problems += 1
                    if len(problems) < MAX_PROBLEMS:
                        problems.append(Problem(where, _problem(exc)))
                if progress:
                    progress()
            # The next records are read before these are written (streaming): looking for
            # their articles waits for no write.
            ahead = parsed()
            if not problems:
                batch.flush(last=not ahead)
        if not seen:
            problems.append(Problem("file", "no records found (is it empty?)"))
            total_problems += 1
        for problem in batch.labels.problems():
            problems.append(problem)
            total_problems += 1
        if not problems and not result.claims_created + result.claims_skipped and result.skipped:
            # Articles alone from a file with spans in it: the user would think the spans came
            # too.
            skipped = "; ".join(f"{n} {what}" for what, n in result.skipped.items())
            problems.append(Problem("file", f"no claims found; skipped: {skipped}"))
            total_problems += 1
        if problems:  # (streaming: what was written is rolled back)
            raise ImportFailed(problems, total_problems, guessed=guessed)
        if not dry_run:
            batch.write()
    return result


def iter_problems(exc: ImportFailed) -> Iterable[str]:
    yield from (str(p) for p in exc.problems)
    if exc.total > len(exc.problems):
        yield f"... and {exc.total - len(exc.problems)} more"
