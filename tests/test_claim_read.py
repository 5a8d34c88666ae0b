"""The claim read declaration (factcheck.claim_read): the one list of what a claim is when read.

A field added to the declaration alone must reach the API, the annotation page's data and
every export; nothing else names a claim's fields.
"""

import csv
import io
import json
import re

import pytest
from django.db.models.functions import Length
from rest_framework.test import APIClient

from factcheck import actions, claim_read
from factcheck.exports import claim_row
from factcheck.exports.claimreview import claim_review
from factcheck.models import Role

from .conftest import api, claims_on_page


@pytest.fixture
def quote_length(monkeypatch):
    """A new claim field, declared in claim_read only (as a test may: by patching)."""
    field = claim_read.ReadField("quote_length", Length("quote"), int, help="Characters.")
    monkeypatch.setattr(claim_read, "CLAIM", [*claim_read.CLAIM, field])
    return field


def page_data(client, article) -> dict:
    html = client.get(f"/articles/{article.pk}/").content.decode()
    found = re.search(r'<script id="annotate-data" type="application/json">(.*?)</script>', html)
    data = json.loads(found.group(1))
    return {**data, "claims": claims_on_page(data["claims"])}


def test_a_declared_field_reaches_every_reader(quote_length, alice, bob, dana, claim, ratings):
    verdict = actions.save_verdict(
        claim=claim, reviewer=bob, rating=ratings["False"], rationale="Checked against the record."
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    length = len(claim.quote)
    client = api(alice)

    # The API: the list, one claim, and the schema's description of a claim.
    (listed,) = client.get("/api/v1/claims/").json()["results"]
    assert listed["quote_length"] == length
    assert client.get(f"/api/v1/claims/{claim.pk}/").json()["quote_length"] == length
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "quote_length" in schema["components"]["schemas"]["Claim"]["properties"]

    # The annotation page's data.
    (on_page,) = page_data(client, claim.article)["claims"]
    assert on_page["quote_length"] == length

    # Every export: W3C (under its extension key), JSONL, CSV.
    anonymous = APIClient()
    w3c = b"".join(anonymous.get("/api/v1/export/annotations/?page_size=all").streaming_content)
    (item,) = json.loads(w3c)["first"]["items"]
    assert item["factcheck"]["quote_length"] == length
    lines = b"".join(client.get("/api/v1/export/claims.jsonl").streaming_content).splitlines()
    (record,) = json.loads(lines[0])["claims"]
    assert record["quote_length"] == length
    raw = b"".join(client.get("/api/v1/export/claims.csv").streaming_content)
    (row,) = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert row["quote_length"] == str(length)
    # ClaimReview is schema.org's fixed vocabulary: it shows only what it maps, but reads the
    # same declared rows (the field is there for it to map).
    exported = claim_row(claim)
    assert exported["quote_length"] == length
    assert claim_review(exported, base_url="http://testserver", scale=None) is not None


def test_a_field_can_be_kept_from_a_reader(monkeypatch, alice, claim):
    """``readers`` says who shows a field: an export-only field stays out of the API."""
    field = claim_read.ReadField("quote_length", Length("quote"), int, claim_read.ONLY_EXPORT)
    monkeypatch.setattr(claim_read, "CLAIM", [*claim_read.CLAIM, field])
    assert "quote_length" not in api(alice).get(f"/api/v1/claims/{claim.pk}/").json()
    assert claim_row(claim)["quote_length"] == len(claim.quote)


@pytest.mark.parametrize(
    ("persona", "own", "other"),
    [("alice", True, False), ("dana", True, True), ("bob", False, False)],
)
def test_editable_is_who_may_edit(request, persona, own, other, alice, mallory, bob, dana, article):
    """``editable`` in the rows is the model's rule: moderators any claim, an annotator their
    own open ones, a reviewer none; it agrees with what the API then lets them do."""
    mine = actions.create_claim(article=article, by=alice, start=0, end=9)
    theirs = actions.create_claim(article=article, by=mallory, start=10, end=20)
    user = request.getfixturevalue(persona)
    client = api(user)
    for claim, expected in ((mine, own), (theirs, other)):
        shown = client.get(f"/api/v1/claims/{claim.pk}/").json()
        assert shown["editable"] is expected
        assert claim.is_editable_by(user) is expected
        answer = client.patch(f"/api/v1/claims/{claim.pk}/", {"summary": "edited"}, format="json")
        assert (answer.status_code == 200) is expected, answer.content


def test_reads_cost_the_same_for_one_or_many_claims(alice, article):
    """The claims and their approved verdicts in one query, however many, for every reader."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_read(reader=claim_read.API) -> int:
        with CaptureQueriesContext(connection) as context:
            claim_read.ClaimReader(reader, alice).read(article.claims.all())
        return len(context)

    Role.of(alice)  # the reader's role, read once per request, is not the claims' cost
    actions.create_claim(article=article, by=alice, start=0, end=4)
    one = queries_to_read()
    for start in range(5, 50, 5):
        actions.create_claim(article=article, by=alice, start=start, end=start + 4)
    assert queries_to_read() == one == 1
    assert queries_to_read(claim_read.EXPORT) == 1


def test_times_and_dates_read_as_every_reader_writes_them(alice, article):
    """Dates and times come from the database as ISO 8601 text (``IsoText``): exactly what DRF
    writes of the aware datetime (a fraction only when there is one), whole seconds in W3C."""
    import datetime

    from rest_framework import serializers

    from factcheck.models import Claim, Speaker, Statement

    speaker = Speaker.objects.create(name="Ann Example")
    statement = Statement.objects.create(
        speaker=speaker, title="Briefing", date=datetime.date(2026, 3, 5)
    )
    with_fraction = actions.create_claim(article=article, by=alice, start=0, end=4)
    whole = actions.create_claim(article=article, by=alice, start=5, end=9)
    Claim.objects.filter(pk=with_fraction.pk).update(
        created_at=datetime.datetime(2026, 3, 5, 12, 0, 0, 500, tzinfo=datetime.UTC),
        speaker=speaker,
        statement=statement,
    )
    Claim.objects.filter(pk=whole.pk).update(
        created_at=datetime.datetime(2026, 3, 5, 12, 0, 0, tzinfo=datetime.UTC)
    )
    drf = serializers.DateTimeField()
    client = api(alice)
    for claim, expected in ((with_fraction, "2026-03-05T12:00:00.000500Z"), (whole, None)):
        claim.refresh_from_db()
        shown = client.get(f"/api/v1/claims/{claim.pk}/").json()
        assert shown["created_at"] == drf.to_representation(claim.created_at)
        assert shown["updated_at"] == drf.to_representation(claim.updated_at)
        if expected:
            assert shown["created_at"] == expected
    assert client.get(f"/api/v1/claims/{whole.pk}/").json()["created_at"] == "2026-03-05T12:00:00Z"

    row = claim_row(with_fraction)
    assert row["statement_date"] == "2026-03-05"
    assert row["created_at"] == "2026-03-05T12:00:00.000500Z"
    w3c = b"".join(client.get("/api/v1/export/annotations/?page_size=all").streaming_content)
    created = {
        i["id"].rstrip("/").rsplit("/", 1)[-1]: i["created"]
        for i in json.loads(w3c)["first"]["items"]
    }
    assert created == {
        str(with_fraction.pk): "2026-03-05T12:00:00Z",
        str(whole.pk): "2026-03-05T12:00:00Z",
    }


def test_a_page_ordered_by_time_is_in_time_order(alice, article):
    """The page's rows are put in the ordering's order by their time text: a time without a
    fraction comes before the same second with one."""
    import datetime

    from factcheck.models import Claim

    at = datetime.datetime(2026, 3, 5, 12, 0, 0, tzinfo=datetime.UTC)
    made = [
        actions.create_claim(article=article, by=alice, start=i * 5, end=i * 5 + 4)
        for i in range(3)
    ]
    for claim, when in zip(
        made,
        (at + datetime.timedelta(microseconds=500_000), at, at + datetime.timedelta(seconds=1)),
        strict=True,
    ):
        Claim.objects.filter(pk=claim.pk).update(created_at=when)
    client = api(alice)
    ids = [c["id"] for c in client.get("/api/v1/claims/?ordering=created_at").json()["results"]]
    assert ids == [made[1].pk, made[0].pk, made[2].pk]
    ids = [c["id"] for c in client.get("/api/v1/claims/?ordering=-created_at").json()["results"]]
    assert ids == [made[2].pk, made[0].pk, made[1].pk]


def test_a_bulk_read_in_batches_gives_every_claim_once_in_order(alice, article):
    """On PostgreSQL each next batch is read on a thread of its own while the caller uses
    the one before (on the same connection and transaction: it sees this test's claims)."""
    from factcheck.exports import claim_batches

    made = [
        actions.create_claim(article=article, by=alice, start=s, end=s + 4) for s in range(0, 35, 5)
    ]
    batches = list(claim_batches(article.claims.all(), size=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [row["id"] for b in batches for row in b] == [c.pk for c in made]
    assert [len(b) for b in claim_batches(article.claims.all(), size=3, limit=5)] == [3, 2]


def test_a_bulk_read_left_early_gives_its_connection_back(alice, article):
    """A client gone in the middle of an export: the batch being read ahead is waited for,
    and the connection is this thread's alone again, and usable."""
    from django.db import connection

    from factcheck.exports import claim_batches

    for s in range(0, 35, 5):
        actions.create_claim(article=article, by=alice, start=s, end=s + 4)
    batches = claim_batches(article.claims.all(), size=2)
    assert len(next(batches)) == 2
    batches.close()
    assert not connection.allow_thread_sharing
    assert article.claims.count() == 7


def test_a_failure_reading_ahead_is_raised_to_the_reader(alice, article, monkeypatch):
    from factcheck.exports import claim_batches

    for s in range(0, 35, 5):
        actions.create_claim(article=article, by=alice, start=s, end=s + 4)
    reads = []
    real = claim_read.ClaimReader.read

    def read(self, claims, **kwargs):
        reads.append(1)
        if len(reads) == 2:
            raise RuntimeError("the database went away")
        return real(self, claims, **kwargs)

    monkeypatch.setattr(claim_read.ClaimReader, "read", read)
    batches = claim_batches(article.claims.all(), size=2)
    assert len(next(batches)) == 2
    with pytest.raises(RuntimeError, match="went away"):
        next(batches)
    from django.db import connection

    assert not connection.allow_thread_sharing
