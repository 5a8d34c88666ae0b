"""static/factcheck/highlights.js, imported in Chromium and checked against the Python twin.

The annotation page builds its highlights in the browser; the claim and public pages use
``factcheck_pages.render_highlighted``. Both must cut the same text the same way: the same
pieces, the same claims covering each piece in the same (outermost first) order, and the
same nesting level classes.
"""

import random
import re
from types import SimpleNamespace

import pytest

from factcheck.templatetags.factcheck_pages import render_highlighted
from tests.browser.test_offsets_js import SAMPLES

STATUSES = ("open", "in_review", "published", "rejected")


@pytest.fixture
def highlights(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        "async (url) => { window.hl = await import(url); }",
        f"{live_server.url}/static/factcheck/highlights.js",
    )

    def render(text, claims):
        """innerHTML of a <div> holding the fragment highlights.js builds."""
        return page.evaluate(
            """([text, claims]) => {
                const div = document.createElement("div");
                div.append(window.hl.highlightFragment(document, text, claims));
                return {html: div.innerHTML, text: div.textContent};
            }""",
            [text, claims],
        )

    return render


def random_claims(rng, length, count):
    claims = []
    for pk in range(1, count + 1):
        start = rng.randrange(0, length)
        end = rng.randrange(start + 1, min(length, start + 1 + rng.choice((3, 12, 40))) + 1)
        claims.append({"id": pk, "start": start, "end": end, "status": rng.choice(STATUSES)})
    return claims


def python_html(text, claims):
    spans = [
        SimpleNamespace(pk=c["id"], **{k: c[k] for k in ("start", "end", "status")}) for c in claims
    ]
    return str(render_highlighted(text, spans))


def normalise(html):
    """Both serialisations in one form: text entities decoded the way the DOM writes them."""
    return html.replace("&quot;", '"').replace("&#x27;", "'")


@pytest.mark.parametrize("name", SAMPLES)
def test_the_browser_cuts_the_text_as_python_does(highlights, name):
    text = SAMPLES[name] + " " + SAMPLES["ascii"]
    rng = random.Random(name)
    claims = random_claims(rng, len(text), 12)
    result = highlights(text, claims)
    assert result["text"] == text
    assert normalise(result["html"]) == normalise(python_html(text, claims))


def test_nested_and_crossing_claims_get_levels_outermost_first(highlights):
    text = "A <b>&'\"😀 x\u0301 and more\n\nmore"
    claims = [
        {"id": 1, "start": 0, "end": 12, "status": "open"},
        {"id": 2, "start": 5, "end": 20, "status": "published"},
        {"id": 3, "start": 7, "end": 9, "status": "open"},
    ]
    html = highlights(text, claims)["html"]
    assert html.startswith('<mark data-claim-id="1" class="hl hl-0 hl-open">A &lt;b&gt;</mark>')
    assert (
        '<mark data-claim-id="1" class="hl hl-0 hl-open"><mark data-claim-id="2" class="hl hl-1 hl-published">'
        in html
    )
    assert normalise(html) == normalise(python_html(text, claims))


def test_a_thousand_claims_on_a_long_text_match(highlights):
    rng = random.Random(7)
    words = [w for sample in SAMPLES.values() for w in sample.split()]
    text = " ".join(rng.choice(words) for _ in range(4000))
    claims = random_claims(rng, len(text), 1000)
    result = highlights(text, claims)
    assert result["text"] == text
    assert normalise(result["html"]) == normalise(python_html(text, claims))
    assert len(re.findall(r"<mark ", result["html"])) >= 1000


def test_claims_outside_the_text_are_left_out(highlights):
    text = "short text"
    claims = [
        {"id": 1, "start": 0, "end": 5, "status": "open"},
        {"id": 2, "start": 6, "end": 99, "status": "open"},
        {"id": 3, "start": 4, "end": 4, "status": "open"},
    ]
    html = highlights(text, claims)["html"]
    assert 'data-claim-id="2"' not in html and 'data-claim-id="3"' not in html
    assert normalise(html) == normalise(python_html(text, claims))
