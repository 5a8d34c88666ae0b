"""The claim page's "Same claim as…" section and its forms (factcheck/link_views.py), and the
link on both public pages."""

from __future__ import annotations

import json
import re

from django.test import Client

from factcheck import actions
from factcheck.matching import STRONG
from factcheck.models import Claim, ClaimLink


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_claim_page_offers_matches_and_links_by_button(repeat, attributed, alice):
    page = client_for(alice).get(f"/claims/{repeat.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="same-claim"' in html
    match = re.search(r'data-testid="link-match" data-claim="(\d+)"', html)
    assert match and int(match.group(1)) == attributed.pk
    assert "Same claim as this" in html
    score = re.search(r'name="score" value="([0-9.]+)"', html).group(1)
    r = client_for(alice).post(
        f"/claims/{repeat.pk}/link/",
        {"earlier": attributed.pk, "score": score, "version": repeat.version},
    )
    assert r.status_code == 302 and r["Location"] == f"/claims/{repeat.pk}/"
    link = ClaimLink.objects.get()
    assert (link.earlier_id, link.status, link.score) == (attributed.pk, "proposed", float(score))
    html = client_for(alice).get(f"/claims/{repeat.pk}/").content.decode()
    assert 'data-testid="link-current"' in html and "proposed" in html
    assert ("from a strong match" in html) == (float(score) >= STRONG)
    assert 'data-testid="unlink"' in html  # the proposer may withdraw it
    assert 'data-testid="link-confirm"' not in html  # only a moderator confirms


def test_a_strong_match_is_labelled_only_when_strong(repeat, attributed, alice):
    from factcheck.matching import matches_for

    found = matches_for(repeat, alice)
    html = client_for(alice).get(f"/claims/{repeat.pk}/").content.decode()
    assert html.count('data-testid="strong-match"') == sum(m.strong for m in found)


def test_it_links_by_address_and_a_moderator_confirms(repeat, attributed, alice, dana):
    r = client_for(alice).post(
        f"/claims/{repeat.pk}/link/",
        {"earlier": f"https://factcheck.example/factchecks/{attributed.pk}/", "note": "<b>x</b>"},
    )
    assert r.status_code == 302
    html = client_for(dana).get(f"/claims/{repeat.pk}/").content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html  # escaped
    assert 'data-testid="link-confirm"' in html
    version = Claim.objects.get(pk=repeat.pk).version
    r = client_for(dana).post(f"/claims/{repeat.pk}/link/confirm/", {"version": version})
    assert r.status_code == 302
    assert Claim.objects.get(pk=repeat.pk).status == "published"
    # Both public pages show the link.
    reused = Client().get(f"/factchecks/{repeat.pk}/").content.decode()
    assert 'data-testid="factcheck-same-as"' in reused
    assert "Same claim as the fact-check of" in reused and "Nordhavn Ferry Company" in reused
    assert "The annual report says so." in reused  # the reused rationale
    desk = client_for(alice).get(f"/claims/{repeat.pk}/").content.decode()
    assert f"reused from fact-check {attributed.pk}" in desk
    earlier = Client().get(f"/factchecks/{attributed.pk}/").content.decode()
    assert 'data-testid="factcheck-also-said"' in earlier
    assert "Harbour master Ines Holm" in earlier and "Council meeting notes" in earlier
    # The earlier fact-check's ClaimReview names both appearances.
    ld = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', earlier).group(1)
    )
    urls = [a.get("url") for a in ld["itemReviewed"]["appearance"]]
    assert urls == ["https://news.example.org/bridge", "https://local.example.org/council"]
    ld = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', reused).group(1)
    )
    urls = [a.get("url") for a in ld["itemReviewed"]["appearance"]]
    assert urls == ["https://local.example.org/council", "https://news.example.org/bridge"]


def test_it_answers_refusals_with_the_reason(repeat, attributed, alice, bob, dana):
    url = f"/claims/{repeat.pk}"
    r = client_for(alice).post(f"{url}/link/", {"earlier": "not a number"})
    assert r.status_code == 400 and 'data-testid="link-error"' in r.content.decode()
    r = client_for(alice).post(f"{url}/link/", {"earlier": "999999"})
    assert r.status_code == 400
    r = client_for(alice).post(f"{url}/link/", {"earlier": attributed.pk, "version": "1"})
    assert r.status_code == 302
    r = client_for(bob).post(f"{url}/link/confirm/", {})
    assert r.status_code == 403 and "moderator" in r.content.decode()
    r = client_for(dana).post(f"{url}/link/confirm/", {"version": "1"})  # read before the link
    assert r.status_code == 409 and "reload" in r.content.decode()
    assert ClaimLink.objects.get().status == "proposed"
    assert client_for(alice).get(f"{url}/link/").status_code == 405


def test_unlinking_a_confirmed_link_takes_the_page_down(repeat, attributed, alice, dana):
    actions.link_claim(claim=repeat, earlier=attributed, by=alice)
    actions.confirm_link(claim=repeat, by=dana)
    assert Client().get(f"/factchecks/{repeat.pk}/").status_code == 200
    r = client_for(dana).post(f"/claims/{repeat.pk}/unlink/", {"note": "another harbour"})
    assert r.status_code == 302
    assert Client().get(f"/factchecks/{repeat.pk}/").status_code == 404
    earlier = Client().get(f"/factchecks/{attributed.pk}/").content.decode()
    assert "factcheck-also-said" not in earlier
    html = client_for(alice).get(f"/claims/{repeat.pk}/").content.decode()
    assert 'data-testid="link-past"' in html and "another harbour" in html
