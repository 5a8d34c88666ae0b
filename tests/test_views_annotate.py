"""The annotation page and its JSON endpoints: highlights, create/edit/delete, suggestions."""

import json
import re

from django.utils.html import strip_tags

from factcheck import actions
from factcheck.models import Claim, Speaker, Statement
from tests.conftest import ARTICLE_TEXT


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
    """The page's data, each claim row as a dict of the page's column names."""
    found = re.search(
        r'<script id="annotate-data" type="application/json">(.*?)</script>', html, re.S
    )
    data = json.loads(found.group(1))
    data["claims"] = [dict(zip(data["columns"], row, strict=True)) for row in data["claims"]]
    return data


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
    row = data["claims"][0]
    assert row == {
        "id": claim.pk,
        "start": claim.start,
        "end": claim.end,
        "kind": claim.kind,
        "speaker": "Tomas Berg",
        "statement": claim.statement.title,
        "summary": claim.summary,
        "check_worthy": claim.check_worthy,
        "status": "open",
        "version": claim.version,
        "editable": True,
        "verdict": "",
    }
    assert data["kinds"]["direct_quote"] and data["statuses"]["published"]
    assert data["claimUrl"] == "/claims/0/"


def test_the_page_data_is_escaped_for_a_script_element(client, alice, article):
    hostile = "</script><script>alert(1)</script> & <!--"
    actions.create_claim(
        article=article, by=alice, start=0, end=4, speaker_name=hostile, summary=hostile
    )
    client.force_login(alice)
    html = client.get(f"/articles/{article.pk}/").content.decode()
    raw = re.search(r'id="annotate-data" type="application/json">(.*?)</script>', html, re.S)
    assert "<" not in raw.group(1) and ">" not in raw.group(1) and "&" not in raw.group(1)
    assert page_data(html)["claims"][0]["speaker"] == hostile


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
        assert row["verdict"] == rating.label
        assert row["status"] == "published"
        assert row["editable"] is editable, user


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


def post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_an_annotator_creates_a_claim_with_new_names(client, alice, article):
    client.force_login(alice)
    start = ARTICLE_TEXT.index("ridership")
    response = post(
        client,
        f"/articles/{article.pk}/claims/",
        {
            "start": start,
            "end": start + 9,
            "kind": "indirect_quote",
            "speaker": "Tomas Berg",
            "statement": "Radio interview",
            "summary": "Fewer riders",
            "check_worthy": False,
        },
    )
    assert response.status_code == 201
    body = response.json()
    claim = Claim.objects.get(pk=body["id"])
    assert (claim.quote, claim.kind, claim.check_worthy) == ("ridership", "indirect_quote", False)
    assert claim.statement.speaker == claim.speaker == Speaker.objects.get(name="Tomas Berg")
    # The answer is the one claim, as the page data holds it: the script merges it in.
    assert body["claim"]["id"] == claim.pk
    assert body["claim"]["speaker"] == "Tomas Berg"
    assert body["claim"]["statement"] == "Radio interview"
    assert body["claim"]["editable"] is True
    assert (body["claim"]["start"], body["claim"]["end"]) == (start, start + 9)


def test_typed_names_reuse_existing_speakers_by_alias(client, alice, article, claim):
    speaker = claim.speaker
    speaker.aliases = "Berg\nCEO Berg"
    speaker.save()
    client.force_login(alice)
    response = post(
        client,
        f"/articles/{article.pk}/claims/",
        {
            "start": 0,
            "end": 9,
            "speaker": "ceo berg",
            "statement": "INTERVIEW WITH RADIO NORDHAVN",
        },
    )
    assert response.status_code == 201
    new = Claim.objects.get(pk=response.json()["id"])
    assert new.speaker == speaker
    assert new.statement == claim.statement
    assert Speaker.objects.count() == 1
    assert Statement.objects.count() == 1


def test_snap_widens_to_whole_words(client, alice, article):
    client.force_login(alice)
    response = post(client, f"/articles/{article.pk}/claims/", {"start": 6, "end": 9, "snap": True})
    assert response.status_code == 201
    assert Claim.objects.get().quote == "mayor"


def test_bad_input_gets_clear_400s(client, alice, article):
    client.force_login(alice)
    url = f"/articles/{article.pk}/claims/"
    cases = [
        ({"start": 5, "end": 5}, "end"),
        ({"start": 0, "end": 10_000}, "end"),
        ({"start": "0", "end": 4}, "start"),
        ({"start": 0, "end": 4, "kind": "rumour"}, "kind"),
        ({"start": 0, "end": 4, "speaker": "x" * 201}, "speaker"),
        ({"start": 0, "end": 4, "snap": True, "speaker": "A"} | {"start": 3, "end": 4}, "start"),
    ]
    for payload, field in cases:
        response = post(client, url, payload)
        assert response.status_code == 400, payload
        assert field in response.json()["errors"], (payload, response.json())
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert post(client, url, [1, 2]).status_code == 400
    assert not Claim.objects.exists()
    assert not Speaker.objects.exists()


def test_edit_and_delete_follow_ownership(client, alice, mallory, dana, claim):
    client.force_login(mallory)
    response = post(client, f"/claims/{claim.pk}/edit/", {"summary": "Mine now", "version": 1})
    assert response.status_code == 403
    assert "Only the annotator" in response.json()["errors"]["__all__"][0]
    assert post(client, f"/claims/{claim.pk}/delete/", {}).status_code == 403

    client.force_login(alice)
    response = post(
        client,
        f"/claims/{claim.pk}/edit/",
        {
            "summary": "Edited",
            "kind": "direct_quote",
            "speaker": "Tomas Berg",
            "statement": "",
            "version": 1,
        },
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.summary, claim.statement, claim.version) == ("Edited", None, 2)
    stale = post(client, f"/claims/{claim.pk}/edit/", {"summary": "Late", "version": 1})
    assert stale.status_code == 409
    # Empty speaker and statement: the author's own claim.
    assert (
        post(
            client, f"/claims/{claim.pk}/edit/", {"speaker": "", "statement": "", "version": 2}
        ).status_code
        == 200
    )
    claim.refresh_from_db()
    assert claim.speaker is None

    client.force_login(dana)
    response = post(client, f"/claims/{claim.pk}/delete/", {})
    assert response.status_code == 200
    assert not Claim.objects.exists()
    assert response.json() == {"id": claim.pk, "deleted": True}


def test_endpoints_refuse_outsiders_and_get(client, eve, article, claim):
    url = f"/articles/{article.pk}/claims/"
    assert post(client, url, {"start": 0, "end": 3}).status_code == 401
    client.force_login(eve)
    assert post(client, url, {"start": 0, "end": 3}).status_code == 403
    assert client.get("/suggest/speakers/").status_code == 403
    assert client.get(url).status_code == 405
    assert Claim.objects.count() == 1


def test_csrf_is_enforced(alice, article):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert (
        post(client, f"/articles/{article.pk}/claims/", {"start": 0, "end": 3}).status_code == 403
    )


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
    assert post(client, "/articles/999/claims/", {"start": 0, "end": 1}).status_code == 404


def test_the_database_writes_the_page_rows_as_python_does(
    alice, mallory, bob, dana, eve, article, claim, ratings
):
    """The page's rows come from SQL (annotation_json); one saved claim's from Python
    (claim_rows). Both must say the same, for every kind of row and user."""
    from factcheck.models import Role
    from factcheck.views import claim_rows

    odd = 'Tab\there, "quotes", back\\slash, newline\n, \x01 control, emoji 😀, </script> & é'
    actions.create_claim(article=article, by=alice, start=0, end=5, summary=odd)
    unworthy = actions.create_claim(
        article=article, by=mallory, start=2, end=9, speaker_name="Ingrid Solberg"
    )
    actions.update_claim(claim=unworthy, by=mallory, check_worthy=False)
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["Mostly true"], rationale="Checked."
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    for user in (alice, mallory, bob, dana, eve):
        moderator = Role.has(user, Role.MODERATOR)
        annotator = moderator or Role.has(user, Role.ANNOTATOR)
        claims = article.claims.all()
        text, count = claims.annotation_json(
            moderator=moderator, annotator=annotator, user_id=user.pk
        )
        from_sql = sorted(json.loads(text))
        from_python = sorted(list(row) for row in claim_rows(claims, user))
        assert from_sql == from_python, user
        assert count == 3
    assert claims.none().annotation_json(moderator=True, annotator=True, user_id=1) == (b"[]", 0)
