"""The public fact-check page: published claims with an approved verdict, no sign-in."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factcheck import actions
from factcheck.models import Claim


def publish(claim, bob, dana, ratings):
    verdict = actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["Mostly true"],
        rationale="Operator filings show a 31% fall.",
        sources=[actions.Source(url="https://example.org/filings", title="Annual filings")],
    )
    actions.approve_verdict(verdict=verdict, by=dana)


def test_anyone_reads_a_published_fact_check(
    client, claim, bob, dana, ratings, django_assert_max_num_queries
):
    publish(claim, bob, dana, ratings)
    # 3 for the page; the ClaimReview JSON-LD partial (exports) reads its own few.
    with django_assert_max_num_queries(10):
        response = client.get(f"/factchecks/{claim.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ridership fell by a third" in html
    assert "Mostly true" in html
    assert "Operator filings show a 31% fall." in html
    assert 'href="https://example.org/filings"' in html
    assert "Tomas Berg" in html


def test_unpublished_claims_are_not_found(client, claim, bob, ratings):
    assert client.get(f"/factchecks/{claim.pk}/").status_code == 404
    actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    assert Claim.objects.get(pk=claim.pk).status == "in_review"
    assert client.get(f"/factchecks/{claim.pk}/").status_code == 404
    assert client.get("/factchecks/999999/").status_code == 404


def test_an_unpublished_claim_disappears(client, claim, bob, dana, ratings):
    publish(claim, bob, dana, ratings)
    actions.unpublish_claim(claim=claim, by=dana)
    assert client.get(f"/factchecks/{claim.pk}/").status_code == 404


def test_favicon_ico_leads_to_the_icon(client, db):
    """Issue 15: /favicon.ico was a 404 in every browser's log."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    from django.contrib.staticfiles import finders

    assert response["Location"].endswith("factcheck/favicon.svg")
    assert "<svg" in Path(finders.find("factcheck/favicon.svg")).read_text()


def test_the_page_shows_the_rating_on_the_scale_who_reviewed_it_and_when(
    client, claim, bob, dana, ratings
):
    """Issue 15: the rating only as a word; no reviewer, no source link, no last update."""
    import re

    publish(claim, bob, dana, ratings)
    html = client.get(f"/factchecks/{claim.pk}/").text
    scale = re.findall(r'<li class="scale-step[^"]*"( aria-current="true")?', html)
    assert len(scale) == len(ratings)  # every step of the scale, in order
    steps = re.findall(r'data-rating="([^"]+)"', html)
    assert steps == [r.label for r in sorted(ratings.values(), key=lambda r: (r.order, r.pk))]
    current = re.findall(r'aria-current="true" data-rating="([^"]+)"', html)
    assert current == ["Mostly true"]
    assert f'fill="{ratings["Mostly true"].colour}"' in html
    assert (
        "Reviewed by <strong>bob</strong>" in html and "approved by <strong>dana</strong>" in html
    )
    assert 'href="https://news.example.org/bridge"' in html  # the article it was said in
    assert "Published" in html and "Last updated" in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', html)


def test_export_buttons_download_files_named_for_what_they_hold(
    client, claim, alice, bob, dana, ratings
):
    """Issue 15: exports opened as raw JSON in the tab; the buttons download a named file."""
    publish(claim, bob, dana, ratings)
    client.force_login(alice)
    page = client.get(f"/claims/{claim.pk}/")
    expected = {
        "csv": ("text/csv", "claims.csv"),
        "jsonl": ("application/x-ndjson", "claims.jsonl"),
        "w3c": ("application/ld+json", "annotations.jsonld"),
        "claimreview": ("application/ld+json", "claimreview.jsonld"),
    }
    for fmt, (media, name) in expected.items():
        response = client.get(f"/export/{fmt}/", {"article": claim.article_id})
        assert response.status_code == 200, fmt
        assert response["Content-Type"].startswith(media)
        assert response["Content-Disposition"] == (
            f'attachment; filename="bridge-toll-row-{claim.article_id}-{name}"'
        )
        body = b"".join(response.streaming_content).decode()
        assert "ridership fell by a third" in body, fmt
    whole = client.get("/export/csv/")
    assert whole["Content-Disposition"] == 'attachment; filename="factcheck-claims.csv"'
    assert client.get("/export/pdf/").status_code == 404
    assert client.get("/export/csv/", {"article": "x"}).status_code == 400
    assert page.status_code == 200


def test_an_export_file_never_names_an_article_its_reader_may_not_see(client, claim):
    """The file name carries the article's title: not for an anonymous reader of an article
    with nothing published."""
    response = client.get("/export/csv/", {"article": claim.article_id})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="factcheck-claims.csv"'


# --------------------------------------------------------------------------- the public pages


def jsonld(html: str) -> list[dict]:
    import json
    import re

    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(f) for f in found]


def another_claim(article, alice, speaker, quote="The mayor said the bridge carries"):
    start = article.text.index(quote)
    return actions.create_claim(
        article=article,
        by=alice,
        start=start,
        end=start + len(quote),
        kind="indirect_quote",
        speaker=speaker,
        summary="UNPUBLISHED-SUMMARY",
    )


def test_the_index_lists_published_fact_checks_only(client, attributed, alice, ratings):
    hidden = another_claim(attributed.article, alice, attributed.speaker)
    response = client.get("/factchecks/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/factchecks/{attributed.pk}/" in html
    assert f"/factchecks/{hidden.pk}/" not in html and "UNPUBLISHED-SUMMARY" not in html
    assert f"/factchecks/speakers/{attributed.speaker_id}/" in html
    assert f"/factchecks/statements/{attributed.statement_id}/" in html
    (data,) = jsonld(html)
    assert [g["@type"] for g in data["@graph"]] == ["ClaimReview"]
    assert 'type="application/atom+xml"' in html


def test_the_index_is_newest_first_and_filters(client, attributed, claim, bob, dana, ratings):
    publish(claim, bob, dana, ratings)  # published after `attributed`
    items = client.get("/factchecks/").context["page"].object_list
    assert [c.pk for c in items] == [claim.pk, attributed.pk]

    def ids(query):
        return [c.pk for c in client.get(f"/factchecks/?{query}").context["page"].object_list]

    assert ids(f"speaker={attributed.speaker_id}") == [attributed.pk]
    assert ids(f"rating={ratings['Mostly true'].pk}") == [claim.pk]
    assert ids("kind=press_release") == [attributed.pk]
    assert ids("kind=speech") == []
    assert ids("rating=x&speaker=-1&kind=nonsense") == [claim.pk, attributed.pk]  # ignored


def test_the_index_costs_the_same_for_more_rows(
    client, attributed, claim, bob, dana, ratings, django_assert_max_num_queries
):
    publish(claim, bob, dana, ratings)
    with django_assert_max_num_queries(12):
        assert client.get("/factchecks/").status_code == 200


def test_a_speakers_public_page(client, attributed, alice):
    hidden = another_claim(attributed.article, alice, attributed.speaker)
    response = client.get(f"/factchecks/speakers/{attributed.speaker_id}/")
    html = response.content.decode()
    assert "What Nordhavn Ferry Company said, and what we found" in html
    assert f"/factchecks/{attributed.pk}/" in html
    assert f"/factchecks/{hidden.pk}/" not in html and "UNPUBLISHED-SUMMARY" not in html
    (data,) = jsonld(html)
    speaker, review = data["@graph"]
    assert speaker == {
        "@type": "Organization",
        "name": "Nordhavn Ferry Company",
        "sameAs": "https://www.wikidata.org/wiki/Q4115189",
    }
    assert review["@type"] == "ClaimReview"


def test_a_speaker_with_nothing_published_has_no_public_page(client, claim, dana):
    assert client.get(f"/factchecks/speakers/{claim.speaker_id}/").status_code == 404
    client.force_login(dana)  # the desk sees the public page as the public does
    assert client.get(f"/factchecks/speakers/{claim.speaker_id}/").status_code == 404
    assert client.get(f"/factchecks/statements/{claim.statement_id}/").status_code == 404


def test_a_statements_public_page(client, attributed):
    response = client.get(f"/factchecks/statements/{attributed.statement_id}/")
    html = response.content.decode()
    assert "Annual report 2025" in html and "Press release" in html
    assert f"/factchecks/speakers/{attributed.speaker_id}/" in html
    assert f"/factchecks/{attributed.pk}/" in html
    assert 'href="https://ferry.example/report-2025"' in html
    (data,) = jsonld(html)
    assert [g["@type"] for g in data["@graph"]] == ["ClaimReview"]
    assert data["@graph"][0]["url"].endswith(f"/factchecks/{attributed.pk}/")


def test_a_statements_page_hides_a_speaker_with_nothing_published(client, attributed, alice):
    from factcheck.models import Speaker

    quiet = Speaker.objects.create(name="QUIET-SPEAKER")
    statement = attributed.statement
    statement.speaker = quiet
    statement.save()
    html = client.get(f"/factchecks/statements/{statement.pk}/").content.decode()
    assert "QUIET-SPEAKER" not in html


def test_the_fact_check_links_its_speaker_and_statement_pages(client, attributed):
    html = client.get(f"/factchecks/{attributed.pk}/").content.decode()
    assert f'href="/factchecks/speakers/{attributed.speaker_id}/"' in html
    assert f'href="/factchecks/statements/{attributed.statement_id}/"' in html


def sitemap_urls(client) -> list[list[str]]:
    """The URLs of each file /sitemap.xml's index names, one list a file."""
    from xml.etree import ElementTree

    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    index = ElementTree.fromstring(response.content)  # noqa: S314 - our own sitemap
    files = []
    for loc in index.iter(f"{ns}loc"):
        response = client.get(loc.text.removeprefix("http://testserver"))
        assert response.status_code == 200
        urlset = ElementTree.fromstring(response.content)  # noqa: S314
        files.append([u.text for u in urlset.iter(f"{ns}loc")])
    return files


def test_the_sitemap_lists_public_pages_only(client, attributed, claim):
    xml = "".join(f"{url}</loc>" for urls in sitemap_urls(client) for url in urls)
    assert f"/factchecks/{attributed.pk}/</loc>" in xml
    assert f"/factchecks/speakers/{attributed.speaker_id}/</loc>" in xml
    assert f"/factchecks/statements/{attributed.statement_id}/</loc>" in xml
    assert "/factchecks/</loc>" in xml
    assert f"/factchecks/{claim.pk}/</loc>" not in xml
    assert f"/factchecks/speakers/{claim.speaker_id}/</loc>" not in xml


def test_the_sitemap_reaches_every_fact_check_however_many(
    client, attributed, claim, bob, dana, ratings, monkeypatch, django_assert_num_queries
):
    # A sitemap file holds at most 50,000 URLs (sitemaps.org): past that, more files, each
    # named by the index at /sitemap.xml, so that no fact-check goes unlisted.
    from factcheck.sitemaps import FactCheckSitemap

    publish(claim, bob, dana, ratings)
    with django_assert_num_queries(4):  # a count a section, and the newest change
        client.get("/sitemap.xml")
    monkeypatch.setattr(FactCheckSitemap, "limit", 1)
    files = sitemap_urls(client)
    found = [url for urls in files for url in urls]
    for pk in (attributed.pk, claim.pk):
        assert f"http://testserver/factchecks/{pk}/" in found
    checks = [urls for urls in files if any(re.search(r"/factchecks/\d+/$", u) for u in urls)]
    assert [len(urls) for urls in checks] == [1, 1]


def test_the_atom_feed(client, attributed, claim):
    from xml.etree import ElementTree

    response = client.get("/factchecks/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring(response.content)  # noqa: S314 - our own feed
    entries = feed.findall(f"{atom}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{atom}title").text == "Ferry ridership fell by a third: True"
    link = entries[0].find(f"{atom}link").get("href")
    assert link.endswith(f"/factchecks/{attributed.pk}/")
    assert "The annual report says so." in entries[0].find(f"{atom}summary").text


@pytest.mark.parametrize("listing", ["index", "speaker", "statement", "feed"])
def test_the_lists_never_read_the_articles_text(client, attributed, listing):
    """A list of 20 fact-checks on long articles (up to 1,000,000 characters each) read every
    article's whole text, which none of the lists shows."""
    url = {
        "index": "/factchecks/",
        "speaker": f"/factchecks/speakers/{attributed.speaker_id}/",
        "statement": f"/factchecks/statements/{attributed.statement_id}/",
        "feed": "/factchecks/feed/",
    }[listing]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert f"/factchecks/{attributed.pk}/" in response.content.decode()
    quote = connection.ops.quote_name
    text_column = f"{quote('factcheck_article')}.{quote('text')}"
    assert not [q["sql"] for q in queries if text_column in q["sql"]]
