"""Importing in Chromium: the upload becomes a task whose page shows a progress bar, kept up
to date by polling the API, then the outcome; its Cancel button stops it."""

import json
import time

import pytest
from django.core.cache import caches

from factcheck.models import BackgroundTask

pytestmark = pytest.mark.django_db(transaction=True)

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def eventually(check, timeout=10.0):
    """Poll ``check`` from Python until it is true (the page polls the server meanwhile)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the page did not catch up"
        time.sleep(0.1)


def test_an_upload_runs_as_a_task_and_its_page_shows_the_problems(
    page, live_server, sign_in, alice, tmp_path
):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Short.", "label": [[0, 99, "DIRECT_QUOTE"]]}\n')
    sign_in(alice)
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("[data-testid=import-form] input[type=file]", str(bad))
    page.click("[data-testid=import-submit]")
    page.wait_for_url("**/tasks/*/")
    # The task ran at once here (the tests' immediate backend): the page shows how it ended.
    assert page.locator("[data-testid=task-status]").text_content() == "failed"
    problems = page.locator("[data-testid=task-problems] li")
    assert problems.count() == 1 and "line 1" in problems.first.text_content()
    assert page.locator("[data-testid=task-cancel-form]").is_hidden()


def test_the_progress_bar_follows_a_running_task_to_its_end(
    page, live_server, sign_in, alice, settings
):
    settings.TASKS = DUMMY  # queued, and left for this test to move along
    from factcheck import actions, tasks

    task = actions.enqueue_import(by=alice, data=b"x" * 1000, fmt="doccano", filename="f.jsonl")
    sign_in(alice)
    page.goto(f"{live_server.url}{task.get_absolute_url()}")
    bar = page.locator("[data-testid=task-progress]")
    assert page.locator("[data-testid=task-status]").text_content() == "queued"
    # A worker (this test, holding the task's liveness lock) starts it and reports 400 of
    # 1,000 bytes read.
    with tasks.alive(task.pk):
        BackgroundTask.objects.filter(pk=task.pk).update(status="running")
        caches["tasks"].set(tasks._progress_key(task.pk), {"done": 400, "records": 7})
        eventually(lambda: bar.get_attribute("value") == "400")
        text = page.locator("[data-testid=task-progress-text]").text_content()
        assert "40% · 7 record(s)" in text
        # It ends.
        BackgroundTask.objects.filter(pk=task.pk).update(
            status="succeeded",
            result={
                "format": "doccano",
                "articles_created": 3,
                "articles_reused": 0,
                "claims_created": 9,
                "claims_skipped": 0,
                "dry_run": False,
                "records": 3,
            },
        )
    status = page.locator("[data-testid=task-status]")
    eventually(lambda: status.text_content() == "succeeded")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "1000"
    assert "Imported 9 claim(s)" in page.locator("[data-testid=task-outcome]").text_content()
    assert page.locator("[data-testid=task-cancel-form]").is_hidden()


def test_cancel_stops_a_queued_task(page, live_server, sign_in, alice, settings):
    settings.TASKS = DUMMY
    from factcheck import actions

    task = actions.enqueue_import(by=alice, data=b"{}\n", filename="f.jsonl")
    sign_in(alice)
    page.goto(f"{live_server.url}{task.get_absolute_url()}")
    page.click("[data-testid=task-cancel]")
    status = page.locator("[data-testid=task-status]")
    eventually(lambda: status.text_content() == "cancelled")
    task.refresh_from_db()
    assert task.status == "cancelled"


def test_the_task_page_says_what_was_guessed_and_what_was_not_imported(
    page, live_server, sign_in, alice, tmp_path
):
    value = {"start": 17, "end": 27, "text": "rents fell", "labels": ["Direct quote"]}
    task = {
        "data": {"text": "The council said rents fell."},
        "annotations": [{"result": [{"type": "labels", "value": value}]}],
        "predictions": [{"result": [{"type": "labels", "value": value}]}],
    }
    path = tmp_path / "task.json"
    path.write_text(json.dumps(task, indent=2))  # Label Studio's per-task file
    sign_in(alice)
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("[data-testid=import-form] input[type=file]", str(path))
    page.click("[data-testid=import-submit]")
    page.wait_for_url("**/tasks/*/")
    outcome = page.locator("[data-testid=task-outcome]").text_content()
    assert "Imported 1 claim(s)" in outcome
    assert "Format: labelstudio, guessed from a Label Studio task" in outcome
    assert "Not imported: 1 Label Studio prediction spans" in outcome


def test_the_task_page_shows_what_was_read_otherwise(
    page, live_server, sign_in, alice, article, tmp_path
):
    """A W3C position that disagrees with its quote is anchored by the quote and said in the
    result's notes: the command and the API showed them, the task page did not."""
    annotation = {
        "type": "Annotation",
        "target": {
            "source": article.url,
            "selector": [
                {"type": "TextPositionSelector", "start": 0, "end": 14},
                {"type": "TextQuoteSelector", "exact": "ridership fell"},
            ],
        },
    }
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps([annotation]))
    sign_in(alice)
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("[data-testid=import-form] input[type=file]", str(path))
    page.click("[data-testid=import-submit]")
    page.wait_for_url("**/tasks/*/")
    outcome = page.locator("[data-testid=task-outcome]").text_content()
    assert "Imported 1 claim(s)" in outcome
    assert (
        "Note: annotation 1: its TextPositionSelector (0–14) disagrees with its "
        "TextQuoteSelector; anchored by the quote instead." in outcome
    )
