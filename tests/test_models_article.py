"""Articles: normalized once on the way in, then immutable while claims point into it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from factcheck import actions
from factcheck.models import Article


def test_text_is_normalized_on_save(alice):
    article = actions.create_article(
        title="t", text="Cafe\u0301 line one\r\nline two\rthree", by=alice
    )
    article.refresh_from_db()
    assert article.text == "Café line one\nline two\nthree"


def test_text_can_change_while_no_claim_points_into_it(article):
    article.text = "A fresh text."
    article.save()
    article.refresh_from_db()
    assert article.text == "A fresh text."


def test_text_is_immutable_once_claimed(article, claim):
    article.text = article.text.replace("mayor", "Mayor")
    with pytest.raises(ValidationError, match="cannot be changed"):
        article.save()
    article.refresh_from_db()
    assert "The mayor said" in article.text


def test_other_fields_stay_editable_once_claimed(article, claim):
    article.title = "Corrected headline"
    article.save()
    assert Article.objects.get(pk=article.pk).title == "Corrected headline"


def test_url_is_unique_when_present(article, alice):
    with pytest.raises(ValidationError):
        actions.create_article(title="dup", text="x", url=article.url, by=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(title="dup", text="x", url=article.url)


def test_many_articles_may_have_no_url(alice):
    actions.create_article(title="one", text="x", by=alice)
    actions.create_article(title="two", text="y", by=alice)
    assert Article.objects.filter(url="").count() == 2


def test_empty_text_is_refused(alice):
    with pytest.raises(ValidationError, match="empty"):
        actions.create_article(title="blank", text=" \r\n ", by=alice)


def test_oversize_text_is_refused_with_the_limit(alice, settings):
    settings.FACTCHECK_MAX_ARTICLE_CHARS = 100
    with pytest.raises(ValidationError, match="limit is 100"):
        actions.create_article(title="long", text="x" * 101, by=alice)
    assert not Article.objects.exists()


def test_only_http_urls_are_accepted(alice):
    with pytest.raises(ValidationError, match="url"):
        actions.create_article(title="t", text="x", url="javascript:alert(1)", by=alice)


def test_claim_counts_by_status(article, claim):
    row = Article.objects.with_claim_counts().get(pk=article.pk)
    assert (row.claims_total, row.claims_open, row.claims_published) == (1, 1, 0)


def test_outsiders_see_only_articles_with_published_claims(article, claim, eve, alice):
    assert list(Article.objects.visible_to(alice)) == [article]
    assert list(Article.objects.visible_to(eve)) == []
    claim.status = "published"
    claim.save()
    assert list(Article.objects.visible_to(eve)) == [article]
