"""The articles API: annotators add articles, moderators edit and delete them."""

import pytest

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


# --------------------------------------------------------------------------- extract (import)


@pytest.fixture
def local_web(settings):
    from tests.local_web import LocalWeb

    server = LocalWeb()
    settings.FACTCHECK_FETCH_ALLOW = [server.allow]
    yield server
    server.stop()


def test_extract_reads_a_url_without_saving(alice, local_web):
    response = api(alice).post(
        "/api/v1/import/article/", {"url": local_web.url("/harbour")}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "Harbour ferry fares to rise, council says"
    assert data["url"] == "https://courier.example/news/harbour-fares"
    assert data["published_on"] == "2026-04-02"
    assert data["existing"] is None
    assert Article.objects.count() == 0
    # The confirmation: the client sends the fields back to create the article.
    fields = {k: data[k] for k in ("title", "url", "publisher", "byline", "language", "text")}
    created = api(alice).post("/api/v1/articles/", fields, format="json")
    assert created.status_code == 201
    again = api(alice).post(
        "/api/v1/import/article/", {"url": local_web.url("/harbour")}, format="json"
    )
    assert again.json()["existing"] == created.json()["id"]


def test_extract_reads_a_page_in_the_encoding_it_names(alice, local_web):
    # Windows-1252 named only by <meta>, then under a charset label no codec knows (no 500).
    for path in ("/latin", "/odd-charset"):
        url = local_web.url(path)
        response = api(alice).post("/api/v1/import/article/", {"url": url}, format="json")
        assert response.status_code == 200
        assert response.json()["title"] == "Zürich café prices"


def test_extract_refuses_internal_addresses(alice, local_web):
    for url in ("http://169.254.169.254/", local_web.url("/redirect?to=http://10.0.0.1/")):
        response = api(alice).post("/api/v1/import/article/", {"url": url}, format="json")
        assert response.status_code == 400
        assert "internal address" in response.json()["url"][0]


def test_extract_reads_an_uploaded_file(alice):
    import io

    upload = io.BytesIO(b"Bridge traffic\n\nThe mayor said 38,000.")
    upload.name = "note.txt"
    response = api(alice).post("/api/v1/import/article/", {"file": upload}, format="multipart")
    assert response.status_code == 200
    assert response.json()["title"] == "Bridge traffic"
    pdf = io.BytesIO(b"%PDF-1.4")
    pdf.name = "report.pdf"
    response = api(alice).post("/api/v1/import/article/", {"file": pdf}, format="multipart")
    assert response.status_code == 400
    assert "upload a .txt, .html or .docx file" in response.json()["file"][0]


def test_extract_needs_one_source_and_a_desk_role(alice, eve):
    assert api(alice).post("/api/v1/import/article/", {}, format="json").status_code == 400
    response = api(eve).post(
        "/api/v1/import/article/", {"url": "https://example.org/"}, format="json"
    )
    assert response.status_code == 403
    assert api().post("/api/v1/import/article/", {}, format="json").status_code in (401, 403)
