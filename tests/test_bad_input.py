"""Bad input gets a clear 4xx (or a clear command error), never a 500 and never half a write.

Oversize articles, bytes that are not UTF-8, broken JSON/JSON Lines, CSV where JSON was
expected, offsets past the text, quotes that are not in it, and an import that fails on its
last record: each is answered with a message that says what is wrong, and the database is
exactly as it was (every model's row count, history included, is compared).
"""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpResponse
from rest_framework.authtoken.models import Token

from factcheck.models import Article, BackgroundTask, Claim
from tests.conftest import ARTICLE_TEXT


def row_counts() -> dict[str, int]:
    """Rows of every model (historical ones and auth included), but for the background task
    that records an import's attempt and why it failed."""
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m is not BackgroundTask
    }


def import_via(client, url, *args, **kwargs):
    """POST an import; the 202 names its task (run at once in tests), and the answer is how the
    task ended: 400 with its problems when it failed, 201 with its result when it succeeded."""
    response = client.post(url, *args, **kwargs)
    if response.status_code != 202:
        return response
    state = client.get(response["Location"])
    outcome = HttpResponse(
        state.content,
        content_type="application/json",
        status=201 if state.json()["status"] == "succeeded" else 400,
    )
    outcome.json = state.json
    return outcome


@pytest.fixture
def api(client, alice):
    token = Token.objects.create(user=alice)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def post_json(client, url, data, **kw):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type="application/json", **kw)


# --------------------------------------------------------------------------- oversize


@pytest.fixture
def small_limit(settings):
    settings.FACTCHECK_MAX_ARTICLE_CHARS = 1000
    return 1000


def test_an_oversize_article_from_the_page_is_answered_413(client, alice, small_limit):
    client.force_login(alice)
    before = row_counts()
    response = client.post(
        "/articles/", {"title": "Too long", "text": "x" * 1001, "language": "en"}
    )
    assert response.status_code == 413
    assert "the limit is 1,000" in response.content.decode()
    assert row_counts() == before


def test_an_oversize_article_from_the_api_is_answered_413(api, small_limit):
    before = row_counts()
    response = post_json(api, "/api/v1/articles/", {"title": "Too long", "text": "x" * 1001})
    assert "the limit is 1,000" in response.content.decode()
    assert row_counts() == before
    assert response.status_code == 413


def test_an_oversize_article_in_an_import_is_a_problem_on_its_line(api, small_limit):
    before = row_counts()
    lines = [{"text": "Short enough.", "label": []}, {"text": "y" * 1001, "label": []}]
    body = "\n".join(json.dumps(line) for line in lines)
    response = import_via(
        api, "/api/v1/import/?format=doccano", body, content_type="application/x-ndjson"
    )
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert problems[0]["where"] == "line 2"
    assert "limit is 1,000" in problems[0]["message"]
    assert row_counts() == before


def test_a_form_body_over_the_upload_limit_is_a_413_page(client, alice, settings):
    # The attack's finding: a bare 400 page, not the documented 413.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(alice)
    body = urlencode({"title": "Big", "text": "z" * 20_000, "language": "en"})
    response = client.post("/articles/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "larger than the limit of 10,000 bytes" in response.content.decode()
    # Sent as multipart, the same text is the same page.
    response = client.post("/articles/", {"title": "Big", "text": "z" * 20_000})
    assert response.status_code == 413
    assert "larger than the limit" in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.parametrize("url", ["/api/v1/articles/", "/api/v1/claims/", "/api/v1/import/"])
def test_an_api_body_over_the_upload_limit_is_a_413_in_json(api, settings, url):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = row_counts()
    response = post_json(api, url, {"title": "Big", "text": "z" * 20_000})
    assert response.status_code == 413
    assert "larger than the limit of 10,000 bytes" in response.json()["detail"]
    assert row_counts() == before


def test_multipart_fields_over_the_upload_limit_are_a_413_in_json(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = api.post("/api/v1/articles/", {"title": "Big", "text": "z" * 20_000})
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_the_largest_cjk_article_goes_through_the_form(client, alice):
    # The attack's finding: 950,000 CJK characters are legal, but URL-encoded (9 bytes each)
    # they were over the body limit.
    client.force_login(alice)
    text = "事实核查" * 237_500  # 950,000 code points
    body = urlencode({"title": "Long CJK", "text": text, "language": "zh"})
    assert len(body) > 8_000_000
    response = client.post("/articles/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302, response.content[:500]
    assert len(Article.objects.get(title="Long CJK").text) == 950_000


def test_the_largest_emoji_article_goes_through_the_api(api, settings):
    # 4-byte characters escaped as surrogate pairs: 12 bytes of JSON each, the costliest.
    text = "😀" * (settings.FACTCHECK_MAX_ARTICLE_CHARS - 10)
    response = post_json(api, "/api/v1/articles/", {"title": "Emoji", "text": text})
    assert response.status_code == 201, response.content[:500]
    assert len(Article.objects.get(title="Emoji").text) == len(text)


# --------------------------------------------------------------------------- encodings


def test_a_non_utf8_import_body_is_refused(api):
    before = row_counts()
    body = '{"text": "Caf\xe9 cr\xe8me", "label": []}\n'.encode("latin-1")
    response = import_via(api, "/api/v1/import/", body, content_type="application/x-ndjson")
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert row_counts() == before


def test_a_non_utf8_import_file_is_refused(api, tmp_path):
    before = row_counts()
    path = tmp_path / "latin1.jsonl"
    path.write_bytes('{"text": "Caf\xe9", "label": []}\n'.encode("latin-1"))
    with path.open("rb") as fh:
        response = import_via(api, "/api/v1/import/", {"file": fh})
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert row_counts() == before


def test_a_non_utf8_file_is_refused_by_the_commands(tmp_path, db):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\xe9 cr\xe8me br\xfbl\xe9e.\n".encode("latin-1"))
    before = row_counts()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_annotations", str(path), stderr=stderr)
    assert "UTF-8" in stderr.getvalue()
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_article", str(path))
    assert row_counts() == before


# --------------------------------------------------------------------------- broken files


BROKEN_IMPORTS = [
    ("not JSON at all", "this is { not json", "application/json", "not valid JSON"),
    ("truncated JSON", '{"text": "abc", "label": [[0, 1', "application/json", "not valid JSON"),
    (
        "one bad line of JSON Lines",
        '{"text": "Fine.", "label": []}\n{"text": oops}\n',
        "application/x-ndjson",
        "line 2",
    ),
    ("a JSON array of numbers", "[1, 2, 3]", "application/json", "each record must be a JSON"),
    ("an empty file", "", "application/x-ndjson", "Send a file"),
    ("only blank lines", "\n\n", "application/x-ndjson", "no records"),
    (
        "CSV instead of JSON",
        "id,quote,speaker\n1,hello,Someone\n",
        "text/plain",
        "not valid JSON",
    ),
    (
        "labels that are not spans",
        '{"text": "Some text.", "label": [["a", "b", "C"]]}',
        "application/x-ndjson",
        "must be an integer",
    ),
    (
        "a W3C annotation on an unknown source",
        json.dumps(
            {
                "type": "Annotation",
                "target": {
                    "source": "https://elsewhere.example/x",
                    "selector": {"type": "TextQuoteSelector", "exact": "x"},
                },
            }
        ),
        "application/ld+json",
        "not an article here",
    ),
]


@pytest.mark.parametrize(
    "name, body, content_type, message", BROKEN_IMPORTS, ids=[b[0] for b in BROKEN_IMPORTS]
)
def test_a_broken_import_is_answered_clearly_and_imports_nothing(
    api, article, name, body, content_type, message
):
    before = row_counts()
    response = import_via(api, "/api/v1/import/", body, content_type=content_type)
    assert response.status_code == 400, response.content
    assert message in response.content.decode()
    assert row_counts() == before


def test_the_import_command_names_the_problem_and_imports_nothing(tmp_path, db):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"text": "Fine.", "label": [[0, 4, "DIRECT_QUOTE"]]}\n{broken\n')
    before = row_counts()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_annotations", str(path))
    assert row_counts() == before


def test_an_import_failing_on_its_last_record_leaves_the_database_exactly_as_before(
    api, article, claim
):
    """Three good articles with claims, then one whose claim runs past its text."""
    before = row_counts()
    good = [
        {
            "text": f"Article {i}: the minister said the dam cost {i} billion.",
            "title": f"Good {i}",
            "claims": [
                {"start": 14, "end": 26, "speaker": f"Speaker {i}", "statement": f"Speech {i}"}
            ],
        }
        for i in range(3)
    ]
    bad = {"text": "Short.", "title": "Bad", "claims": [{"start": 0, "end": 99}]}
    body = "\n".join(json.dumps(r) for r in [*good, bad])
    response = import_via(
        api, "/api/v1/import/?format=ours", body, content_type="application/x-ndjson"
    )
    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert problem["where"] == "line 4"
    assert "end" in problem["message"]
    assert row_counts() == before
    # And the same file without its bad line goes in whole.
    body = "\n".join(json.dumps(r) for r in good)
    response = import_via(
        api, "/api/v1/import/?format=ours", body, content_type="application/x-ndjson"
    )
    assert response.status_code == 201
    assert response.json()["result"]["claims_created"] == 3


# --------------------------------------------------------------------------- hostile records

GOOD_LINE = {"text": "The minister said the dam cost a billion.", "title": "Good", "claims": []}
TEXT = "The minister said the dam cost a billion."


def claim_with(**fields):
    return {"text": TEXT, "title": "Hostile", "claims": [{"start": 4, "end": 12, **fields}]}


HOSTILE_RECORDS = [
    ("a number as a date", {**GOOD_LINE, "title": "d", "published_on": 20260101}, "published_on"),
    (
        "a list as a date",
        {**GOOD_LINE, "title": "d", "published_on": ["2026-01-01"]},
        "published_on",
    ),
    ("a dict as a language", {**GOOD_LINE, "title": "l", "language": {"x": 1}}, "language"),
    ("a list as a title", {**GOOD_LINE, "title": ["t"]}, "title"),
    ("a NUL byte in the text", {"text": "Nul\x00here.", "title": "n", "claims": []}, "text"),
    ("a NUL byte in the title", {**GOOD_LINE, "title": "a\x00b"}, "title"),
    ("a list as a speaker's name", claim_with(speaker={"name": ["Mayor"]}), "name"),
    ("a number as a speaker", claim_with(speaker=42), "speaker"),
    ("a number as aliases", claim_with(speaker={"name": "Mayor", "aliases": 5}), "aliases"),
    ("a NUL byte in a speaker's name", claim_with(speaker="Ma\x00yor"), "name"),
    ("a list as a statement's title", claim_with(statement={"title": ["x"]}), "title"),
    ("a number as a statement's date", claim_with(statement={"title": "S", "date": 7}), "date"),
    ("a list as a summary", claim_with(summary=["s"]), "summary"),
    ("a dict as a summary", claim_with(summary={"s": 1}), "summary"),
    ("a NUL byte in a summary", claim_with(summary="a\x00b"), "summary"),
    ("a list as a prefix", claim_with(prefix=[1]), "prefix"),
    ("a number as a suffix", claim_with(suffix=[]), "suffix"),
    ("a list as check_worthy", claim_with(check_worthy=[1]), "check_worthy"),
]


@pytest.mark.parametrize(
    "name, record, field", HOSTILE_RECORDS, ids=[r[0] for r in HOSTILE_RECORDS]
)
def test_an_imported_record_of_the_wrong_types_is_a_problem_on_its_line(api, name, record, field):
    # The attack: wrong types gave a 500 or stored garbage ("{'x': 1}" as a language; a NUL
    # byte stored on SQLite and a 500 on PostgreSQL). The API's own rules refuse them.
    before = row_counts()
    body = "\n".join(json.dumps(r) for r in [GOOD_LINE, record])
    response = import_via(
        api, "/api/v1/import/?format=ours", body, content_type="application/x-ndjson"
    )
    assert response.status_code == 400, response.content
    [problem] = response.json()["problems"]
    assert problem["where"] == "line 2"
    assert field in problem["message"]
    assert row_counts() == before


@pytest.mark.parametrize(
    "fields",
    [{"summary": ["s"]}, {"language": {"x": 1}}, {"title": "a\x00b"}],
    ids=["summary", "language", "title"],
)
def test_the_import_and_the_api_give_one_answer(api, article, fields):
    """One validator: the API refuses what the import refuses, with the same message."""
    target = "claims" if "summary" in fields else "articles"
    body = {"article": article.pk, "start": 4, "end": 9, **fields}
    if target == "articles":
        body = {"title": "t", "text": "Some text.", **fields}
    by_api = post_json(api, f"/api/v1/{target}/", body).json()
    record = claim_with(**fields) if target == "claims" else {**GOOD_LINE, **fields}
    response = import_via(
        api, "/api/v1/import/?format=ours", json.dumps(record), content_type="application/x-ndjson"
    )
    [problem] = response.json()["problems"]
    [(name, [message])] = by_api.items()
    assert f"{name}: {message}" in problem["message"]


LABEL_STUDIO_ODDITIES = [
    ("results that are not a list", {"data": {"text": TEXT}, "annotations": [{"result": 5}]}),
    ("a list as the data's text", {"data": {"text": ["x"]}, "annotations": []}),
    (
        "a list as a start",
        {
            "data": {"text": TEXT},
            "annotations": [{"result": [{"value": {"start": [0], "end": 3}}]}],
        },
    ),
]


@pytest.mark.parametrize(
    "name, task", LABEL_STUDIO_ODDITIES, ids=[t[0] for t in LABEL_STUDIO_ODDITIES]
)
def test_any_failure_inside_a_record_is_a_problem_with_its_place(api, name, task):
    before = row_counts()
    good = {"data": {"text": "A fine task."}, "annotations": []}
    response = import_via(
        api,
        "/api/v1/import/?format=labelstudio",
        json.dumps([good, task]),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    [problem] = response.json()["problems"]
    assert problem["where"] == "task 2"
    assert row_counts() == before


def jsonl_with_a_bad_byte_on(line: int, total: int = 40) -> bytes:
    lines = [
        json.dumps({"text": f"Article {i}, long enough " + "x" * 300, "label": []}).encode()
        for i in range(1, total + 1)
    ]
    lines[line - 1] = '{"text": "Caf\xe9", "label": []}'.encode("latin-1")
    return b"\n".join(lines) + b"\n"


def test_invalid_utf8_in_an_import_body_is_reported_on_its_line(api):
    # The attack's finding: the decoder read ahead, so the problem was named ~17 lines early.
    before = row_counts()
    body = jsonl_with_a_bad_byte_on(30)
    response = import_via(
        api, "/api/v1/import/?format=doccano", body, content_type="application/x-ndjson"
    )
    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert problem["where"] == "line 30" and "UTF-8" in problem["message"]
    assert row_counts() == before


def test_invalid_utf8_in_an_import_file_is_reported_on_its_line(api, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(jsonl_with_a_bad_byte_on(30))
    with path.open("rb") as fh:
        response = import_via(api, "/api/v1/import/", {"file": fh})
    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert problem["where"] == "line 30"


def test_invalid_utf8_is_reported_on_its_line_by_the_command(tmp_path, db):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(jsonl_with_a_bad_byte_on(30))
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_annotations", str(path), stderr=stderr)
    assert "line 30: not valid UTF-8" in stderr.getvalue()


def test_invalid_utf8_in_a_whole_json_import_names_its_line(api):
    tasks = [{"data": {"text": f"Task {i}"}, "annotations": []} for i in range(40)]
    lines = json.dumps(tasks, indent=1).encode().split(b"\n")
    bad = [i for i, line in enumerate(lines) if b"Task 30" in line][0]
    lines[bad] = lines[bad].replace(b"Task", "T\xe2sk".encode("latin-1"))
    response = import_via(
        api,
        "/api/v1/import/?format=labelstudio",
        b"\n".join(lines),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert f"line {bad + 1}: not valid UTF-8" in response.content.decode()


# --------------------------------------------------------------------------- spans


BAD_SPANS = [
    ({"start": 0, "end": len(ARTICLE_TEXT) + 1}, "end"),
    ({"start": len(ARTICLE_TEXT) + 5, "end": len(ARTICLE_TEXT) + 9}, "end"),
    ({"start": 10, "end": 10}, "end"),
    ({"start": 20, "end": 10}, "end"),
    ({"start": -1, "end": 4}, "start"),
    ({"start": 0, "end": 2**31}, "end"),
    ({"start": 0, "end": 2**70}, "end"),
    ({"start": "zero", "end": 4}, "start"),
    ({"start": 0}, "end"),
    ({"quote": "a bridge that was never mentioned"}, "quote"),
    ({"quote": ""}, "quote"),
    ({"start": 0, "end": 9, "quote": "Not what is there"}, "quote"),
    ({"cue_start": 0, "cue_end": 10**6, "start": 0, "end": 3}, "cue"),
]


@pytest.mark.parametrize("span, field", BAD_SPANS, ids=[str(s) for s, _ in BAD_SPANS])
def test_a_bad_span_through_the_api_is_a_400_naming_the_field(api, article, span, field):
    before = row_counts()
    response = post_json(api, "/api/v1/claims/", {"article": article.pk, **span})
    assert response.status_code == 400, response.content
    assert any(field in key for key in response.json()), response.json()
    assert row_counts() == before


@pytest.mark.parametrize("span, field", BAD_SPANS[:7], ids=[str(s) for s, _ in BAD_SPANS[:7]])
def test_a_bad_span_from_the_annotation_page_is_a_400_naming_the_field(
    client, alice, article, span, field
):
    """The page writes through the API with its session: the same validator, the same shape."""
    client.force_login(alice)
    response = post_json(client, "/api/v1/claims/", {"article": article.pk, "snap": True, **span})
    assert response.status_code == 400, response.content
    assert any(field in key for key in response.json()), response.json()
    assert not Claim.objects.exists()


def test_an_ambiguous_quote_asks_for_context(api, article):
    # The first sentence appears twice in the article.
    quote = "The mayor said the bridge carries 38,000 vehicles a day."
    response = post_json(api, "/api/v1/claims/", {"article": article.pk, "quote": quote})
    assert response.status_code == 400
    assert "quote" in response.json()
    # With a prefix it is found, at the second occurrence.
    response = post_json(
        api,
        "/api/v1/claims/",
        {"article": article.pk, "quote": quote, "prefix": "fell by a third.\n"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["start"] == ARTICLE_TEXT.rindex(quote)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"a string"', b"\xff\xfe\x00", b'{"start": true, "end": 4}'],
)
def test_the_claims_api_refuses_session_bodies_that_are_not_claims(client, alice, article, body):
    client.force_login(alice)
    response = client.post("/api/v1/claims/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()
    assert not Claim.objects.exists()


# --------------------------------------------------------------------------- the API's edges


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/?cursor=bm90LWEtY3Vyc29y",
        "/api/v1/claims/?cursor=%%%",
        "/api/v1/claims/?page_size=-1",
        "/api/v1/claims/?page_size=99999999999999999999",
        "/api/v1/claims/?article=99999999999999999999999",
        "/api/v1/claims/?article=-5",
        "/api/v1/claims/?article=abc",
        "/api/v1/claims/?status=nonsense",
        "/api/v1/claims/?check_worthy=maybe",
        "/api/v1/articles/?published_after=yesterday",
        "/api/v1/verdicts/?rating=1e999",
        "/api/v1/claims/?ordering=;drop table",
        "/api/v1/export/annotations/?page_size=0",
        "/api/v1/export/annotations/?page=-1",
        "/api/v1/export/claims.csv?article=1%00",
        "/api/v1/claims/999999999999999999999/",
    ],
)
def test_odd_query_strings_never_cause_a_500(api, claim, url):
    response = api.get(url)
    assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        ("{not json", "application/json", 400),
        ("[]", "application/json", 400),
        ("null", "application/json", 400),
        ("<xml/>", "application/xml", 415),
        ('{"article": "1; drop table"}', "application/json", 400),
        ('{"article": 1, "start": 1.5, "end": 3}', "application/json", 400),
        ('{"article": 1, "kind": "rumour", "start": 0, "end": 3}', "application/json", 400),
    ],
)
def test_malformed_api_writes_are_4xx(api, article, body, content_type, status):
    before = row_counts()
    response = api.post("/api/v1/claims/", body, content_type=content_type)
    assert response.status_code == status, response.content
    assert row_counts() == before
