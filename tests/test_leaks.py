"""Unpublished claims and other reviewers' verdicts never leak: not through a page, a list,
a filter, a search, an export or an error message.

Every secret in the world carries a marker (see tests/world.py); each persona sweeps
every read URL and no body may contain a marker that persona must not see.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from factcheck.models import Claim, Rating, Speaker, Statement, Verdict
from tests.world import SECRET, world_in_transaction

EVERY_SECRET = set(SECRET.values()) | {"SECRET-ARTICLE-TEXT"}
VERDICT_SECRETS = {
    SECRET["draft_rationale"],
    SECRET["submitted_rationale"],
    SECRET["rejected_rationale"],
}

# What each persona must never read. Desk members see every claim, but verdicts follow
# blind review: annotators see only approved ones; bob has submitted on both claims, so
# he sees carol's rejected verdict but never her draft; carol only drafted on the claim
# bob submitted on, so she sees neither his verdict there nor anyone's draft.
FORBIDDEN = {
    "anon": EVERY_SECRET,
    "eve": EVERY_SECRET,
    "mallory": VERDICT_SECRETS,
    "alice": VERDICT_SECRETS,
    "bob": {SECRET["draft_rationale"]},
    "carol": {SECRET["submitted_rationale"]},
    "dana": set(),
}


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), world_in_transaction() as world:
        yield world


@pytest.fixture
def world(module_world, db):
    cache.clear()
    return module_world


def read_urls(w) -> list[str]:
    claims = list(Claim.objects.all())
    verdicts = list(Verdict.objects.all())
    speakers, statements = list(Speaker.objects.all()), list(Statement.objects.all())
    articles = [w.article, w.secret_article]
    urls = [
        "/articles/",
        "/articles/?q=SECRET",
        "/review/",
        "/speakers/",
        "/speakers/?q=SECRET",
        "/statements/",
        "/statements/?q=SECRET",
        "/suggest/speakers/?q=SECRET",
        f"/suggest/statements/?speaker={SECRET['speaker']}",
        "/api/v1/",
        "/api/v1/articles/",
        "/api/v1/articles/?search=SECRET",
        "/api/v1/speakers/?search=SECRET",
        "/api/v1/statements/?search=SECRET",
        "/api/v1/claims/",
        "/api/v1/claims/?search=SECRET",
        "/api/v1/claims/?status=open",
        "/api/v1/claims/?status=in_review",
        f"/api/v1/claims/?article={w.secret_article.pk}",
        "/api/v1/claims/?created_by=alice",
        "/api/v1/verdicts/",
        "/api/v1/verdicts/?status=draft",
        "/api/v1/verdicts/?status=submitted",
        "/api/v1/verdicts/?status=rejected",
        "/api/v1/verdicts/?reviewer=carol",
        "/api/v1/verdicts/?reviewer=bob",
        f"/api/v1/verdicts/?claim={w.review_claim.pk}",
        "/api/v1/export/annotations/",
        "/api/v1/export/annotations/?page_size=all",
        "/api/v1/export/claimreview/",
        "/api/v1/export/claims.jsonl",
        "/api/v1/export/claims.csv",
        # Earlier fact-checks for the secret claim's words, and each claim's matches below.
        f"/api/v1/factchecks/match/?q={SECRET['quote']}",
        f"/api/v1/factchecks/match/?q={SECRET['summary']}&limit=20",
        # The public pages (factcheck.views_public): the same for everyone.
        "/factchecks/",
        "/factchecks/?kind=press_release",
        "/factchecks/feed/",
        "/sitemap.xml",
        *[f"/sitemap-{section}.xml" for section in ("factchecks", "speakers", "statements")],
        # Search: what each finds, its snippets, and the filters' choices.
        "/search/?q=SECRET",
        "/search/?q=secret+or+minister&type=article",
        "/search/?q=SECRET&type=claim&status=open",
        "/api/v1/search/?q=SECRET",
        "/api/v1/search/?q=minister+dam&type=article",
        # The desk's claims list (a sign-in or a 403 for the others).
        "/claims/",
        "/claims/?status=open&sort=speaker",
    ]
    for a in articles:
        urls += [f"/articles/{a.pk}/", f"/api/v1/articles/{a.pk}/"]
        urls += [f"/api/v1/export/{fmt}?article={a.pk}" for fmt in ("claims.jsonl", "claims.csv")]
        urls += [f"/api/v1/export/annotations/?article={a.pk}"]
    for c in claims:
        urls += [f"/claims/{c.pk}/", f"/factchecks/{c.pk}/", f"/api/v1/claims/{c.pk}/"]
        urls += [f"/api/v1/export/annotations/{c.pk}/", f"/api/v1/claims/?speaker={c.speaker_id}"]
        urls += [f"/api/v1/claims/{c.pk}/matches/"]
    for v in verdicts:
        urls += [f"/api/v1/verdicts/{v.pk}/"]
    for s in speakers:
        urls += [f"/speakers/{s.pk}/", f"/api/v1/speakers/{s.pk}/"]
        urls += [f"/factchecks/speakers/{s.pk}/", f"/factchecks/?speaker={s.pk}"]
    for s in statements:
        urls += [f"/statements/{s.pk}/", f"/api/v1/statements/{s.pk}/"]
        urls += [f"/factchecks/statements/{s.pk}/"]
    for r in Rating.objects.all():
        urls += [f"/factchecks/?rating={r.pk}"]
    return urls


def client_for(w, persona) -> Client:
    client = Client()
    if persona != "anon":
        client.force_login(w.users[persona])
    return client


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


@pytest.mark.parametrize("persona", list(FORBIDDEN))
def test_no_secret_reaches_a_persona_who_may_not_see_it(world, persona):
    client = client_for(world, persona)
    leaks = []
    urls = read_urls(world)
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, f"{url} as {persona}: {response.status_code}"
        text = body(response)
        leaks += [f"{url} shows {m!r}" for m in FORBIDDEN[persona] if m in text]
    assert not leaks, f"{persona} sees what they must not:\n" + "\n".join(leaks)
    assert len(urls) > 60


@pytest.mark.parametrize("persona", ["dana"])
def test_the_sweep_would_see_a_secret(world, persona):
    """The moderator sees every marker: the sweep's URLs do reach the secrets."""
    client = client_for(world, persona)
    seen = "".join(body(client.get(url)) for url in read_urls(world))
    assert all(marker in seen for marker in EVERY_SECRET)


def test_the_public_sees_published_work_only(world):
    client = Client()
    claims = client.get("/api/v1/claims/").json()["results"]
    assert [c["id"] for c in claims] == [world.published_claim.pk]
    verdicts = client.get("/api/v1/verdicts/").json()["results"]
    assert [v["id"] for v in verdicts] == [world.approved.pk]
    assert client.get(f"/factchecks/{world.published_claim.pk}/").status_code == 200
    for hidden in (world.open_claim, world.review_claim, world.rejected_claim, world.secret_claim):
        assert client.get(f"/factchecks/{hidden.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["anon", "eve"])
def test_a_hidden_object_looks_exactly_like_a_missing_one(world, persona):
    """A 404 for an unpublished claim must not differ from a 404 for an id never used."""
    client = client_for(world, persona)
    missing = 10**9
    pairs = [
        ("/api/v1/claims/{}/", world.secret_claim.pk),
        ("/api/v1/export/annotations/{}/", world.secret_claim.pk),
        ("/api/v1/articles/{}/", world.secret_article.pk),
        ("/api/v1/speakers/{}/", world.secret_claim.speaker_id),
        ("/api/v1/statements/{}/", world.secret_claim.statement_id),
        ("/api/v1/verdicts/{}/", world.carol_draft.pk),
        ("/factchecks/{}/", world.secret_claim.pk),
        ("/factchecks/speakers/{}/", world.secret_claim.speaker_id),
        ("/factchecks/statements/{}/", world.secret_claim.statement_id),
    ]
    for template, hidden in pairs:
        a, b = client.get(template.format(hidden)), client.get(template.format(missing))
        assert (a.status_code, body(a)) == (b.status_code, body(b).replace(str(missing), "")) or (
            a.status_code == b.status_code == 404
            and body(a).replace(str(hidden), "") == body(b).replace(str(missing), "")
        ), template


def test_an_outsider_cannot_learn_a_hidden_article_by_claiming_in_it(world):
    client = client_for(world, "eve")
    response = client.post(
        "/api/v1/claims/",
        {"article": world.secret_article.pk, "quote": SECRET["quote"]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not any(m in body(response) for m in EVERY_SECRET)


def test_an_annotator_cannot_read_a_draft_by_naming_its_id(world):
    client = client_for(world, "mallory")
    response = client.patch(
        f"/api/v1/verdicts/{world.carol_draft.pk}/",
        {"rationale": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    client = client_for(world, "bob")
    response = client.patch(
        f"/api/v1/verdicts/{world.carol_draft.pk}/",
        {"rationale": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert SECRET["draft_rationale"] not in body(response)


# --------------------------------------------------------------------------- filters

# Label Studio shipped ?filter=...password... and leaked password hashes: a filter on any
# field not in the allow-list must be ignored (same answer as without it), never applied.
HOSTILE_FILTERS = [
    "reviewer__password__startswith=md5",
    "reviewer__password__startswith=x",
    "created_by__password__startswith=md5",
    "created_by__password__startswith=x",
    "created_by__username__startswith=zzz",
    "reviewer__is_superuser=true",
    "claim__status=published",
    "rationale__icontains=SECRET",
    "moderation_note__icontains=zzz",
    "quote__regex=.*",
    "status__in=draft,submitted",
    "ordering=reviewer__password",
    "ordering=-created_by__password",
    "ordering=rationale",
    "search_fields=reviewer__password",
]


@pytest.mark.parametrize("persona", ["anon", "alice", "bob", "dana"])
@pytest.mark.parametrize("resource", ["claims", "verdicts", "articles", "speakers", "statements"])
def test_filters_outside_the_allow_list_are_ignored(world, persona, resource):
    client = client_for(world, persona)
    plain = client.get(f"/api/v1/{resource}/").json()["results"]
    for query in HOSTILE_FILTERS:
        response = client.get(f"/api/v1/{resource}/?{query}")
        assert response.status_code == 200, query
        assert response.json()["results"] == plain, f"?{query} changed the {resource} answer"


def test_allowed_filters_do_filter(world):
    """The other side of the allow-list: listed filters work (so the test above means it)."""
    client = client_for(world, "dana")
    drafts = client.get("/api/v1/verdicts/?status=draft").json()["results"]
    assert [v["id"] for v in drafts] == [world.carol_draft.pk]
    by_carol = client.get("/api/v1/verdicts/?reviewer=carol").json()["results"]
    assert {v["reviewer"] for v in by_carol} == {"carol"}
    open_claims = client.get("/api/v1/claims/?status=open").json()["results"]
    assert {c["status"] for c in open_claims} == {"open"}


def test_no_response_carries_a_password_hash(world):
    client = client_for(world, "dana")
    for url in ["/api/v1/verdicts/", "/api/v1/claims/", "/api/v1/articles/"]:
        assert "md5$" not in body(client.get(url))
