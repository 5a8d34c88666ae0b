"""CSV export: one claim per row, UTF-8 with BOM, no formula injection."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from factcheck import actions
from factcheck.exports.csv import COLUMNS, neutralise

URL = "/api/v1/export/claims.csv"


def download(user=None):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    r = client.get(URL)
    assert r.status_code == 200 and r["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(r.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_one_row_per_claim(alice, claim):
    rows = download(alice)
    # A correction's outcome rides along after the mapped columns (an orphan's offsets are
    # those of an earlier revision).
    assert len(rows) == 1 and list(rows[0]) == [
        *COLUMNS,
        "anchor_state",
        "corrected_at",
        "orphaned_in",
        "orphaned_in_since",
        "reviewed_quote",
        "reviewed_in",
        "same_as",  # "same claim as" an earlier fact-check (a confirmed link): its id
        "same_as_status",
    ]
    row = rows[0]
    assert (row["anchor_state"], row["corrected_at"]) == ("ok", "")
    assert row["quote"] == "ridership fell by a third" and row["speaker"] == "Tomas Berg"
    assert row["claim_id"] == str(claim.pk) and row["status"] == "open"


def test_formulas_are_neutralised(alice):
    text = '=HYPERLINK("http://evil") and +1 and -2 and @SUM(A1)\n\tTabbed'
    article = actions.create_article(title="@evil", text=text, by=alice)
    actions.create_claim(article=article, by=alice, start=0, end=10, speaker_name="+Mallory")
    actions.create_claim(article=article, by=alice, quote="-2 and @SUM", summary="=1+1")
    rows = download(alice)
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)
    assert rows[0]["quote"] == "'=HYPERLINK"
    assert rows[0]["article_title"] == "'@evil" and rows[0]["speaker"] == "'+Mallory"
    assert rows[1]["summary"] == "'=1+1"


def test_numbers_stay_numbers():
    assert neutralise(-2) == -2 and neutralise("-2") == "'-2" and neutralise("ok") == "ok"


def test_outsiders_see_no_unpublished_rows(eve, claim):
    assert download(eve) == []


@pytest.mark.parametrize(
    "cell",
    [
        "\n=1+1",  # a leading line feed
        "   =1+1",  # spaces before the formula character
        " \n\t@SUM(A1)",
        "\u3000=1+1",  # an ideographic space
        "\u200b=1+1",  # a zero-width space
        '＝HYPERLINK("http://evil")',  # full-width equals sign
        "﹦1+1",  # small equals sign
        "＋1",
        "－2",
        "＠SUM(A1)",
        "\0=1+1",  # NUL
        "\0",
        "\r\n-3",
    ],
)
def test_formulas_behind_blanks_or_in_full_width_are_neutralised(cell):
    # The attack: these cells were left as they were, and a spreadsheet ran them.
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["ok", " spaced text", "a = b", "中文", "email@example.org", ""])
def test_ordinary_text_is_left_alone(cell):
    assert neutralise(cell) == cell


def test_a_formula_behind_a_line_feed_is_neutralised_in_the_export(alice):
    article = actions.create_article(title="\n=cmd|' /C calc'!A0", text="Some text here.", by=alice)
    actions.create_claim(article=article, by=alice, start=0, end=4, summary="  ＝1+1")
    [row] = download(alice)
    assert row["article_title"].startswith("'") and row["summary"] == "'＝1+1"


def test_a_reused_verdict_names_its_earlier_fact_check(alice, dana, attributed, repeat):
    actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    actions.confirm_link(claim=repeat, by=dana)
    rows = {row["claim_id"]: row for row in download()}
    assert rows[str(repeat.pk)]["same_as"] == str(attributed.pk)
    assert rows[str(repeat.pk)]["same_as_status"] == "confirmed"
    assert rows[str(attributed.pk)]["same_as"] == ""
