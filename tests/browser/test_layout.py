"""Every main page at 1280 and 390 px: no horizontal scroll, AA contrast, visible focus; screenshots."""

import pytest

from factcheck import demo
from factcheck.models import Claim, Speaker, Statement

pytestmark = pytest.mark.django_db(transaction=True)


WIDTHS = {"desktop": (1280, 800), "mobile": (390, 844)}

# WCAG 2 contrast of each element's own text against its composited background.
CONTRAST_JS = """() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, under) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1); };
  const background = (el) => { const layers = []; for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor); if (c[3] > 0) layers.push(c); if (c[3] === 1) break; }
    return layers.reverse().reduce((acc, c) => over(c, acc), [255, 255, 255, 1]); };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim());
    const style = getComputedStyle(el);
    if (!own || style.visibility === 'hidden' || el.closest('[hidden], dialog:not([open]), .visually-hidden, .skip-link')) continue;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) failures.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return failures;
}"""


def check_page(page, screenshot, name):
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        assert page.evaluate(CONTRAST_JS) == [], f"{name} at {width}px"
        screenshot(f"{name}-{label}")
    page.set_viewport_size({"width": 1280, "height": 800})


def tab_to_every_control(page, limit=80):
    """Tab through the page; every focused control must show a focus ring."""
    seen = []
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const el = document.activeElement; const s = getComputedStyle(el);
              return {tag: el.tagName, text: (el.textContent || el.name || '').trim().slice(0, 30),
                      ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 || s.boxShadow !== 'none'}; }"""
        )
        if info["tag"] == "BODY" or info in seen[:1]:
            break
        assert info["ring"], f"no visible focus ring on {info}"
        seen.append(info)
    return seen


@pytest.fixture
def desk(alice, bob, carol, dana):
    article, _ = demo.load_demo()
    return article


def test_signed_in_pages(page, live_server, sign_in, screenshot, desk, bob):
    article = desk
    claim = Claim.objects.filter(article=article, status="open").first()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/accounts/login/")
    check_page(page, screenshot, "login")
    sign_in(bob)
    pages = {
        "article-list": "/articles/",
        "article": f"/articles/{article.pk}/",
        "claim": f"/claims/{claim.pk}/",
        "review": "/review/",
        "speakers": "/speakers/",
        "speaker": f"/speakers/{Speaker.objects.get(name='Ingrid Solberg').pk}/",
        "statements": "/statements/",
        "statement": f"/statements/{Statement.objects.get(title='Interview with Radio Nordhavn').pk}/",
    }
    for name, url in pages.items():
        assert page.goto(live_server.url + url).status == 200, url
        check_page(page, screenshot, name)
    # No inline script or style anywhere (CSP would block and report it), and no script errors.
    assert errors == []


def test_the_annotation_page_by_keyboard_and_on_a_phone(
    page, live_server, sign_in, screenshot, desk, alice
):
    article = desk
    sign_in(alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    stops = tab_to_every_control(page)
    tags = [s["tag"] for s in stops]
    assert "DIV" in tags  # the article text itself, for keyboard selection
    assert tags.count("BUTTON") >= len(demo.CLAIMS)  # each claim's entry in the side panel
    # On a phone the claim form is a bottom sheet that fits the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("[data-testid=article-text]").focus()
    page.keyboard.down("Shift")
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    page.keyboard.up("Shift")
    form = page.locator("[data-testid=claim-form]")
    form.wait_for(state="visible")
    assert form.locator("[data-testid=claim-quote]").text_content() == "NORDHAVN "
    box = form.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(CONTRAST_JS) == []
    page.screenshot(path=str(screenshot("article-form-mobile")))  # viewport: the sheet in place
    page.keyboard.press("Escape")
    form.wait_for(state="hidden")
    page.keyboard.press("?")
    page.locator("[data-testid=help-overlay]").wait_for(state="visible")
    screenshot("article-help-mobile")
