"""A moderator approves a verdict in the admin, in real Chromium, and the public page shows it."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from factcheck import actions
from factcheck.demo import load_demo
from factcheck.models import Claim, Verdict
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_desk(db):
    article, _ = load_demo()
    dana = User.objects.get(username="dana")
    dana.set_password(PASSWORD)
    dana.save()
    return article, dana


def test_moderator_approves_a_verdict_and_sees_the_public_fact_check(
    page, live_server, sign_in, screenshot, demo_desk
):
    article, dana = demo_desk
    # The bridge-traffic claim: bob and carol both said True; nobody has approved yet.
    claim = Claim.objects.get(article=article, summary__startswith="The bridge carries")
    bobs = claim.verdicts.get(reviewer__username="bob")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(dana)
    page.goto(f"{live_server.url}/admin/factcheck/claim/?queue=moderation")
    assert page.get_by_role("link", name="The bridge carries about 38,000").count() >= 1
    assert page.locator("text=✔ agree").count() >= 1
    screenshot("admin-claim-list")

    page.goto(f"{live_server.url}/admin/factcheck/claim/{claim.pk}/change/")
    assert page.locator("mark.fc-quote").inner_text() == claim.quote
    screenshot("admin-claim-change")
    page.locator(f"button.fc-approve[value='{bobs.pk}']").click()
    page.wait_for_url(f"**/admin/factcheck/claim/{claim.pk}/change/")
    assert "the claim is published" in page.locator("ul.messagelist").inner_text()

    bobs.refresh_from_db()
    claim.refresh_from_db()
    assert bobs.status == Verdict.Status.APPROVED and bobs.moderator == dana
    assert claim.status == Claim.Status.PUBLISHED

    page.get_by_role("link", name="Public fact-check").click()
    page.wait_for_url(f"**/factchecks/{claim.pk}/")
    assert "True" in page.locator(".rating").inner_text()
    assert "Traffic counter data for 2025" in page.content()

    page.goto(f"{live_server.url}/admin/desk/")
    assert page.locator("svg.fc-chart").count() == 4
    screenshot("admin-desk-overview")
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.fixture
def bob(db):
    from tests.conftest import make_user

    return make_user("bob", "reviewer")


def test_reviewer_is_turned_away_from_the_admin(page, live_server, sign_in, bob):
    sign_in(bob)
    page.goto(f"{live_server.url}/admin/factcheck/claim/")
    assert "/admin/login/" in page.url
    assert "not authorized to access this page" in page.content()


def test_admin_pages_run_under_the_strict_csp(page, live_server, sign_in, screenshot, demo_desk):
    article, dana = demo_desk
    claim = Claim.objects.filter(article=article, status="in_review").first()
    verdict = claim.verdicts.first()
    errors = []
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )
    sign_in(dana)
    urls = [
        "/admin/",
        "/admin/agreement/",
        f"/admin/agreement/?article={article.pk}",
        f"/admin/factcheck/claim/{claim.pk}/decide/reject/",
        f"/admin/factcheck/verdict/{verdict.pk}/decide/reject/",
        f"/admin/factcheck/verdict/{verdict.pk}/change/",
        f"/admin/factcheck/verdict/{verdict.pk}/history/",
        "/admin/factcheck/rating/",
        f"/admin/factcheck/rating/{verdict.rating_id}/history/",
        "/admin/auth/user/",
        f"/admin/auth/user/{dana.pk}/change/",
        "/admin/auth/user/add/",
    ]
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        if url == "/admin/agreement/":
            screenshot("admin-agreement")
        if "verdict" in url and url.endswith("/decide/reject/"):
            screenshot("admin-reject-verdict")
    # The merge page comes from an action: select two speakers and ask to merge.
    page.goto(f"{live_server.url}/admin/factcheck/speaker/")
    page.locator("input.action-select").nth(0).check()
    page.locator("input.action-select").nth(1).check()
    page.select_option("select[name=action]", "merge")
    page.get_by_role("button", name="Go").click()
    assert page.locator("input[name=survivor]").count() == 2
    screenshot("admin-merge-speakers")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_the_claims_table_fits_a_1280_px_screen(page, live_server, sign_in, demo_desk):
    """Issue 15: the change list ran past the right edge at 1,280 px (scrolled sideways)."""
    article, dana = demo_desk
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(dana)
    page.goto(f"{live_server.url}/admin/factcheck/claim/")
    sizes = page.evaluate(
        "() => { const r = document.querySelector('#changelist .results');"
        " return [r.scrollWidth, r.clientWidth, document.documentElement.scrollWidth]; }"
    )
    scroll_width, client_width, page_width = sizes
    widths = page.evaluate(
        "() => [...document.querySelectorAll('#result_list thead th')]"
        ".map(th => th.className + ':' + th.offsetWidth)"
    )
    assert scroll_width <= client_width + 1, f"{sizes} {widths}"
    assert page_width <= 1280, sizes


def test_the_verdict_inline_says_who_moderated_and_bulk_approve_says_one_thing(
    page, live_server, sign_in, demo_desk
):
    """Issue 15, bugs 4 and 5: "Published 4 claims." beside "Nothing was approved.", and "-"
    under Moderation for every approved or rejected verdict."""
    article, dana = demo_desk
    sign_in(dana)
    page.goto(f"{live_server.url}/admin/factcheck/claim/?queue=agree")
    page.locator("#action-toggle").check()
    page.select_option("select[name=action]", "approve_agreed")
    with page.expect_navigation():
        page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist li")
    said = page.locator("ul.messagelist li").all_inner_texts()
    assert said and said[0].startswith("Published ")
    assert not [m for m in said if "Nothing was" in m], said
    claim = Claim.objects.filter(article=article, status=Claim.Status.PUBLISHED).first()
    page.goto(f"{live_server.url}/admin/factcheck/claim/{claim.pk}/change/")
    approved = claim.verdicts.get(status=Verdict.Status.APPROVED)
    row = page.locator("td.field-moderation").nth(list(claim.verdicts.all()).index(approved))
    assert row.inner_text().startswith("dana on 20"), row.inner_text()


def test_the_claims_list_downloads_an_export(page, live_server, sign_in, demo_desk):
    article, dana = demo_desk
    sign_in(dana)
    page.goto(f"{live_server.url}/admin/factcheck/claim/?article__id__exact={article.pk}")
    with page.expect_download() as info:
        page.locator(".object-tools a[data-format=csv]").click()
    download = info.value
    assert download.suggested_filename.endswith(f"-{article.pk}-claims.csv")
    assert "quote" in Path(download.path()).read_text(encoding="utf-8-sig").splitlines()[0]


def test_the_history_page_shows_dashes_and_whole_seconds(page, live_server, sign_in, demo_desk):
    """Issue 15: a claim's history showed "None" for empty values and microsecond times."""

    article, dana = demo_desk
    claim = Claim.objects.filter(article=article, status=Claim.Status.OPEN).first()
    actions.reject_claim(claim=claim, by=dana, note="Opinion, not a checkable fact.")
    sign_in(dana)
    page.goto(f"{live_server.url}/admin/factcheck/claim/{claim.pk}/history/")
    shown = page.locator("#change-history").inner_text()
    assert "Opinion, not a checkable fact." in shown
    assert "None" not in shown
    assert not re.search(r"\d\d:\d\d:\d\d\.\d", shown), shown
