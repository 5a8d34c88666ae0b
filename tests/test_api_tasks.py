"""Background tasks through the API: the import's 202 and its task, who sees a task, cancel.

Tasks run at once here (the immediate backend); where a test needs one to stay queued it uses
django-tasks' dummy backend, which stores the entry and runs nothing.
"""

import pytest
from rest_framework.test import APIClient

from factcheck import actions
from factcheck.models import BackgroundTask, Claim

DOCCANO = b'{"text": "The minister spoke.", "label": [[4, 12, "DIRECT_QUOTE"]]}\n'


@pytest.fixture
def queued_only(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def as_user(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_it_queues_an_import_and_answers_202_with_the_task(alice):
    client = as_user(alice)
    r = client.post("/api/v1/import/?format=doccano", DOCCANO, content_type="application/x-ndjson")
    assert r.status_code == 202
    task = r.json()
    assert r["Location"] == task["url"] == f"/api/v1/tasks/{task['id']}/"
    assert task["page"] == f"/tasks/{task['id']}/"
    assert task["created_by"] == "alice" and task["kind"] == "import"
    # The tests' backend ran it before answering.
    assert task["status"] == "succeeded" and task["finished"]
    assert task["result"]["claims_created"] == 1 and task["result"]["records"] == 1
    assert Claim.objects.get().created_by == alice


def test_a_dry_run_task_saves_nothing(alice):
    client = as_user(alice)
    r = client.post(
        "/api/v1/import/?format=doccano&dry_run=1", DOCCANO, content_type="application/x-ndjson"
    )
    task = client.get(r["Location"]).json()
    assert task["status"] == "succeeded" and task["result"]["dry_run"] is True
    assert task["result"]["claims_created"] == 1
    assert not Claim.objects.exists()


@pytest.mark.parametrize("word", ["flase", "2", "maybe"])
def test_a_misspelt_dry_run_is_refused_not_run_for_real(alice, word):
    client = as_user(alice)
    r = client.post(
        f"/api/v1/import/?format=doccano&dry_run={word}",
        DOCCANO,
        content_type="application/x-ndjson",
    )
    assert r.status_code == 400 and "dry_run" in r.json()
    assert not Claim.objects.exists() and not BackgroundTask.objects.exists()


@pytest.mark.parametrize("word", ["0", "false", "no", ""])
def test_dry_run_off_imports(alice, word):
    client = as_user(alice)
    r = client.post(
        f"/api/v1/import/?format=doccano&dry_run={word}",
        DOCCANO,
        content_type="application/x-ndjson",
    )
    assert r.status_code == 202 and Claim.objects.count() == 1


def test_it_validates_ownership(alice, bob, dana, eve):
    r = as_user(alice).post(
        "/api/v1/import/?format=doccano", DOCCANO, content_type="application/x-ndjson"
    )
    url = r["Location"]
    assert as_user(bob).get(url).status_code == 404
    assert as_user(eve).get(url).status_code == 404
    assert APIClient().get(url).status_code == 403
    assert as_user(dana).get(url).status_code == 200
    # Lists are scoped the same way.
    assert len(as_user(alice).get("/api/v1/tasks/").json()["results"]) == 1
    assert as_user(bob).get("/api/v1/tasks/").json()["results"] == []
    assert len(as_user(dana).get("/api/v1/tasks/").json()["results"]) == 1


def test_cancel_stops_a_queued_task_for_good(alice, queued_only):
    task = actions.enqueue_import(by=alice, data=DOCCANO, fmt="doccano")
    client = as_user(alice)
    r = client.post(f"/api/v1/tasks/{task.pk}/cancel/")
    assert r.status_code == 202 and r.json()["status"] == "cancelled"
    assert "nothing was imported" in r.json()["detail"]
    task.refresh_from_db()
    assert bytes(task.payload) == b""  # the upload is not kept
    # Had a worker already taken it from the queue, it would not start now.
    from factcheck.tasks import run_import

    assert run_import.call(str(task.pk)) == "not started"
    assert not Claim.objects.exists()
    # A second cancel is refused: it has ended.
    again = client.delete(f"/api/v1/tasks/{task.pk}/")
    assert again.status_code == 409 and "already ended" in again.json()["detail"]


def test_a_moderator_cancels_anyone_s_task_others_cannot(alice, bob, dana, queued_only):
    task = actions.enqueue_import(by=alice, data=DOCCANO, fmt="doccano")
    assert as_user(bob).delete(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert as_user(dana).delete(f"/api/v1/tasks/{task.pk}/").status_code == 202
    assert BackgroundTask.objects.get().status == "cancelled"


def test_a_task_runs_at_most_once(alice, queued_only):
    from factcheck.tasks import run_import

    task = actions.enqueue_import(by=alice, data=DOCCANO, fmt="doccano")
    assert run_import.call(str(task.pk)) == "succeeded"
    # The same entry delivered again (a second worker, a retry) does nothing.
    assert run_import.call(str(task.pk)) == "not started"
    assert Claim.objects.count() == 1


def test_an_unknown_task_is_404(alice):
    client = as_user(alice)
    assert client.get("/api/v1/tasks/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/api/v1/tasks/not-a-uuid/").status_code == 404
