"""The /search/ page: one box, results grouped by type with snippets, filters as a GET form."""

import datetime

import pytest
from django.test import Client

from factcheck import actions

pytestmark = pytest.mark.django_db

KREMLIN = "Vladimir Putin told reporters that grain exports had doubled since January.\n"


@pytest.fixture
def kremlin(alice):
    return actions.create_article(
        title="Talks to resume", text=KREMLIN, published_on=datetime.date(2026, 3, 4), by=alice
    )


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_it_finds_the_article_that_quotes_putin(kremlin, alice):
    page = signed_in(alice).get("/search/", {"q": "Putin"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-hit="article-{kremlin.pk}"' in html
    assert "<mark>Putin</mark>" in html
    assert f'href="/articles/{kremlin.pk}/"' in html


def test_every_page_has_the_search_box(alice):
    html = signed_in(alice).get("/articles/").content.decode()
    assert 'data-testid="site-search"' in html and 'action="/search/"' in html


def test_results_are_grouped_by_type(claim, alice):
    html = signed_in(alice).get("/search/", {"q": "ferry"}).content.decode()
    assert 'data-testid="search-group-article"' in html
    assert 'data-testid="search-group-claim"' in html
    assert f'data-hit="claim-{claim.pk}"' in html


def test_one_type_is_paged(alice):
    for n in range(25):
        actions.create_article(title=f"Harbour {n}", text="The harbour is full.", by=alice)
    client = signed_in(alice)
    everything = client.get("/search/", {"q": "harbour"}).content.decode()
    assert everything.count('data-hit="article-') == 5
    assert 'data-testid="search-more-article"' in everything
    first = client.get("/search/", {"q": "harbour", "type": "article"}).content.decode()
    assert first.count('data-hit="article-') == 20 and 'rel="next"' in first
    second = client.get("/search/", {"q": "harbour", "type": "article", "page": "2"})
    assert second.content.decode().count('data-hit="article-') == 5


def test_the_filters_narrow_the_hits(attributed, claim, alice):
    client = signed_in(alice)
    html = client.get("/search/", {"q": "ridership", "status": "published"}).content.decode()
    assert f'data-hit="claim-{attributed.pk}"' in html
    assert f'data-hit="claim-{claim.pk}"' not in html
    assert '<option value="published" selected>' in html


def test_a_chosen_speaker_stays_chosen_past_the_listed_few(attributed, claim, alice, monkeypatch):
    # The filters list the first few speakers and statements by name; one chosen from a link
    # further down stays selected, or the next search from the form would drop it unseen.
    monkeypatch.setattr("factcheck.views.OPTION_ROWS", 1)
    chosen = {"speaker": claim.speaker_id, "statement": claim.statement_id}
    html = signed_in(alice).get("/search/", {"q": "ridership", **chosen}).content.decode()
    assert f'<option value="{claim.speaker_id}" selected>Tomas Berg</option>' in html
    assert f'<option value="{claim.statement_id}" selected>' in html
    # Only what the user may see: a visitor is not shown an unpublished speaker so.
    html = Client().get("/search/", {"q": "ridership", **chosen}).content.decode()
    assert "Tomas Berg" not in html


def test_anonymous_visitors_find_published_fact_checks_only(attributed, claim, kremlin):
    html = Client().get("/search/", {"q": "ridership Putin or ferry"}).content.decode()
    assert f'data-hit="claim-{attributed.pk}"' in html
    assert f'href="/factchecks/{attributed.pk}/"' in html
    assert f'data-hit="claim-{claim.pk}"' not in html
    assert f'data-hit="article-{kremlin.pk}"' not in html


def test_a_hostile_text_is_escaped(alice):
    actions.create_article(
        title="<b>Bold</b>", text="The minister <script>alert(1)</script> spoke.", by=alice
    )
    html = signed_in(alice).get("/search/", {"q": "minister"}).content.decode()
    assert "<script>alert(1)" not in html and "<b>Bold" not in html
    assert "&lt;b&gt;Bold" in html


@pytest.mark.parametrize(
    "params",
    [{"q": "x" * 201}, {"q": "!!!"}, {"q": "a", "speaker": "abc"}, {"q": "a", "date_after": "x"}],
)
def test_bad_input_is_a_400_with_the_reason(params, alice):
    page = signed_in(alice).get("/search/", params)
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()


def test_an_empty_search_shows_the_form(alice):
    page = signed_in(alice).get("/search/")
    assert page.status_code == 200 and 'data-testid="search-form"' in page.content.decode()
