"""axe-core on every page a person opens: the desk, the public page, sign-in and password
reset, the admin and the API docs. 0 violations is the bar (issue 15).

axe-core comes from the npm registry during the run (``npm pack``), cached under
``~/.cache/factcheck/`` so later runs work offline; ``AXE_CORE_JS`` points at a copy instead.
Never a CDN. It is injected into a browser context that bypasses the page's CSP (our CSP
rightly refuses an injected script); the pages themselves are checked under the CSP in
``test_the_api_docs_render_under_the_csp``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from factcheck import actions
from factcheck.models import Suggestion, text_hash
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

AXE_VERSION = "4.10.3"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "factcheck"
REPORT = Path(__file__).resolve().parents[2] / "test-results" / "axe.json"
# WCAG 2.1 A and AA, and axe's best practices (landmarks, headings, ...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_source() -> str:
    """axe.min.js: $AXE_CORE_JS, the cache, or the npm registry (then cached)."""
    if os.environ.get("AXE_CORE_JS"):
        return Path(os.environ["AXE_CORE_JS"]).read_text()
    cached = CACHE / f"axe-core-{AXE_VERSION}.min.js"
    if not cached.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("axe-core needs npm (or AXE_CORE_JS pointing at axe.min.js)")
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", tmp, "--silent"],
                check=True,
                capture_output=True,
                timeout=180,
            )
            (tarball,) = Path(tmp).glob("axe-core-*.tgz")
            with tarfile.open(tarball) as tar:
                member = tar.extractfile("package/axe.min.js")
                CACHE.mkdir(parents=True, exist_ok=True)
                cached.write_bytes(member.read())
    return cached.read_text()


@pytest.fixture(scope="session")
def axe_js():
    return axe_source()


def violations(page, axe_js) -> list[dict]:
    page.add_script_tag(content=axe_js)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "resultTypes: ['violations']})",
        TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [", ".join(map(str, n["target"])) for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


@pytest.fixture
def newsroom(article, claim, alice, bob, carol, dana, ratings, repeat):
    """An article with an open, an in-review and a published claim, and an import task."""
    for reviewer, label in ((bob, "Mostly true"), (carol, "Mostly true")):
        verdict = actions.save_verdict(
            claim=claim,
            reviewer=reviewer,
            rating=ratings[label],
            rationale="Operator filings show a 31% fall between 2008 and 2025.",
            sources=[actions.Source(url="https://example.org/filings", title="Annual filings")],
        )
    actions.approve_verdict(verdict=verdict, by=dana)
    quote = "the bridge carries 38,000 vehicles a day"
    start = article.text.index(quote)
    waiting = actions.create_claim(
        article=article, by=alice, start=start, end=start + len(quote), speaker_name="Ada Mayor"
    )
    actions.save_verdict(
        claim=waiting, reviewer=carol, rating=ratings["False"], rationale="The count says 21,000."
    )
    # The same words published further down: the reading page's "Checked before?" lists it.
    second = article.text.index(quote, start + 1)
    repeated = actions.create_claim(
        article=article, by=alice, start=second, end=second + len(quote), speaker_name="Ada Mayor"
    )
    actions.approve_verdict(
        verdict=actions.save_verdict(
            claim=repeated, reviewer=bob, rating=ratings["False"], rationale="It is 21,000."
        ),
        by=dana,
    )
    task = actions.enqueue_import(by=dana, data=b'{"text": "x", "label": []}\n', dry_run=True)
    # Pending suggestions, so the reading page is checked with them drawn and listed.
    for kind, phrase, confidence in (
        ("direct_quote", "ridership fell by a third", 0.9),
        ("author_claim", "The ferry operator", 0.4),
    ):
        start = article.text.index(phrase)
        Suggestion.objects.create(
            article=article,
            detector_version="test",
            text_hash=text_hash(article.text),
            kind=kind,
            start=start,
            end=start + len(phrase),
            quote=phrase,
            speaker_name="Ferry Operator" if kind == "direct_quote" else "",
            speaker_kind="organisation" if kind == "direct_quote" else "",
            confidence=confidence,
        )
    # "Same claim as": the ferry claim said again (its verdict reused), and once more (open,
    # its page listing the matcher's earlier fact-checks).
    actions.link_claim(claim=repeat, earlier=claim, by=alice, score=0.9)
    link = actions.confirm_link(claim=repeat, by=dana)
    echo_text = "Ferry ridership fell by a third, the harbour board heard on Monday.\n"
    echo_article = actions.create_article(title="Harbour board", text=echo_text, by=alice)
    echo = actions.create_claim(
        article=echo_article, by=alice, start=0, end=echo_text.index(","), speaker_name="Board"
    )
    return {
        "claim": claim,
        "waiting": waiting,
        "task": task,
        "verdict": verdict,
        "repeat": repeat,
        "echo": echo,
        "link": link,
    }


def sign_in_as(context, live_server, user):
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_every_page_has_no_axe_violations(browser, live_server, axe_js, newsroom, dana):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_encode

    claim, waiting, task = newsroom["claim"], newsroom["waiting"], newsroom["task"]
    uid = urlsafe_base64_encode(str(dana.pk).encode())
    anonymous = [
        "/accounts/login/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        # The mailed link: it moves the token to the session and shows the new-password form.
        f"/accounts/reset/{uid}/{default_token_generator.make_token(dana)}/",
        "/accounts/reset/done/",
        f"/factchecks/{claim.pk}/",
        f"/factchecks/{newsroom['repeat'].pk}/",
        "/factchecks/",
        f"/factchecks/speakers/{claim.speaker_id}/",
        f"/factchecks/statements/{claim.statement_id}/",
        "/search/?q=ridership",
    ]
    desk = [
        "/articles/",
        "/search/?q=ridership+or+bridge",
        "/claims/",
        f"/articles/{claim.article_id}/",
        f"/claims/{claim.pk}/",
        f"/claims/{waiting.pk}/",
        f"/claims/{newsroom['repeat'].pk}/",
        f"/claims/{newsroom['echo'].pk}/",
        "/review/",
        # The reading page with a claim selected: its earlier fact-checks listed.
        f"/articles/{claim.article_id}/#claim-{waiting.pk}",
        "/speakers/",
        f"/speakers/{claim.speaker_id}/",
        "/statements/",
        f"/statements/{claim.statement_id}/",
        "/import/",
        "/articles/import/",
        f"/tasks/{task.pk}/",
        "/admin/",
        "/admin/factcheck/claim/",
        f"/admin/factcheck/claim/{claim.pk}/change/",
        f"/admin/factcheck/claim/{claim.pk}/history/",
        "/admin/factcheck/verdict/",
        f"/admin/factcheck/verdict/{newsroom['verdict'].pk}/change/",
        "/admin/factcheck/suggestion/",
        "/admin/factcheck/claimlink/",
        f"/admin/factcheck/claimlink/{newsroom['link'].pk}/change/",
        "/api/v1/docs/",
    ]
    found = {}
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        found_text = {}
        for path in anonymous:
            assert page.goto(live_server.url + path).status == 200, path
            found[path] = violations(page, axe_js)
            if path.startswith("/accounts/reset/") and path != "/accounts/reset/done/":
                found_text["/accounts/reset/"] = page.locator("main").inner_text()
        page = sign_in_as(context, live_server, dana)
        for path in desk:
            assert page.goto(live_server.url + path).status == 200, path
            if path == "/api/v1/docs/":
                page.wait_for_selector(".swagger-ui .information-container", timeout=15000)
            if path == "/review/":  # its claims' earlier fact-checks drawn
                page.wait_for_selector("html[data-queue-ready]", state="attached")
                assert page.locator("[data-testid=earlier-checks] li").count() > 0
            if "#claim-" in path:
                page.wait_for_selector("[data-testid=match-list] li", timeout=10000)
            found[path] = violations(page, axe_js)
    finally:
        context.close()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(found, indent=1))
    failing = {path: v for path, v in found.items() if v}
    assert not failing, json.dumps(failing, indent=1)
    assert len(found) == len(anonymous) + len(desk)
    assert "New password" in found_text["/accounts/reset/"]


def test_the_correction_pages_have_no_axe_violations(
    browser, live_server, axe_js, newsroom, alice, dana
):
    """The correction form, the diff of the revisions, the orphan list on the article page, a
    flagged public fact-check and the admin's revisions (issue 18)."""
    claim = newsroom["claim"]
    article = claim.article
    # The ferry sentence (the published claim's) deleted: an orphan, flagged on its page.
    text = article.text.replace("The ferry operator said ridership fell by a third.\n", "")
    actions.correct_article(article=article, text="A new first line.\n" + text, by=alice)
    pages = [
        f"/articles/{article.pk}/correct/",
        f"/articles/{article.pk}/revisions/",
        f"/articles/{article.pk}/",
        f"/factchecks/{claim.pk}/",
        f"/admin/factcheck/article/{article.pk}/change/",
    ]
    found = {}
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = sign_in_as(context, live_server, dana)
        for path in pages:
            assert page.goto(live_server.url + path).status == 200, path
            found[path] = violations(page, axe_js)
        assert page.goto(f"{live_server.url}/articles/{article.pk}/").status == 200
        assert page.locator("[data-testid=orphan-list]").is_visible()
    finally:
        context.close()
    failing = {path: v for path, v in found.items() if v}
    assert not failing, json.dumps(failing, indent=1)


def test_the_api_docs_render_under_the_csp(page, live_server, dana, sign_in):
    """Swagger UI's page shipped an inline <style>, which our CSP refused (issue 15)."""
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    sign_in(dana)
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert "style-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert page.locator(".swagger-ui .opblock").count() > 10
    assert refused == []


def test_the_reading_pages_forms_cards_and_help_have_no_axe_violations(
    browser, live_server, axe_js, newsroom, alice
):
    """The states a page load does not show: the claim form open (a new speaker's and a new
    statement's fields, a refused save's field error), the claim card and the shortcut help,
    at 1,280 and 390 px."""
    article = newsroom["claim"].article
    found = {}
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
        try:
            page = sign_in_as(context, live_server, alice)
            page.goto(f"{live_server.url}/articles/{article.pk}/")
            page.wait_for_selector("html[data-annotate-ready]", state="attached")
            page.locator("[data-testid=article-text]").focus()
            page.keyboard.down("Shift")
            for _ in range(9):
                page.keyboard.press("ArrowRight")
            page.keyboard.up("Shift")
            form = page.locator("[data-testid=claim-form]")
            form.wait_for(state="visible")
            form.locator("[name=speaker]").fill("Mette Lund")
            form.locator("[data-testid=speaker-new]").wait_for(state="visible")
            form.locator("[name=statement]").fill("Letter to the editor")
            form.locator("[data-testid=statement-new]").wait_for(state="visible")
            form.locator("[data-testid=claim-save]").click()  # no kind chosen: refused
            form.locator("[data-testid=field-errors-kind]").wait_for(state="visible")
            found[f"claim form, {width} px"] = violations(page, axe_js)
            page.keyboard.press("Escape")
            form.wait_for(state="hidden")
            page.locator(f'mark[data-claim-id="{newsroom["claim"].pk}"]').first.click()
            page.locator("[data-testid=claim-card]").wait_for(state="visible")
            found[f"claim card, {width} px"] = violations(page, axe_js)
            page.locator("[data-testid=claim-card-close]").click()
            page.locator("[data-testid=help-button]").click()
            page.locator("[data-testid=help-overlay]").wait_for(state="visible")
            found[f"shortcut help, {width} px"] = violations(page, axe_js)
        finally:
            context.close()
    failing = {state: v for state, v in found.items() if v}
    assert not failing, json.dumps(failing, indent=1)
    assert len(found) == 6


def test_the_sample_article_as_an_article_has_no_axe_violations(
    browser, live_server, axe_js, alice, sample_article_text
):
    """The shared sample's page: its subheadings and list items among the page's own headings."""
    article = actions.create_article(title="Sample", text=sample_article_text, by=alice)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = sign_in_as(context, live_server, alice)
        page.goto(f"{live_server.url}/articles/{article.pk}/")
        page.wait_for_selector("html[data-annotate-ready]", state="attached")
        assert page.locator("[data-testid=article-text] h2").count() == 4
        found = violations(page, axe_js)
    finally:
        context.close()
    assert found == [], json.dumps(found, indent=1)
