"""The article list: search, counts, pagination, and adding an article by pasting text."""

from django.test import override_settings

from factcheck import actions
from factcheck.models import Article


def test_it_lists_articles_with_claim_counts(client, alice, claim, article):
    client.force_login(alice)
    response = client.get("/articles/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bridge toll row" in html
    assert "1 open" in html


def test_it_searches_title_and_publisher(client, alice, article):
    actions.create_article(
        title="Ferry timetable", text="Boats.", publisher="Harbour Post", by=alice
    )
    client.force_login(alice)
    assert "Ferry timetable" not in client.get("/articles/?q=example news").content.decode()
    html = client.get("/articles/?q=harbour").content.decode()
    assert "Ferry timetable" in html
    assert "Bridge toll row" not in html


def test_it_paginates_in_constant_queries(client, alice, django_assert_max_num_queries):
    for i in range(30):
        a = actions.create_article(title=f"Article {i:02}", text=f"Text number {i}.", by=alice)
        actions.create_claim(article=a, by=alice, start=0, end=4, speaker_name=f"Person {i}")
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        first = client.get("/articles/")
    assert first.content.decode().count("data-article-id") == 25
    second = client.get("/articles/?page=2")
    assert second.content.decode().count("data-article-id") == 5
    assert "Page 2 of 2" in second.content.decode()


def test_an_annotator_adds_an_article_by_pasting_text(client, alice):
    client.force_login(alice)
    response = client.post(
        "/articles/",
        {
            "title": "Council vote",
            "url": "https://example.org/vote",
            "publisher": "Daily",
            "published_on": "2026-03-01",
            "language": "en",
            "text": "Line one.\r\nLine two.",
        },
    )
    article = Article.objects.get(title="Council vote")
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.pk}/"
    assert article.text == "Line one.\nLine two."
    assert article.created_by == alice


def test_it_shows_validation_errors(client, alice, article):
    client.force_login(alice)
    response = client.post(
        "/articles/",
        {"title": "", "url": "https://news.example.org/bridge", "text": "   ", "language": "en"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert Article.objects.count() == 1


def test_a_duplicate_url_is_refused(client, alice, article):
    client.force_login(alice)
    response = client.post(
        "/articles/",
        {"title": "Again", "url": "https://news.example.org/bridge", "text": "x", "language": "en"},
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert Article.objects.count() == 1


@override_settings(FACTCHECK_MAX_ARTICLE_CHARS=20)
def test_an_oversized_text_is_answered_413(client, alice):
    client.force_login(alice)
    response = client.post("/articles/", {"title": "Long", "text": "x" * 21, "language": "en"})
    assert response.status_code == 413
    assert "the limit is 20" in response.content.decode()
    assert not Article.objects.exists()
