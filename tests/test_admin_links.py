"""The ClaimLink admin (read-only, confirm and unlink as actions) and the claim page's inline."""

from __future__ import annotations

import pytest

from factcheck import actions
from factcheck.models import Claim, ClaimLink

LIST = "/admin/factcheck/claimlink/"


@pytest.fixture
def desk(client, dana):
    client.force_login(dana)
    return client


def run(desk, action, *links):
    return desk.post(
        LIST, {"action": action, "_selected_action": [link.pk for link in links]}, follow=True
    )


def test_it_confirms_and_unlinks_through_the_actions(desk, repeat, attributed, alice):
    link = actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    page = desk.get(LIST)
    assert page.status_code == 200 and f"{repeat.pk}: Ferry ridership" in page.text
    response = run(desk, "confirm_selected", link)
    assert "Confirmed 1 link." in response.text
    assert Claim.objects.get(pk=repeat.pk).status == "published"
    # The claim's change page shows the link inline.
    change = desk.get(f"/admin/factcheck/claim/{repeat.pk}/change/")
    assert "Same claim as (links to earlier fact-checks)" in change.text
    # Confirming again is not offered by the table: skipped, not an error.
    response = run(desk, "confirm_selected", link)
    assert "Skipped 1" in response.text
    response = run(desk, "unlink_selected", link)
    assert "Unlinked 1 link." in response.text
    link.refresh_from_db()
    assert (link.status, link.unlinked_by.username) == ("unlinked", "dana")
    assert Claim.objects.get(pk=repeat.pk).status == "open"


def test_links_are_not_added_changed_or_deleted_by_hand(desk, repeat, attributed, alice):
    link = actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    assert desk.get(f"{LIST}add/").status_code == 403
    assert desk.post(f"{LIST}{link.pk}/delete/").status_code == 403
    assert desk.post(f"{LIST}{link.pk}/change/", {"status": "confirmed"}).status_code == 403
    assert ClaimLink.objects.get().status == "proposed"


def test_others_are_sent_to_sign_in(client, alice):
    client.force_login(alice)
    assert client.get(LIST).status_code == 302
