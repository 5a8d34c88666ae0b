"""Import articles with claims from our JSONL, doccano, Label Studio and W3C annotations.

An import is all or nothing: every record is checked before anything is written (so one
bad record does not hide the others' problems), and if any failed nothing is written and
``ImportFailed`` lists each problem with its line (or item) number. Otherwise everything is
written at once, in bulk, with its history rows (``actions.create_imported``).

What comes in: articles (reused when the URL, or title and text, match) and their claims
with spans, kind, speaker, statement, summary, cue and source mention. Claims arrive
``open``; verdicts and publication are the desk's work and are not imported.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
import io
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from urllib.parse import SplitResult, parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import resolve
from django.urls.exceptions import Resolver404
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.fields import SkipField, empty
from rest_framework.serializers import Serializer as DRFSerializer
from rest_framework.validators import UniqueValidator

from factcheck import actions
from factcheck import text as textlib
from factcheck.api import serializers as rules
from factcheck.models import Article, Claim, Speaker, Statement

logger = logging.getLogger(__name__)

FORMATS = ("ours", "doccano", "labelstudio", "w3c")
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

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = problems
        self.total = total if total is not None else len(problems)
        super().__init__(f"{self.total} problem(s); nothing was imported.")


@dataclass
class ImportResult:
    format: str
    articles_created: int = 0
    articles_reused: int = 0
    claims_created: int = 0
    claims_skipped: int = 0
    dry_run: bool = False
    # What was read otherwise than the file said, each with its record (a W3C position that
    # disagreed with its quote, read by the quote): imported, but worth a look.
    notes: list[str] = field(default_factory=list)
    created_claim_ids: list[int] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        data = asdict(self)
        del data["created_claim_ids"]
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


def detect_format(first: str) -> str:
    """Guess the format from the start of the data (its first record)."""
    sample = first.lstrip("\ufeff \t\r\n")
    if sample.startswith("["):
        return (
            "w3c" if '"TextQuoteSelector"' in sample or '"Annotation"' in sample else "labelstudio"
        )
    if '"AnnotationCollection"' in sample or '"AnnotationPage"' in sample:
        return "w3c"
    try:
        record = _json(sample.splitlines()[0]) if sample else {}
    except ValueError:
        return "ours"
    if not isinstance(record, dict):
        return "ours"
    if record.get("type") == "Annotation" or "target" in record:
        return "w3c"
    if "annotations" in record and "data" in record:
        return "labelstudio"
    if "claims" in record:
        return "ours"
    return "doccano"


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
        yield from _json_lines(stream)
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
    an AnnotationCollection, all of whose pages are read. A page's ``next`` is looked for in
    this file (a JSON array of the collection and its pages), then, when it is on this
    server, read from the export in-process (``follow``); never fetched from elsewhere. A
    collection whose pages cannot all be read is refused whole, with how to get it whole."""
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
        total = None
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


def _incomplete(iri, count: int, total) -> str:
    where = (
        f"the collection goes on at {iri}, which is neither in this file nor on this server"
        if iri
        else "the collection's pages end early"
    )
    of = f" of its {total}" if isinstance(total, int) else ""
    return (
        f"{where}: the file holds {count}{of} annotations, and a part would be a silent loss, "
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
    notes: list[str] = field(default_factory=list)  # see ImportResult.notes


_KIND_BY_NAME = {
    **{k.value: k.value for k in Claim.Kind},
    **{str(k.label).casefold(): k.value for k in Claim.Kind},
}


def kind_from_label(label) -> str:
    """A claim kind from a label such as ``DIRECT_QUOTE`` or ``Direct quote``; default direct."""
    name = str(label or "").strip().casefold()
    return _KIND_BY_NAME.get(
        name.replace(" ", "_"), _KIND_BY_NAME.get(name, Claim.Kind.DIRECT_QUOTE)
    )


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
    return ArticleSpec(text=text, title=title, fields=fields)


def parse_ours(record) -> ArticleSpec:
    _require(isinstance(record, dict), "each line must be a JSON object")
    spec = _article_from(record)
    claims = record.get("claims")
    if claims is None:
        return parse_doccano(record)
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
                    kind=kind_from_label(c.get("kind") or c.get("label")),
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
    return spec


def _offset_span(
    text: str, start, end, quote: str | None, where: str
) -> tuple[int, int, str | None]:
    """Offsets as code points; tools that count UTF-16 units (browsers) are converted."""
    start, end = _int(start, f"{where} start"), _int(end, f"{where} end")
    if quote is None or text[start:end] == quote:
        return start, end, quote
    try:
        s16, e16 = textlib.utf16_to_codepoint(text, start), textlib.utf16_to_codepoint(text, end)
    except ValueError:
        return start, end, quote
    if text[s16:e16] == quote:
        return s16, e16, quote
    return start, end, quote


def parse_doccano(record) -> ArticleSpec:
    _require(isinstance(record, dict), "each line must be a JSON object")
    spec = _article_from(record)
    # "label" (doccano's sequence-labelling export), "labels", or "entities" (its newer
    # relation export, [{"start_offset", "end_offset", "label"}, ...]).
    labels = record.get("label", record.get("labels", record.get("entities", [])))
    _require(isinstance(labels, list), '"label" must be a list of [start, end, "LABEL"]')
    for i, item in enumerate(labels, 1):
        if isinstance(item, dict):  # doccano's newer {"start_offset", "end_offset", "label"}
            item = [item.get("start_offset"), item.get("end_offset"), item.get("label")]
        _require(
            isinstance(item, list) and len(item) == 3,
            f'label {i} must be [start, end, "LABEL"]',
        )
        start, end = _int(item[0], f"label {i} start"), _int(item[1], f"label {i} end")
        spec.claims.append(ClaimSpec(start=start, end=end, kind=kind_from_label(item[2])))
    return spec


def parse_labelstudio(task) -> ArticleSpec:
    _require(isinstance(task, dict) and isinstance(task.get("data"), dict), 'a task needs "data"')
    data = task["data"]
    text = data.get("text")
    if not isinstance(text, str):
        text = next((v for v in data.values() if isinstance(v, str) and v.strip()), None)
    spec = _article_from({**data, "text": text})
    seen = set()
    for a, annotation in enumerate(task.get("annotations") or [], 1):
        _require(isinstance(annotation, dict), f"annotation {a} must be an object")
        if annotation.get("was_cancelled"):
            continue
        for r, result in enumerate(annotation.get("result") or [], 1):
            value = result.get("value") if isinstance(result, dict) else None
            if not isinstance(value, dict) or "start" not in value:
                continue  # relations, choices, ratings: not spans
            where = f"annotation {a} result {r}"
            quote = value.get("text")
            start, end, quote = _offset_span(
                spec.text, value.get("start"), value.get("end"), quote, where
            )
            if (start, end) in seen:
                continue
            seen.add((start, end))
            labels = value.get("labels") or [None]
            spec.claims.append(
                ClaimSpec(start=start, end=end, quote=quote, kind=kind_from_label(labels[0]))
            )
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
    by_url = Article.objects.filter(url=source).first()
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


def _w3c_selection(text: str, selectors: list[dict], claim: ClaimSpec, notes: list[str]) -> None:
    """The claim's span from a target's selectors. A position that disagrees with the quote
    is read as UTF-16 code units when that fits (as browsers count, and Hypothesis's
    client), else set aside for the quote, as Hypothesis anchors: each noted."""
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
        claim.start, claim.end = start, end
        return
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


def parse_w3c(annotation) -> ArticleSpec:
    """One Annotation (ours, or any Web Annotation client's) as a claim on an article here.

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
    target = annotation.get("target")
    if isinstance(target, list):
        target = target[0] if target else None
    _require(isinstance(target, dict), 'the target must be an object with "source" and "selector"')
    article = _article_for_source(target.get("source"))
    _require(
        article is not None,
        f"target source {target.get('source')!r} is not an article here; import the article first",
    )
    claim = ClaimSpec()
    notes: list[str] = []
    _w3c_selection(article.text, _selector_list(target.get("selector")), claim, notes)
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
            elif value in _KIND_BY_NAME or value.casefold() in _KIND_BY_NAME:
                claim.kind = kind_from_label(value)
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
    return ArticleSpec(existing=article, claims=[claim], notes=notes)


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
                v for v in checker.validators if not isinstance(v, UniqueValidator)
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
    """An import checked whole before anything is written, then written at once.

    Each record is checked by the rules of the single writes (the API's serializers, the
    models' ``full_clean``, ``actions.resolve_span`` and ``actions.build_claim``) and its new
    objects are kept in memory; what it reuses (articles, speakers, statements) is looked up
    by reads alone. ``write`` then hands everything to ``actions.create_imported``: SQLite's
    write lock is held for the INSERTs only, not for the parsing and checking.
    """

    def __init__(self, by, result: ImportResult):
        self.by, self.result = by, result
        self.article_rules = _Rules(rules.ArticleSerializer)
        self.claim_rules = _Rules(rules.ClaimFieldsSerializer)
        self.speaker_rules = _Rules(rules.SpeakerSerializer)
        self.statement_rules = _Rules(rules.StatementSerializer)
        self.articles: list[Article] = []
        self.speakers: list[Speaker] = []
        self.statements: list[Statement] = []
        self.claims: list[Claim] = []
        # Articles of this file by URL and by title, for the reuse rules below.
        self._by_url: dict[str, Article] = {}
        self._by_title: dict[str, list[Article]] = {}
        self._here: dict[int, Article] = {}  # one object per article already here
        self._spans: dict[int, set[tuple[int, int]]] = {}  # by id(article): spans it has
        self._speaker_by_name: dict[str, Speaker] = {}
        self._statement_by_title: dict[tuple[int, str], Statement] = {}

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

    def _undo(self, articles, speakers, statements, claims, result) -> None:
        for article in self.articles[articles:]:
            self._spans.pop(id(article), None)
            if self._by_url.get(article.url) is article:
                del self._by_url[article.url]
            same = self._by_title.get(article.title, [])
            if article in same:
                same.remove(article)
        for claim in self.claims[claims:]:
            self._spans.get(id(claim.article), set()).discard((claim.start, claim.end))
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
                if (span.start, span.end) in spans:
                    self.result.claims_skipped += 1
                    continue
                speaker = self._speaker(_object(c.speaker, "name", "speaker"))
                claim = actions.build_claim(
                    article=article,
                    span=span,
                    by=self.by,
                    kind=checked.get("kind", Claim.Kind.DIRECT_QUOTE),
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
            spans.add((span.start, span.end))
            self.claims.append(claim)
            self.result.claims_created += 1

    def _spans_of(self, article: Article) -> set[tuple[int, int]]:
        """The spans ``article`` has claims at: an import skips a claim already there."""
        if id(article) not in self._spans:
            here = article.claims.values_list("start", "end") if article.pk else ()
            self._spans[id(article)] = set(here)
        return self._spans[id(article)]

    def _article(self, spec: ArticleSpec) -> Article:
        if spec.existing is not None:
            return self._here.setdefault(spec.existing.pk, spec.existing)
        checked = self.article_rules(
            {"title": spec.title, "text": spec.text, **spec.fields}, "article"
        )
        text = textlib.normalize_text(checked["text"])
        fields = {name: checked[name] for name in spec.fields}
        url, title = fields.get("url"), checked["title"]
        # This file's articles first: they are the newest, as the database's are newest first.
        if url:
            mine = [self._by_url[url]] if url in self._by_url else []
        else:
            mine = list(reversed(self._by_title.get(title, [])))
        same = Article.objects.filter(url=url) if url else Article.objects.filter(title=title)
        for article in [*mine, *same.only("pk", "text")[:20]]:
            if article.text == text:
                self.result.articles_reused += 1
                if article.pk is None:
                    return article
                return self._here.setdefault(article.pk, Article.objects.get(pk=article.pk))
            if url:
                raise ValidationError(
                    {"url": "An article with this URL exists here with a different text."}
                )
        article = Article(title=title, text=text, created_by=self.by, **fields)
        # As actions.create_article, bar the URL's unique constraint: a URL that is here was
        # reused or refused above, and one that is in this file too.
        article.full_clean(validate_constraints=False)
        self.articles.append(article)
        self.result.articles_created += 1
        if url:
            self._by_url[url] = article
        self._by_title.setdefault(title, []).append(article)
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
        actions.create_imported(
            articles=self.articles,
            speakers=self.speakers,
            statements=self.statements,
            claims=self.claims,
            by=self.by,
        )
        self.result.created_claim_ids = [claim.pk for claim in self.claims]


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


def import_annotations(
    source,
    *,
    fmt: str | None = None,
    by=None,
    dry_run: bool = False,
    progress: Callable[[], None] | None = None,
) -> ImportResult:
    """Import ``source`` (text, bytes or a text stream) in ``fmt`` (guessed when None)."""
    with _collector_paused():
        return _import(source, fmt=fmt, by=by, dry_run=dry_run, progress=progress)


def _import(source, *, fmt, by, dry_run, progress) -> ImportResult:
    stream = _as_binary(source)
    if fmt is None:
        if not hasattr(stream, "seek") or not stream.seekable():
            stream = io.BytesIO(stream.read())
        head = stream.read(4096).removeprefix(BOM).decode("utf-8", errors="replace")
        stream.seek(0)
        fmt = detect_format(head)
    if fmt not in PARSERS:
        raise ImportFailed(
            [Problem("format", f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")]
        )
    parse = PARSERS[fmt]
    result = ImportResult(format=fmt, dry_run=dry_run)
    problems: list[Problem] = []
    total_problems = 0
    seen = 0
    batch = _Batch(by, result)
    for where, record in records(stream, fmt, follow=lambda iri: _local_page(iri, by)):
        seen += 1
        try:
            if isinstance(record, Exception):
                raise record
            spec = parse(record)
            batch.add(spec)
            if spec.notes and len(result.notes) < MAX_PROBLEMS:
                result.notes.extend(f"{where}: {note}" for note in spec.notes)
        except Exception as exc:  # any failure is this record's problem, never a 500
            total_problems += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(Problem(where, _problem(exc)))
        if progress:
            progress()
    if not seen:
        problems.append(Problem("file", "no records found (is it empty?)"))
        total_problems += 1
    if problems:
        raise ImportFailed(problems, total_problems)
    if not dry_run:
        batch.write()
    return result


def iter_problems(exc: ImportFailed) -> Iterable[str]:
    yield from (str(p) for p in exc.problems)
    if exc.total > len(exc.problems):
        yield f"... and {exc.total - len(exc.problems)} more"
