"""The diff of two revisions the reading page shows: readable, escaped, cheap on long texts."""

import time

from factcheck.diffs import diff_html, pieces


def kinds(old, new):
    return [(p.kind, p.text) for p in pieces(old, new)]


def test_a_word_fixed_inside_a_sentence_is_shown_as_that_word():
    assert kinds("The mayor said 38,000 cars.\n", "The mayor said 28,000 cars.\n") == [
        ("equal", "The mayor said "),
        ("delete", "38"),
        ("insert", "28"),
        ("equal", ",000 cars.\n"),
    ]


def test_a_deleted_paragraph_is_deleted_whole_and_the_rest_kept():
    old = "One.\n\nTwo is gone.\n\nThree.\n"
    new = "One.\n\nThree.\n\nFour is new.\n"
    assert kinds(old, new) == [
        ("equal", "One.\n\n"),
        ("delete", "Two is gone.\n\n"),
        ("equal", "Three.\n\n"),
        ("insert", "Four is new.\n"),
    ]


def test_a_rewritten_paragraph_is_not_shredded_word_by_word():
    got = kinds(
        "Start.\n\nThe union claimed wages rose.\n", "Start.\n\nCouncillors will vote soon.\n"
    )
    assert got == [
        ("equal", "Start.\n\n"),
        ("delete", "The union claimed wages rose.\n"),
        ("insert", "Councillors will vote soon.\n"),
    ]


def test_the_html_is_escaped_and_long_unchanged_text_shortened():
    middle = "Unchanged words go on. " * 40 + "\n"
    old = "A plain first line.\n" + middle + "end\n"
    html = diff_html(old, "<script>alert(1)</script>\n" + middle + "end!\n")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "characters unchanged" in html
    assert html.count('data-testid="diff-del"') == 1 and html.count('data-testid="diff-ins"') == 2


def test_a_long_article_with_a_paragraph_inserted_is_quick():
    paragraphs = [f"Paragraph {n} says something about item {n * 7}.\n\n" for n in range(3000)]
    old = "".join(paragraphs)
    new = "".join(paragraphs[:1500] + ["An inserted paragraph.\n\n"] + paragraphs[1500:])
    began = time.perf_counter()
    html = diff_html(old, new)
    assert time.perf_counter() - began < 2.0
    assert html.count('data-testid="diff-ins"') == 1
