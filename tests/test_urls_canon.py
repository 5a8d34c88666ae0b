"""An article's URL is its identity: one page under many spellings is one article."""

import json

import pytest
from django.core.exceptions import ValidationError

from factcheck import actions, imports
from factcheck.exports import jsonl
from factcheck.models import Article, Claim
from factcheck.urls_canon import canonical_url_key
from tests.conftest import api

SAME = [
    "https://news.example.org/bridge",
    "http://news.example.org/bridge",
    "https://NEWS.Example.ORG/bridge",
    "https://news.example.org./bridge",
    "https://news.example.org:443/bridge",
    "http://news.example.org:80/bridge",
    "https://news.example.org/bridge/",
    "https://news.example.org/bridge#comments",
    "https://news.example.org/bridge?utm_source=tw&utm_medium=social",
    "https://news.example.org/bridge?fbclid=IwAR0abc",
    "https://news.example.org/bridge?gclid=x&msclkid=y&mc_cid=z&_ga=1",
    "  https://news.example.org/bridge  ",
    "https://news.example.org/%62ridge",
]


@pytest.mark.parametrize("url", SAME)
def test_spellings_of_one_page_share_a_key(url):
    assert canonical_url_key(url) == "news.example.org/bridge"


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.org/bridge?id=2",  # a parameter that names the page
        "https://news.example.org/Bridge",  # paths are case-sensitive
        "https://news.example.org:8443/bridge",
        "https://www.news.example.org/bridge",  # www. may be another site
        "https://news.example.org/bridge/2",
    ],
)
def test_other_pages_have_other_keys(url):
    assert canonical_url_key(url) != "news.example.org/bridge"


def test_parameters_are_kept_in_one_order():
    assert canonical_url_key("http://a.example/p?b=2&a=1&utm_id=3") == "a.example/p?a=1&b=2"
    assert canonical_url_key("") == ""


def test_an_article_is_found_under_any_spelling(article):
    assert article.url_key == "news.example.org/bridge"
    for url in SAME:
        assert Article.objects.with_url(url).get() == article
    assert not Article.objects.with_url("").exists()


def test_a_second_article_at_the_same_page_is_refused(article):
    with pytest.raises(ValidationError, match="already exists"):
        actions.create_article(
            title="Copy", text="Other text.", url="http://news.example.org/bridge/?utm_source=x"
        )
    assert Article.objects.count() == 1


def test_the_api_refuses_a_duplicate_spelling(article, alice):
    body = {"title": "Copy", "text": "x", "url": "http://NEWS.example.org/bridge?fbclid=1"}
    response = api(alice).post("/api/v1/articles/", body, format="json")
    assert response.status_code == 400
    assert "already exists" in json.dumps(response.json())
    assert Article.objects.count() == 1


def test_the_article_form_refuses_a_duplicate_spelling(client, article, alice):
    client.force_login(alice)
    response = client.post(
        "/articles/",
        {"title": "Copy", "text": "x", "language": "en", "url": "http://news.example.org/bridge/"},
    )
    assert response.status_code == 400
    assert Article.objects.count() == 1


def test_the_admin_refuses_a_duplicate_spelling(client, article, dana):
    client.force_login(dana)
    response = client.post(
        "/admin/factcheck/article/add/",
        {
            "title": "Copy",
            "text": "x",
            "language": "en",
            "url": "https://news.example.org/bridge?utm_campaign=spring",
        },
    )
    assert Article.objects.count() == 1
    assert "already exists" in response.content.decode()


def test_an_import_reuses_the_article_under_another_spelling(claim, alice):
    lines = list(
        jsonl.stream_jsonl(Article.objects.all(), Claim.objects.all(), base_url="http://t")
    )
    record = json.loads(lines[0])
    record["url"] = "http://news.example.org/bridge/?utm_source=newsletter"
    result = imports.import_annotations(json.dumps(record) + "\n", fmt="ours", by=alice)
    assert result.articles_reused == 1 and result.articles_created == 0
    assert Article.objects.count() == 1


def test_two_spellings_in_one_import_are_one_article(alice):
    record = {"title": "T", "text": "Some text.", "claims": []}
    data = "".join(
        json.dumps({**record, "url": url}) + "\n"
        for url in ("https://a.example/x", "http://a.example/x/")
    )
    result = imports.import_annotations(data, fmt="ours", by=alice)
    assert Article.objects.count() == 1
    assert result.articles_created == 1


def test_the_api_filter_finds_an_article_under_any_spelling(article, alice):
    for url in ("http://news.example.org/bridge/?utm_source=x", "https://NEWS.example.org/bridge"):
        response = api(alice).get("/api/v1/articles/", {"url": url})
        assert [a["id"] for a in response.json()["results"]] == [article.pk]
    assert (
        api(alice).get("/api/v1/articles/", {"url": "https://x.example/"}).json()["results"] == []
    )
