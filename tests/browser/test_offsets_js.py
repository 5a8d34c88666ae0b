"""static/factcheck/offsets.js, imported as a module in Chromium and checked against Python.

Python's ``str`` indexes are code points (what the server stores); factcheck.text is the
reference for UTF-16 conversion and word snapping.
"""

import json

import pytest

from factcheck import text as textlib

SAMPLES = {
    "ascii": "The mayor said the bridge carries 38,000 vehicles a day.",
    "emoji": "Traffic 🚗🌉 jams at 8 am 😀!",
    "zwj": "Family 👨\u200d👩\u200d👧\u200d👦 and flag 🏳️\u200d🌈 and skin 👍🏽 tone.",
    "combining": "Cafe\u0301 owner Zoe\u0308 said n\u0303 is a letter.",
    "arabic": "قال الوزير إن الجسر يحمل ٣٨٠٠٠ مركبة يومياً.",
    "hebrew": "הראש אמר: \u05e9\u05b8\u05c1לוֹם לכולם.",
    "cjk": "市长说，这座桥每天通行三万八千辆车。𠮷野家",
    "mixed": "Mette said 🚗 «שלום» and السلام then 👩🏽\u200d💻 coded in 日本語.",
}


@pytest.fixture
def offsets(page, live_server):
    """A page with offsets.js imported as window.offsets, and a helper to run checks."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        "async (url) => { window.offsets = await import(url); }",
        f"{live_server.url}/static/factcheck/offsets.js",
    )

    def run(expression, *args):
        return page.evaluate(
            f"(args) => {{ const o = window.offsets; return ({expression}); }}", args
        )

    return run


@pytest.mark.parametrize("name", SAMPLES)
def test_code_points_and_utf16_agree_with_python(offsets, name):
    text = SAMPLES[name]
    assert offsets("o.codePointLength(args[0])", text) == len(text)
    expected_u16 = [textlib.codepoint_to_utf16(text, i) for i in range(len(text) + 1)]
    assert (
        offsets(
            "Array.from({length: args[1] + 1}, (_, i) => o.codePointToUtf16(args[0], i))",
            text,
            len(text),
        )
        == expected_u16
    )
    u16_len = textlib.utf16_length(text)
    expected_cp = [textlib.utf16_to_codepoint(text, u) for u in range(u16_len + 1)]
    assert (
        offsets(
            "Array.from({length: args[1] + 1}, (_, u) => o.utf16ToCodePoint(args[0], u))",
            text,
            u16_len,
        )
        == expected_cp
    )


def test_an_end_inside_a_surrogate_pair_rounds_up(offsets):
    text = "a😀b"
    assert offsets("o.utf16ToCodePoint(args[0], 2)", text) == 1
    assert offsets("o.utf16ToCodePoint(args[0], 2, true)", text) == 2


def test_out_of_range_offsets_throw(offsets):
    assert (
        offsets("(() => { try { o.codePointToUtf16('ab', 3); } catch (e) { return e.name; } })()")
        == "RangeError"
    )
    assert (
        offsets("(() => { try { o.utf16ToCodePoint('ab', -1); } catch (e) { return e.name; } })()")
        == "RangeError"
    )


@pytest.mark.parametrize("name", SAMPLES)
def test_dom_ranges_map_to_code_points_through_nested_marks(offsets, name):
    """Every (start, end) pair, over text split into nested elements, round-trips exactly."""
    text = SAMPLES[name]
    result = offsets(
        """(() => {
          const [text] = args;
          const root = document.createElement('div');
          // Split the text into nested marks at a few code-point cuts, like highlights do.
          const cps = Array.from(text);
          const n = cps.length;
          const a = Math.floor(n / 4), b = Math.floor(n / 2), c = Math.floor(3 * n / 4);
          const seg = (s, e) => document.createTextNode(cps.slice(s, e).join(''));
          const outer = document.createElement('mark');
          const inner = document.createElement('mark');
          inner.append(seg(b, c));
          outer.append(seg(a, b), inner);
          root.append(seg(0, a), outer, seg(c, n));
          document.body.append(root);
          const out = [];
          for (let s = 0; s < n; s++) {
            for (let e = s + 1; e <= n; e++) {
              const r = o.codePointsToRange(root, s, e);
              const span = o.rangeToCodePoints(root, r);
              out.push([s, e, span.start, span.end, span.quote, r.toString()]);
            }
          }
          root.remove();
          return out;
        })()""",
        text,
    )
    assert len(result) == len(text) * (len(text) + 1) // 2
    for s, e, start, end, quote, range_text in result:
        assert (start, end) == (s, e)
        assert quote == text[s:e] == range_text


def test_a_range_reaching_outside_the_root_is_clamped(offsets):
    result = offsets(
        """(() => {
          const before = document.createElement('p'); before.textContent = 'outside ';
          const root = document.createElement('div'); root.textContent = args[0];
          const after = document.createElement('p'); after.textContent = ' after';
          document.body.append(before, root, after);
          const r = document.createRange();
          r.setStart(before.firstChild, 2);
          r.setEnd(after.firstChild, 3);
          const span = o.rangeToCodePoints(root, r);
          [before, root, after].forEach((el) => el.remove());
          return span;
        })()""",
        "🚗 bridge",
    )
    assert result == {"start": 0, "end": 8, "quote": "🚗 bridge"}


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("The mayor said the bridge carries", 5, 12),
        ("Café owner Mette", 1, 3),
        ("Cafe\u0301 owner", 2, 4),
        ("Family 👨\u200d👩\u200d👧 here", 8, 9),
        ("  spaced   words  ", 0, 9),
        ("قال الوزير إن الجسر", 5, 7),
        ("don't stop", 2, 4),
    ],
)
def test_word_snapping_matches_the_server(offsets, text, start, end):
    expected = textlib.expand_to_words(text, start, end)
    got = offsets("o.expandToWords(args[0], args[1], args[2])", text, start, end)
    assert (got["start"], got["end"]) == expected, json.dumps([text, start, end])


def test_whitespace_only_snaps_to_nothing(offsets):
    assert offsets("o.expandToWords('a   b', 1, 4)") is None
