"""The public fact-check page: published claims with an approved verdict, no sign-in."""

from pathlib import Path

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
