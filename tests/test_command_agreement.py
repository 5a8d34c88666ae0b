"""manage.py agreement: the reviewer agreement report on the terminal."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from factcheck.demo import load_demo


def run(*args):
    out = StringIO()
    call_command("agreement", *args, stdout=out)
    return out.getvalue()


def test_it_reports_the_demo_desk(db):
    article, _ = load_demo()
    out = run()
    assert "claims with 2+ submitted verdicts: 4 (8 verdicts)" in out
    assert "unanimous: 3, disagree: 1" in out
    # bob and carol agree on 3 of 4 claims: p_o = 0.75, p_e = 0.25 -> kappa = 2/3.
    assert "Cohen's kappa bob & carol: 0.667 over 4 claims" in out
    assert f"[{article.pk}]" in out
    assert "DISAGREE (spread 1): bob: Half true; carol: Mostly true" in out


def test_it_narrows_to_one_article_and_prints_json(db):
    article, _ = load_demo()
    data = json.loads(run("--article", str(article.pk), "--json"))
    assert data["overall"]["claims"] == 4
    assert data["overall"]["cohen_kappa"][0]["kappa"] == pytest.approx(2 / 3)
    assert {c["unanimous"] for c in data["claims"]} == {True, False}


def test_it_says_when_nothing_is_rated_yet(db):
    out = run()
    assert "claims with 2+ submitted verdicts: 0" in out
    assert "Krippendorff's alpha, ordinal: n/a" in out
    assert "none has two submitted verdicts yet" in out


def test_it_refuses_an_unknown_article(db):
    with pytest.raises(CommandError, match="no article with id 999"):
        run("--article", "999")
