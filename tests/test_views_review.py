"""The review queue and the claim page's verdict form, with blind review."""

import json

from factcheck import actions
from factcheck.models import Claim, Verdict
from tests.conftest import ARTICLE_TEXT


def make_claim(article, alice, quote, speaker):
    start = ARTICLE_TEXT.index(quote)
    return actions.create_claim(
        article=article,
        by=alice,
        start=start,
        end=start + len(quote),
        speaker_name=speaker,
        statement_title=f"{speaker} statement",
    )


def test_annotators_and_outsiders_are_refused(client, alice, eve):
    for user in (alice, eve):
        client.force_login(user)
        assert client.get("/review/").status_code == 403


def test_the_queue_lists_claims_awaiting_my_verdict(
    client, bob, carol, alice, article, claim, ratings, django_assert_max_num_queries
):
    other = make_claim(article, alice, "The mayor said", "Ingrid Solberg")
    unworthy = make_claim(article, alice, "The ferry operator", "Tomas Berg")
    actions.update_claim(claim=unworthy, by=alice, check_worthy=False)
    actions.save_verdict(
        claim=other, reviewer=bob, rating=ratings["True"], rationale="Checked against the record."
    )
    actions.save_verdict(
        claim=claim, reviewer=carol, rating=ratings["True"], rationale="Checked against the record."
    )
    client.force_login(bob)
    with django_assert_max_num_queries(11):  # 10, and the count of verdicts given
        html = client.get("/review/").content.decode()
    assert f'data-claim-id="{claim.pk}"' in html  # carol's verdict does not take it off bob's queue
    assert f'data-claim-id="{other.pk}"' not in html  # bob already gave one
    assert f'data-claim-id="{unworthy.pk}"' not in html


def test_the_queue_filters_by_article_speaker_and_statement(client, bob, alice, article, claim):
    other = make_claim(article, alice, "The mayor said", "Ingrid Solberg")
    client.force_login(bob)
    by_speaker = client.get(f"/review/?speaker={other.speaker_id}").content.decode()
    assert f'data-claim-id="{other.pk}"' in by_speaker
    assert f'data-claim-id="{claim.pk}"' not in by_speaker
    by_statement = client.get(f"/review/?statement={claim.statement_id}").content.decode()
    assert f'data-claim-id="{claim.pk}"' in by_statement
    assert f'data-claim-id="{other.pk}"' not in by_statement
    by_article = client.get(f"/review/?article={article.pk}&speaker=junk").content.decode()
    assert by_article.count("data-claim-id=") == 2


def test_a_reviewer_submits_a_verdict_with_sources(client, bob, claim, ratings):
    client.force_login(bob)
    response = client.post(
        f"/claims/{claim.pk}/",
        {
            "rating": ratings["Mostly true"].pk,
            "rationale": "Filings show a 31% fall.",
            "sources": "https://example.org/a | Filings | 1.9m to 1.3m\n\nhttps://example.org/b\n",
        },
    )
    assert response.status_code == 302
    verdict = Verdict.objects.get(claim=claim, reviewer=bob)
    assert verdict.status == "submitted"
    assert [(s.url, s.title, s.excerpt) for s in verdict.sources.all()] == [
        ("https://example.org/a", "Filings", "1.9m to 1.3m"),
        ("https://example.org/b", "", ""),
    ]
    assert Claim.objects.get(pk=claim.pk).status == "in_review"
    # The form comes back filled in for editing.
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "https://example.org/a | Filings | 1.9m to 1.3m" in html
    assert 'name="version" value="1"' in html


def test_a_draft_is_not_submitted(client, bob, claim, ratings):
    client.force_login(bob)
    client.post(f"/claims/{claim.pk}/", {"rating": ratings["False"].pk, "draft": "1"})
    assert Verdict.objects.get().status == "draft"
    assert Claim.objects.get(pk=claim.pk).status == "open"


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_saving_a_draft_and_submitting_say_different_things(client, bob, claim, ratings):
    """Issue 15, bug 11: both said "Your verdict was saved."."""
    client.force_login(bob)
    draft = client.post(
        f"/claims/{claim.pk}/", {"rating": ratings["False"].pk, "draft": "1"}, follow=True
    )
    submitted = client.post(
        f"/claims/{claim.pk}/",
        {"rating": ratings["False"].pk, "rationale": "The register says 12.", "version": "1"},
        follow=True,
    )
    assert said(draft) == ["Draft saved. Only you can see it; submit it to send it for moderation."]
    assert said(submitted)[0].startswith("Verdict submitted for moderation.")


def test_a_verdict_is_not_submitted_without_a_rationale(client, bob, claim, ratings):
    """Issue 15, bug 11: a blank rationale was submitted; a draft may still be blank."""
    client.force_login(bob)
    response = client.post(
        f"/claims/{claim.pk}/", {"rating": ratings["False"].pk, "rationale": " "}
    )
    assert response.status_code == 400
    assert "Say why" in response.context["form"].errors["rationale"][0]
    assert not Verdict.objects.exists()
    assert Claim.objects.get(pk=claim.pk).status == "open"
    draft = client.post(f"/claims/{claim.pk}/", {"rating": ratings["False"].pk, "draft": "1"})
    assert draft.status_code == 302
    assert Verdict.objects.get().status == "draft"


def test_verdict_errors_are_shown(client, bob, claim, ratings):
    client.force_login(bob)
    response = client.post(f"/claims/{claim.pk}/", {"rating": "", "sources": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(
        f"/claims/{claim.pk}/",
        {
            "rating": ratings["False"].pk,
            "sources": "https://ok.example.org\nftp://files.example.org/x",
        },
    )
    assert response.status_code == 400
    assert "Line 2: " in response.content.decode()
    assert not Verdict.objects.exists()
    stale = client.post(
        f"/claims/{claim.pk}/", {"rating": ratings["False"].pk, "rationale": "Why.", "version": "7"}
    )
    assert stale.status_code == 302  # no verdict yet: nothing to be stale against
    response = client.post(
        f"/claims/{claim.pk}/", {"rating": ratings["True"].pk, "rationale": "Why.", "version": "7"}
    )
    assert response.status_code == 409  # a stale edit is a conflict (issue 6)
    assert "changed by someone else" in response.content.decode()


def test_blind_review_hides_others_until_i_submit(
    client, bob, carol, claim, ratings, django_assert_max_num_queries
):
    actions.save_verdict(
        claim=claim, reviewer=carol, rating=ratings["False"], rationale="Carol thinks not"
    )
    client.force_login(bob)
    with django_assert_max_num_queries(12):
        html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "Carol thinks not" not in html
    assert "stay hidden until you submit yours" in html
    client.post(
        f"/claims/{claim.pk}/", {"rating": ratings["True"].pk, "rationale": "Bob thinks so"}
    )
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "Carol thinks not" in html


def test_annotators_see_no_form_and_cannot_post(client, alice, claim, ratings):
    client.force_login(alice)
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert 'data-testid="verdict-form"' not in html
    assert 'data-testid="claim-context"' in html
    response = client.post(f"/claims/{claim.pk}/", {"rating": ratings["True"].pk})
    assert response.status_code == 403
    assert not Verdict.objects.exists()


def test_a_published_claim_takes_no_more_verdicts(client, bob, carol, dana, claim, ratings):
    verdict = actions.save_verdict(
        claim=claim, reviewer=carol, rating=ratings["True"], rationale="Checked against the record."
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    client.force_login(bob)
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert 'data-testid="verdict-form"' not in html
    assert "it takes no more verdicts" in html
    assert client.post(f"/claims/{claim.pk}/", {"rating": ratings["True"].pk}).status_code == 403


def test_a_long_queue_is_counted_only_so_far_and_still_pages_on(rf, article, alice):
    from factcheck.views import paginate_capped

    for i in range(12):
        actions.create_claim(article=article, by=alice, start=i, end=i + 3)
    claims = Claim.objects.order_by("pk")
    page = paginate_capped(rf.get("/review/"), claims, size=2, cap=5)
    assert page.paginator.capped and page.paginator.num_pages == 3  # "of 3+"
    assert page.has_next()
    # Asking for a later page moves the cap with it: its rows are there, and a next one.
    page = paginate_capped(rf.get("/review/?page=4"), claims, size=2, cap=5)
    assert page.number == 4 and [c.start for c in page] == [6, 7] and page.has_next()
    whole = paginate_capped(rf.get("/review/"), claims, size=5, cap=100)
    assert not whole.paginator.capped and whole.paginator.count == 12


def test_the_queue_shows_a_chosen_filter_as_selected(client, bob, alice, article, claim):
    client.force_login(bob)
    html = client.get(f"/review/?speaker={claim.speaker_id}").content.decode()
    assert f'<option value="{claim.speaker_id}" selected>Tomas Berg</option>' in html


def test_after_a_verdict_the_next_claim_is_in_the_same_filtered_queue(
    client, bob, alice, article, claim, ratings
):
    """Issue 15: the queue kept no filters, showed no counts, and a verdict led nowhere."""
    mayor = make_claim(article, alice, "The mayor said", "Ingrid Solberg")
    ferry = make_claim(article, alice, "The ferry operator", "Tomas Berg")  # claim's speaker too
    client.force_login(bob)
    queue = client.get("/review/", {"speaker": claim.speaker_id}).text
    assert 'data-testid="queue-waiting">2<' in queue and 'data-testid="queue-done">0<' in queue
    assert f'href="/claims/{claim.pk}/?speaker={claim.speaker_id}"' in queue
    response = client.post(
        f"/claims/{claim.pk}/?speaker={claim.speaker_id}",
        {"rating": ratings["False"].pk, "rationale": "The count says 12%."},
        follow=True,
    )
    assert response.redirect_chain == [(f"/claims/{claim.pk}/?speaker={claim.speaker_id}", 302)]
    page = response.text
    assert f'href="/claims/{ferry.pk}/?speaker={claim.speaker_id}"' in page  # not the mayor's
    assert f"/claims/{mayor.pk}/" not in page
    assert f'href="/review/?speaker={claim.speaker_id}"' in page
    queue = client.get("/review/", {"speaker": claim.speaker_id}).text
    assert 'data-testid="queue-waiting">1<' in queue and 'data-testid="queue-done">1<' in queue
    assert '<progress max="2" value="1"' in queue


def test_the_claim_context_is_cut_between_words_not_inside_one(client, bob, alice, ratings):
    """Issue 15: context excerpts were cut mid-word ("…ouncil voted")."""
    words = " ".join(f"word{i:04d}" for i in range(200))  # 8 letters and a space: 400 cuts one
    text = f"{words} The toll has not changed in ten years. {words}"
    article = actions.create_article(title="Long context", text=text, by=alice)
    quote = "The toll has not changed in ten years."
    start = text.index(quote)
    claim = actions.create_claim(article=article, by=alice, start=start, end=start + len(quote))
    client.force_login(bob)
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    context = html.split('data-testid="claim-context"', 1)[1].split("</div>", 1)[0]
    before = context.split("…", 1)[1].split("<mark", 1)[0]
    after = context.split("</mark>", 1)[1].rsplit("…", 1)[0]
    assert before.split()[0] in words.split() and after.split()[-1] in words.split()
    assert before.strip() and after.strip()


def test_context_without_spaces_is_still_shown(client, bob, alice):
    """Text with no spaces between words (Chinese) is cut where it falls, not emptied."""
    filler = "中华人民共和国国务院新闻办公室" * 40
    quote = "他说，通行费十年未变。"
    text = f"{filler}{quote}{filler}"
    article = actions.create_article(title="无空格", text=text, by=alice, language="zh")
    start = text.index(quote)
    claim = actions.create_claim(article=article, by=alice, start=start, end=start + len(quote))
    client.force_login(bob)
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    context = html.split('data-testid="claim-context"', 1)[1].split("</div>", 1)[0]
    assert len(context.split("<mark", 1)[0].split("…", 1)[1]) >= 300


def queue_data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="queue-data" type="application/json">') + 48
    return json.loads(html[start : html.index("</script>", start)])


def test_the_queue_carries_the_earlier_fact_checks_the_cache_keeps(
    client,
    bob,
    alice,
    dana,
    article,
    claim,
    attributed,
    ratings,
    django_capture_on_commit_callbacks,
):
    """Issue 19: the queue's script shows each claim's earlier fact-checks; the page carries
    those already kept, and the API (which the script asks for the others) keeps them."""
    client.force_login(bob)
    data = queue_data(client.get("/review/"))
    assert data["kept"] == {str(claim.pk): None}  # never asked yet
    url = data["matchesUrl"].replace("/0/", f"/{claim.pk}/")
    rows = client.get(url, {"limit": data["limit"]}).json()
    assert rows[0]["claim"] == attributed.pk and rows[0]["strong"]
    assert queue_data(client.get("/review/"))["kept"] == {str(claim.pk): rows}
    # A new publication retires every kept match at once.
    quote = "The mayor said"
    start = ARTICLE_TEXT.index(quote)
    other = actions.create_claim(article=article, by=alice, start=start, end=start + len(quote))
    with django_capture_on_commit_callbacks(execute=True):
        verdict = actions.save_verdict(
            claim=other, reviewer=bob, rating=ratings["True"], rationale="Checked."
        )
        actions.approve_verdict(verdict=verdict, by=dana)
    assert queue_data(client.get("/review/"))["kept"] == {str(claim.pk): None}


def test_a_queue_page_of_20_claims_costs_the_same_queries_as_one(
    client, bob, alice, article, attributed
):
    """Matching costs a few queries a claim: the page leaves it to the API, which keeps it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(bob)
    counts = {}
    for n in (1, 20):
        while Claim.objects.exclude(pk=attributed.pk).count() < n:
            i = Claim.objects.count()
            actions.create_claim(
                article=article, by=alice, start=i, end=i + 40, summary=f"ridership fell {i}"
            )
        with CaptureQueriesContext(connection) as page:
            data = queue_data(client.get("/review/"))
        counts[n] = len(page)
    assert len(data["kept"]) == 20
    assert counts[1] == counts[20] <= 11
    # Each claim's matches through the API, first from the matcher, then kept.
    first = next(iter(data["kept"]))
    url = data["matchesUrl"].replace("/0/", f"/{first}/") + "?limit=2"
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    print(
        f"review queue: {counts[1]} queries for 1 claim, {counts[20]} for 20; a claim's "
        f"matches {len(cold)} queries cold, {len(warm)} kept"
    )
    assert len(warm) < len(cold) <= len(warm) + 4
