"""Import articles with claims from our JSONL, doccano, Label Studio and W3C annotations.

An import is all or nothing: every record is tried (each in a savepoint, so one bad
record does not hide the others' problems), and if any failed the whole import is rolled
back and ``ImportFailed`` lists each problem with its line (or item) number.

What comes in: articles (reused when the URL, or title and text, match) and their claims
with spans, kind, speaker, statement, summary, cue and source mention. Claims arrive
``open``; verdicts and publication are the desk's work and are not imported.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import resolve
from django.urls.exceptions import Resolver404
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
    created_claim_ids: list[int] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        data = asdict(self)
        del data["created_claim_ids"]
        return data


class _Skip(Exception):
    """A record problem already described."""


class _DryRun(Exception):
    pass


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


def records(stream, fmt: str) -> Iterator[tuple[str, object]]:
    """(where, record-or-exception) for each record of ``stream`` in ``fmt``."""
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
    # W3C: one Annotation, an array, a page or a collection with an embedded first page.
    if isinstance(data, dict) and "first" in data and isinstance(data["first"], dict):
        data = data["first"]
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items, 1):
        yield f"annotation {i}", item


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
_W3C_FIELDS = {"identifying": "speaker", "linking": "statement", "describing": "summary"}


def _article_for_source(source: str) -> Article | None:
    if not isinstance(source, str) or not source:
        return None
    by_url = Article.objects.filter(url=source).first()
    if by_url:
        return by_url
    try:
        match = resolve(urlsplit(source).path)
    except Resolver404:
        return None
    if match.url_name == "article-detail":
        return Article.objects.filter(pk=match.kwargs["pk"]).first()
    return None


def parse_w3c(annotation) -> ArticleSpec:
    _require(isinstance(annotation, dict), "an annotation must be a JSON object")
    target = annotation.get("target")
    if isinstance(target, list):
        target = target[0] if target else None
    _require(isinstance(target, dict), 'the target must be an object with "source" and "selector"')
    article = _article_for_source(target.get("source"))
    _require(
        article is not None,
        f"target source {target.get('source')!r} is not an article here; import the article first",
    )
    selectors = target.get("selector") or []
    selectors = selectors if isinstance(selectors, list) else [selectors]
    claim = ClaimSpec()
    for selector in selectors:
        if not isinstance(selector, dict):
            continue
        if selector.get("type") == "TextQuoteSelector":
            claim.quote = selector.get("exact")
            claim.prefix = selector.get("prefix") or ""
            claim.suffix = selector.get("suffix") or ""
        elif selector.get("type") == "TextPositionSelector":
            claim.start = _int(selector.get("start"), "TextPositionSelector start")
            claim.end = _int(selector.get("end"), "TextPositionSelector end")
    _require(
        claim.quote is not None or claim.start is not None,
        "the target has neither a TextQuoteSelector nor a TextPositionSelector",
    )
    bodies = annotation.get("body") or []
    for body in bodies if isinstance(bodies, list) else [bodies]:
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            continue
        purpose = body.get("purpose")
        if purpose == _W3C_KIND:
            claim.kind = kind_from_label(body["value"])
        elif _W3C_FIELDS.get(purpose) == "speaker":
            claim.speaker = {"name": body["value"]}
        elif _W3C_FIELDS.get(purpose) == "statement":
            claim.statement = {"title": body["value"]}
        elif _W3C_FIELDS.get(purpose) == "summary":
            claim.summary = body["value"]
    return ArticleSpec(existing=article, claims=[claim])


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


def _checked(rules, data: dict, what: str) -> dict:
    """``data`` checked by the API's own input serializer ``rules``: one set of rules for a
    field whichever door it comes through. Uniqueness aside: an import reuses what is here."""
    serializer = rules(data={k: v for k, v in data.items() if v is not None})
    for checker in serializer.fields.values():
        checker.validators = [v for v in checker.validators if not isinstance(v, UniqueValidator)]
    if not serializer.is_valid():
        raise ValueError(f"{what}: {_errors(serializer.errors)}")
    return dict(serializer.validated_data)


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


def _speaker(data: dict | None) -> Speaker | None:
    if not data or data.get("name") in (None, ""):
        return None
    fields = {k: data.get(k) for k in SPEAKER_FIELDS}
    checked = _checked(rules.SpeakerSerializer, fields, "speaker")
    speaker, created = Speaker.objects.resolve(
        checked["name"], kind=fields["kind"] and checked["kind"]
    )
    if created:
        speaker.aliases = "\n".join(checked.get("alias_list", []))
        speaker.description = checked.get("description", "")
        speaker.wikidata_id = checked.get("wikidata_id", "")
        speaker.full_clean()
        speaker.save()
    return speaker


def _statement(data: dict | None, speaker: Speaker | None) -> Statement | None:
    if not data or data.get("title") in (None, ""):
        return None
    fields = {k: data.get(k) for k in STATEMENT_FIELDS}
    checked = _checked(rules.StatementSerializer, fields, "statement")
    statement, created = Statement.objects.resolve(speaker, checked["title"])
    if created:
        for name in ("kind", "date", "venue", "url"):
            if checked.get(name):
                setattr(statement, name, checked[name])
        statement.full_clean()
        statement.save()
    return statement


def _article(spec: ArticleSpec, by, result: ImportResult) -> Article:
    if spec.existing is not None:
        return spec.existing
    checked = _checked(
        rules.ArticleSerializer, {"title": spec.title, "text": spec.text, **spec.fields}, "article"
    )
    text = textlib.normalize_text(checked["text"])
    fields = {name: checked[name] for name in spec.fields}
    url = fields.get("url")
    same = (
        Article.objects.filter(url=url) if url else Article.objects.filter(title=checked["title"])
    )
    for article in same.only("pk", "text")[:20]:
        if article.text == text:
            result.articles_reused += 1
            return Article.objects.get(pk=article.pk)
        if url:
            raise ValidationError(
                {"url": "An article with this URL exists here with a different text."}
            )
    article = actions.create_article(title=checked["title"], text=text, by=by, **fields)
    result.articles_created += 1
    return article


def _claim_fields(c: ClaimSpec) -> dict:
    """The claim's own fields, by the API's rules."""
    cue, source = c.cue or (None, None), c.source_mention or (None, None)
    return _checked(
        rules.ClaimFieldsSerializer,
        {
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
        },
        "claim",
    )


def _write(spec: ArticleSpec, by, result: ImportResult) -> None:
    article = _article(spec, by, result)
    for i, c in enumerate(spec.claims, 1):
        try:
            checked = _claim_fields(c)
            span = actions.resolve_span(
                article,
                start=checked.get("start"),
                end=checked.get("end"),
                quote=checked.get("quote"),
                prefix=checked.get("prefix", ""),
                suffix=checked.get("suffix", ""),
            )
            if Claim.objects.filter(article=article, start=span.start, end=span.end).exists():
                result.claims_skipped += 1
                continue
            speaker = _speaker(_object(c.speaker, "name", "speaker"))
            claim = actions.create_claim(
                article=article,
                by=by,
                start=span.start,
                end=span.end,
                kind=checked.get("kind", Claim.Kind.DIRECT_QUOTE),
                speaker=speaker,
                statement=_statement(_object(c.statement, "title", "statement"), speaker),
                summary=checked.get("summary", ""),
                check_worthy=checked.get("check_worthy", True),
                cue=c.cue,
                source_mention=c.source_mention,
            )
        except (ValidationError, ValueError) as exc:
            message = _messages(exc) if isinstance(exc, ValidationError) else str(exc)
            raise ValidationError(f"claim {i} ({c.start}–{c.end}): {message}") from exc
        result.claims_created += 1
        result.created_claim_ids.append(claim.pk)


def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return _messages(exc)
    if isinstance(exc, ValueError):
        return str(exc)
    logger.warning("import: a record failed unexpectedly", exc_info=exc)
    return f"this record could not be imported ({type(exc).__name__}); check its values"


def import_annotations(
    source,
    *,
    fmt: str | None = None,
    by=None,
    dry_run: bool = False,
    progress: Callable[[], None] | None = None,
) -> ImportResult:
    """Import ``source`` (text, bytes or a text stream) in ``fmt`` (guessed when None)."""
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
    try:
        with transaction.atomic():
            for where, record in records(stream, fmt):
                seen += 1
                try:
                    if isinstance(record, Exception):
                        raise record
                    with transaction.atomic():  # a savepoint: a failed record leaves no trace
                        _write(parse(record), by, result)
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
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def iter_problems(exc: ImportFailed) -> Iterable[str]:
    yield from (str(p) for p in exc.problems)
    if exc.total > len(exc.problems):
        yield f"... and {exc.total - len(exc.problems)} more"
