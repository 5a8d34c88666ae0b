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
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.anchor_state == "ok" and claim.moderation_note == "Same finding."


def test_confirm_is_not_offered_on_an_unflagged_claim(client, attributed, dana):
    client.force_login(dana)
    page = client.get(f"/admin/factcheck/claim/{attributed.pk}/change/").content.decode()
    assert "/decide/confirm/" not in page


def change_form_data(page) -> dict:
    """What the admin's change page posts back untouched (its inlines' forms included)."""
    forms = [page.context["adminform"].form] + [
        f
        for inline in page.context["inline_admin_formsets"]
        for f in (inline.formset.management_form, *inline.formset.forms)
    ]
    return {f.add_prefix(name): f[name].value() or "" for f in forms for name in f.fields}


def test_a_moderator_renames_an_article_with_claims_in_the_admin(client, claim, dana):
    # Its text ends with a line end: posted back unchanged, it is no change of the text.
    assert claim.article.text.endswith("\n")
    client.force_login(dana)
    url = f"/admin/factcheck/article/{claim.article_id}/change/"
    data = change_form_data(client.get(url))
    response = client.post(url, {**data, "title": "Renamed"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim.article.refresh_from_db()
    assert (claim.article.title, claim.article.text) == ("Renamed", ARTICLE_TEXT)


def test_the_current_revision_is_not_set_by_hand(client, claim, alice, dana):
    # The article page shows "corrected" and the orphans by it: a number typed into the admin
    # would hide them, or name a revision that does not exist.
    actions.correct_article(article=claim.article, text=WITHOUT_FERRY, by=alice)
    client.force_login(dana)
    url = f"/admin/factcheck/article/{claim.article_id}/change/"
    page = client.get(url)
    assert "revision" not in page.context["adminform"].form.fields
    response = client.post(url, {**change_form_data(page), "revision": "1"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim.article.refresh_from_db()
    assert claim.article.revision == 2
