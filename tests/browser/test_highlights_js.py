"""static/factcheck/highlights.js, imported in Chromium: the annotation page's highlights.

The text must come out exact; each claim's ``<mark>``s must cover exactly its code points,
with one nesting level along its whole span, outermost first wherever claims nest.
"""

import random
import re
from html.parser import HTMLParser

import pytest

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


class Marks(HTMLParser):
    """Walks the fragment: the claims covering each piece of text, outermost first."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.stack, self.pieces = [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        assert tag == "mark", tag
        attrs = dict(attrs)
        self.stack.append((int(attrs["data-claim-id"]), attrs["class"]))

    def handle_endtag(self, tag):
        self.stack.pop()

    def handle_data(self, data):
        self.pieces.append((data, list(self.stack)))


def assert_marks_fit(html, text, claims):
    """Every claim inside the text is marked on exactly its code points, with one class
    (``hl hl-<level> hl-<status>``) along its span; nested marks go outermost (lowest level)
    first; claims outside the text are not marked."""
    walk = Marks(html)
    assert "".join(piece for piece, _ in walk.pieces) == text
    covered, classes, at = {}, {}, 0
    for piece, stack in walk.pieces:
        levels = [int(cls.split()[1].removeprefix("hl-")) for _, cls in stack]
        assert levels == sorted(levels), stack
        assert len({pk for pk, _ in stack}) == len(stack)
        for pk, cls in stack:
            covered.setdefault(pk, set()).update(range(at, at + len(piece)))
            classes.setdefault(pk, set()).add(cls)
        at += len(piece)
    for c in claims:
        inside = 0 <= c["start"] < c["end"] <= len(text)
        if not inside:
            assert c["id"] not in covered
            continue
        assert covered[c["id"]] == set(range(c["start"], c["end"])), c
        assert len(classes[c["id"]]) == 1, classes[c["id"]]
        cls = classes[c["id"]].pop()
        assert cls.startswith("hl hl-") and cls.endswith(f" hl-{c['status']}")


@pytest.mark.parametrize("name", SAMPLES)
def test_the_browser_cuts_the_text_as_python_does(highlights, name):
    text = SAMPLES[name] + " " + SAMPLES["ascii"]
    rng = random.Random(name)
    claims = random_claims(rng, len(text), 12)
    result = highlights(text, claims)
    assert result["text"] == text
    assert_marks_fit(result["html"], text, claims)


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
    pieces = Marks(html).pieces
    assert "".join(piece for piece, _ in pieces) == text
    # Claim 2 overlaps claim 1: their shared pieces are nested, 1 (the outer level) outside.
    assert [[pk for pk, _ in stack] for _, stack in pieces] == [
        [1],
        [1, 2],
        [1, 2, 3],
        [1, 2],
        [2],
        [],
    ]
    assert_marks_fit(html, text, claims)


def test_a_thousand_claims_on_a_long_text_match(highlights):
    rng = random.Random(7)
    words = [w for sample in SAMPLES.values() for w in sample.split()]
    text = " ".join(rng.choice(words) for _ in range(4000))
    claims = random_claims(rng, len(text), 1000)
    result = highlights(text, claims)
    assert result["text"] == text
    assert_marks_fit(result["html"], text, claims)
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
    assert_marks_fit(html, text, claims)


def test_the_article_as_blocks_keeps_every_claim_exact(page, live_server):
    """articleFragment: paragraphs, subheadings and list items (text.reading_blocks) with the
    highlights; textContent is still the text, and each claim's marks hold exactly its quote,
    across blocks and hidden line breaks too."""
    from factcheck.text import reading_blocks

    text = "Heading 🌉\n\nFirst para with e\u0301 and 👨\u200d👩\u200d👧.\n- item one\n• item two\n\nLast para.\n"
    blocks = [[b.kind, b.start, b.body, b.body_end, b.end] for b in reading_blocks(text)]
    rng = random.Random(15)
    length = len(text)
    claims = random_claims(rng, length, 60)
    page.goto(f"{live_server.url}/accounts/login/")
    out = page.evaluate(
        """async ([url, text, blocks, claims]) => {
            const hl = await import(url);
            const div = document.createElement("div");
            div.append(hl.articleFragment(document, text, blocks, claims));
            const marks = {};
            for (const c of claims) {
              marks[c.id] = [...div.querySelectorAll(`mark[data-claim-id="${c.id}"]`)].map(m => m.textContent).join("");
            }
            return {text: div.textContent, marks, tags: [...div.children].map(e => e.tagName),
                    visible: div.querySelector("h2").firstChild.textContent};
        }""",
        [f"{live_server.url}/static/factcheck/highlights.js", text, blocks, claims],
    )
    assert out["text"] == text
    assert out["tags"] == ["H2", "P", "UL", "P"]
    for c in claims:
        assert out["marks"][str(c["id"])] == text[c["start"] : c["end"]], c
