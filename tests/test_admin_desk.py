"""The desk overview and the agreement report page, for moderators."""

import re

import pytest

from factcheck import actions
from factcheck.demo import load_demo


@pytest.fixture
def demo(db):
    article, _ = load_demo()
    return article


@pytest.fixture
def desk(client, demo):
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="dana"))
    return client


def test_index_shows_the_queues(desk):
    page = desk.get("/admin/").text
    assert "Moderation queues" in page
    assert re.search(r"<strong>2</strong> claims awaiting moderation", page)
    assert 'href="/admin/desk/"' in page


def test_overview_draws_four_charts_each_with_its_table(desk):
    response = desk.get("/admin/desk/")
    assert response.status_code == 200
    page = response.text
    charts = response.context["charts"]
    assert [c.slug for c in charts] == ["status", "speakers", "agreement", "work"]
    assert page.count('<svg class="fc-chart"') == 4
    assert page.count('<table class="fc-sr-only">') == 4
    status = {row[0]: row[1] for row in charts[0].rows}
    assert status == {"Open": 4, "In review": 2, "Published": 2, "Rejected": 0}
    speakers = {row[0]: row[-1] for row in charts[1].rows}
    assert speakers == {"Ingrid Solberg": 4, "Tomas Berg": 2, "Regional Transport Authority": 2}
    agreement = charts[2].rows[0]
    assert agreement[1:3] == [3, 1]
    # 8 claims, 6 open or in review; bob and carol each submitted on 2 of those.
    assert charts[3].rows == [["bob", 4, 0], ["carol", 4, 0]]
    # No inline script or style anywhere (the CSP would block them).
    assert "<script>" not in page and " style=" not in page


def test_overview_escapes_names_in_charts(desk, demo):
    from factcheck.models import Speaker

    Speaker.objects.filter(name="Tomas Berg").update(name="<b>Berg</b>")
    page = desk.get("/admin/desk/").text
    assert "<b>Berg</b>" not in page and "&lt;b&gt;Berg&lt;/b&gt;" in page


def test_overview_of_an_empty_desk(client, dana):
    client.force_login(dana)
    response = client.get("/admin/desk/")
    assert response.status_code == 200
    assert "Nothing to show yet." in response.text


def test_agreement_page_overall_and_per_article(desk, demo):
    page = desk.get("/admin/agreement/").text
    assert "Claims with two or more submitted verdicts" in page
    assert "0.667" in page  # Cohen's kappa, bob & carol
    assert f'href="?article={demo.pk}"' in page
    one = desk.get("/admin/agreement/", {"article": demo.pk})
    assert one.status_code == 200 and one.context["article"] == demo
    assert "✘ disagree" in one.text


def test_agreement_page_rejects_a_bad_article(desk):
    response = desk.get("/admin/agreement/", {"article": "nope"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text


def test_waiting_work_drops_when_a_reviewer_submits(desk, demo, ratings):
    from django.contrib.auth.models import User

    bob = User.objects.get(username="bob")
    claim = demo.claims.filter(status="open").first()
    actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    rows = desk.get("/admin/desk/").context["charts"][3].rows
    assert rows == [["bob", 3, 0], ["carol", 4, 0]]


def test_overview_keeps_the_top_speakers_and_folds_the_rest(desk, demo, ratings):
    """A desk with thousands of speakers gets a readable chart: the top 20, then the rest."""
    from django.contrib.auth.models import User

    from factcheck.charts import TOP_ROWS

    alice, bob = User.objects.get(username="alice"), User.objects.get(username="bob")
    for i in range(TOP_ROWS + 3):
        claim = actions.create_claim(
            article=demo, by=alice, start=i, end=i + 2, speaker_name=f"Speaker {i:02}"
        )
        actions.save_verdict(
            claim=claim,
            reviewer=bob,
            rating=ratings["True"],
            rationale="Checked against the record.",
        )
    rows = desk.get("/admin/desk/").context["charts"][1].rows
    assert len(rows) == TOP_ROWS + 1
    folded = rows[-1]
    # 3 demo speakers + 23 new ones, 20 shown: 6 folded, all with one verdict each but the
    # demo's, whose verdicts rank them first.
    assert folded[0] == "6 other speakers" and folded[-1] == 6
    assert sum(row[-1] for row in rows) == 8 + TOP_ROWS + 3
