"""The correction pages: the form, the revisions with their diff, the article page's
"corrected" banner and orphan list, and the public page's flag."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from factcheck import actions
from factcheck.models import Article, ArticleRevision, BackgroundTask, Claim
from tests.conftest import ARTICLE_TEXT

WITHOUT_FERRY = ARTICLE_TEXT.replace("The ferry operator said ridership fell by a third.\n", "")


def correct_url(article):
    return f"/articles/{article.pk}/correct/"


def test_the_form_shows_the_current_text_and_corrects_it(client, attributed, alice):
    client.force_login(alice)
    page = client.get(correct_url(attributed.article))
    assert page.status_code == 200
    html = page.content.decode()
    assert "The ferry operator said ridership fell by a third." in html
    assert 'name="version" value="1"' in html
    response = client.post(
        correct_url(attributed.article),
        {"text": WITHOUT_FERRY, "note": "Ferry line removed", "version": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{attributed.article_id}/revisions/?to=2"
    assert Article.objects.get(pk=attributed.article_id).text == WITHOUT_FERRY
    assert Claim.objects.get(pk=attributed.pk).anchor_state == "orphaned"


def test_an_uploaded_file_replaces_the_pasted_text(client, claim, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("v2.txt", WITHOUT_FERRY.encode(), content_type="text/plain")
    response = client.post(
        correct_url(claim.article), {"text": "ignored", "file": upload, "version": "1"}
    )
    assert response.status_code == 302
    revision = ArticleRevision.objects.get(number=2)
    assert (revision.text, revision.source) == (WITHOUT_FERRY, "v2.txt")


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        ({"text": ARTICLE_TEXT, "version": "1"}, 400, "nothing to correct"),
        ({"text": "  ", "version": "1"}, 400, "Give the corrected text"),
        ({"text": WITHOUT_FERRY, "version": "5"}, 409, "changed by someone else"),
        ({"text": WITHOUT_FERRY}, 400, "without the article version"),
    ],
)
def test_bad_input_is_said_on_the_form_and_changes_nothing(
    client, claim, alice, data, code, message
):
    client.force_login(alice)
    response = client.post(correct_url(claim.article), data)
    assert response.status_code == code and message in response.content.decode()
    assert ArticleRevision.objects.count() == 1


def test_a_file_that_is_not_utf8_is_refused(client, claim, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("v2.txt", "Café".encode("latin-1"))
    response = client.post(correct_url(claim.article), {"file": upload, "version": "1"})
    assert response.status_code == 400 and "not UTF-8" in response.content.decode()


def test_many_claims_go_to_a_task_page(client, claim, alice, settings):
    settings.FACTCHECK_CORRECTION_TASK_CLAIMS = 0
    client.force_login(alice)
    response = client.post(correct_url(claim.article), {"text": WITHOUT_FERRY, "version": "1"})
    task = BackgroundTask.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"
    assert task.kind == "correction" and task.status == "succeeded"


def test_the_revisions_page_shows_the_diff_and_where_the_claims_went(client, attributed, alice):
    text = "<b>Editor's note</b>\n" + WITHOUT_FERRY
    actions.correct_article(article=attributed.article, text=text, by=alice, note="Fixed")
    client.force_login(alice)
    html = client.get(f"/articles/{attributed.article_id}/revisions/").content.decode()
    # Escaped: the text is shown, never run.
    assert "&lt;b&gt;Editor&#x27;s note&lt;/b&gt;" in html and "<b>Editor" not in html
    assert 'data-testid="diff-ins"' in html and 'data-testid="diff-del"' in html
    assert "The ferry operator said ridership fell by a third." in html
    assert 'data-outcome="orphaned"' in html and "Fixed" in html


def test_an_article_never_corrected_says_so(client, claim, alice):
    client.force_login(alice)
    html = client.get(f"/articles/{claim.article_id}/revisions/").content.decode()
    assert "has not been corrected" in html


def test_the_article_page_lists_orphans_apart_and_says_it_was_corrected(
    client, attributed, alice, dana
):
    actions.correct_article(article=attributed.article, text=WITHOUT_FERRY, by=alice, note="N")
    client.force_login(dana)
    html = client.get(f"/articles/{attributed.article_id}/").content.decode()
    assert 'data-testid="corrected-banner"' in html and "N." in html
    assert 'data-testid="orphan-list"' in html and 'data-testid="orphan-close"' in html
    assert "orphans.js" in html
    page = client.get(f"/articles/{attributed.article_id}/")
    assert page.status_code == 200
    # Not among the highlighted claims: its offsets are those of revision 1.
    assert f'"id":{attributed.pk}' not in html.split('id="annotate-data"')[1].replace(" ", "")


def test_an_annotator_may_reattach_but_not_close(client, claim, alice):
    actions.correct_article(article=claim.article, text=WITHOUT_FERRY, by=alice)
    client.force_login(alice)
    html = client.get(f"/articles/{claim.article_id}/").content.decode()
    assert 'data-testid="orphan-reattach"' in html and 'data-testid="orphan-close"' not in html


def test_the_public_page_flags_a_fact_check_whose_words_were_corrected(client, attributed, alice):
    actions.correct_article(article=attributed.article, text=WITHOUT_FERRY, by=alice)
    html = client.get(f"/factchecks/{attributed.pk}/").content.decode()
    assert 'data-testid="factcheck-corrected"' in html
    assert "this fact-check refers to the earlier wording: “ridership fell by a third”" in html
    assert "no longer in the article" in html


def test_an_unflagged_fact_check_has_no_flag(client, attributed):
    html = client.get(f"/factchecks/{attributed.pk}/").content.decode()
    assert 'data-testid="factcheck-corrected"' not in html


def test_an_orphans_page_shows_its_words_in_the_text_they_were_in(client, claim, alice, dana):
    actions.correct_article(article=claim.article, text=WITHOUT_FERRY, by=alice)
    client.force_login(alice)
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "The ferry operator said <mark" in html and "ridership fell by a third</mark>" in html
    client.force_login(dana)
    admin = client.get(f"/admin/factcheck/claim/{claim.pk}/change/").content.decode()
    assert "ridership fell by a third</mark>" in admin


@pytest.fixture
def web(settings):
    from tests.local_web import LocalWeb

    server = LocalWeb()
    settings.FACTCHECK_FETCH_ALLOW = [server.allow]
    yield server
    server.stop()


def test_the_text_is_fetched_again_from_the_articles_url_for_confirmation(client, alice, web):
    """A correction by re-importing from the article's URL: extracted as an import is, shown
    in the form to check, saved only when the desk submits it."""
    url = web.url("/harbour")
    article = actions.create_article(title="Fares", text="An early version.", url=url, by=alice)
    client.force_login(alice)
    page = client.get(correct_url(article) + "?from_url=1")
    assert page.status_code == 200
    form = page.context["form"]
    assert "ferry" in form.initial["text"].lower() and form.initial["source"] == url
    assert Article.objects.get(pk=article.pk).text == "An early version."  # nothing saved yet


def test_a_refused_url_is_said_not_fetched(client, alice, settings):
    settings.FACTCHECK_FETCH_ALLOW = []
    article = actions.create_article(
        title="Internal", text="Some text.", url="http://127.0.0.1:9/x", by=alice
    )
    client.force_login(alice)
    page = client.get(correct_url(article) + "?from_url=1")
    assert page.status_code == 200
    assert page.context["form"].initial["text"] == "Some text."
    assert "could not be fetched" in page.content.decode()
