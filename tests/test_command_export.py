"""manage.py export: the same outputs as the API, to stdout or a file."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factcheck import actions


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_w3c_to_stdout_is_quiet_off_a_terminal(claim, settings):
    settings.FACTCHECK_BASE_URL = "https://desk.example.org"
    out, err = run("w3c")
    doc = json.loads(out)
    assert "AnnotationCollection" in doc["type"] and doc["total"] == 1
    item = doc["first"]["items"][0]
    assert item["id"] == f"https://desk.example.org/api/v1/export/annotations/{claim.pk}/"
    assert err == ""  # no progress bar when stderr is not a terminal


def test_each_format_to_a_file(claim, article, alice, tmp_path):
    other = actions.create_article(title="Other", text="Other text here.", by=alice)
    actions.create_claim(article=other, by=alice, start=0, end=5)
    for fmt in ("w3c", "claimreview", "jsonl", "csv"):
        target = tmp_path / f"out.{fmt}"
        _, err = run(
            fmt, "--article", str(article.pk), "-o", str(target), "--base-url", "http://x.example"
        )
        assert target.exists() and f"to {target}" in err
        assert not (tmp_path / f"out.{fmt}.part").exists()
    assert json.loads((tmp_path / "out.w3c").read_text())["total"] == 1
    assert json.loads((tmp_path / "out.claimreview").read_text())["@graph"] == []
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["id"] == article.pk
    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == str(claim.pk)


def test_public_exports_only_published_claims(claim):
    out, _ = run("csv", "--public")
    assert len(out.splitlines()) == 1  # the header only


def test_bad_arguments_are_explained(db, tmp_path):
    with pytest.raises(CommandError, match="no article 999"):
        run("w3c", "--article", "999")
    with pytest.raises(CommandError):
        run("xml")
    with pytest.raises(CommandError, match="Cannot write"):
        run("csv", "-o", str(tmp_path / "missing-dir" / "x.csv"))


def test_help_lists_the_formats(capsys):
    with pytest.raises(SystemExit):
        call_command("export", "--help")
    text = capsys.readouterr().out
    for word in ("w3c", "claimreview", "jsonl", "csv", "--article", "--output"):
        assert word in text


def test_the_w3c_file_passes_the_w3c_checker(claim, article, alice, tmp_path):
    checker = (
        Path(__file__).resolve().parents[1].parent / "shared" / "tools" / "wpt_annotation_check.py"
    )
    if not checker.exists():
        pytest.skip(f"the W3C checker is absent ({checker}); skipping")
    actions.create_claim(article=article, by=alice, start=0, end=9, summary="=1+1 <b>")
    target = tmp_path / "annotations.jsonld"
    run("w3c", "-o", str(target))
    check = subprocess.run(
        [sys.executable, str(checker), str(target)], capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_all_writes_a_whole_desk_backup(claim, tmp_path):
    target = tmp_path / "desk.jsonl"
    _, err = run("all", "-o", str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 3 and all(json.loads(line) for line in lines)
    assert "backup export" in err
    with pytest.raises(CommandError, match="drop --article"):
        run("all", "--article", str(claim.article_id))
