"""The annotation page: highlights, its claims data (the API's claim shape), suggestions.

Creating, editing and deleting claims from the page goes through the API: see
tests/test_api_claims.py and tests/browser/test_annotate.py.
"""

import json
import re

from django.utils.html import strip_tags

from factcheck import actions
from factcheck.models import Claim
from tests.conftest import ARTICLE_TEXT, claims_on_page


def unescape(html):
    return (
        strip_tags(html)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
    )


def page_data(html: str) -> dict:
    found = re.search(
        r'<script id="annotate-data" type="application/json">(.*?)</script>', html, re.S
    )
    data = json.loads(found.group(1))
    return {**data, "claims": claims_on_page(data["claims"])}


def test_it_renders_the_article_with_its_claims(
    client, alice, claim, django_assert_max_num_queries
):
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        response = client.get(f"/articles/{claim.article_id}/")
    html = response.content.decode()
    # The text goes out once, escaped; the script puts the highlights in.
    body = re.search(r'data-testid="article-text"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert unescape(body) == ARTICLE_TEXT
    assert "<mark" not in body
    assert "<script" not in html.replace('<script type="module"', "").replace(
        '<script id="annotate-data" type="application/json">', ""
    )
    data = page_data(html)
    # One claim shape: the API's field names (what annotate.js reads).
    assert data["claims"] == [
        {
            "id": claim.pk,
            "start": claim.start,
            "end": claim.end,
            "kind": claim.kind,
            "speaker": claim.speaker_id,
            "speaker_name": "Tomas Berg",
            "statement": claim.statement_id,
            "statement_title": claim.statement.title,
            "summary": claim.summary,
            "check_worthy": claim.check_worthy,
            "status": "open",
            "version": claim.version,
            "approved_verdict": None,
            "editable": True,
        }
    ]
    assert data["kinds"]["direct_quote"] and data["statuses"]["published"]
    assert data["claimUrl"] == "/claims/0/"
    # It writes through the API.
    assert (data["article"], data["claimsUrl"]) == (claim.article_id, "/api/v1/claims/")


def test_the_page_data_is_escaped_for_a_script_element(client, alice, article):
    hostile = "</script><script>alert(1)</script> & <!--"
    actions.create_claim(
        article=article, by=alice, start=0, end=4, speaker_name=hostile, summary=hostile
    )
    client.force_login(alice)
    html = client.get(f"/articles/{article.pk}/").content.decode()
    raw = re.search(r'id="annotate-data" type="application/json">(.*?)</script>', html, re.S)
    assert "<" not in raw.group(1) and ">" not in raw.group(1) and "&" not in raw.group(1)
    assert page_data(html)["claims"][0]["speaker_name"] == hostile


def test_the_side_panel_shows_what_each_user_may_see(
    client, alice, mallory, bob, dana, claim, ratings
):
    rating = next(iter(ratings.values()))
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=rating, rationale="Checked.", submit=True
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    url = f"/articles/{claim.article_id}/"
    for user, editable in ((alice, False), (mallory, False), (dana, True)):
        client.force_login(user)
        (row,) = page_data(client.get(url).content.decode())["claims"]
        assert row["approved_verdict"] == {"id": verdict.pk, "rating_label": rating.label}
        assert row["status"] == "published"
        assert row["editable"] is editable, user


def test_a_page_claim_reads_as_the_api_answers_it(
    client, alice, mallory, bob, dana, claim, ratings
):
    """The script merges API answers into the page's claims: the same names, the same values."""
    other = actions.create_claim(article=claim.article, by=mallory, start=0, end=9)
    verdict = actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["Mostly true"],
        rationale="Checked against the record.",
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    for user in (alice, mallory, dana):
        client.force_login(user)
        rows = page_data(client.get(f"/articles/{claim.article_id}/").content.decode())["claims"]
        for row in rows:
            answer = client.get(f"/api/v1/claims/{row['id']}/").json()
            verdict = answer["approved_verdict"]
            answer["approved_verdict"] = verdict and {
                "id": verdict["id"],
                "rating_label": verdict["rating_label"],
            }
            assert row == {name: answer[name] for name in row}, (user, row["id"])
        assert {r["id"] for r in rows} == {claim.pk, other.pk}


def test_the_page_costs_the_same_for_many_claims(
    client, alice, article, django_assert_max_num_queries
):
    for i in range(20):
        actions.create_claim(
            article=article,
            by=alice,
            start=i,
            end=i + 5,
            speaker_name=f"Speaker {i}",
            statement_title="Talk",
        )
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        assert client.get(f"/articles/{article.pk}/").status_code == 200


def test_the_page_writes_claims_only_through_the_api(client, alice, article, claim):
    """The page's own claim endpoints are gone: the API is the one write door."""
    client.force_login(alice)
    body = json.dumps({"start": 0, "end": 3})
    for url in (
        f"/articles/{article.pk}/claims/",
        f"/claims/{claim.pk}/edit/",
        f"/claims/{claim.pk}/delete/",
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code in (404, 405), url
    assert Claim.objects.count() == 1


def test_suggestions_refuse_outsiders(client, eve):
    assert client.get("/suggest/speakers/").status_code == 401
    client.force_login(eve)
    response = client.get("/suggest/speakers/")
    assert response.status_code == 403
    assert "annotator role" in response.json()["detail"]  # the API's error shape


def test_suggestions(client, alice, claim):
    client.force_login(alice)
    speakers = client.get("/suggest/speakers/?q=tom").json()["results"]
    assert [s["name"] for s in speakers] == ["Tomas Berg"]
    statements = client.get("/suggest/statements/?speaker=TOMAS BERG").json()
    assert statements["speaker"] == "Tomas Berg"
    assert [s["title"] for s in statements["results"]] == ["Interview with Radio Nordhavn"]
    assert client.get("/suggest/statements/?speaker=nobody").json()["results"] == []


def test_a_missing_article_is_404(client, alice):
    client.force_login(alice)
    assert client.get("/articles/999/").status_code == 404


READING = "Title line\n\n  First paragraph. It goes on.\n- one item\n• two 🚗\n\nA last line\n"


def test_reading_blocks_tile_the_text_and_recognise_its_parts():
    """Paragraphs, subheadings and list items; every code point in exactly one block."""
    from factcheck.text import reading_blocks

    blocks = reading_blocks(READING)
    assert [b.kind for b in blocks] == ["h", "p", "li", "li", "p"]
    assert blocks[0].start == 0 and blocks[-1].end == len(READING)
    assert all(a.end == b.start for a, b in zip(blocks, blocks[1:], strict=False))
    assert [READING[b.body : b.body_end] for b in blocks] == [
        "Title line",
        "First paragraph. It goes on.",
        "one item",
        "two 🚗",
        "A last line",
    ]
    assert reading_blocks("") == [reading_blocks("")[0]] and reading_blocks("")[0].end == 0


def test_a_bullet_written_against_its_word_is_a_list_item():
    """Pasted lists often lose the space after the bullet ("-Maintain ..."); a number after a
    minus sign, or an asterisk (emphasis), is not taken for a bullet."""
    from factcheck.text import reading_blocks

    text = "Intro line.\n\n-Maintain the channels.\n•Resume the talks.\n-5 degrees tonight.\n*Not* a list.\n"
    blocks = reading_blocks(text)
    assert [b.kind for b in blocks] == ["p", "li", "li", "p", "p"]
    assert [text[b.body : b.body_end] for b in blocks][1:3] == [
        "Maintain the channels.",
        "Resume the talks.",
    ]


def test_the_sample_article_reads_as_an_article(client, alice, sample_article_text):
    """Issue 15 on the shared sample (a 6,928-character opinion piece): its four subheadings
    are headings and its two lines starting with "-" are list items, the bullet hidden; the
    page's text is still exactly the stored text."""
    from factcheck.text import reading_blocks

    article = actions.create_article(title="Sample", text=sample_article_text, by=alice)
    text = article.text
    assert len(text) == 6928
    blocks = reading_blocks(text)
    kinds = [b.kind for b in blocks]
    assert (kinds.count("h"), kinds.count("li"), kinds.count("p")) == (4, 2, 20)
    dashed = [line for line in text.split("\n") if line.startswith("-")]
    items = [text[b.body : b.body_end] for b in blocks if b.kind == "li"]
    assert items == [line[1:] for line in dashed]
    client.force_login(alice)
    html = client.get(f"/articles/{article.pk}/").content.decode()
    body = re.search(r'data-testid="article-text"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert unescape(body) == text
    assert body.count("<h2 ") == 4 and body.count("<li ") == 2


def test_the_page_shows_blocks_with_the_text_exact(client, alice):
    article = actions.create_article(title="Blocks", text=READING, by=alice)
    client.force_login(alice)
    html = client.get(f"/articles/{article.pk}/").content.decode()
    body = re.search(r'data-testid="article-text"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert '<h2 class="blk blk-h">Title line' in body
    assert body.count("<li ") == 2 and body.count("<ul ") == 1
    assert unescape(body) == READING  # hidden bullets and line breaks included
    assert page_data(html)["blocks"][2] == ["li", 43, 45, 53, 54]


def test_the_header_has_no_stray_separators(client, alice):
    article = actions.create_article(title="Bare", text="Text.", byline="A. Writer", by=alice)
    client.force_login(alice)
    html = client.get(f"/articles/{article.pk}/").content.decode()
    meta = re.search(r'data-testid="article-meta">(.*?)</p>', html, re.S).group(1)
    assert meta.strip() == "A. Writer"


def test_the_reading_layout_is_made_once_per_text(client, alice, monkeypatch):
    """Kept in the cache by the text: a second reader gets it made; a corrected text (or a
    new article with another text) is laid out anew, never shown another text's layout."""
    from factcheck import text as textlib

    made = []
    real = textlib.reading_blocks
    monkeypatch.setattr(textlib, "reading_blocks", lambda text: made.append(text) or real(text))
    article = actions.create_article(title="Kept", text=READING + "Once.\n", by=alice)
    client.force_login(alice)
    first = client.get(f"/articles/{article.pk}/").content.decode()
    again = client.get(f"/articles/{article.pk}/").content.decode()
    assert len(made) == 1
    assert page_data(again)["blocks"] == page_data(first)["blocks"]

    actions.correct_article(article=article, text="New words.\n\nAnd more.\n", by=alice)
    html = client.get(f"/articles/{article.pk}/").content.decode()
    assert len(made) == 2
    body = re.search(r'data-testid="article-text"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert unescape(body) == "New words.\n\nAnd more.\n"
    assert page_data(html)["blocks"] == [["p", 0, 0, 10, 12], ["p", 12, 12, 21, 22]]
