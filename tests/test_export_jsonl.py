"""JSONL export: one article per line, doccano-compatible, with our richer fields."""

import json

from rest_framework.test import APIClient

from factcheck import actions

URL = "/api/v1/export/claims.jsonl"


def lines(user=None, query=""):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    r = client.get(URL + query)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/x-ndjson")
    assert 'filename="claims.jsonl"' in r["Content-Disposition"]
    text = b"".join(r.streaming_content).decode("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_each_article_is_a_doccano_line_with_our_claims(alice, article, claim, bob, dana, ratings):
    verdict = actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=next(iter(ratings.values())),
        rationale="Checked against the record.",
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    second = actions.create_article(title="Empty", text="Nothing claimed here.", by=alice)
    rows = lines(alice)
    assert [r["id"] for r in rows] == [article.pk, second.pk]
    line = rows[0]
    assert line["text"] == article.text
    assert line["label"] == [[claim.start, claim.end, "INDIRECT_QUOTE"]]
    assert line["text"][claim.start : claim.end] == "ridership fell by a third"
    detail = line["claims"][0]
    assert detail["speaker"]["name"] == "Tomas Berg"
    assert detail["statement"]["title"] == "Interview with Radio Nordhavn"
    assert detail["verdict"]["rating"] == verdict.rating.label
    assert detail["status"] == "published"
    assert rows[1]["label"] == [] and rows[1]["claims"] == []


def test_outsiders_get_only_published_claims(alice, eve, article, claim):
    actions.create_claim(article=article, by=alice, start=0, end=9)
    assert lines(eve) == []
    assert len(lines(alice, f"?article={article.pk}")[0]["claims"]) == 2
    assert lines(alice, "?article=999") == []


def test_label_counts_in_doccanos_unit_and_says_which(alice):
    text = "Chief 🚒: “trucks are late”, he said."
    article = actions.create_article(title="Trucks", text=text, by=alice)
    start = text.index("trucks are late")
    actions.create_claim(article=article, by=alice, start=start, end=start + 15)
    (line,) = lines(alice)
    # doccano's editor counts the fire engine as two UTF-16 units.
    assert line["offset_unit"] == "utf16"
    assert line["label"] == [[start + 1, start + 16, "DIRECT_QUOTE"]]
    assert line["claims"][0]["start"] == start  # ours: code points, as everywhere
    (line,) = lines(alice, "?offset_unit=codepoint")
    assert line["offset_unit"] == "codepoint" and line["label"][0][:2] == [start, start + 15]
    client = APIClient()
    client.force_login(alice)
    r = client.get(URL + "?offset_unit=bytes")
    assert r.status_code == 400 and "offset_unit" in r.json()


def test_a_reused_verdict_carries_its_link(alice, dana, attributed, repeat):
    actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    proposed = {c["id"]: c for line in lines(alice) for c in line["claims"]}
    assert proposed[repeat.pk]["same_as"] is None  # an export carries confirmed links only
    actions.confirm_link(claim=repeat, by=dana)
    claims = {c["id"]: c for line in lines() for c in line["claims"]}
    assert (claims[repeat.pk]["same_as"], claims[repeat.pk]["same_as_status"]) == (
        attributed.pk,
        "confirmed",
    )
    assert claims[repeat.pk]["verdict"]["rationale"] == "The annual report says so."
    assert claims[attributed.pk]["same_as"] is None
