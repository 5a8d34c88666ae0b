"""Imports: our JSONL, doccano, Label Studio and W3C; all or nothing; nothing lost."""

import json

import pytest
from rest_framework.test import APIClient

from factcheck import actions, imports
from factcheck import text as t
from factcheck.exports import claim_row, jsonl, w3c
from factcheck.models import Article, Claim, Speaker, Statement, Verdict

TEXT = "Mayor Solberg said the toll “has not changed in ten years”. Berg said 🚗 ridership fell."


def span(quote):
    start = TEXT.index(quote)
    return start, start + len(quote)


def utf16_span(quote):
    """As doccano counts: the 🚗 before "ridership" is two UTF-16 code units."""
    start, end = span(quote)
    return t.codepoint_to_utf16(TEXT, start), t.codepoint_to_utf16(TEXT, end)


def test_doccano_jsonl(alice):
    s, e = span("has not changed in ten years")
    data = json.dumps({"text": TEXT, "label": [[s, e, "DIRECT_QUOTE"], [0, 13, "CLAIM"]]}) + "\n"
    options = imports.ImportOptions.from_input(labels="claim=direct_quote")
    result = imports.import_annotations(data, fmt="doccano", by=alice, options=options)
    assert (result.articles_created, result.claims_created) == (1, 2)
    article = Article.objects.get()
    assert article.title.startswith("Mayor Solberg said")
    quotes = sorted(article.claims.values_list("quote", "kind"))
    assert quotes == [
        ("Mayor Solberg", "direct_quote"),
        ("has not changed in ten years", "direct_quote"),
    ]
    assert all(c.created_by == alice for c in article.claims.all())


def test_label_studio_with_utf16_offsets(alice):
    # Label Studio counts like JavaScript: the car emoji is two units there.
    quote = "ridership fell"
    s, e = span(quote)
    task = {
        "data": {"text": TEXT, "title": "Toll row"},
        "annotations": [
            {
                "result": [
                    {
                        "type": "labels",
                        "value": {
                            "start": s + 1,
                            "end": e + 1,
                            "text": quote,
                            "labels": ["Indirect quote"],
                        },
                    },
                    {"type": "choices", "value": {"choices": ["x"]}},
                ]
            }
        ],
    }
    result = imports.import_annotations(json.dumps([task]), by=alice)
    assert result.format == "labelstudio" and result.claims_created == 1
    claim = Claim.objects.get()
    assert (claim.start, claim.end, claim.kind) == (s, e, "indirect_quote")
    assert claim.article.title == "Toll row"


def test_w3c_annotations_point_at_articles_already_here(alice, article, claim):
    annotation = w3c.annotation(claim_row(claim), base_url="http://testserver")
    claim.delete()
    result = imports.import_annotations(json.dumps([annotation]), fmt="w3c", by=alice)
    assert result.claims_created == 1
    again = Claim.objects.get()
    assert (again.start, again.end, again.kind) == (claim.start, claim.end, claim.kind)
    assert again.speaker.name == "Tomas Berg" and again.summary == claim.summary
    stray = dict(
        annotation, target={**annotation["target"], "source": "https://elsewhere.example/x"}
    )
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_annotations(json.dumps([stray]), fmt="w3c", by=alice)
    assert "import the article first" in str(failed.value.problems[0])


def test_an_import_with_a_bad_line_imports_nothing(alice):
    s, e = utf16_span("ridership fell")
    good = json.dumps({"text": TEXT, "label": [[s, e, "DIRECT_QUOTE"]]})
    lines = "\n".join(
        [
            good,
            "{not json",
            json.dumps({"text": "Short.", "label": [[0, 99, "DIRECT_QUOTE"]]}),
            json.dumps({"label": []}),
            json.dumps({"text": "Fine text.", "label": [["a", 2, "DIRECT_QUOTE"]]}),
        ]
    )
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_annotations(lines, fmt="doccano", by=alice)
    where = [p.where for p in failed.value.problems]
    assert where == ["line 2", "line 3", "line 4", "line 5"]
    messages = [p.message for p in failed.value.problems]
    assert "not valid JSON" in messages[0] and "past the end" in messages[1]
    assert "text" in messages[2] and "integer" in messages[3]
    assert not Article.objects.exists() and not Claim.objects.exists()


def test_dry_run_saves_nothing(alice):
    data = json.dumps({"text": TEXT, "label": [[0, 5, "DIRECT_QUOTE"]]})
    result = imports.import_annotations(data, by=alice, dry_run=True)
    assert result.claims_created == 1 and result.dry_run
    assert not Article.objects.exists()


def test_export_then_import_into_an_empty_database_loses_nothing(
    alice, article, claim, django_db_blocker
):
    claim2 = actions.create_claim(
        article=article,
        by=alice,
        quote="38,000 vehicles",
        prefix="third.\nThe mayor said the bridge carries ",
        kind="mixed_quote",
        speaker_name="Ingrid Solberg",
        statement_title="Press release",
        summary="Bridge traffic",
        check_worthy=False,
        cue=(0, 3),
    )
    speaker = claim2.speaker
    speaker.aliases, speaker.wikidata_id, speaker.description = "Mayor Solberg", "Q42", "Mayor"
    speaker.save()
    exported = "".join(
        jsonl.stream_jsonl(Article.objects.all(), Claim.objects.all(), base_url="http://testserver")
    )

    def snapshot():
        return [
            (
                c.article.title,
                c.article.url,
                c.article.text,
                c.article.publisher,
                c.article.published_on,
                c.start,
                c.end,
                c.quote,
                c.prefix,
                c.suffix,
                c.kind,
                c.speaker
                and (
                    c.speaker.name,
                    c.speaker.aliases,
                    c.speaker.wikidata_id,
                    c.speaker.description,
                ),
                c.statement and c.statement.title,
                c.summary,
                c.check_worthy,
                c.cue_start,
                c.cue_end,
            )
            for c in Claim.objects.order_by("start")
        ]

    before = snapshot()
    Claim.objects.all().delete()
    Statement.objects.all().delete()
    Speaker.objects.all().delete()
    Article.objects.all().delete()
    result = imports.import_annotations(exported, by=alice)
    assert result.format == "ours" and result.claims_created == 2
    assert snapshot() == before
    # Importing the same file again changes nothing.
    again = imports.import_annotations(exported, by=alice)
    assert (again.articles_reused, again.claims_created, again.claims_skipped) == (1, 0, 2)


def test_the_api_import_endpoint(alice, eve):
    data = json.dumps({"text": TEXT, "label": [[0, 13, "DIRECT_QUOTE"]]}) + "\n"
    client = APIClient()
    client.force_login(alice)
    r = client.post("/api/v1/import/?format=doccano", data, content_type="application/x-ndjson")
    # Queued as a task (run at once in tests): 202 and where to poll it.
    assert r.status_code == 202, r.json()
    assert r["Location"] == r.json()["url"]
    polled = client.get(r["Location"]).json()
    assert polled["status"] == "succeeded"
    assert polled["result"]["claims_created"] == 1
    assert polled["progress"]["done"] == polled["progress"]["total"] == len(data.encode())
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bad.jsonl", b'{"text": "x", "label": [[0, 5, "X"]]}\n')
    r = client.post("/api/v1/import/", {"file": upload, "format": "doccano"})
    assert r.status_code == 202
    failed = client.get(r["Location"]).json()
    assert failed["status"] == "failed"
    assert failed["options"]["filename"] == "bad.jsonl"
    assert failed["problems"] == [{"where": "line 1", "message": failed["problems"][0]["message"]}]
    r = client.post("/api/v1/import/?format=nope", data, content_type="application/x-ndjson")
    assert r.status_code == 400 and "format" in r.json()
    r = client.post("/api/v1/import/", b"\xff\xfe", content_type="application/x-ndjson")
    assert client.get(r["Location"]).json()["status"] == "failed"
    outsider = APIClient()
    outsider.force_login(eve)
    assert (
        outsider.post("/api/v1/import/", data, content_type="application/x-ndjson").status_code
        == 403
    )
    assert Claim.objects.count() == 1


def test_a_huge_body_is_refused_with_advice(alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client = APIClient()
    client.force_login(alice)
    body = json.dumps({"text": "x" * 200, "label": []})
    r = client.post("/api/v1/import/", body, content_type="application/x-ndjson")
    assert r.status_code == 413 and "multipart" in r.json()["detail"]
    assert not Article.objects.exists()


def test_doccano_entities_layout(alice):
    s, e = utf16_span("ridership fell")
    record = {
        "text": TEXT,
        "entities": [{"id": 1, "start_offset": s, "end_offset": e, "label": "indirect_quote"}],
    }
    result = imports.import_annotations(json.dumps(record), by=alice)
    assert result.format == "doccano" and Claim.objects.get().quote == "ridership fell"


def test_the_api_takes_an_offset_unit_and_labels(alice):
    s, e = span("ridership fell")  # code points: counted as doccano would, a letter early
    data = json.dumps({"text": TEXT, "label": [[s, e, "CLAIM"]]})
    client = APIClient()
    client.force_login(alice)
    url = "/api/v1/import/?format=doccano"
    r = client.post(f"{url}&labels=CLAIM=direct_quote", data, content_type="application/json")
    failed = client.get(r["Location"]).json()
    assert failed["status"] == "failed" and "Was the file counted in codepoint?" in str(failed)
    r = client.post(
        f"{url}&offset_unit=codepoint&labels=CLAIM=indirect_quote",
        data,
        content_type="application/json",
    )
    done = client.get(r["Location"]).json()
    assert done["options"]["offset_unit"] == "codepoint"
    assert done["options"]["labels"] == {"CLAIM": "indirect_quote"}
    assert done["result"]["claims_created"] == 1 and done["result"]["guessed"] == ""
    assert Claim.objects.get().quote == "ridership fell"
    r = client.post(f"{url}&offset_unit=bytes", data, content_type="application/json")
    assert r.status_code == 400 and "offset_unit" in r.json()
    r = client.post(f"{url}&labels=CLAIM=rumour", data, content_type="application/json")
    assert r.status_code == 400 and "not a claim kind" in r.json()["labels"][0]
    # In a multipart upload, the options may be form fields.
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("d.jsonl", data.encode())
    r = client.post(
        "/api/v1/import/",
        {"file": upload, "offset_unit": "codepoint", "labels": "*=mixed_quote"},
    )
    assert client.get(r["Location"]).json()["result"]["claims_skipped"] == 0
    assert sorted(Claim.objects.values_list("kind", flat=True)) == [
        "indirect_quote",
        "mixed_quote",
    ]


def test_ours_to_ours_keeps_every_claim_field_the_import_reads(alice, attributed, article):
    """Every field a desk sees of a claim, its speaker, its statement and its article comes
    back from our JSONL but those docs/api.md lists as not imported (status, verdict,
    authorship and times: an import makes new, open claims)."""
    article.byline, article.language = "Kari Nord", "nb"
    article.save()
    exported = "".join(
        jsonl.stream_jsonl(Article.objects.all(), Claim.objects.all(), base_url="http://testserver")
    )
    article_fields = ("title", "url", "text", "publisher", "byline", "published_on", "language")
    claim_fields = (
        "start", "end", "quote", "prefix", "suffix", "kind", "summary", "check_worthy",
        "cue_start", "cue_end", "source_start", "source_end",
    )  # fmt: skip

    def snapshot():
        claim = Claim.objects.select_related("article", "speaker", "statement").get()
        speaker, statement = claim.speaker, claim.statement
        return (
            {name: getattr(claim.article, name) for name in article_fields},
            {name: getattr(claim, name) for name in claim_fields},
            (speaker.name, speaker.kind, speaker.alias_list, speaker.description),
            speaker.wikidata_id,
            (statement.title, statement.kind, statement.date, statement.venue, statement.url),
        )

    before = snapshot()
    assert before[1]["source_start"] is not None and before[1]["cue_start"] is not None
    Verdict.objects.all().delete()
    Claim.objects.all().delete()
    Statement.objects.all().delete()
    Speaker.objects.all().delete()
    Article.objects.all().delete()
    result = imports.import_annotations(exported, by=alice)
    assert (result.format, result.claims_created, result.articles_created) == ("ours", 1, 1)
    assert result.notes == []  # its label is its claims: nothing to say
    assert snapshot() == before
    assert Claim.objects.get().status == "open"


def test_spans_added_in_doccano_to_our_export_are_imported(alice, claim):
    """Ours -> doccano -> ours: doccano edits `label` and keeps `claims` as metadata. A span
    added there was dropped in silence (`claims` alone was read); it is a claim now, and a
    claim whose span left `label` is imported from `claims`, each said in the notes."""
    line = json.loads(
        "".join(
            jsonl.stream_jsonl(
                Article.objects.all(), Claim.objects.all(), base_url="http://testserver"
            )
        )
    )
    text = line["text"]
    start = text.index("The mayor")
    line["label"] = [[start, start + len("The mayor"), "INDIRECT_QUOTE"]]  # one added, one gone
    result = imports.import_annotations(json.dumps(line), by=alice)
    assert (result.format, result.claims_created, result.claims_skipped) == ("ours", 1, 1)
    assert sorted(Claim.objects.values_list("quote", "kind")) == [
        ("The mayor", "indirect_quote"),
        ("ridership fell by a third", "indirect_quote"),
    ]
    assert result.notes == [
        f"line 1: label 1 ({start}–{start + 9}) is in label only (added in doccano?): "
        "imported as a claim",
        "line 1: claim 1 (81–106) is not in label (removed in doccano?): imported from claims",
    ]
