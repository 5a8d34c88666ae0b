"""`export all` then `import all` into an empty database gives back every row, field by field.

The desk is first put through a day's work (edits, moderation, a merge, a correction, an admin log
entry) so every history table has rows; then it is dumped, emptied, restored, and each
model's rows are compared with what they were, ids, timestamps and password hashes included.
"""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError

from factcheck import actions, backup
from factcheck.models import Claim, Rating, Speaker
from tests.world import build_world


def a_days_work():
    world = build_world()
    alice, dana = world.alice, world.dana
    actions.update_claim(claim=world.open_claim, by=alice, summary="Ridership fell a third")
    actions.unpublish_claim(claim=world.published_claim, by=dana, note="Checking again")
    actions.approve_verdict(verdict=world.approved, by=dana, note="Checked again")
    # "Same claim as": the open claim reuses the published one's verdict (a copied verdict, a
    # link and their history).
    actions.link_claim(claim=world.open_claim, earlier=world.published_claim, by=alice, score=0.8)
    actions.confirm_link(claim=world.open_claim, by=dana)
    berg, _ = Speaker.objects.resolve("T. Berg")
    actions.merge_speakers(survivor=world.open_claim.speaker, others=[berg], by=dana)
    # A correction: a second revision of the text, and where it put each claim.
    article = world.open_claim.article
    actions.correct_article(article=article, text=article.text + "A line added.\n", by=dana)
    LogEntry.objects.create(
        user=dana,
        content_type=ContentType.objects.get_for_model(Claim),
        object_id=str(world.open_claim.pk),
        object_repr="a claim",
        action_flag=CHANGE,
        change_message="Looked at it",
    )
    return world


def snapshot() -> dict:
    rows = {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in backup.backed_up_models()
    }
    rows["roles"] = sorted(User.objects.values_list("username", "groups__name"), key=str)
    return rows


def empty_the_desk():
    """What a new, migrated database holds: no data, and the default rating scale."""
    models = list(reversed(backup.backed_up_models()))
    # Deleting a tracked row writes a history row: clear the history tables last.
    for model in sorted(models, key=lambda m: m._meta.label.startswith("factcheck.Historical")):
        model._default_manager.all().delete()
    # The data migration's scale, which (like any migration) writes no history rows.
    Rating.objects.bulk_create([Rating(label="Default", order=1)])


def test_a_backup_restores_every_row_field_by_field(tmp_path, db):
    a_days_work()
    before = snapshot()
    empty = [m._meta.label for m in backup.backed_up_models() if not before[m._meta.label]]
    assert not empty, f"every table should have rows: {empty}"
    path = tmp_path / "desk.jsonl"
    path.write_text("".join(backup.dump()), encoding="utf-8")
    empty_the_desk()
    out = io.StringIO()
    call_command("import", "all", str(path), stdout=out)
    assert "Restored" in out.getvalue()
    after = snapshot()
    for label, rows in before.items():
        assert after[label] == rows, f"{label} differs after the round trip"
    # The restored desk keeps working: new rows get fresh ids after the restored ones.
    claim = actions.create_claim(
        article=Claim.objects.first().article, by=User.objects.get(username="alice"), start=0, end=3
    )
    assert claim.pk > max(row["id"] for row in before["factcheck.Claim"])


def test_the_export_command_writes_the_backup(tmp_path, db):
    a_days_work()
    before = snapshot()
    path = tmp_path / "desk.jsonl"
    call_command("export", "all", "-o", str(path))
    empty_the_desk()
    call_command("import", "all", str(path))
    assert snapshot() == before


def test_a_restore_into_a_desk_with_data_is_refused(tmp_path, db):
    a_days_work()
    path = tmp_path / "desk.jsonl"
    path.write_text("".join(backup.dump()), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match="not empty"):
        call_command("import", "all", str(path))
    assert snapshot() == before


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda lines: lines[:-3], "incomplete"),
        (lambda lines: [*lines[:5], "{not json\n", *lines[5:]], "not valid JSON"),
        (lambda lines: lines[1:], "not a factcheck backup"),
        (lambda lines: [], "empty"),
        (
            lambda lines: [*lines, json.dumps({"model": "auth.permission", "pk": 1}) + "\n"],
            "unknown model",
        ),
    ],
    ids=["truncated", "garbled", "headless", "empty", "foreign model"],
)
def test_a_damaged_backup_restores_nothing(tmp_path, db, damage, message):
    a_days_work()
    lines = list(backup.dump())
    empty_the_desk()
    before = snapshot()
    path = tmp_path / "damaged.jsonl"
    path.write_text("".join(damage(lines)), encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import", "all", str(path))
    assert snapshot() == before
