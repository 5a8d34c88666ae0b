"""Suggesting claims for many articles from the articles list: one background task."""

import pytest
from django.contrib.messages import get_messages

from factcheck import actions
from factcheck.models import BackgroundTask, Suggestion
from tests import fake_detector

URL = "/articles/suggest/"


@pytest.fixture(autouse=True)
def fake(settings):
    settings.FACTCHECK_DETECTOR = "tests.fake_detector.detect"
    fake_detector.OVERRIDE = None


@pytest.fixture
def articles(alice):
    return [
        actions.create_article(title=f"A{i}", text=f'"Taxes fell {i}," said Ana Ruiz.', by=alice)
        for i in range(3)
    ]


def said(response) -> str:
    """The last message the request left for the next page."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_ticked_articles_get_suggestions_in_one_task_whose_page_shows_progress(
    client, alice, articles
):
    client.force_login(alice)
    page = client.get("/articles/")
    assert (
        b'form="bulk-suggest"' in page.content
        and b"Suggest claims for the selected" in page.content
    )

    r = client.post(URL, {"articles": [articles[0].pk, articles[2].pk], "next": "/articles/"})

    task = BackgroundTask.objects.get()
    assert r.status_code == 302 and r["Location"] == task.get_absolute_url()
    assert task.kind == "suggest" and task.created_by == alice and task.status == "succeeded"
    assert set(Suggestion.objects.values_list("article_id", flat=True)) == {
        articles[0].pk,
        articles[2].pk,
    }
    assert said(r) == "Suggesting claims for 2 articles."
    assert client.get(r["Location"]).status_code == 200


def test_nothing_ticked_or_too_much_goes_back_with_the_reason(client, alice, articles):
    client.force_login(alice)
    r = client.post(URL, {"next": "/articles/?page=2"})
    assert r.status_code == 302 and r["Location"] == "/articles/?page=2"
    assert said(r) == "Select at least one article."
    r = client.post(URL, {"articles": ["1", "x"]})
    assert r["Location"] == "/articles/" and "at most" in said(r)
    # A deleted article is named; the others still run.
    gone = articles[1].pk
    articles[1].delete()
    r = client.post(URL, {"articles": [articles[0].pk, gone]})
    notes = [str(m) for m in get_messages(r.wsgi_request)]
    assert any(f"#{gone}" in note for note in notes) and notes[-1].endswith("1 article.")
    assert BackgroundTask.objects.get().options == {"articles": [articles[0].pk]}
    assert not BackgroundTask.objects.filter(options={"articles": []}).exists()


def test_it_goes_back_only_to_this_site(client, alice, articles):
    client.force_login(alice)
    r = client.post(URL, {"next": "https://evil.example/"})
    assert r["Location"] == "/articles/"


def test_outsiders_and_readers_cannot(client, eve, articles):
    client.force_login(eve)
    assert client.post(URL, {"articles": [articles[0].pk]}).status_code == 403
    assert client.get("/articles/").status_code == 403
    assert not BackgroundTask.objects.exists()


def test_reviewers_may_select_too(client, bob, articles):
    # Reviewers rank above annotators: the lifecycle lets them suggest.
    client.force_login(bob)
    assert b'form="bulk-suggest"' in client.get("/articles/").content
