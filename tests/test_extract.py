"""Reading an article out of a page or a file, with no network."""

import io
import socket
from datetime import date

import pytest

from factcheck.extract import ExtractError, decode, extract_article, extract_file
from tests.local_web import FIXTURES

HARBOUR = (FIXTURES / "harbour.html").read_bytes()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Extraction must never reach out (trafilatura can fetch; we never let it)."""

    def refuse(*args, **kwargs):
        raise AssertionError("extraction tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_it_reads_text_and_metadata():
    got = extract_article(HARBOUR, "https://courier.example/news/harbour-fares?utm_source=x")
    assert got.title == "Harbour ferry fares to rise, council says"
    assert got.byline == "Ines Halvorsen"
    assert got.publisher == "The Nordhavn Courier"
    assert got.published_on == date(2026, 4, 2)
    assert got.url == "https://courier.example/news/harbour-fares"  # its canonical link
    assert got.language == "en-GB"
    paragraphs = got.text.split("\n\n")
    assert paragraphs[0].startswith("The council said on Tuesday")
    assert "ridership fell by a third" in got.text
    # The page's furniture is left out; the headline is the title, not a paragraph.
    for noise in ("Most read", "Sport", "©", "Harbour ferry fares to rise"):
        assert noise not in got.text


def test_text_is_normalised_as_every_article():
    html = "<html><body><article><p>Cafe\u0301 one.\r\nTwo \u2028</p><p>Three long enough paragraph for the extractor to keep it as text.</p></article></body></html>"
    got = extract_article(html)
    assert "Café" in got.text and "\r" not in got.text


def test_an_empty_page_is_refused():
    with pytest.raises(ExtractError):
        extract_article("")
    with pytest.raises(ExtractError, match="No article text"):
        extract_article("<html><head><title>x</title></head><body> </body></html>")


def test_a_text_file_takes_its_first_line_as_title():
    got = extract_file("note.txt", b"Bridge traffic\r\n\r\nThe mayor said 38,000.\nAnd more.")
    assert got.title == "Bridge traffic"
    assert got.text == "The mayor said 38,000.\n\nAnd more."


def test_a_text_file_in_windows_1252():
    got = extract_file("old.TXT", "Caf\xe9 prices\n\nUp 10 %.".encode("cp1252"))
    assert got.title == "Café prices"


def test_an_html_file_in_the_encoding_its_meta_tag_names():
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-7">'
        "<title>Τιμές στο λιμάνι</title></head><body><article><p>Ο δήμαρχος είπε ότι οι τιμές "
        "ανέβηκαν κατά ένα τρίτο από τον Ιανουάριο, σύμφωνα με την έκθεση.</p></article>"
        "</body></html>"
    )
    got = extract_file("limani.html", page.encode("iso-8859-7"))
    assert got.title == "Τιμές στο λιμάνι"
    assert got.text.startswith("Ο δήμαρχος είπε")


@pytest.mark.parametrize(
    ("data", "charset", "html", "text"),
    [
        ("\ufeffCafé".encode(), "iso-8859-7", False, "Café"),  # the byte-order mark first
        ('<meta charset="utf-8">Τιμές'.encode("iso-8859-7"), "iso-8859-7", True, "Τιμές"),
        ('<meta charset="ISO-8859-1">“Café”'.encode("cp1252"), None, True, "“Café”"),
        ('<meta charset="utf-16">Café'.encode(), None, True, "Café"),
        ("Café".encode("cp1252"), "rot13", False, "Café"),
        ("Café".encode(), None, False, "Café"),
    ],
)
def test_decode_reads_bytes_as_a_browser_would(data, charset, html, text):
    assert decode(data, charset, html=html).endswith(text)


def test_an_html_file():
    got = extract_file("page.html", HARBOUR)
    assert got.title.startswith("Harbour ferry fares")


def test_a_docx_file():
    import docx

    document = docx.Document()
    document.core_properties.title = "Council minutes"
    document.core_properties.author = "Clerk of the council"
    document.add_paragraph("The councillor said fares rose 20%.")
    document.add_paragraph("")
    document.add_paragraph("The motion passed.")
    buffer = io.BytesIO()
    document.save(buffer)
    got = extract_file("minutes.docx", buffer.getvalue())
    assert got.title == "Council minutes"
    assert got.byline == "Clerk of the council"
    assert got.text == "The councillor said fares rose 20%.\n\nThe motion passed."


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", b"%PDF-1.4", "upload a .txt, .html or .docx"),
        ("noext", b"text", "upload a .txt, .html or .docx"),
        ("fake.docx", b"not a zip", "not a readable .docx"),
        ("empty.txt", b"  \n ", "empty"),
    ],
)
def test_other_files_are_refused_clearly(name, data, message):
    with pytest.raises(ExtractError, match=message):
        extract_file(name, data)
