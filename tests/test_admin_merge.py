"""Merging duplicate speakers and statements from the admin keeps every claim and its history."""

import pytest

from factcheck import actions
from factcheck.models import Claim, Speaker, Statement


@pytest.fixture
def desk(client, dana):
    client.force_login(dana)
    return client


@pytest.fixture
def duplicates(article, alice):
    """Three claims by 'Tomas Berg' and 'T. Berg', each with a statement of their own."""
    text = article.text

    def claim(quote, occurrence, speaker, statement):
        start = text.index(quote) if occurrence == 0 else text.rindex(quote)
        return actions.create_claim(
            article=article,
            by=alice,
            start=start,
            end=start + len(quote),
            speaker_name=speaker,
            statement_title=statement,
        )

    return [
        claim("ridership fell by a third", 0, "Tomas Berg", "Interview with Radio Nordhavn"),
        claim("the bridge carries 38,000 vehicles a day", 0, "T. Berg", "Radio interview"),
        claim(
            "the bridge carries 38,000 vehicles a day",
            1,
            "T. Berg",
            "Interview with Radio Nordhavn",
        ),
    ]


def merge(client, model, ids, survivor=None):
    data = {"action": "merge", "_selected_action": ids}
    if survivor is not None:
        data |= {"_confirm": "1", "survivor": survivor}
    return client.post(f"/admin/factcheck/{model}/", data, follow=survivor is not None)


def test_merge_page_lets_the_moderator_choose_the_survivor(desk, duplicates):
    ids = list(Speaker.objects.values_list("pk", flat=True))
    page = merge(desk, "speaker", ids)
    assert page.status_code == 200
    assert "Merge 2 speakers" in page.text
    assert page.text.count('name="survivor"') == 2


def test_merging_speakers_keeps_every_claim_aliases_and_history(desk, duplicates, dana):
    berg = Speaker.objects.get(name="Tomas Berg")
    t_berg = Speaker.objects.get(name="T. Berg")
    claim_ids = {c.pk for c in duplicates}

    response = merge(desk, "speaker", [berg.pk, t_berg.pk], survivor=berg.pk)

    assert "Merged 1 speaker into “Tomas Berg”" in response.text
    assert set(Claim.objects.values_list("pk", flat=True)) == claim_ids
    assert set(Claim.objects.values_list("speaker", flat=True)) == {berg.pk}
    berg.refresh_from_db()
    assert "T. Berg" in berg.alias_list
    assert not Speaker.objects.filter(pk=t_berg.pk).exists()
    # The clashing statement folded into the survivor's; the other one moved over.
    assert set(Statement.objects.values_list("speaker", flat=True)) == {berg.pk}
    assert Statement.objects.count() == 2
    # History: the merged speaker's deletion, the survivor's new alias, each claim's move.
    assert Speaker.history.filter(id=t_berg.pk, history_type="-").get().history_user == dana
    assert "T. Berg" in berg.history.latest().aliases
    for claim in Claim.objects.filter(pk__in=[duplicates[1].pk, duplicates[2].pk]):
        speakers = set(claim.history.values_list("speaker_id", flat=True))
        assert speakers == {t_berg.pk, berg.pk}
    # The merged speaker's history stays readable in the admin.
    assert desk.get(f"/admin/factcheck/speaker/{t_berg.pk}/history/").status_code == 200


def test_merging_statements_repoints_their_claims(desk, duplicates):
    berg = Speaker.objects.get(name="Tomas Berg")
    keep = Statement.objects.get(title="Interview with Radio Nordhavn", speaker=berg)
    others = list(Statement.objects.exclude(pk=keep.pk).values_list("pk", flat=True))

    response = merge(desk, "statement", [keep.pk, *others], survivor=keep.pk)

    assert "Merged 2 statements" in response.text
    assert Statement.objects.get() == keep
    assert set(Claim.objects.values_list("statement", flat=True)) == {keep.pk}
    assert set(Claim.objects.values_list("speaker", flat=True)) == {berg.pk}
    assert Claim.objects.count() == 3


def test_merge_needs_two_selected(desk, duplicates):
    one = Speaker.objects.first()
    response = desk.post(
        "/admin/factcheck/speaker/", {"action": "merge", "_selected_action": [one.pk]}, follow=True
    )
    assert "Select two or more speakers" in response.text
    assert Speaker.objects.count() == 2


def test_merge_without_a_valid_survivor_merges_nothing(desk, duplicates):
    ids = list(Speaker.objects.values_list("pk", flat=True))
    response = desk.post(
        "/admin/factcheck/speaker/",
        {"action": "merge", "_selected_action": ids, "_confirm": "1", "survivor": 999999},
    )
    assert response.status_code == 200
    assert "Choose which one to keep" in response.text
    assert Speaker.objects.count() == 2


def test_speaker_list_counts_claims_and_statements(desk, duplicates):
    response = desk.get("/admin/factcheck/speaker/")
    rows = {s.name: (s.n_claims, s.n_statements) for s in response.context["cl"].result_list}
    assert rows == {"Tomas Berg": (1, 1), "T. Berg": (2, 2)}
