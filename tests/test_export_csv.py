"""CSV export: one claim per row, UTF-8 with BOM, no formula injection."""

import csv
import io

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
    assert len(rows) == 1 and list(rows[0]) == COLUMNS
    row = rows[0]
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
