"""manage.py import_annotations: files in four formats, all or nothing, clear problems."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factcheck.models import Article, Claim

TEXT = "The council said the toll rose. Berg said ridership fell."


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_annotations", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_doccano_file_as_a_user(alice, tmp_path):
    path = tmp_path / "doccano.jsonl"
    path.write_text(json.dumps({"text": TEXT, "label": [[0, 15, "AUTHOR_CLAIM"]]}) + "\n")
    out, _ = run(str(path), "--format", "doccano", "--user", "alice")
    assert "Imported 1 claim(s) (doccano): 1 new article(s)" in out
    claim = Claim.objects.get()
    assert claim.kind == "author_claim" and claim.created_by == alice


def test_problems_are_listed_by_line_and_nothing_is_saved(db, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"text": TEXT, "label": [[0, 15, "DIRECT_QUOTE"]]})
        + "\n"
        + json.dumps({"text": TEXT, "label": [[40, 20, "DIRECT_QUOTE"]]})
        + "\n"
    )
    out = io.StringIO()
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_annotations", str(path), stdout=out, stderr=err)
    assert "line 2:" in err.getvalue() and "end must be greater" in err.getvalue()
    assert not Article.objects.exists()


def test_dry_run_and_bad_arguments(db, tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps({"text": TEXT, "label": [[0, 15, "DIRECT_QUOTE"]]}) + "\n")
    out, _ = run(str(path), "--dry-run")
    assert out.startswith("Would import 1 claim(s)") and not Article.objects.exists()
    with pytest.raises(CommandError, match="no user"):
        run(str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.jsonl"))
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"text": "caf\xe9"}\n'.encode("latin-1"))
    with pytest.raises(CommandError):
        run(str(latin))


def test_help_names_every_format(capsys):
    with pytest.raises(SystemExit):
        call_command("import_annotations", "--help")
    text = capsys.readouterr().out
    for word in ("ours", "doccano", "labelstudio", "w3c", "--dry-run", "all or nothing"):
        assert word in text


class Terminal(io.StringIO):
    """stderr as a terminal, where the progress bar is drawn."""

    def isatty(self):
        return True


def test_it_shows_a_progress_bar_of_the_file_on_a_terminal(alice, tmp_path, monkeypatch):
    path = tmp_path / "d.jsonl"
    lines = [
        json.dumps({"text": f"{TEXT} {i}", "label": [[4, 11, "Direct quote"]]}) for i in range(5)
    ]
    path.write_text("\n".join(lines) + "\n")
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    run(str(path), "--format", "doccano", "--user", "alice")
    assert "100%" in terminal.getvalue()
    assert Claim.objects.count() == 5


def test_it_takes_an_offset_unit_and_labels_and_says_what_it_guessed(alice, tmp_path):
    text = "🚒 The chief said trucks are late."
    start = text.index("trucks are late")
    path = tmp_path / "d.jsonl"
    # Counted in code points, as some scripts write doccano files.
    path.write_text(json.dumps({"text": text, "label": [[start, start + 15, "QUOTE"]]}) + "\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        run(str(path), "--labels", "QUOTE=direct_quote")
    out, _ = run(str(path), "--offset-unit", "codepoint", "--labels", "QUOTE=direct_quote")
    assert "Format: doccano, guessed from a doccano record" in out
    assert Claim.objects.get().quote == "trucks are late"
    with pytest.raises(CommandError, match="not a claim kind"):
        run(str(path), "--labels", "QUOTE=quote")


def test_it_warns_about_what_it_did_not_import(alice, tmp_path):
    text = "The council said rents fell."
    value = {"start": 17, "end": 27, "text": "rents fell", "labels": ["Direct quote"]}
    task = {
        "data": {"text": text},
        "annotations": [{"result": [{"type": "labels", "value": value}]}],
        "predictions": [{"result": [{"type": "labels", "value": value}]}],
    }
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task]))
    out, _ = run(str(path))
    assert "Not imported: 1 Label Studio prediction spans" in out


def test_what_was_read_otherwise_is_printed_as_a_note(alice, tmp_path):
    from factcheck import actions

    article = actions.create_article(title="T", text=TEXT, url="https://t.example/", by=alice)
    at = TEXT.index("ridership fell")
    stale = {
        "type": "Annotation",
        "target": {
            "source": article.url,
            "selector": [
                {"type": "TextPositionSelector", "start": at + 3, "end": at + 17},
                {"type": "TextQuoteSelector", "exact": "ridership fell"},
            ],
        },
    }
    path = tmp_path / "w3c.json"
    path.write_text(json.dumps([stale]))
    out, _ = run(str(path), "--user", "alice")
    assert "Imported 1 claim(s) (w3c)" in out
    assert "note: annotation 1: its TextPositionSelector" in out
