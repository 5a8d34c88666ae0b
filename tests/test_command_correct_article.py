"""manage.py correct_article ID FILE: a new revision from a file, each claim's outcome printed."""

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from factcheck.models import Article, ArticleRevision, Claim
from tests.conftest import ARTICLE_TEXT

WITHOUT_FERRY = ARTICLE_TEXT.replace("The ferry operator said ridership fell by a third.\n", "")


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("correct_article", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_corrects_from_a_file_and_prints_outcomes(claim, alice, tmp_path):
    path = tmp_path / "bridge-v2.txt"
    path.write_text(WITHOUT_FERRY, encoding="utf-8")
    out, err = run(claim.article_id, path, "--note", "Ferry line removed", "--user", "alice")
    assert f"claim {claim.pk}: orphaned -" in out
    assert "is at revision 2: 0 unchanged, 0 moved, 0 edited, 1 orphaned." in out
    assert "1/1 claims" in err
    revision = ArticleRevision.objects.get(number=2)
    assert (revision.note, revision.source, revision.created_by) == (
        "Ferry line removed",
        "bridge-v2.txt",
        alice,
    )
    assert Claim.objects.get(pk=claim.pk).anchor_state == "orphaned"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("999", "{path}", "--user", "alice"), "no article 999"),
        (("{article}", "{path}", "--user", "nobody"), "no user 'nobody'"),
        (("{article}", "{missing}", "--user", "alice"), "Cannot read"),
        (("{article}", "{same}", "--user", "alice"), "nothing to correct"),
        (("{article}", "{path}", "--user", "eve"), "desk role"),
        (("{article}", "{path}", "--user", "alice", "--if-version", "3"), "version 1"),
        (("{article}", "{latin1}", "--user", "alice"), "not UTF-8"),
    ],
)
def test_it_refuses_clearly_and_changes_nothing(claim, eve, tmp_path, args, message):
    files = {
        "path": tmp_path / "new.txt",
        "same": tmp_path / "same.txt",
        "latin1": tmp_path / "latin1.txt",
        "missing": tmp_path / "missing.txt",
    }
    files["path"].write_text(WITHOUT_FERRY, encoding="utf-8")
    files["same"].write_text(ARTICLE_TEXT, encoding="utf-8")
    files["latin1"].write_bytes("Caf\xe9".encode("latin-1"))
    values = {k: str(v) for k, v in files.items()} | {"article": str(claim.article_id)}
    with pytest.raises(CommandError, match=message):
        run(*[a.format(**values) for a in args])
    assert Article.objects.get(pk=claim.article_id).text == ARTICLE_TEXT
    assert ArticleRevision.objects.count() == 1


def test_help_says_what_it_does():
    done = subprocess.run(
        [sys.executable, "manage.py", "correct_article", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "re-anchored" in done.stdout and "--note" in done.stdout and "--user" in done.stdout
