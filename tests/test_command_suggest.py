"""`manage.py suggest --all | ARTICLE_ID...` runs the detector and stores suggestions."""

import pytest
from django.core.management import CommandError, call_command

from factcheck import actions
from factcheck.models import Suggestion
from tests import fake_detector


@pytest.fixture(autouse=True)
def fake(settings):
    settings.FACTCHECK_DETECTOR = "tests.fake_detector.detect"
    fake_detector.OVERRIDE = None


@pytest.fixture
def two(alice):
    return [
        actions.create_article(
            title="A", text='"Taxes fell," said Ana Ruiz. "Yes," Tom Berg said.', by=alice
        ),
        actions.create_article(title="B", text='"Rents rose 3 percent," said Ana Ruiz.', by=alice),
    ]


def test_help_says_what_it_does(capsys):
    with pytest.raises(SystemExit):
        call_command("suggest", "--help")
    out = " ".join(capsys.readouterr().out.split())
    assert "--all" in out and "rejected suggestion is not proposed again" in out


def test_all_articles(two, capsys):
    call_command("suggest", "--all")

    assert Suggestion.objects.filter(article=two[0]).count() == 2
    assert Suggestion.objects.filter(article=two[1]).count() == 1
    assert "3 pending suggestion(s) on 2 article(s)" in capsys.readouterr().out


def test_some_articles_and_again(two, alice, capsys):
    call_command("suggest", str(two[1].pk))
    (only,) = Suggestion.objects.all()
    actions.reject_suggestion(suggestion=only, by=alice)

    call_command("suggest", str(two[1].pk))

    # The rejected one stays rejected and is not proposed again.
    assert list(Suggestion.objects.values_list("status", flat=True)) == ["rejected"]
    assert "0 pending suggestion(s) on 1 article(s)" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [[], ["--all", "1"], ["999"]])
def test_it_refuses_bad_arguments(two, argv):
    with pytest.raises(CommandError):
        call_command("suggest", *argv)
    assert not Suggestion.objects.exists()


def test_a_failing_article_is_reported_and_the_others_done(two, settings, capsys):
    settings.FACTCHECK_DETECTOR = "tests.test_command_suggest.fails_on_b"

    with pytest.raises(CommandError, match="1 article"):
        call_command("suggest", "--all")

    assert Suggestion.objects.filter(article=two[0]).count() == 2
    assert f"article {two[1].pk}: RuntimeError" in capsys.readouterr().err


def fails_on_b(text, **kwargs):
    if "Rents" in text:
        raise RuntimeError("boom")
    return fake_detector.detect(text, **kwargs)
