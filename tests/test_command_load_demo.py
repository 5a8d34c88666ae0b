"""`manage.py load_demo` loads a coherent demo once; running it again changes nothing."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from factcheck.models import Article, Claim, Role, Speaker, Statement, Verdict


def counts():
    return [m.objects.count() for m in (User, Article, Speaker, Statement, Claim, Verdict)] + [
        m.history.count() for m in (Claim, Verdict)
    ]


def test_help(capsys):
    with pytest.raises(SystemExit):
        call_command("load_demo", "--help")
    assert "changes nothing" in " ".join(capsys.readouterr().out.split())


def test_loads_the_demo_and_prints_logins(db, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "alice" in out and "dana" in out and "password" in out
    article = Article.objects.get()
    assert Speaker.objects.count() == 3 and Statement.objects.count() == 3
    assert Claim.objects.filter(status="published").count() == 2
    assert Claim.objects.filter(speaker__isnull=True, kind="author_claim").count() == 1
    for claim in article.claims.all():
        assert article.text[claim.start : claim.end] == claim.quote
    assert Role.of(User.objects.get(username="dana")) == Role.MODERATOR
    assert User.objects.get(username="dana").check_password("factcheck-demo")


def test_is_idempotent(db):
    call_command("load_demo")
    before = counts()
    call_command("load_demo")
    assert counts() == before
