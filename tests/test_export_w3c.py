"""W3C Web Annotation export: collections, keyset pages, single annotations, conformance."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyld import jsonld

from factcheck import actions
from factcheck.api.exports import in_pieces
from factcheck.exports.w3c import CONTEXT, DOCUMENT_CONTEXT
from tests.conftest import ARTICLE_TEXT, api

URL = "/api/v1/export/annotations/"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
CHECKER = (
    Path(__file__).resolve().parents[1].parent / "shared" / "tools" / "wpt_annotation_check.py"
)


def fetch(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == MEDIA_TYPE
    return json.loads(b"".join(r.streaming_content) if r.streaming else r.content)


@pytest.fixture
def claims(article, claim, alice, bob, dana, ratings):
    """Four claims: one published with a verdict, one with emoji around it, two open."""
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=next(iter(ratings.values())), rationale="Checked."
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    more = [
        actions.create_claim(article=article, by=alice, start=0, end=9, kind="author_claim"),
        actions.create_claim(
            article=article,
            by=alice,
            quote="38,000 vehicles",
            prefix="third.\nThe mayor said the bridge carries ",
            speaker_name="The Mayor",
        ),
    ]
    emoji = actions.create_article(
        title="Emoji", text="Before 🚗🌉 she said “hi ❤️” after.", by=alice
    )
    more.append(actions.create_claim(article=emoji, by=alice, quote="hi ❤️"))
    return [claim, *more]


def test_the_collection_has_total_and_an_embedded_first_page(alice, claims):
    doc = fetch(api(alice), URL)
    # The container is an AnnotationCollection and an LDP BasicContainer (Web Annotation Protocol).
    assert doc["@context"][:2] == [CONTEXT, "http://www.w3.org/ns/ldp.jsonld"]
    assert doc["type"] == ["BasicContainer", "AnnotationCollection"]
    assert doc["total"] == 4
    page = doc["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    assert [a["id"].rsplit("/", 2)[-2] for a in page["items"]] == [str(c.pk) for c in claims]
    published = page["items"][0]
    assert published["motivation"] == "assessing"
    assert published["id"].startswith("http://testserver/api/v1/export/annotations/")
    assert published["target"]["source"] == "https://news.example.org/bridge"
    quote, position = published["target"]["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": "ridership fell by a third",
        "prefix": claims[0].prefix,
        "suffix": claims[0].suffix,
    }
    assert position == {
        "type": "TextPositionSelector",
        "start": ARTICLE_TEXT.index("ridership"),
        "end": ARTICLE_TEXT.index("ridership") + 25,
    }
    purposes = {b["purpose"]: b["value"] for b in published["body"]}
    assert purposes["identifying"] == "Tomas Berg"
    assert purposes["linking"] == "Interview with Radio Nordhavn"
    assert purposes["classifying"] == "indirect_quote"
    assert purposes["commenting"] == "Checked."
    assert published["creator"] == {"type": "Person", "name": "alice", "nickname": "alice"}
    assert published["generator"]["type"] == "Software"
    assert page["items"][1]["motivation"] == "highlighting"


def test_offsets_are_code_points(alice, claims):
    emoji = fetch(api(alice), URL)["first"]["items"][3]
    position = emoji["target"]["selector"][1]
    text = "Before 🚗🌉 she said “hi ❤️” after."
    assert text[position["start"] : position["end"]] == "hi ❤️"
    assert emoji["target"]["source"].startswith("http://testserver/articles/")


def test_keyset_pages_link_next_and_prev(alice, claims):
    client = api(alice)
    first = fetch(client, f"{URL}?page_size=3")["first"]
    assert len(first["items"]) == 3 and "prev" not in first
    second = fetch(client, first["next"])
    assert second["startIndex"] == 3 and len(second["items"]) == 1 and "next" not in second
    assert second["@context"] == DOCUMENT_CONTEXT and second["partOf"].endswith(URL)
    back = fetch(client, second["prev"])
    assert [a["id"] for a in back["items"]] == [a["id"] for a in first["items"]]
    assert back["startIndex"] == 0


def test_the_article_filter_and_the_public_view(alice, eve, claims, article):
    doc = fetch(api(alice), f"{URL}?article={article.pk}")
    assert doc["total"] == 3 and doc["id"].endswith(f"?article={article.pk}")
    for outsider in (None, eve):
        public = fetch(api(outsider), URL)
        assert public["total"] == 1
        assert [a["motivation"] for a in public["first"]["items"]] == ["assessing"]


def test_each_annotation_is_served_at_its_id(alice, eve, claims):
    items = fetch(api(alice), URL)["first"]["items"]
    alone = fetch(api(alice), items[1]["id"].replace("http://testserver", ""))
    assert alone["@context"] == DOCUMENT_CONTEXT
    assert {k: v for k, v in alone.items() if k != "@context"} == items[1]
    # An open claim is not public.
    assert api(eve).get(items[1]["id"].replace("http://testserver", "")).status_code == 404


def test_the_stream_comes_in_large_pieces(alice, claims):
    # A piece per annotation would cost the server a write per claim.
    r = api(alice).get(f"{URL}?page_size=all")
    pieces = list(r.streaming_content)
    assert len(pieces) == 1 and json.loads(pieces[0])["total"] == 4


def fetch_preferring(client, url):
    prefer = 'return=representation; include="http://www.w3.org/ns/ldp#PreferMinimalContainer"'
    r = client.get(url, HTTP_PREFER=prefer)
    assert r.status_code == 200
    return json.loads(r.content)


def test_pieces_join_to_the_same_bytes():
    chunks = ["a" * 10, "ø" * 10, "🚗" * 10, "", "b"]
    pieces = list(in_pieces(iter(chunks), size=25))
    assert b"".join(pieces) == "".join(chunks).encode()
    assert len(pieces) == 2  # the first three chunks (30 characters), then the rest
    assert list(in_pieces(iter([]))) == []


@pytest.mark.parametrize(
    "query",
    [
        "page=x",
        "page=0&after=abc",
        "page_size=0",
        "page_size=5000",
        "article=-1",
        "after=3",
        "page=0&after=1&before=2",
        "page=0&before=5&page_size=all",
    ],
)
def test_bad_parameters_are_400(alice, claims, query):
    assert api(alice).get(f"{URL}?{query}").status_code == 400


def test_an_unknown_annotation_is_404(alice):
    assert api(alice).get(f"{URL}12345/").status_code == 404
    assert api(alice).get(f"{URL}99999999999999999999999/").status_code == 404


def test_the_export_passes_the_w3c_test_suite(alice, claims, attributed, tmp_path):
    if not CHECKER.exists():
        pytest.skip(f"the W3C checker is absent ({CHECKER}); skipping")
    client = api(alice)
    files = {
        "collection.json": fetch(client, f"{URL}?page_size=all"),
        "page.json": fetch(client, f"{URL}?page=0&page_size=2"),
        "annotation.json": fetch(client, fetch(client, URL)["first"]["items"][0]["id"]),
        # Every body the export writes: speaker, statement, spans, citations.
        "attributed.json": fetch(client, f"{URL}{attributed.pk}/"),
        "minimal.json": fetch_preferring(client, URL),
    }
    for name, doc in files.items():
        path = tmp_path / name
        path.write_text(json.dumps(doc), encoding="utf-8")
        run = subprocess.run(
            [sys.executable, str(CHECKER), str(path)], capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, f"{name}:\n{run.stdout}\n{run.stderr}"
        assert "FAIL" not in run.stdout.replace("FAIL (MUST", "")


def test_the_annotation_carries_the_attribution_a_desk_records(alice, attributed):
    """Issue 14: the speaker's Wikidata id (an IRI), aliases and kind; the statement's kind,
    date, venue and source URL; the cue and source-mention spans; the verdict's sources."""
    url = f"{URL}{attributed.pk}/"
    doc = fetch(api(alice), url)
    bodies = doc["body"]
    speaker = next(b for b in bodies if b["purpose"] == "identifying" and "value" in b)
    assert speaker["value"] == "Nordhavn Ferry Company"
    assert speaker["schema:sameAs"] == {"id": "http://www.wikidata.org/entity/Q4115189"}
    assert speaker["schema:alternateName"] == ["NFC", "Nordhavn Ferries"]
    assert speaker["schema:additionalType"] == "organisation"
    assert speaker["schema:description"] == "Runs the harbour ferry"
    statement = next(b for b in bodies if b["purpose"] == "linking")
    assert statement["value"] == "Annual report 2025"
    assert statement["schema:additionalType"] == "press_release"
    assert statement["schema:datePublished"] == "2026-02-01"
    assert statement["schema:locationCreated"] == "Company website"
    assert statement["schema:url"] == {"id": "https://ferry.example/report-2025"}
    spans = {
        b["schema:additionalType"]: b["selector"]
        for b in bodies
        if b.get("type") == "SpecificResource"
    }
    cue = ARTICLE_TEXT.index("said ridership")
    assert spans["cue"] == {"type": "TextPositionSelector", "start": cue, "end": cue + 4}
    assert ARTICLE_TEXT[spans["source_mention"]["start"] : spans["source_mention"]["end"]] == (
        "The ferry operator"
    )
    kinds = [b["value"] for b in bodies if b["purpose"] == "classifying"]
    assert kinds == ["indirect_quote", "not_check_worthy"]
    verdict = next(b for b in bodies if b["purpose"] == "assessing")
    assert verdict["schema:citation"] == [
        {"id": "https://stats.example/ferry", "schema:name": "Ferry stats", "schema:text": "-33%"},
        {"id": "https://ferry.example/report-2025"},
    ]
    # The collection's annotations are the same documents.
    page = fetch(api(alice), URL)["first"]["items"]
    assert {k: v for k, v in doc.items() if k != "@context"} == page[0]


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "jsonld"
OA = "http://www.w3.org/ns/oa#"


def expanded(doc: dict, context_file: str) -> list:
    """``doc`` expanded by pyld with anno.jsonld read from ``context_file``: no network."""
    anno = json.loads((FIXTURES / context_file).read_text(encoding="utf-8"))

    def loader(url, options=None):
        if url.rstrip("/") != CONTEXT:
            raise jsonld.JsonLdError(f"no network in tests: {url}", "loading document failed")
        return {"contextUrl": None, "documentUrl": url, "document": anno}

    return jsonld.expand(doc, {"documentLoader": loader})


@pytest.mark.parametrize("copy", ["anno-live.jsonld", "anno-w3c-repository.jsonld"])
def test_assessing_expands_with_either_copy_of_the_context(alice, attributed, copy):
    """The copy of anno.jsonld in W3C's repository lacks "assessing" (the live one has had it
    since 2021): a processor using it dropped the motivation and the verdict's purpose of
    every published claim. The export says what "assessing" means itself."""
    doc = fetch(api(alice), f"{URL}{attributed.pk}/")
    (node,) = expanded(doc, copy)
    assert node[f"{OA}motivatedBy"] == [{"@id": f"{OA}assessing"}]
    purposes = [p["@id"] for b in node[f"{OA}hasBody"] for p in b.get(f"{OA}hasPurpose", [])]
    assert f"{OA}assessing" in purposes
    speaker = next(b for b in node[f"{OA}hasBody"] if "http://schema.org/sameAs" in b)
    assert speaker["http://schema.org/sameAs"] == [
        {"@id": "http://www.wikidata.org/entity/Q4115189"}
    ]
    # No field rides along under a key the context does not define (JSON-LD would drop it).
    assert "factcheck" not in doc


def test_without_the_extension_the_repository_copy_loses_assessing(alice, attributed):
    """Why the extension is there: the bare anno.jsonld IRI with the repository's copy."""
    doc = fetch(api(alice), f"{URL}{attributed.pk}/")
    doc["@context"] = CONTEXT
    (node,) = expanded(doc, "anno-w3c-repository.jsonld")
    assert node.get(f"{OA}motivatedBy") != [{"@id": f"{OA}assessing"}]


def test_a_reused_verdict_links_to_the_earlier_annotation(
    alice, dana, attributed, repeat, tmp_path
):
    """ "Same claim as": the reuse's annotation links to the earlier fact-check's (a linking
    body the Web Annotation model allows), and still passes the W3C checks."""
    actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    actions.confirm_link(claim=repeat, by=dana)
    doc = fetch(api(alice), f"{URL}{repeat.pk}/")
    (link,) = [b for b in doc["body"] if b.get("schema:additionalType") == "same_claim_as"]
    assert link == {
        "type": "SpecificResource",
        "purpose": "linking",
        "schema:additionalType": "same_claim_as",
        "source": f"http://testserver{URL}{attributed.pk}/",
    }
    assert "factcheck" not in doc
    earlier = fetch(api(alice), f"{URL}{attributed.pk}/")
    assert not [b for b in earlier["body"] if b.get("schema:additionalType") == "same_claim_as"]
    if not CHECKER.exists():
        pytest.skip(f"the W3C checker is absent ({CHECKER}); skipping")
    path = tmp_path / "reused.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(CHECKER), str(path)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0 and "FAIL" not in run.stdout.replace("FAIL (MUST", "")


def test_an_orphan_says_which_earlier_text_its_selectors_are_of(alice, attributed, tmp_path):
    """A correction removed an orphan's words: its selectors are kept (they are what was
    checked), and its target's TimeState names the revision they point into, which holds
    exactly those words there."""
    text = attributed.article.text
    sentence = text[text.rindex("\n", 0, attributed.start) + 1 : text.index("\n", attributed.end)]
    actions.correct_article(
        article=attributed.article, text=text.replace(sentence + "\n", ""), by=alice
    )
    client = api(alice)
    doc = fetch(client, f"{URL}{attributed.pk}/")
    state = doc["target"]["state"]
    assert state["type"] == "TimeState" and state["sourceDate"].endswith("Z")
    old = client.get(state["cached"].replace("http://testserver", "")).json()
    position = next(s for s in doc["target"]["selector"] if s["type"] == "TextPositionSelector")
    quote = next(s for s in doc["target"]["selector"] if s["type"] == "TextQuoteSelector")
    assert old["number"] == 1
    assert old["text"][position["start"] : position["end"]] == quote["exact"] == attributed.quote
    # A claim in the current text has no state.
    others = fetch(client, f"{URL}?page_size=all")["first"]["items"]
    assert all("state" not in a["target"] for a in others if a["id"] != doc["id"])
    if CHECKER.exists():
        path = tmp_path / "orphan.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        run = subprocess.run(
            [sys.executable, str(CHECKER), str(path)], capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
