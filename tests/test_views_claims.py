"""The desk's /claims/ page: every claim, filtered and sorted, with bulk actions that each
role may take (the lifecycle decides per claim) and a report of what was done and refused."""

import pytest
from django.test import Client

from factcheck import actions
from factcheck.models import Claim
from tests.conftest import ARTICLE_TEXT

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def listed(page) -> list[int]:
    import re

    return [int(pk) for pk in re.findall(r'<tr data-claim-id="(\d+)"', page.content.decode())]


@pytest.fixture
def second(article, mallory):
    quote = "the bridge carries 38,000 vehicles a day"
    start = ARTICLE_TEXT.index(quote)
    return actions.create_claim(
        article=article,
        by=mallory,
        start=start,
        end=start + len(quote),
        kind="direct_quote",
        speaker_name="Mayor Lind",
        statement_title="Council meeting",
    )


def test_it_lists_every_claim_newest_first(claim, second, alice):
    page = signed_in(alice).get("/claims/")
    assert page.status_code == 200
    assert listed(page) == [second.pk, claim.pk]
    html = page.content.decode()
    assert "Tomas Berg" in html and "Bridge toll row" in html


def test_it_needs_a_desk_role(claim, eve):
    assert Client().get("/claims/").status_code == 302
    assert signed_in(eve).get("/claims/").status_code == 403


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"kind": "direct_quote"}, ["second"]),
        ({"created_by": "alice"}, ["claim"]),
        ({"check_worthy": "true"}, ["second", "claim"]),
        ({"status": "published"}, []),
        ({"created_after": "2000-01-01", "created_before": "2999-01-01"}, ["second", "claim"]),
        ({"created_before": "2000-01-01"}, []),
    ],
)
def test_filters(params, expected, claim, second, alice):
    named = {"claim": claim.pk, "second": second.pk}
    assert listed(signed_in(alice).get("/claims/", params)) == [named[n] for n in expected]


def test_filter_by_speaker_and_rating(attributed, claim, alice):
    rating = attributed.verdicts.get(status="approved").rating_id
    client = signed_in(alice)
    assert listed(client.get("/claims/", {"speaker": claim.speaker_id})) == [claim.pk]
    assert listed(client.get("/claims/", {"rating": rating})) == [attributed.pk]


def test_a_chosen_filter_stays_chosen_past_the_listed_few(claim, second, alice, monkeypatch):
    # The filters list the first few articles, speakers and statements; one chosen from a
    # link further down stays selected, or the next change of the form would drop it unseen.
    monkeypatch.setattr("factcheck.views.OPTION_ROWS", 1)
    html = (
        signed_in(alice)
        .get("/claims/", {"speaker": claim.speaker_id, "statement": claim.statement_id})
        .content.decode()
    )
    assert f'<option value="{claim.speaker_id}" selected>Tomas Berg</option>' in html
    assert f'<option value="{claim.statement_id}" selected>' in html


def test_sorts(claim, second, alice):
    client = signed_in(alice)
    assert listed(client.get("/claims/", {"sort": "oldest"})) == [claim.pk, second.pk]
    assert listed(client.get("/claims/", {"sort": "article"})) == [second.pk, claim.pk]
    assert listed(client.get("/claims/", {"sort": "speaker"})) == [second.pk, claim.pk]


@pytest.mark.parametrize("params", [{"sort": "random"}, {"speaker": "x"}, {"kind": "opinion"}])
def test_bad_filters_are_a_400_saying_why(params, alice):
    page = signed_in(alice).get("/claims/", params)
    assert page.status_code == 400 and 'data-testid="claim-filter-errors"' in page.content.decode()


def test_a_moderator_rejects_and_reopens_in_bulk(claim, second, dana):
    client = signed_in(dana)
    answer = client.post(
        "/claims/?status=open",
        {"action": "reject", "claims": [claim.pk, second.pk], "note": "duplicates"},
        follow=True,
    )
    assert answer.redirect_chain[-1][0] == "/claims/?status=open"
    assert "2 claims rejected" in answer.content.decode()
    claim.refresh_from_db()
    assert claim.status == "rejected" and claim.moderation_note == "duplicates"
    answer = client.post("/claims/", {"action": "reopen", "claims": [claim.pk]}, follow=True)
    assert Claim.objects.get(pk=claim.pk).status == "open"


def test_refusals_are_reported_claim_by_claim(claim, attributed, dana):
    answer = signed_in(dana).post(
        "/claims/", {"action": "unpublish", "claims": [claim.pk, attributed.pk]}, follow=True
    )
    html = answer.content.decode()
    assert f"1 claim unpublished: #{attributed.pk}" in html
    assert f"Claim #{claim.pk} not unpublished" in html
    assert Claim.objects.get(pk=attributed.pk).status == "in_review"
    assert Claim.objects.get(pk=claim.pk).status == "open"


def test_an_annotator_marks_only_her_own_open_claims(claim, second, alice):
    answer = signed_in(alice).post(
        "/claims/", {"action": "not_check_worthy", "claims": [claim.pk, second.pk]}, follow=True
    )
    html = answer.content.decode()
    assert f"1 claim marked not check-worthy: #{claim.pk}" in html
    assert f"Claim #{second.pk} not marked not check-worthy" in html
    assert Claim.objects.get(pk=claim.pk).check_worthy is False
    assert Claim.objects.get(pk=second.pk).check_worthy is True


def test_an_annotator_cannot_take_a_moderators_action(claim, alice):
    page = signed_in(alice).get("/claims/")
    assert 'value="reject"' not in page.content.decode()
    answer = signed_in(alice).post(
        "/claims/", {"action": "reject", "claims": [claim.pk]}, follow=True
    )
    assert "Choose an action your role may take" in answer.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == "open"


@pytest.mark.parametrize(
    "data",
    [
        {"action": "reject"},
        {"action": "reject", "claims": ["x"]},
        {"action": "reject", "claims": [str(n) for n in range(1, 102)]},
    ],
)
def test_bad_bulk_input_changes_nothing(data, claim, dana):
    answer = signed_in(dana).post("/claims/", data, follow=True)
    assert answer.status_code == 200
    assert Claim.objects.get(pk=claim.pk).status == "open"


def test_bulk_actions_need_the_csrf_token(claim, dana):
    client = Client(enforce_csrf_checks=True)
    client.force_login(dana)
    answer = client.post("/claims/", {"action": "reject", "claims": [claim.pk]})
    assert answer.status_code == 403
    assert Claim.objects.get(pk=claim.pk).status == "open"


def test_the_page_costs_the_same_queries_for_one_or_many_claims(claim, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(alice)
    client.get("/claims/")  # the session, once

    def queries():
        with CaptureQueriesContext(connection) as seen:
            assert client.get("/claims/").status_code == 200
        return len(seen)

    one = queries()
    for _ in range(4):
        actions.create_claim(
            article=claim.article,
            by=alice,
            start=0,
            end=9,
            speaker_name=f"S{_}",
            kind="author_claim",
        )
    assert queries() == one


def test_the_claims_list_offers_its_exports_as_downloads(claim, second, alice):
    """Issue 15: export buttons where people look for them, the claims lists included; with
    one article chosen they export that article's claims."""
    html = signed_in(alice).get("/claims/").content.decode()
    assert 'data-testid="export-menu"' in html
    for fmt in ("csv", "jsonl", "w3c", "claimreview"):
        assert f'href="/export/{fmt}/" download data-format="{fmt}"' in html
    html = signed_in(alice).get("/claims/", {"article": claim.article_id}).content.decode()
    assert f'href="/export/csv/?article={claim.article_id}" download' in html
