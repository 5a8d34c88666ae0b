"""`manage.py import_article` reads plain text or JSON, normalizes, and refuses bad files."""

import json

import pytest
from django.core.management import CommandError, call_command

from factcheck import actions
from factcheck.models import Article


def test_help_explains_the_formats(capsys):
    with pytest.raises(SystemExit):
        call_command("import_article", "--help")
    assert ".json file holds an object" in " ".join(capsys.readouterr().out.split())


def test_imports_plain_text_titled_by_its_first_line(db, tmp_path):
    path = tmp_path / "piece.txt"
    path.write_bytes("Headline here\r\n\r\nBody with cafe\u0301.\r\n".encode())
    call_command("import_article", str(path), "--publisher", "Courier")
    article = Article.objects.get()
    assert article.title == "Headline here"
    assert article.text == "Headline here\n\nBody with café.\n"
    assert article.publisher == "Courier"


def test_imports_json_and_is_idempotent_by_url(db, tmp_path):
    path = tmp_path / "piece.json"
    path.write_text(
        json.dumps(
            {
                "title": "T",
                "text": "Body.",
                "url": "https://x.example/a",
                "published_on": "2026-01-02",
                "language": "fr",
            }
        )
    )
    call_command("import_article", str(path))
    call_command("import_article", str(path))
    article = Article.objects.get()
    assert (article.language, str(article.published_on)) == ("fr", "2026-01-02")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.txt", b"caf\xe9 latin-1", "not UTF-8"),
        ("bad.json", b"{not json", "not valid JSON"),
        ("bad.json", b'{"title": "x"}', "string `text`"),
        ("bad.json", b'{"text": "x", "evil": 1}', "unknown fields"),
        ("bad.json", b'{"text": "x", "published_on": "yesterday"}', "published_on"),
        ("empty.txt", b"   ", "empty"),
    ],
)
def test_bad_files_are_refused_clearly_and_write_nothing(db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_article", str(path))
    assert not Article.objects.exists()


def test_missing_file(db):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_article", "/nonexistent/file.txt")


def test_the_shared_sample_article_imports_and_claims_round_trip(
    db, tmp_path, sample_article_text, alice
):
    """The real article we were given: a claim made from text.index(quote) keeps its offsets."""
    from tests.conftest import SAMPLE_ARTICLE

    call_command("import_article", str(SAMPLE_ARTICLE), "--url", "https://sample.example.org/1")
    article = Article.objects.get()
    assert article.text == sample_article_text.replace("\r\n", "\n")
    # Every paragraph's first sentence, and a quote with curly quotes in it.
    quotes = [p.split(". ")[0] for p in article.text.split("\n") if len(p) > 40][:6]
    quotes.append(article.text[article.text.index("“") : article.text.index("”") + 1])
    for quote in quotes:
        start = article.text.index(quote)
        claim = actions.create_claim(article=article, by=alice, start=start, end=start + len(quote))
        claim.refresh_from_db()
        assert (claim.start, claim.end, claim.quote) == (start, start + len(quote), quote)
        again = actions.resolve_span(
            article, quote=claim.quote, prefix=claim.prefix, suffix=claim.suffix
        )
        assert (again.start, again.end) == (start, start + len(quote))
