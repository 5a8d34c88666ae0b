"""The API of "same claim as …": POST /api/v1/claims/{id}/link/, …/link/confirm/, …/unlink/
(factcheck/api/links.py), every answer checked against the OpenAPI schema (conftest)."""

from __future__ import annotations

from factcheck.models import Claim, ClaimLink
from tests.conftest import api


def post(client, url, data=None, **headers):
    return client.post(url, data or {}, format="json", headers=headers)


def test_it_works_from_proposal_to_publication(repeat, attributed, alice, dana):
    r = post(
        api(alice),
        f"/api/v1/claims/{repeat.pk}/link/",
        {"earlier": attributed.pk, "score": 0.91, "note": "same"},
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["claim"], body["earlier"], body["status"], body["score"]) == (
        repeat.pk,
        attributed.pk,
        "proposed",
        0.91,
    )
    assert body["proposed_by"] == "alice" and r["ETag"] == f'"{body["claim_version"]}"'
    # The claim reads as linked (the desk sees the proposal)...
    claim = api(alice).get(f"/api/v1/claims/{repeat.pk}/").json()
    assert (claim["same_as"], claim["same_as_status"]) == (attributed.pk, "proposed")
    # ...the public does not.
    assert api().get(f"/api/v1/claims/{repeat.pk}/").status_code == 404

    r = post(api(dana), f"/api/v1/claims/{repeat.pk}/link/confirm/", {}, **{"If-Match": r["ETag"]})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "confirmed" and r.json()["confirmed_by"] == "dana"
    public = api().get(f"/api/v1/claims/{repeat.pk}/").json()
    assert (public["status"], public["same_as"], public["same_as_status"]) == (
        "published",
        attributed.pk,
        "confirmed",
    )
    assert public["approved_verdict"]["rating_label"] == attributed.approved_verdict.rating.label
    listed = api().get(f"/api/v1/claims/{repeat.pk}/link/")
    assert [link["status"] for link in listed.json()] == ["confirmed"]


def test_unlinking_is_recorded(repeat, attributed, alice, dana):
    post(api(alice), f"/api/v1/claims/{repeat.pk}/link/", {"earlier": attributed.pk})
    post(api(dana), f"/api/v1/claims/{repeat.pk}/link/confirm/")
    r = post(api(dana), f"/api/v1/claims/{repeat.pk}/unlink/", {"note": "another year"})
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["unlinked_by"], r.json()["unlink_note"]) == (
        "unlinked",
        "dana",
        "another year",
    )
    assert Claim.objects.get(pk=repeat.pk).status == "open"
    claim = api(alice).get(f"/api/v1/claims/{repeat.pk}/").json()
    assert claim["same_as"] is None and claim["same_as_status"] is None
    # The record stays for the desk.
    assert [
        link["status"] for link in api(alice).get(f"/api/v1/claims/{repeat.pk}/link/").json()
    ] == ["unlinked"]


def test_it_validates_the_input(repeat, attributed, claim, alice):
    url = f"/api/v1/claims/{repeat.pk}/link/"
    client = api(alice)
    for data, field in (
        ({}, "earlier"),
        ({"earlier": "x"}, "earlier"),
        ({"earlier": 10**12}, "earlier"),
        ({"earlier": claim.pk}, "earlier"),  # not published
        ({"earlier": attributed.pk, "score": 3}, "score"),
        ({"earlier": attributed.pk, "note": "n" * 3000}, "note"),
    ):
        r = post(client, url, data)
        assert r.status_code == 400, (data, r.json())
        assert field in r.json(), (data, r.json())
    assert not ClaimLink.objects.exists()


def test_it_refuses_by_role_and_state(repeat, attributed, alice, mallory, bob, dana):
    url = f"/api/v1/claims/{repeat.pk}"
    assert post(api(), f"{url}/link/", {"earlier": attributed.pk}).status_code == 403
    assert post(api(dana), f"{url}/link/confirm/").status_code == 400  # nothing proposed
    assert post(api(dana), f"{url}/unlink/").status_code == 400  # nothing linked
    post(api(alice), f"{url}/link/", {"earlier": attributed.pk})
    r = post(api(bob), f"{url}/link/", {"earlier": attributed.pk})
    assert r.status_code == 400 and "already" in str(r.json())
    r = post(api(bob), f"{url}/link/confirm/")
    assert r.status_code == 403 and "moderator" in r.json()["detail"]
    assert post(api(mallory), f"{url}/unlink/").status_code == 403  # not her proposal
    assert ClaimLink.objects.get().status == "proposed"


def test_a_stale_if_match_is_412(repeat, attributed, alice, dana):
    r = post(
        api(alice),
        f"/api/v1/claims/{repeat.pk}/link/",
        {"earlier": attributed.pk},
        **{"If-Match": '"1"'},
    )
    assert r.status_code == 201
    r = post(api(dana), f"/api/v1/claims/{repeat.pk}/link/confirm/", **{"If-Match": '"1"'})
    assert r.status_code == 412 and r.json()["current_version"] == 2
    assert ClaimLink.objects.get().status == "proposed"
