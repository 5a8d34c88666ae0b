"""Importing W3C Web Annotations: whole collections or nothing, positions read as the
annotation tools that wrote them meant, refinements, and our own article IRIs."""

import copy
import json
from pathlib import Path

import pytest

from factcheck import actions, imports
from factcheck.models import Article, Claim, Speaker, Statement, Verdict
from tests.conftest import ARTICLE_TEXT, api

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "w3c" / "hypothesis_shaped.json"
EXPORT = "/api/v1/export/annotations/"


@pytest.fixture
def hypothesis():
    """Five annotations in the shape Hypothesis writes them (RangeSelector, position and
    quote in one target; a comment and a tag as bodies); the third one's position is stale."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def harbour(alice, hypothesis):
    return actions.create_article(title="Harbour report", by=alice, **hypothesis["article"])


def imported(data, by, **kwargs):
    return imports.import_annotations(json.dumps(data), fmt="w3c", by=by, **kwargs)


def located(source, start, end, exact):
    """An Annotation whose target gives both a position and a quote."""
    selectors = [
        {"type": "TextPositionSelector", "start": start, "end": end},
        {"type": "TextQuoteSelector", "exact": exact},
    ]
    return {"type": "Annotation", "target": {"source": source, "selector": selectors}}


def quotes_of(article):
    return sorted(article.claims.values_list("quote", flat=True))


def test_a_stale_position_falls_back_to_the_quote_and_says_so(alice, harbour, hypothesis):
    result = imported(hypothesis["annotations"], alice)
    assert result.claims_created == 5
    assert quotes_of(harbour) == sorted(
        q["target"][0]["selector"][2]["exact"] for q in hypothesis["annotations"]
    )
    assert len(result.notes) == 1
    assert result.notes[0].startswith("annotation 3:")
    assert "disagrees with its TextQuoteSelector; anchored by the quote" in result.notes[0]
    assert result.as_dict()["notes"] == result.notes


def test_a_position_without_its_quote_in_the_text_is_still_refused(alice, harbour, hypothesis):
    items = hypothesis["annotations"]
    items[2]["target"][0]["selector"][2]["exact"] = "ferries never leave"
    with pytest.raises(imports.ImportFailed) as failed:
        imported(items, alice)
    assert [p.where for p in failed.value.problems] == ["annotation 3"]
    assert not harbour.claims.exists()  # all or nothing


def test_utf16_positions_are_detected(alice):
    text = "Before 🚗🌉 she said the toll “doubles” 🙃 overnight.\n"
    article = actions.create_article(title="Toll", text=text, url="https://t.example/", by=alice)
    quote = "doubles"
    start16 = len(text[: text.index(quote)].encode("utf-16-le")) // 2
    result = imported([located("https://t.example/", start16, start16 + 7, quote)], alice)
    (claim,) = article.claims.all()
    assert claim.quote == quote and claim.start == text.index(quote)
    assert "UTF-16" in result.notes[0]


def test_refined_by_is_followed(alice, harbour):
    sentence = "The port authority said ferries now leave every 20 minutes."
    text = harbour.text
    within = sentence.index("ferries")
    annotations = [
        {  # a position inside a quoted sentence
            "type": "Annotation",
            "target": {
                "source": harbour.url,
                "selector": {
                    "type": "TextQuoteSelector",
                    "exact": sentence,
                    "refinedBy": {
                        "type": "TextPositionSelector",
                        "start": within,
                        "end": within + len("ferries"),
                    },
                },
            },
        },
        {  # a quote inside a part a browser named by XPath (which we cannot place)
            "type": "Annotation",
            "target": {
                "source": harbour.url,
                "selector": {
                    "type": "XPathSelector",
                    "value": "/p[5]",
                    "refinedBy": {"type": "TextQuoteSelector", "exact": "the old town"},
                },
            },
        },
    ]
    result = imported(annotations, alice)
    assert result.claims_created == 2
    starts = sorted(harbour.claims.values_list("start", "quote"))
    assert starts == [
        (text.index(sentence) + within, "ferries"),
        (text.index("the old town"), "the old town"),
    ]


def test_an_article_iri_is_ours_only_on_our_host(alice, article):
    """A target naming /articles/<n>/ is that article here only when the IRI is this
    server's; another factcheck's article 7 is not ours."""
    ours = {
        "type": "Annotation",
        "target": {
            "source": f"http://testserver/articles/{article.pk}/",
            "selector": {"type": "TextQuoteSelector", "exact": "ridership fell"},
        },
    }
    assert imported([ours], alice).claims_created == 1
    theirs = copy.deepcopy(ours)
    theirs["target"]["source"] = f"https://other-desk.example/articles/{article.pk}/"
    with pytest.raises(imports.ImportFailed) as failed:
        imported([theirs], alice)
    assert "is not an article here" in str(failed.value.problems[0])


@pytest.fixture
def five(article, alice):
    made = []
    for word in ("mayor", "bridge", "38,000 vehicles", "ferry operator", "ridership"):
        start = ARTICLE_TEXT.index(word)
        made.append(
            actions.create_claim(article=article, by=alice, start=start, end=start + len(word))
        )
    return made


def export(client, url):
    r = client.get(url)
    assert r.status_code == 200
    return json.loads(b"".join(r.streaming_content) if r.streaming else r.content)


def test_a_paged_collection_from_elsewhere_is_refused_whole(alice, five):
    """It was: 2 of 5 imported (the embedded first page) and success reported."""
    collection = export(api(alice), f"{EXPORT}?page_size=2")
    Claim.objects.all().delete()
    text = json.dumps(collection).replace(
        "http://testserver/api/", "https://elsewhere.example/api/"
    )
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_annotations(text, fmt="w3c", by=alice)
    (problem,) = failed.value.problems
    assert problem.where == "file"
    assert "holds 2 of its 5 annotations" in problem.message
    assert "page_size=all" in problem.message
    assert not Claim.objects.exists()


def test_every_page_in_the_same_file_is_read(alice, five, article):
    client = api(alice)
    collection = export(client, f"{EXPORT}?page_size=2")
    pages = [collection]
    page = collection["first"]
    while "next" in page:
        page = export(client, page["next"])
        pages.append(page)
    assert len(pages) == 3
    Claim.objects.all().delete()
    # Served from elsewhere, but whole in the file: nothing needs fetching.
    text = json.dumps(pages).replace("http://testserver/", "https://elsewhere.example/")
    text = text.replace(f"https://elsewhere.example/articles/{article.pk}/", article.url)
    result = imports.import_annotations(text, fmt="w3c", by=alice)
    assert result.claims_created == 5


def test_pages_on_this_server_are_read_through_the_export(alice, five):
    collection = export(api(alice), f"{EXPORT}?page_size=2")
    assert len(collection["first"]["items"]) == 2 and collection["total"] == 5
    result = imported(collection, alice)
    # Every page was read: the 5 claims are found already here (none lost, none doubled).
    assert result.claims_skipped == 5 and result.claims_created == 0


def test_a_collection_whose_pages_end_early_is_refused(alice, five):
    collection = export(api(alice), f"{EXPORT}?page_size=all")
    collection["first"]["items"].pop()
    with pytest.raises(imports.ImportFailed) as failed:
        imported(collection, alice)
    assert "holds 4 of its 5" in failed.value.problems[0].message


DESK_FIELDS = (
    "start", "end", "quote", "prefix", "suffix", "kind", "summary", "check_worthy",
    "cue_start", "cue_end", "source_start", "source_end",
)  # fmt: skip


def test_w3c_to_w3c_keeps_every_claim_field_a_desk_sees(alice, attributed, article):
    """Export, remove the claim and what it names, import: the same claim comes back."""
    client = api(alice)
    before = export(client, f"{EXPORT}{attributed.pk}/")
    fields = {name: getattr(attributed, name) for name in DESK_FIELDS}
    Verdict.objects.all().delete()  # verdicts are the desk's work: not imported
    Claim.objects.all().delete()
    Statement.objects.all().delete()
    Speaker.objects.all().delete()
    result = imported([before], alice)
    assert result.claims_created == 1 and result.notes == []
    claim = Claim.objects.select_related("speaker", "statement").get()
    assert {name: getattr(claim, name) for name in DESK_FIELDS} == fields
    speaker = claim.speaker
    assert (speaker.name, speaker.kind, speaker.alias_list, speaker.description) == (
        "Nordhavn Ferry Company",
        "organisation",
        ["NFC", "Nordhavn Ferries"],
        "Runs the harbour ferry",
    )
    assert speaker.wikidata_id == "Q4115189"
    statement = claim.statement
    assert (
        statement.title,
        statement.kind,
        statement.date.isoformat(),
        statement.venue,
        statement.url,
    ) == (
        "Annual report 2025",
        "press_release",
        "2026-02-01",
        "Company website",
        "https://ferry.example/report-2025",
    )
    # And it exports as it did (but for its new id and times, and the verdict).
    after = export(client, f"{EXPORT}{claim.pk}/")
    for doc in (before, after):
        for key in ("id", "created", "modified", "motivation"):
            doc.pop(key)
        doc["body"] = [b for b in doc["body"] if b["purpose"] not in ("assessing", "commenting")]
    assert after == before
    assert Article.objects.count() == 1


def test_positions_taken_before_our_normalisation_are_read_by_the_quote(alice):
    """The source had CRLF line ends; the article here has \\n (normalised on the way in),
    and we no longer have the original to map positions through: the quote places it."""
    original = "First line.\r\nSecond line.\r\nThe toll doubled overnight.\r\n"
    article = actions.create_article(
        title="CRLF", text=original, url="https://crlf.example/", by=alice
    )
    assert "\r" not in article.text
    start = original.index("toll doubled")
    annotation = located("https://crlf.example/", start, start + 12, "toll doubled")
    result = imported([annotation], alice)
    (claim,) = article.claims.all()
    assert claim.quote == "toll doubled" and claim.start == article.text.index("toll doubled")
    assert "anchored by the quote" in result.notes[0]


def test_the_api_import_reports_the_notes(alice, harbour, hypothesis):
    client = api(alice)
    r = client.post(
        "/api/v1/import/?format=w3c",
        json.dumps(hypothesis["annotations"]),
        content_type="application/json",
    )
    assert r.status_code == 202, r.json()
    task = client.get(r["Location"]).json()
    assert task["status"] == "succeeded" and task["result"]["claims_created"] == 5
    assert task["result"]["notes"][0].startswith("annotation 3: its TextPositionSelector")


def test_nothing_beside_the_pages_is_left_out(alice, five, article):
    """Annotations beside a collection in one array are read too; two collections in one file
    are refused (which one is meant?), not one of them read in silence."""
    client = api(alice)
    collection = export(client, f"{EXPORT}?page_size=all")
    extra = {
        "type": "Annotation",
        "target": {
            "source": article.url,
            "selector": {"type": "TextQuoteSelector", "exact": "a third"},
        },
    }
    Claim.objects.all().delete()
    result = imported([extra, collection], alice)
    assert result.claims_created == 6
    with pytest.raises(imports.ImportFailed) as failed:
        imported([collection, collection], alice)
    assert "several collections" in failed.value.problems[0].message


EMOJI_TEXT = "Fans 🎉 cheered. The council said taxes fell by a tenth.\n"


def positioned(source, start, end):
    """An Annotation whose target gives a position alone (no quote to check it by)."""
    selector = {"type": "TextPositionSelector", "start": start, "end": end}
    return {"type": "Annotation", "target": {"source": source, "selector": selector}}


@pytest.fixture
def festive(alice):
    return actions.create_article(title="Festive", text=EMOJI_TEXT, by=alice)


def utf16(text, codepoint):
    return len(text[:codepoint].encode("utf-16-le")) // 2


def test_positions_declared_as_utf16_are_read_as_such(alice, festive):
    """Issue 14: a tool that counts UTF-16 units (a browser) and gives no quote: the importer
    declares the unit, and the span lands on its words."""
    start = EMOJI_TEXT.index("taxes fell")
    s16, e16 = utf16(EMOJI_TEXT, start), utf16(EMOJI_TEXT, start + 10)
    assert (s16, e16) != (start, start + 10)
    source = f"http://testserver/articles/{festive.pk}/"
    result = imported(
        [positioned(source, s16, e16)], alice, options=imports.ImportOptions(offset_unit="utf16")
    )
    assert result.claims_created == 1
    assert quotes_of(festive) == ["taxes fell"]


def test_undeclared_utf16_positions_that_cut_words_are_refused_not_stored_wrong(alice, festive):
    start = EMOJI_TEXT.index("taxes fell")
    s16, e16 = utf16(EMOJI_TEXT, start), utf16(EMOJI_TEXT, start + 10)
    source = f"http://testserver/articles/{festive.pk}/"
    with pytest.raises(imports.ImportFailed) as failed:
        imported([positioned(source, s16, e16)], alice)
    assert "counted in utf16 it is 'taxes fell'" in str(failed.value.problems[0])
    assert not Claim.objects.exists()
    # Code points, as the standard says, need no declaration.
    assert imported([positioned(source, start, start + 10)], alice).claims_created == 1


# --------------------------------------------------------------------------- nothing left out


def test_every_target_of_an_annotation_is_a_claim(alice, article):
    """Web Annotation 3.2: an annotation may have several targets. Only the first was read, the
    others dropped in silence; each is a claim now, with the annotation's bodies."""
    annotation = located(article.url, 0, 0, "")
    annotation["target"] = [
        {"source": article.url, "selector": {"type": "TextQuoteSelector", "exact": word}}
        for word in ("ridership fell", "ferry operator")
    ]
    annotation["body"] = [{"type": "TextualBody", "purpose": "identifying", "value": "Tomas Berg"}]
    result = imported([annotation], alice)
    assert result.claims_created == 2
    assert quotes_of(article) == ["ferry operator", "ridership fell"]
    assert set(article.claims.values_list("speaker__name", flat=True)) == {"Tomas Berg"}


def test_targets_in_two_articles_are_refused_not_halved(alice, article, festive):
    annotation = {
        "type": "Annotation",
        "target": [
            {"source": article.url, "selector": {"type": "TextQuoteSelector", "exact": "a third"}},
            {
                "source": f"http://testserver/articles/{festive.pk}/",
                "selector": {"type": "TextQuoteSelector", "exact": "taxes fell"},
            },
        ],
    }
    with pytest.raises(imports.ImportFailed) as failed:
        imported([annotation], alice)
    assert "targets in 2 articles" in failed.value.problems[0].message
    assert not Claim.objects.exists()


def test_a_classifying_body_that_is_no_kind_is_a_label_to_map(alice, article):
    """Another tool's classification ("opinion") was stored as a direct quote in silence; it
    is a label, mapped as doccano's and Label Studio's are, and refused until it is."""
    annotation = {
        "type": "Annotation",
        "body": {"type": "TextualBody", "purpose": "classifying", "value": "opinion"},
        "target": {
            "source": article.url,
            "selector": {"type": "TextQuoteSelector", "exact": "ridership fell"},
        },
    }
    with pytest.raises(imports.ImportFailed) as failed:
        imported([annotation], alice)
    assert "'opinion' (1 span) is not a claim kind" in failed.value.problems[0].message
    options = imports.ImportOptions.from_input(labels="opinion=indirect_quote")
    assert imported([annotation], alice, options=options).claims_created == 1
    assert list(article.claims.values_list("kind", flat=True)) == ["indirect_quote"]


def test_a_page_whose_earlier_pages_are_elsewhere_is_refused(alice, five):
    """A lone last page (prev, no next) imported its own annotations and said nothing of the
    pages before it."""
    client = api(alice)
    page = export(client, f"{EXPORT}?page_size=2")["first"]
    while "next" in page:
        page = export(client, page["next"])
    assert page.get("prev") and len(page["items"]) == 1
    Claim.objects.all().delete()
    text = json.dumps(page).replace("http://testserver/api/", "https://elsewhere.example/api/")
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_annotations(text, fmt="w3c", by=alice)
    (problem,) = failed.value.problems
    assert problem.where == "file" and "page_size=all" in problem.message
    assert not Claim.objects.exists()


def test_a_later_page_of_this_server_brings_the_pages_before_it(alice, five):
    client = api(alice)
    page = export(client, f"{EXPORT}?page_size=2")["first"]
    page = export(client, page["next"])  # the second of three
    result = imported(page, alice)
    assert result.claims_skipped == 5 and result.claims_created == 0


@pytest.mark.parametrize("query", ["?page_size=all", "?page_size=2"])
def test_our_own_collection_is_guessed_as_w3c(alice, five, query):
    """The container's "type" is a list (BasicContainer and AnnotationCollection): it was
    guessed as our JSONL, and `import_annotations` of `export w3c`'s file failed with
    '"text" must be a non-empty string'."""
    collection = export(api(alice), f"{EXPORT}{query}")
    result = imports.import_annotations(json.dumps(collection), by=alice)
    assert result.format == "w3c" and "AnnotationCollection" in result.guessed
    assert (result.claims_created, result.claims_skipped) == (0, 5)


def test_a_hypothesis_search_result_is_read_whole_or_refused(alice, harbour, hypothesis):
    """Hypothesis's search API answers {"total": …, "rows": [...]} a page (20 rows by default)
    at a time: another paged input. Its rows are annotations; fewer rows than its total is
    refused, as a collection's missing pages are."""
    rows = [{**a, "tags": ["harbour"], "text": "a comment"} for a in hypothesis["annotations"]]
    for row in rows:
        row.pop("type"), row.pop("@context"), row.pop("body")
    whole = {"total": 5, "rows": rows}
    result = imports.import_annotations(json.dumps(whole), by=alice)
    assert result.format == "w3c" and "Hypothesis" in result.guessed
    assert result.claims_created == 5
    Claim.objects.all().delete()
    with pytest.raises(imports.ImportFailed) as failed:
        imported({"total": 25, "rows": rows}, alice)
    (problem,) = failed.value.problems
    assert problem.where == "file" and "holds 5 of its 25" in problem.message
    assert not Claim.objects.exists()


def test_the_articles_annotated_are_counted_as_reused(alice, harbour, hypothesis):
    """Five annotations on one article here: "0 new article(s), 0 reused" said nothing of it."""
    result = imported(hypothesis["annotations"], alice)
    assert (result.articles_created, result.articles_reused) == (0, 1)


def test_hypothesis_page_notes_and_replies_are_skipped_and_counted(alice, harbour, hypothesis):
    """A Hypothesis export holds page notes (a target with no selector: a comment on the
    whole page) and replies (``references``: a comment on another annotation). Neither is a
    span of the text; one of them refused the whole file, so a real export could not be
    imported. They are skipped, and the result says how many of each."""
    source = hypothesis["annotations"][0]["target"][0]["source"]
    note = {
        "type": "Annotation",
        "id": "https://annotations.example/a/2001",
        "body": [{"type": "TextualBody", "value": "Is the whole report dated?"}],
        "target": [{"source": source}],
    }
    reply = {
        **note,
        "id": "https://annotations.example/a/2002",
        "references": ["https://annotations.example/a/1001"],
        "body": [{"type": "TextualBody", "value": "Agreed."}],
    }
    result = imported([note, *hypothesis["annotations"], reply], alice)
    assert result.claims_created == 5
    assert result.skipped == {
        "page notes (annotations of a whole page, no span of its text)": 1,
        "replies (comments on another annotation, no span of its text)": 1,
    }
    Claim.objects.all().delete()
    with pytest.raises(imports.ImportFailed) as failed:
        imported([note, reply], alice)
    (problem,) = failed.value.problems
    assert "no claims found" in problem.message and "1 page notes" in problem.message
    assert not Claim.objects.exists()
