"""Speaker and statement pages: who said what, in which statement, in which articles."""

from factcheck import actions
from factcheck.models import Speaker, Statement


def test_speaker_index_searches_names_and_aliases(
    client, alice, claim, django_assert_max_num_queries
):
    speaker = claim.speaker
    speaker.aliases = "CEO Berg"
    speaker.save()
    Speaker.objects.create(name="Ingrid Solberg")
    client.force_login(alice)
    with django_assert_max_num_queries(7):
        html = client.get("/speakers/").content.decode()
    assert "Tomas Berg" in html and "Ingrid Solberg" in html
    html = client.get("/speakers/?q=ceo").content.decode()
    assert "Tomas Berg" in html and "Ingrid Solberg" not in html


def test_a_speaker_page_lists_statements_and_claims(
    client, alice, bob, dana, claim, ratings, django_assert_max_num_queries
):
    verdict = actions.save_verdict(
        claim=claim,
        reviewer=bob,
        rating=ratings["Mostly true"],
        rationale="Checked against the record.",
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    client.force_login(alice)
    with django_assert_max_num_queries(9):
        html = client.get(f"/speakers/{claim.speaker_id}/").content.decode()
    assert "Interview with Radio Nordhavn" in html
    assert "ridership fell by a third" in html
    assert "Verdict: Mostly true" in html


def test_a_statement_page_lists_its_claims_across_articles(
    client, alice, claim, django_assert_max_num_queries
):
    second = actions.create_article(
        title="Ferry follow-up", text="Berg repeated that ridership fell.", by=alice
    )
    actions.create_claim(
        article=second,
        by=alice,
        start=6,
        end=33,
        speaker_name="Tomas Berg",
        statement_title="Interview with Radio Nordhavn",
    )
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        html = client.get(f"/statements/{claim.statement_id}/").content.decode()
    assert "Bridge toll row" in html and "Ferry follow-up" in html
    assert html.count('data-claim-id="') == 2


def test_statement_index(client, alice, claim, django_assert_max_num_queries):
    Statement.objects.create(title="Budget speech")
    client.force_login(alice)
    with django_assert_max_num_queries(7):
        html = client.get("/statements/").content.decode()
    assert "Interview with Radio Nordhavn" in html and "Budget speech" in html
    html = client.get("/statements/?q=tomas").content.decode()
    assert "Interview with Radio Nordhavn" in html and "Budget speech" not in html


def test_unknown_ids_are_404(client, alice):
    client.force_login(alice)
    for url in ("/speakers/999/", "/statements/999/", "/claims/999/"):
        assert client.get(url).status_code == 404


def test_registry_lists_count_each_rows_claims_and_statements(client, alice, claim, article):
    """Counts are made for the page's rows only; they must still be each row's own."""
    berg = claim.speaker
    other = Speaker.objects.create(name="Ingrid Solberg")
    Statement.objects.create(speaker=berg, title="Press release")
    idle = Statement.objects.create(speaker=other, title="Nothing said")
    start = article.text.index("ridership")
    actions.create_claim(
        article=article,
        by=alice,
        start=start,
        end=start + 9,
        speaker_name="Tomas Berg",
        statement_title=claim.statement.title,
    )
    client.force_login(alice)
    page = client.get("/speakers/").context["page"]
    rows = {s.name: (s.num_statements, s.num_claims) for s in page}
    assert rows == {"Tomas Berg": (2, 2), "Ingrid Solberg": (1, 0)}
    page = client.get("/statements/").context["page"]
    rows = {st.pk: st.num_claims for st in page}
    assert rows[claim.statement_id] == 2 and rows[idle.pk] == 0
    assert rows[Statement.objects.get(title="Press release").pk] == 0
