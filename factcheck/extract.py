"""An article's text and metadata out of a web page or an uploaded file.

``extract_article(html, url)`` reads an HTML page with trafilatura (the extractor most
fact-checking and web-archiving tools use: it drops menus, comments and footers, and reads the
metadata from the page's ``<meta>``, Open Graph and JSON-LD). ``extract_file(name, data)`` reads
an uploaded ``.html``, ``.txt`` or ``.docx`` (python-docx: see docs/browser.md). Both give an
``Extracted``: its text normalised as every article's (``factcheck.text.normalize_text``), one
paragraph a line with a blank line between. Nothing here touches the network or the database.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

from factcheck import text as textlib
from factcheck.urls_canon import canonical_url_key

FILE_TYPES = {".txt": "plain text", ".html": "HTML", ".htm": "HTML", ".docx": "Word (.docx)"}


class ExtractError(ValueError):
    """Nothing usable in the page or file; the message says why."""


@dataclass
class Extracted:
    title: str = ""
    text: str = ""
    byline: str = ""
    publisher: str = ""
    published_on: date | None = None
    url: str = ""  # the page's canonical URL when it names one, else where it was found
    language: str = ""
    warnings: list[str] = field(default_factory=list)

    def article_fields(self) -> dict:
        """The fields ``actions.create_article`` takes."""
        return {
            "title": self.title,
            "text": self.text,
            "byline": self.byline,
            "publisher": self.publisher,
            "published_on": self.published_on,
            "url": self.url,
            "language": self.language or "en",
        }


def paragraphs(text: str) -> str:
    """``text`` normalised, one paragraph a line, a blank line between paragraphs."""
    lines = (line.strip() for line in textlib.normalize_text(text).split("\n"))
    return "\n\n".join(line for line in lines if line)


def extract_article(html: str | bytes, url: str = "") -> Extracted:
    """The article in the page ``html`` (found at ``url``, if it was fetched)."""
    if isinstance(html, bytes):
        html = decode(html, html=True)
    if not html.strip():
        raise ExtractError("The page is empty.")
    # Imported when first used: trafilatura and lxml cost every worker 20 MB before any
    # page is read.
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    if doc is None or not (doc.text or "").strip():
        raise ExtractError("No article text was found in the page.")
    tree = _tree(html)
    title = (doc.title or "").strip()
    text = paragraphs(doc.text)
    first, _, rest = text.partition("\n\n")
    if title and first == title and rest:
        text = rest  # the headline is the title, not the text's first paragraph
    extracted = Extracted(
        title=title[:300],
        text=text,
        byline=(doc.author or "").strip()[:300],
        publisher=(doc.sitename or doc.hostname or "").strip()[:200],
        published_on=_date(doc.date),
        url=_canonical_link(tree, url) or url,
        language=_language(tree) or (doc.language or ""),
    )
    if not extracted.title:
        extracted.warnings.append("No title was found: give one.")
    return extracted


def extract_fetched(page) -> Extracted:
    """The article in a page ``factcheck.fetch`` brought (HTML, or plain text)."""
    if page.content_type == "text/plain":
        extracted = extract_text(page.body, page.charset)
    else:
        extracted = extract_article(decode(page.body, page.charset, html=True), page.url)
    extracted.url = extracted.url or page.url
    return extracted


def extract_text(data: bytes, charset: str | None = None) -> Extracted:
    """A plain-text file: its first line is taken as the title when it is short."""
    text = paragraphs(decode(data, charset))
    if not text:
        raise ExtractError("The file is empty.")
    first, _, rest = text.partition("\n\n")
    if rest and len(first) <= 200:
        return Extracted(title=first, text=rest)
    return Extracted(text=text, warnings=["No title was found: give one."])


def extract_docx(data: bytes) -> Extracted:
    """A Word document: its paragraphs, and title, author and date from its properties."""
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractError("The file is not a readable .docx document.") from exc
    except Exception as exc:  # python-docx raises its own for a zip that is not Word
        raise ExtractError("The file is not a readable .docx document.") from exc
    lines = [p.text for p in document.paragraphs]
    text = paragraphs("\n".join(lines))
    if not text:
        raise ExtractError("The document has no text.")
    props = document.core_properties
    title = (props.title or "").strip()
    if not title:
        first, _, rest = text.partition("\n\n")
        if rest and len(first) <= 200:
            title, text = first, rest
    created = props.created
    return Extracted(
        title=title[:300],
        text=text,
        byline=(props.author or "").strip()[:300],
        published_on=created.date() if created else None,
        language=(props.language or "").strip()[:20],
        warnings=[] if title else ["No title was found: give one."],
    )


def extract_file(name: str, data: bytes) -> Extracted:
    """An uploaded file by its extension: ``.txt``, ``.html``/``.htm`` or ``.docx``."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in FILE_TYPES:
        raise ExtractError(
            f"“{name}” cannot be imported: upload a .txt, .html or .docx file "
            "(PDF and other formats: save the text as .txt first)."
        )
    if suffix == ".docx":
        return extract_docx(data)
    if suffix == ".txt":
        return extract_text(data)
    return extract_article(data)


# An HTML page's own name for its encoding, in the first 1,024 bytes as browsers look for it:
# <meta charset="…"> or <meta http-equiv="Content-Type" content="text/html; charset=…">.
META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
# Labels browsers read as Windows-1252 (the WHATWG Encoding standard): pages so labelled put
# its curly quotes and dashes where Latin-1 and ASCII have control codes.
WINDOWS_1252 = {"ascii", "us-ascii", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1"}
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, charset: str | None = None, *, html: bool = False) -> str:
    """``data`` as text, in the encoding a browser would read it in: its byte-order mark;
    else ``charset`` (the server's); else, for HTML, its ``<meta>`` tag's; else UTF-8 when it
    is valid UTF-8, else Windows-1252. A label no codec knows is passed over, not an error."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    named = [_codec(charset)]
    if html and (found := META_CHARSET.search(data[:1024])):
        codec = _codec(found.group(1).decode("ascii"))
        # A page that says UTF-16 in a tag it could read as ASCII is not UTF-16.
        named.append("utf-8" if codec and codec.startswith(("utf-16", "utf-32")) else codec)
    for codec in filter(None, named):
        try:
            return data.decode(codec, errors="replace")
        except (LookupError, UnicodeError):  # a codec that is no text encoding (rot13, zlib)
            continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _codec(label: str | None) -> str | None:
    label = (label or "").strip().lower()
    if not label:
        return None
    if label in WINDOWS_1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _tree(html: str):
    import lxml.html  # when first used, as trafilatura

    try:
        return lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


def _canonical_link(tree, url: str) -> str:
    """The page's own name for itself (``<link rel=canonical>``, else ``og:url``), when it
    is an absolute http(s) URL."""
    if tree is None:
        return ""
    found = tree.xpath('//link[translate(@rel,"CANONICAL","canonical")="canonical"]/@href')
    found += tree.xpath('//meta[@property="og:url"]/@content')
    for href in found:
        href = href.strip()
        if href.startswith(("http://", "https://")) and canonical_url_key(href):
            return href[:500]
    return ""


def _language(tree) -> str:
    if tree is None:
        return ""
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    return lang.strip()[:20]


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
