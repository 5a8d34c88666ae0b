"""The articles API: annotators add articles, moderators edit and delete them."""

from factcheck import actions
from factcheck.models import Article
from tests.conftest import api

URL = "/api/v1/articles/"


def test_an_annotator_adds_an_article(alice):
    r = api(alice).post(
        URL,
        {
            "title": "Harbour",
            "text": "Cafe\u0301 owners said so.\r\n",
            "url": "https://n.example/h",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    article = Article.objects.get(pk=r.json()["id"])
    assert article.text == "Café owners said so.\n"  # NFC, \n line ends
    assert article.created_by == alice


def test_bad_articles_are_explained(alice, article):
    client = api(alice)
    r = client.post(URL, {"title": "x", "text": "   "}, format="json")
    assert r.status_code == 400 and "text" in r.json()
    r = client.post(URL, {"title": "x", "text": "t", "url": "javascript:alert(1)"}, format="json")
    assert r.status_code == 400 and "url" in r.json()
    r = client.post(URL, {"title": "x", "text": "t", "url": article.url}, format="json")
    assert r.status_code in (400, 409)


def test_the_list_leaves_out_the_text_and_is_scoped(alice, eve, article, claim):
    listed = api(alice).get(URL).json()["results"]
    assert [a["id"] for a in listed] == [article.pk] and "text" not in listed[0]
    assert api(alice).get(f"{URL}{article.pk}/").json()["text"] == article.text
    # Nothing of this article is published yet: outsiders do not see it.
    assert api(eve).get(URL).json()["results"] == []
    assert api(eve).get(f"{URL}{article.pk}/").status_code == 404


def test_only_moderators_edit_and_delete(alice, dana, article, claim):
    assert (
        api(alice).patch(f"{URL}{article.pk}/", {"title": "New"}, format="json").status_code == 403
    )
    r = api(dana).patch(f"{URL}{article.pk}/", {"title": "New"}, format="json")
    assert r.status_code == 200 and r.json()["title"] == "New"
    # The text is fixed once claims point into it.
    r = api(dana).patch(f"{URL}{article.pk}/", {"text": "Other"}, format="json")
    assert r.status_code == 400 and "text" in r.json()
    # Claims protect their article.
    r = api(dana).delete(f"{URL}{article.pk}/")
    assert r.status_code == 409 and Article.objects.filter(pk=article.pk).exists()


def test_filters_and_search(alice, article):
    client = api(alice)
    assert [a["id"] for a in client.get(f"{URL}?search=bridge").json()["results"]] == [article.pk]
    assert client.get(f"{URL}?publisher=Nobody").json()["results"] == []
    assert client.get(f"{URL}?published_after=2026-01-01").json()["results"][0]["id"] == article.pk
    assert client.get(f"{URL}?published_after=notadate").status_code == 400


def test_an_oversize_text_is_413(alice, settings):
    settings.FACTCHECK_MAX_ARTICLE_CHARS = 1000
    r = api(alice).post(URL, {"title": "Long", "text": "x" * 1001}, format="json")
    assert r.status_code == 413 and "the limit is 1,000" in r.json()["text"][0]
    assert not Article.objects.exists()


def test_each_row_counts_its_claims_at_constant_cost(
    alice, eve, article, claim, django_assert_max_num_queries
):
    for i in range(5):
        other = actions.create_article(title=f"A{i}", text="Some words here.", by=alice)
        actions.create_claim(article=other, by=alice, start=0, end=4)
    client = api(alice)
    client.get(URL)
    with django_assert_max_num_queries(6):
        rows = client.get(URL).json()["results"]
    counts = {row["id"]: row["claim_counts"] for row in rows}
    assert counts[article.pk] == {
        "total": 1,
        "open": 1,
        "in_review": 0,
        "published": 0,
        "rejected": 0,
    }
    assert api(alice).get(f"{URL}{article.pk}/").json()["claim_counts"]["total"] == 1
