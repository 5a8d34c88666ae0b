"""Suggestions as background work: the suggest task over many articles, and on import."""

import json

import pytest

from factcheck import actions, tasks
from factcheck.models import BackgroundTask, Suggestion
from tests import fake_detector


@pytest.fixture(autouse=True)
def fake(settings):
    settings.FACTCHECK_DETECTOR = "tests.fake_detector.detect"
    fake_detector.OVERRIDE = None


def test_the_task_runs_the_detector_over_many_articles(alice):
    made = [
        actions.create_article(title=f"A{i}", text=f'"Taxes fell {i}," said Ana Ruiz.', by=alice)
        for i in range(3)
    ]

    bg = actions.enqueue_suggest(by=alice, article_ids=[a.pk for a in made])

    assert bg.status == "succeeded"
    assert bg.result == {"articles": 3, "suggestions": 3, "failed": 0, "records": 3}
    state = tasks.state(bg)
    assert state["progress"] == {"done": 3, "total": 3, "unit": "articles", "records": 3}
    assert Suggestion.objects.count() == 3


def test_a_missing_article_fails_the_task_and_says_which(alice):
    kept = actions.create_article(title="A", text='"Taxes fell," said Ana Ruiz.', by=alice)

    bg = actions.enqueue_suggest(by=alice, article_ids=[kept.pk, 999])

    assert bg.status == "failed"
    assert bg.problems == [{"where": "article 999", "message": "There is no such article."}]
    assert Suggestion.objects.filter(article=kept).count() == 1  # the other one is done


def test_outsiders_cannot_start_it(eve):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.enqueue_suggest(by=eve, article_ids=[])
    assert not BackgroundTask.objects.exists()


def doccano_file(text: str) -> bytes:
    return (json.dumps({"text": text, "label": [[1, 11, "DIRECT_QUOTE"]]}) + "\n").encode()


@pytest.mark.parametrize("on", [True, False])
def test_an_import_runs_the_detector_when_the_setting_says(alice, settings, on):
    settings.FACTCHECK_SUGGEST_ON_IMPORT = on
    text = '"Taxes fell," said Ana Ruiz. "Rents rose," Tom Berg said.'

    bg = actions.enqueue_import(by=alice, data=doccano_file(text), fmt="doccano")

    assert bg.status == "succeeded", bg.detail
    # "Taxes fell" is a claim already: only the other quote is proposed.
    assert list(Suggestion.objects.values_list("quote", flat=True)) == (
        ["Rents rose"] if on else []
    )
    follow = BackgroundTask.objects.filter(kind="suggest").first()
    if on:
        assert bg.result["suggest_task"] == str(follow.pk)
        assert follow.status == "succeeded"
    else:
        assert follow is None and "suggest_task" not in bg.result


def test_the_task_page_shows_a_suggest_task(alice, client):
    article = actions.create_article(title="A", text='"Taxes fell," said Ana Ruiz.', by=alice)
    bg = actions.enqueue_suggest(by=alice, article_ids=[article.pk])
    client.force_login(alice)

    r = client.get(f"/tasks/{bg.pk}/")

    assert r.status_code == 200
    assert "<h1>Suggest</h1>" in r.content.decode()
    assert '"unit": "articles"' in r.content.decode()
