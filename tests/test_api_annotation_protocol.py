"""The W3C Web Annotation Protocol, read side: the annotation container and its annotations.

Each test quotes the requirement it checks: the Protocol's own sentence where noted, else the
assertion as W3C's protocol test (web-platform-tests ``annotation-protocol/server``) words it.
factcheck's container is read-only: annotations are made on the desk, not POSTed here.
"""

import json

import pytest

from factcheck import actions
from factcheck.models import Speaker
from tests.conftest import ARTICLE_TEXT, api

URL = "/api/v1/export/annotations/"
LDP = "http://www.w3.org/ns/ldp#"
OA = "http://www.w3.org/ns/oa#"
MINIMAL = f'return=representation; include="{LDP}PreferMinimalContainer"'
IRIS = f'return=representation; include="{OA}PreferContainedIRIs"'
DESCRIPTIONS = f'return=representation; include="{OA}PreferContainedDescriptions"'


def body(response):
    return json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )


def path(iri):
    return iri.replace("http://testserver", "")


@pytest.fixture
def five(article, alice, claim, bob, dana, ratings):
    """Five claims on the article (one published), so pages of 2 make three pages."""
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=next(iter(ratings.values())), rationale="Checked."
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    made = [claim]
    for word in ("mayor", "bridge", "38,000 vehicles", "ferry operator"):
        start = ARTICLE_TEXT.index(word)
        made.append(
            actions.create_claim(article=article, by=alice, start=start, end=start + len(word))
        )
    return sorted(made, key=lambda c: c.pk)


def test_the_container_answers_with_its_type_constraints_etag_and_methods(alice, five):
    """Containers MUST have an ETag header; MUST advertise its type by including a link where
    the rel parameter value is type and the target IRI is the appropriate Container Type; MUST
    have a Vary header with Accept in the value; MUST support GET, HEAD, OPTIONS (check Allow);
    MUST return a description of the container with BasicContainer and AnnotationCollection.
    Protocol (container retrieval): "It MUST advertise that it imposes Annotation protocol specific constraints by
    including a link where the target IRI is http://www.w3.org/TR/annotation-protocol/, and the
    rel parameter value is the IRI http://www.w3.org/ns/ldp#constrainedBy."
    """
    r = api(alice).get(URL)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/ld+json")
    assert r["ETag"].startswith('"') and len(r["ETag"]) > 2
    links = r["Link"]
    assert f'<{LDP}BasicContainer>; rel="type"' in links
    assert f'<http://www.w3.org/TR/annotation-protocol/>; rel="{LDP}constrainedBy"' in links
    assert {"GET", "HEAD", "OPTIONS"} <= {m.strip() for m in r["Allow"].split(",")}
    # Read-only: no POST, so no Accept-Post (the Protocol asks for it only of containers
    # that accept new annotations).
    assert "POST" not in r["Allow"] and not r.has_header("Accept-Post")
    vary = {v.strip() for v in r["Vary"].split(",")}
    assert {"Accept", "Prefer"} <= vary
    doc = body(r)
    assert {"BasicContainer", "AnnotationCollection"} <= set(doc["type"])
    # "Containers MUST include a Content-Location header with the IRI as its value" and
    # "Container's Content-Location and `id` MUST match".
    assert r["Content-Location"] == doc["id"]


@pytest.mark.parametrize("method", ["head", "options"])
def test_the_container_and_its_annotations_support_head_and_options(alice, five, method):
    """Containers MUST support HEAD method; Containers MUST support OPTIONS method;
    Annotations MUST support HEAD method; Annotations MUST support OPTIONS method."""
    client = api(alice)
    annotation = f"{URL}{five[0].pk}/"
    for url in (URL, annotation):
        r = getattr(client, method)(url)
        assert r.status_code == 200, (url, r.status_code)
        assert "GET" in r["Allow"] and "HEAD" in r["Allow"] and "OPTIONS" in r["Allow"]
    if method == "head":
        assert client.head(annotation)["ETag"] == client.get(annotation)["ETag"]


def test_an_annotation_is_an_ldp_resource_with_an_etag(alice, five):
    """Annotations MUST have a Link header entry where the target IRI is
    http://www.w3.org/ns/ldp#Resource and the rel parameter value is type; MUST have an ETag
    header; MUST have a Vary header with Accept in the value."""
    r = api(alice).get(f"{URL}{five[0].pk}/")
    assert f'<{LDP}Resource>; rel="type"' in r["Link"]
    assert r["ETag"].startswith('"')
    assert "Accept" in r["Vary"]
    assert r["Allow"].replace(" ", "") == "GET,HEAD,OPTIONS"


def test_an_annotation_etag_moves_when_a_speaker_rename_changes_its_body(alice, five):
    """RFC 9110 8.8.3: an entity tag differs whenever the representation does. The annotation
    of a claim names its speaker: a rename changes it without changing the claim's version
    (the ETag stayed "1")."""
    client, url = api(alice), f"{URL}{five[0].pk}/"
    before = client.get(url)
    Speaker.objects.filter(pk=five[0].speaker_id).update(name="Tomas Berg Jr.")
    after = client.get(url)
    assert "Tomas Berg Jr." in after.content.decode()
    assert after["ETag"] != before["ETag"]
    # The container (every page the annotation is on) moves too.
    container_before = client.get(f"{URL}?page_size=2")["ETag"]
    Speaker.objects.filter(pk=five[0].speaker_id).update(name="T. Berg")
    assert client.get(f"{URL}?page_size=2")["ETag"] != container_before


@pytest.mark.parametrize("which", ["container", "page", "annotation"])
def test_if_none_match_is_answered_304_until_the_representation_changes(alice, five, which):
    """RFC 9110 13.1.2: when If-None-Match matches, the origin server MUST NOT perform the
    method and MUST respond 304 (Not Modified) to GET or HEAD, with the ETag and Vary a 200
    would have carried (15.4.5)."""
    client = api(alice)
    url = {
        "container": URL,
        "page": f"{URL}?page=0&page_size=2",
        "annotation": f"{URL}{five[1].pk}/",
    }[which]
    first = client.get(url)
    tag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again["ETag"] == tag and again.content == b""
    assert client.head(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other", ' + tag).status_code == 304
    actions.update_claim(claim=five[1], by=alice, summary="Now it says more")
    changed = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_a_multi_page_container_links_first_and_last_and_says_when_it_changed(alice, five):
    """Protocol (container representations): the container SHOULD include total, a link to the first page of its
    contents using first, and to the last page using last (as the test words it: "SHOULD have
    a link to the last page of its contents using `last`"); pages MUST link next (if not the
    last page), prev (if not the first page) and partOf."""
    client = api(alice)
    doc = body(client.get(f"{URL}?page_size=2"))
    assert doc["total"] == 5
    assert doc["modified"].endswith("Z") and len(doc["modified"]) == 20
    newest = max(c.updated_at for c in five).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert doc["modified"] == newest
    first = doc["first"]
    assert len(first["items"]) == 2 and "prev" not in first and first["partOf"] == doc["id"]
    last = body(client.get(path(doc["last"])))
    assert last["type"] == "AnnotationPage" and "next" not in last and "prev" in last
    assert [a["id"] for a in last["items"]][-1].endswith(f"/{five[-1].pk}/")
    assert last["startIndex"] == 5 - len(last["items"])
    # Walking forward from first reaches every annotation once.
    seen, page = [], first
    while True:
        seen += [a["id"] for a in page["items"]]
        if "next" not in page:
            break
        page = body(client.get(path(page["next"])))
    assert len(seen) == len(set(seen)) == 5


def test_the_all_in_one_page_is_found_again_at_its_id(alice, five):
    """An AnnotationPage's id is the page: the page of every annotation says page_size=all."""
    client = api(alice)
    doc = body(client.get(f"{URL}?page_size=all"))
    page = body(client.get(path(doc["first"]["id"])))
    assert [a["id"] for a in page["items"]] == [a["id"] for a in doc["first"]["items"]]
    assert "last" not in doc or doc["last"] == doc["first"]["id"]


def test_prefer_minimal_container_leaves_the_annotations_out(alice, five):
    """Protocol (container preferences): with PreferMinimalContainer the response
    SHOULD NOT contain annotations (via items or ldp:contains) but SHOULD include total and
    first and last; "[RECOMMENDED] SHOULD include Prefer in the Vary header". RFC 7240 3: a
    server that honoured a preference MAY say so in Preference-Applied."""
    client = api(alice)
    r = client.get(f"{URL}?page_size=2", HTTP_PREFER=MINIMAL)
    doc = body(r)
    assert "items" not in json.dumps(doc) and "ldp:contains" not in doc
    assert doc["total"] == 5 and isinstance(doc["first"], str) and isinstance(doc["last"], str)
    assert r["Preference-Applied"] == "return=representation"
    assert "Prefer" in r["Vary"]
    page = body(client.get(path(doc["first"])))
    assert len(page["items"]) == 2 and isinstance(page["items"][0], dict)
    # Without the preference, the same URL embeds the first page: a different ETag.
    plain = client.get(f"{URL}?page_size=2")
    assert "items" in body(plain)["first"] and plain["ETag"] != r["ETag"]
    assert not plain.has_header("Preference-Applied")


def test_prefer_contained_iris_gives_the_annotation_iris_on_every_page(alice, five):
    """Protocol (container preferences): PreferContainedIRIs asks for the IRIs of the annotations only,
    PreferContainedDescriptions for their full descriptions; the container's id and its pages
    keep the choice (the Protocol's example container is ``.../annotations/?iris=1``)."""
    client = api(alice)
    r = client.get(f"{URL}?page_size=2", HTTP_PREFER=IRIS)
    doc = body(r)
    assert r["Preference-Applied"] == "return=representation"
    assert "iris=1" in doc["id"] and r["Content-Location"] == doc["id"]
    ids = list(doc["first"]["items"])
    page = body(client.get(path(doc["first"]["next"])))
    ids += page["items"]
    assert all(isinstance(i, str) for i in ids)
    assert ids[0] == f"http://testserver{URL}{five[0].pk}/"
    # Each IRI is an annotation.
    assert body(client.get(path(ids[1])))["type"] == "Annotation"
    described = body(client.get(f"{URL}?page_size=2", HTTP_PREFER=DESCRIPTIONS))
    assert described["first"]["items"][0]["type"] == "Annotation"


def test_the_public_cache_keeps_each_preference_apart(five, db):
    """An anonymous client's answers are cached; one Prefer variant must not answer another."""
    anonymous = api()
    minimal = body(anonymous.get(URL, HTTP_PREFER=MINIMAL))
    full = body(anonymous.get(URL))
    assert isinstance(minimal["first"], str) and isinstance(full["first"], dict)
    cached = anonymous.get(URL, HTTP_IF_NONE_MATCH=anonymous.get(URL)["ETag"])
    assert cached.status_code == 304
