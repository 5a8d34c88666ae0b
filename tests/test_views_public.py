"""The public fact-check page: published claims with an approved verdict, no sign-in."""

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
    assert "<svg" in open(finders.find("factcheck/favicon.svg")).read()
