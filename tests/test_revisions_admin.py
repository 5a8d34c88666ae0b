"""The admin's side of corrections: revisions on the article page, the flagged queue, confirm."""

from factcheck import actions
from factcheck.models import Claim
from tests.conftest import ARTICLE_TEXT

WITHOUT_FERRY = ARTICLE_TEXT.replace("The ferry operator said ridership fell by a third.\n", "")
EDITED = WITHOUT_FERRY + "The ferry operator said ridership fell by about a third.\n"


def test_the_article_page_lists_its_revisions_and_links_the_correction(client, claim, alice, dana):
    actions.correct_article(article=claim.article, text=WITHOUT_FERRY, by=alice, note="Fixed x")
    client.force_login(dana)
    html = client.get(f"/admin/factcheck/article/{claim.article_id}/change/").content.decode()
    assert "Fixed x" in html and f"/articles/{claim.article_id}/correct/" in html
    assert f"/articles/{claim.article_id}/revisions/?from=1&amp;to=2" in html
    # Read-only: no form fields for the revisions.
    assert 'name="revisions-0-note"' not in html


def test_flagged_and_orphaned_claims_have_their_queues(client, attributed, claim, alice, dana):
    actions.correct_article(article=attributed.article, text=WITHOUT_FERRY, by=alice)
    client.force_login(dana)
    flagged = client.get("/admin/factcheck/claim/?queue=corrected").context["cl"].result_list
    assert [c.pk for c in flagged] == [attributed.pk]
    orphans = client.get("/admin/factcheck/claim/?queue=orphaned").context["cl"].result_list
    assert sorted(c.pk for c in orphans) == sorted([attributed.pk, claim.pk])


def test_a_moderator_confirms_an_edited_claim_from_the_admin(client, attributed, alice, dana):
    actions.correct_article(article=attributed.article, text=EDITED, by=alice)
    start = EDITED.index("ridership fell by about a third")
    claim = actions.reattach_claim(claim=attributed, by=dana, start=start, end=start + 31)
    client.force_login(dana)
    page = client.get(f"/admin/factcheck/claim/{claim.pk}/change/").content.decode()
    assert "/decide/confirm/" in page
    response = client.post(
        f"/admin/factcheck/claim/{claim.pk}/decide/confirm/",
        {"claim_version": claim.version, "note": "Same finding."},
    )
    assert response.status_code == 302
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.anchor_state == "ok" and claim.moderation_note == "Same finding."


def test_confirm_is_not_offered_on_an_unflagged_claim(client, attributed, dana):
    client.force_login(dana)
    page = client.get(f"/admin/factcheck/claim/{attributed.pk}/change/").content.decode()
    assert "/decide/confirm/" not in page
