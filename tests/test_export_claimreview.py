"""schema.org ClaimReview: the export endpoint, and the markup crawlers read in public pages."""

import json

import extruct
import pytest
from django.test import Client
from rest_framework.test import APIClient

from factcheck import actions
from factcheck.models import Rating

URL = "/api/v1/export/claimreview/"


@pytest.fixture(autouse=True)
def organisation(settings):
    settings.FACTCHECK_ORGANIZATION = {"name": "Nordhavn Checks", "url": "https://checks.example/"}


@pytest.fixture
def published(claim, bob, dana, ratings):
    rating = Rating.objects.exclude(value=None).order_by("value").first()
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=rating, rationale="Counts say 1 < 2 & 3 > 2 </script>"
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    claim.refresh_from_db()
    return claim, rating


def check_review(review, claim, rating):
    values = [v for v in Rating.objects.values_list("value", flat=True) if v is not None]
    assert review["@type"] == "ClaimReview"
    assert review["url"] == f"http://testserver/factchecks/{claim.pk}/"
    assert review["claimReviewed"] == "Ferry ridership fell by a third"
    assert len(review["claimReviewed"]) < 75
    assert review["author"] == {
        "@type": "Organization",
        "name": "Nordhavn Checks",
        "url": "https://checks.example/",
    }
    assert review["datePublished"] == claim.published_at.date().isoformat()
    # Google's ClaimReview guide recommends reviewRating.name (the rating shown in results)
    # beside alternateName.
    assert review["reviewRating"] == {
        "@type": "Rating",
        "name": rating.label,
        "alternateName": rating.label,
        "ratingValue": rating.value,
        "worstRating": min(values),
        "bestRating": max(values),
    }
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "Tomas Berg"}
    assert item["firstAppearance"]["name"] == "Interview with Radio Nordhavn"
    assert item["appearance"]["url"] == "https://news.example.org/bridge"
    assert item["datePublished"] == "2026-03-05"


def test_the_export_lists_published_fact_checks_only(published, article, alice):
    claim, rating = published
    actions.create_claim(article=article, by=alice, start=0, end=9)  # open: not exported
    r = APIClient().get(URL)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/ld+json")
    doc = json.loads(b"".join(r.streaming_content))
    assert doc["@context"] == "https://schema.org"
    assert len(doc["@graph"]) == 1
    check_review(doc["@graph"][0], claim, rating)


def test_the_public_page_carries_the_same_markup(published):
    claim, rating = published
    page = Client().get(f"/factchecks/{claim.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    # The rationale's "</script>" cannot close the JSON-LD block early.
    assert html.count("</script>") == html.count("<script")
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    reviews = [d for d in data if d.get("@type") == "ClaimReview"]
    assert len(reviews) == 1
    check_review(reviews[0], claim, rating)
    assert reviews[0]["reviewBody"] == "Counts say 1 < 2 & 3 > 2 </script>"


def test_a_long_quote_is_shortened_under_75_characters(published, dana):
    claim, _ = published
    claim.summary = ""
    claim.save()
    doc = json.loads(b"".join(APIClient().get(URL).streaming_content))
    assert len(doc["@graph"][0]["claimReviewed"]) < 75


def test_a_reused_verdict_names_both_appearances(attributed, repeat, alice, dana):
    actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    actions.confirm_link(claim=repeat, by=dana)
    doc = json.loads(b"".join(APIClient().get(URL).streaming_content))
    reviews = {r["url"].rstrip("/").rsplit("/", 1)[1]: r for r in doc["@graph"]}
    earlier, reused = reviews[str(attributed.pk)], reviews[str(repeat.pk)]
    bridge = {
        "@type": "CreativeWork",
        "headline": "Bridge toll row",
        "url": "https://news.example.org/bridge",
        "datePublished": "2026-03-05",
        "publisher": {"@type": "Organization", "name": "Example News"},
    }
    council = {
        "@type": "CreativeWork",
        "headline": "Council meeting notes",
        "url": "https://local.example.org/council",
        "datePublished": "2026-04-09",
        "publisher": {"@type": "Organization", "name": "Local Gazette"},
    }
    # Each names every appearance, its own first; the claim's author stays its own.
    assert earlier["itemReviewed"]["appearance"] == [bridge, council]
    assert reused["itemReviewed"]["appearance"] == [council, bridge]
    assert reused["itemReviewed"]["author"]["name"] == "Harbour master Ines Holm"
    assert earlier["itemReviewed"]["author"]["name"] == "Nordhavn Ferry Company"
    assert reused["reviewRating"] == earlier["reviewRating"]
    assert reused["reviewBody"] == earlier["reviewBody"]
    # The public page's markup is the same.
    html = Client().get(f"/factchecks/{repeat.pk}/").content.decode()
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    (review,) = [d for d in data if d.get("@type") == "ClaimReview"]
    assert review["itemReviewed"]["appearance"] == [council, bridge]
