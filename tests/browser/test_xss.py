"""Stored XSS: every payload of tests/xss_payloads.py in every user-controlled field, rendered
on every page, in the admin and on the public fact-check page in real Chromium.

Nothing may execute: no dialog, no ``window.__xss``, no console error (a payload stopped
only by the CSP still logs a violation), no page error, and no element that the payload's
markup would have created. The payloads must be visible as text, so a page that simply
left them out cannot pass. Many payloads go on each page, so a few dozen loads cover all.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from factcheck import actions
from factcheck.models import Article, Claim, Rating, Speaker, Statement
from tests.conftest import make_user
from tests.xss_payloads import INJECTED_SELECTOR, JS_URLS, PAYLOADS, as_name

pytestmark = pytest.mark.django_db(transaction=True)

FIELDS = [
    "article title",
    "article text",
    "article publisher",
    "article byline",
    "speaker name",
    "speaker aliases",
    "speaker description",
    "statement title",
    "statement venue",
    "claim summary",
    "verdict rationale",
    "source title",
    "source excerpt",
    "source URL (query)",
    "moderation note",
]


@dataclass
class Planted:
    omnibus: Article
    claims: list[Claim]
    speaker: Speaker
    statements: list[Statement]
    published: list[Claim] = field(default_factory=list)


def plant(dana: User, bob: User, carol: User, alice: User) -> Planted:
    """Every payload in every field; even claims published, odd ones awaiting review."""
    ratings = list(Rating.objects.all())
    for i, p in enumerate(PAYLOADS):
        actions.create_article(
            title=f"T{i} {p}",
            text=f"Text {i}: {p}\n",
            publisher=as_name(p),
            byline=as_name(p),
            by=alice,
        )
    text = "".join(f"Line {i}: {p}\n" for i, p in enumerate(PAYLOADS))
    omnibus = actions.create_article(title=f"Omnibus {PAYLOADS[0]}", text=text, by=alice)
    speaker = Speaker.objects.create(
        name=f"Omnibus {PAYLOADS[5]}", aliases="\n".join(PAYLOADS), description=PAYLOADS[21]
    )
    for i, p in enumerate(PAYLOADS):
        Speaker.objects.create(name=f"S{i} {p}", aliases=p, description=p)
    statements = [
        Statement.objects.create(title=f"St{i} {p}", venue=p, speaker=None)
        for i, p in enumerate(PAYLOADS)
    ]
    planted = Planted(omnibus=omnibus, claims=[], speaker=speaker, statements=statements)
    offset = 0
    for i, p in enumerate(PAYLOADS):
        line = f"Line {i}: {p}\n"
        start = offset + len(f"Line {i}: ")
        claim = actions.create_claim(
            article=omnibus,
            by=alice,
            start=start,
            end=start + len(p),
            speaker=speaker,
            statement=statements[i],
            summary=p,
        )
        offset += len(line)
        reviewer = bob if i % 2 == 0 else carol
        verdict = actions.save_verdict(
            claim=claim,
            reviewer=reviewer,
            rating=ratings[i % len(ratings)],
            rationale=f"{p}\n\n{p}",
            sources=[
                actions.Source(url=f"https://example.org/{i}?q={quote(p)}", title=p, excerpt=p),
                actions.Source(url=f'https://example.org/{i}/"><u/id=xss{i}>', title=f"raw {i}"),
            ],
        )
        if i % 2 == 0:
            actions.approve_verdict(verdict=verdict, by=dana, note=p)
            planted.published.append(claim)
        planted.claims.append(claim)
    return planted


class Watcher:
    """Records whatever a payload would cause on a page."""

    def __init__(self, page):
        self.page, self.events = page, []
        page.on("dialog", self.on_dialog)
        page.on("console", self.on_console)
        page.on("pageerror", lambda exc: self.events.append(f"page error: {exc}"))

    def on_dialog(self, dialog):
        self.events.append(f"dialog {dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_console(self, message):
        if message.type in ("error", "warning"):
            self.events.append(f"console {message.type}: {message.text}")

    def visit(self, url: str, *, expect_text: str | None = None) -> list[str]:
        self.events = []
        response = self.page.goto(url)
        found = []
        if response is None or response.status >= 400:
            found.append(f"status {response.status if response else 'none'}")
        self.page.wait_for_load_state("load")
        return found + self.inspect(expect_text)

    def inspect(self, expect_text: str | None = None) -> list[str]:
        found = list(self.events)
        if self.page.evaluate("() => window.__xss !== undefined"):
            found.append(f"window.__xss = {self.page.evaluate('() => window.__xss')}")
        injected = self.page.evaluate(
            "(sel) => Array.from(document.querySelectorAll(sel)).map(e => e.outerHTML.slice(0, 80))",
            INJECTED_SELECTOR,
        )
        found += [f"injected element: {html}" for html in injected]
        if expect_text is not None:
            body = self.page.evaluate("() => document.body.innerText")
            if expect_text not in body:
                found.append(f"the payload text {expect_text!r} is not shown")
        return found


@pytest.fixture
def personas(db):
    return {
        "alice": make_user("alice", "annotator"),
        "bob": make_user("bob", "reviewer"),
        "carol": make_user("carol", "reviewer"),
        "dana": make_user("dana", "moderator"),
    }


def test_no_payload_executes_on_any_page(page, live_server, sign_in, personas, screenshot):
    planted = plant(personas["dana"], personas["bob"], personas["carol"], personas["alice"])
    omni, claims = planted.omnibus, planted.claims
    visible = PAYLOADS[0]  # shown as text on the pages that carry titles
    desk_pages = [
        ("/articles/", "<script>alert(1)</script>"),
        ("/articles/?page=2", None),
        (f"/articles/{omni.pk}/", "<script>alert(1)</script>"),
        ("/review/", None),
        ("/speakers/", None),
        ("/speakers/?page=2", None),
        (f"/speakers/{planted.speaker.pk}/", PAYLOADS[5]),
        (f"/speakers/{planted.speaker.pk}/?page=2", None),
        ("/statements/", None),
        ("/statements/?page=2", None),
        ("/articles/?q=script", None),
        ("/speakers/?q=onerror", None),
        ("/statements/?q=svg", None),
    ]
    desk_pages += [(f"/statements/{s.pk}/", None) for s in planted.statements[:6]]
    # Search's snippets mark the words found inside the payloads; the desk's claims list.
    searches = ["q=alert", "q=script&type=article", "q=onerror&type=speaker", "q=svg&type=claim"]
    desk_pages += [(f"/search/?{q}", None) for q in searches]
    desk_pages += [("/claims/", None), ("/claims/?page=2&sort=speaker", None)]
    desk_pages += [(f"/claims/{c.pk}/", PAYLOADS[i]) for i, c in enumerate(claims)]
    # An import task: its file name, and problems that quote its labels, on its page (drawn by
    # task.js) and in the import page's list.
    for i, p in enumerate(PAYLOADS[:4]):
        record = json.dumps({"text": "Short text.", "label": [[0, 99, p]]})
        task = actions.enqueue_import(by=personas["dana"], data=record.encode(), filename=p)
        desk_pages.append((f"/tasks/{task.pk}/", p if i == 0 else None))
    desk_pages.append(("/import/", None))
    admin_pages = [
        "/admin/",
        "/admin/desk/",
        "/admin/agreement/",
        f"/admin/agreement/?article={omni.pk}",
        "/admin/factcheck/article/",
        "/admin/factcheck/claim/",
        "/admin/factcheck/verdict/",
        "/admin/factcheck/speaker/",
        "/admin/factcheck/statement/",
        "/admin/factcheck/claim/?q=script",
        f"/admin/factcheck/article/{omni.pk}/change/",
        f"/admin/factcheck/speaker/{planted.speaker.pk}/change/",
        f"/admin/factcheck/statement/{planted.statements[0].pk}/change/",
        f"/admin/factcheck/claim/{claims[0].pk}/history/",
    ]
    admin_pages += [f"/admin/factcheck/claim/{c.pk}/change/" for c in claims[:8]]
    verdict_ids = [v.pk for c in claims[:8] for v in c.verdicts.all()]
    admin_pages += [f"/admin/factcheck/verdict/{pk}/change/" for pk in verdict_ids]

    watcher = Watcher(page)
    problems, loads = [], 0
    sign_in(personas["dana"])
    for url, expect in desk_pages:
        problems += [
            f"{url}: {p}" for p in watcher.visit(live_server.url + url, expect_text=expect)
        ]
        loads += 1
    for url in admin_pages:
        problems += [f"{url}: {p}" for p in watcher.visit(live_server.url + url)]
        loads += 1
    # The reviewer's own verdict form comes back filled with the payloads.
    page.context.clear_cookies()  # signed out, so the login form is the only form
    sign_in(personas["bob"])
    for claim in claims[:6]:
        url = f"/claims/{claim.pk}/"
        problems += [f"{url} as bob: {p}" for p in watcher.visit(live_server.url + url)]
        loads += 1
    # The public fact-check pages, signed out.
    public = page.context.browser.new_context().new_page()
    public_watcher = Watcher(public)
    for claim in planted.published:
        i = claims.index(claim)
        url = f"/factchecks/{claim.pk}/"
        problems += [
            f"{url} (public): {p}"
            for p in public_watcher.visit(live_server.url + url, expect_text=PAYLOADS[i].strip())
        ]
        loads += 1
    public_pages = [
        "/factchecks/",
        "/factchecks/?page=2",
        f"/factchecks/speakers/{planted.speaker.pk}/",
        *[f"/factchecks/statements/{c.statement_id}/" for c in planted.published[:6]],
        "/search/?q=alert",
        "/search/?q=img&type=claim",
    ]
    for url in public_pages:
        problems += [f"{url} (public): {p}" for p in public_watcher.visit(live_server.url + url)]
        loads += 1
    public.context.close()
    if problems:
        screenshot("xss-failure")
    assert not problems, "\n".join(problems)
    print(
        f"XSS: {len(PAYLOADS)} payloads × {len(FIELDS)} fields, {loads} page loads, "
        f"nothing executed (visible: {visible!r})"
    )


def test_the_watcher_sees_a_payload_that_runs(page):
    """The detectors work: an unescaped payload on a page without CSP is caught."""
    watcher = Watcher(page)
    page.set_content("<p>hi</p>" + PAYLOADS[5] + PAYLOADS[4])
    page.wait_for_timeout(200)
    found = watcher.inspect()
    assert any(f.startswith("dialog alert: 5") for f in found), found
    assert any("window.__xss = 4" in f for f in found), found
    assert any("injected element: <img" in f for f in found), found


def test_no_payload_executes_while_annotating(page, live_server, sign_in, personas):
    """The annotation page's script path: edit form, suggestions, save and re-render."""
    alice = personas["alice"]
    text = "".join(f"Line {i}: {p}\n" for i, p in enumerate(PAYLOADS[:12]))
    article = actions.create_article(title=PAYLOADS[0], text=text, by=alice)
    offset = 0
    for i, p in enumerate(PAYLOADS[:12]):
        start = offset + len(f"Line {i}: ")
        offset += len(f"Line {i}: {p}\n")
        actions.create_claim(
            article=article,
            by=alice,
            start=start,
            end=start + len(p),
            speaker_name=f"S{i} {as_name(p)}",
            statement_title=f"St{i} {as_name(p)}",
            summary=p,
        )
    watcher = Watcher(page)
    sign_in(alice)
    problems = watcher.visit(f"{live_server.url}/articles/{article.pk}/")
    for n in range(3):
        page.locator("[data-testid=claim-edit]").nth(n).click()
        form = page.locator("[data-testid=claim-form]")
        form.locator("#claim-speaker").fill("S")  # suggestions: payload names in a datalist
        page.wait_for_timeout(300)
        form.locator("#claim-summary").fill(f"{PAYLOADS[20 + n]}")
        form.locator("[data-testid=claim-save]").click()
        page.wait_for_timeout(500)
        if form.is_visible():  # "Saving creates the new speaker “S”": a second Save confirms
            form.locator("[data-testid=claim-save]").click()
            page.wait_for_timeout(500)
    problems += watcher.inspect()
    problems += watcher.visit(f"{live_server.url}/articles/{article.pk}/")
    assert not problems, "\n".join(problems)
    assert Claim.objects.filter(summary__in=PAYLOADS[20:23]).count() == 3


# --------------------------------------------------------------------------- URLs


@pytest.mark.django_db
@pytest.mark.parametrize("url", JS_URLS)
def test_evidence_urls_are_http_only(url, personas):
    claim_article = actions.create_article(title="A", text="Some words here.\n")
    claim = actions.create_claim(
        article=claim_article, by=personas["alice"], start=0, end=4, summary="x"
    )
    rating = Rating.objects.first()
    with pytest.raises(ValidationError):
        actions.save_verdict(
            claim=claim,
            reviewer=personas["bob"],
            rating=rating,
            sources=[actions.Source(url=url, title="t")],
            rationale="Checked against the record.",
        )
    client = Client()
    client.force_login(personas["bob"])
    api = client.post(
        "/api/v1/verdicts/",
        {"claim": claim.pk, "rating": rating.pk, "sources": [{"url": url, "title": "t"}]},
        content_type="application/json",
    )
    assert api.status_code == 400, api.content
    page = client.post(
        f"/claims/{claim.pk}/", {"rating": rating.pk, "rationale": "", "sources": f"{url} | t"}
    )
    assert page.status_code == 400
    assert not claim.verdicts.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", JS_URLS)
def test_article_and_statement_urls_are_http_only(url, personas):
    client = Client()
    client.force_login(personas["dana"])
    article = client.post(
        "/api/v1/articles/",
        {"title": "A", "text": "Words.", "url": url},
        content_type="application/json",
    )
    assert article.status_code == 400, article.content
    statement = client.post(
        "/api/v1/statements/", {"title": "S", "url": url}, content_type="application/json"
    )
    assert statement.status_code == 400, statement.content
    form = client.post("/articles/", {"title": "A", "text": "Words.", "url": url, "language": "en"})
    # The page's form reads a scheme-less //host/path as https://host/path; anything else
    # not http(s) is refused.
    assert form.status_code in (302, 400)
    assert all(u.startswith("https://") for u in Article.objects.values_list("url", flat=True))
    assert not Statement.objects.exists()


# --------------------------------------------------------------------------- headers


def html_pages(personas):
    article = actions.create_article(title="A", text="Some words here.\n", by=personas["alice"])
    claim = actions.create_claim(article=article, by=personas["alice"], start=0, end=4)
    verdict = actions.save_verdict(
        claim=claim,
        reviewer=personas["bob"],
        rating=Rating.objects.first(),
        rationale="Checked against the record.",
    )
    actions.approve_verdict(verdict=verdict, by=personas["dana"])
    speaker, _ = Speaker.objects.resolve("Someone")
    statement, _ = Statement.objects.resolve(speaker, "Said it")
    return [
        "/accounts/login/",
        "/articles/",
        f"/articles/{article.pk}/",
        f"/claims/{claim.pk}/",
        "/review/",
        "/speakers/",
        f"/speakers/{speaker.pk}/",
        "/statements/",
        f"/statements/{statement.pk}/",
        f"/factchecks/{claim.pk}/",
        "/import/",
        actions.enqueue_import(by=personas["alice"], data=b"{}\n").get_absolute_url(),
        "/admin/",
        "/admin/desk/",
        "/admin/agreement/",
        "/admin/factcheck/claim/",
        f"/admin/factcheck/claim/{claim.pk}/change/",
        f"/admin/factcheck/verdict/{verdict.pk}/change/",
        "/admin/auth/user/",
        "/api/v1/docs/",
        "/articles/999999/",  # error pages too
    ]


@pytest.mark.django_db
def test_every_page_carries_a_strict_csp_and_the_security_headers(personas):
    client = Client()
    client.force_login(personas["dana"])
    anonymous = Client()
    checked = 0
    for url in html_pages(personas):
        for who in (client, anonymous):
            response = who.get(url)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            csp = response.get("Content-Security-Policy", "")
            directives = dict(
                (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
            )
            assert "script-src" in directives, f"{url}: no script-src in {csp!r}"
            for directive in ("script-src", "default-src"):
                assert "unsafe-inline" not in directives.get(directive, ""), url
                assert "unsafe-eval" not in directives.get(directive, ""), url
            assert "'none'" in directives.get("object-src", ""), url
            assert "'none'" in directives.get("frame-ancestors", ""), url
            assert response["X-Content-Type-Options"] == "nosniff", url
            assert response["X-Frame-Options"] == "DENY", url
            assert response["Referrer-Policy"] == "same-origin", url
            checked += 1
    assert checked >= 25


# --------------------------------------------------------------------------- other sinks


def strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


@pytest.mark.django_db
def test_the_public_pages_json_ld_holds_every_payload_intact(personas):
    """A payload must not close the ClaimReview <script> block, and must come back exact."""
    text = "".join(f"Line {i}: {p}\n" for i, p in enumerate(PAYLOADS))
    article = actions.create_article(title=PAYLOADS[3], text=text, by=personas["alice"])
    rating = Rating.objects.first()
    client = Client()
    offset = 0
    for i, p in enumerate(PAYLOADS):
        start = offset + len(f"Line {i}: ")
        offset += len(f"Line {i}: {p}\n")
        claim = actions.create_claim(
            article=article,
            by=personas["alice"],
            start=start,
            end=start + len(p),
            summary=p,
            speaker_name=f"S{i} {as_name(p)}",
            statement_title=as_name(p),
        )
        verdict = actions.save_verdict(
            claim=claim, reviewer=personas["bob"], rating=rating, rationale=p
        )
        actions.approve_verdict(verdict=verdict, by=personas["dana"])
        html = client.get(f"/factchecks/{claim.pk}/").content.decode()
        blocks = html.split('<script type="application/ld+json">')
        assert len(blocks) == 2, f"payload {i}: one JSON-LD block expected"
        data = json.loads(blocks[1].split("</script>")[0])
        assert any(p.strip() in v for v in strings(data)), f"payload {i} altered"
        assert html.count("<script") == 1 + html.count('<script type="module"') + html.count(
            "<script src="
        ), f"payload {i} added a script element"


@pytest.mark.django_db
def test_the_csv_export_neutralises_spreadsheet_formulas(personas):
    formulas = ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]
    article = actions.create_article(title="=cmd|' /C calc'!A0", text="Some words here.\n")
    for i, f in enumerate(formulas):
        actions.create_claim(
            article=article,
            by=personas["alice"],
            start=i,
            end=i + 3,
            summary=f,
            speaker_name=f"{f} {i}",
        )
    client = Client()
    client.force_login(personas["dana"])
    response = client.get("/api/v1/export/claims.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells, "the export has rows"
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    # Negative numbers are data; text cells starting with a formula character are not.
    assert all(c.lstrip("-").replace(".", "").isdigit() for c in dangerous), dangerous
