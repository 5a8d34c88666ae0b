"""The bulk exports' row writers write exactly what the straightforward encoder writes.

W3C and JSONL read raw database rows (datetimes and dates formatted by the database) and
write each claim from a prebuilt template; ``w3c.annotation`` and ``jsonl.article_record``
fed through ``json`` are the reference. The data here is chosen to catch a template
that forgets an escape, a null or a branch.
"""

import csv
import datetime

import pytest
from django.contrib.auth.models import User
from django.db.models import Q

from factcheck import actions
from factcheck.exports import (
    CLAIM_FIELDS,
    ById,
    attach_verdicts,
    batches,
    claim_row,
    claim_rows,
    claimreview,
    jsonl,
    rating_scale,
    raw_batches,
    w3c,
)
from factcheck.exports import csv as csv_export
from factcheck.models import Article, Claim, Rating, Speaker, Statement

# Escapes in the base URL too: each piece of a template is escaped on its own.
BASE = 'https://désk.example.org/fact"check'

ODD_TEXT = (
    "Før \"the bridge\" the mayor said: \\ back\\slash — “curly” and 'single'.\n"
    "A second line\twith a tab, 🚗🌉 cars and a heart ❤️ and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.\n"
    "Ünïcödé at the end </script> & <b>tags</b>."
)


@pytest.fixture
def odd_claims(alice, bob, carol, dana):
    """Claims over every branch of the writers, in text that needs escaping."""
    bob.first_name, bob.last_name = "Bøb", 'O"Neil \\ 🚗'
    bob.save()
    scale = list(Rating.objects.order_by("pk"))
    unscored = Rating.objects.create(label="Unscored “odd” \\ rating", value=None, order=99)
    speaker = Speaker.objects.create(
        name='Tomas "TB" Berg',
        kind=Speaker.Kind.ORGANISATION,
        description="Says\nthings — often",
        aliases="T. Berg\n  Tommy 🚗 \n\n\\TB\\\n",
        wikidata_id="Q42",
    )
    plain_speaker = Speaker.objects.create(name="Ann Ødegård")
    dated = Statement.objects.create(
        speaker=speaker,
        title='Interview: "bridges" \\ tolls',
        kind=Statement.Kind.INTERVIEW,
        date=datetime.date(999, 1, 2),
        venue="Radio\tNordhavn",
        url="https://radio.example.org/a?b=1&c=“2”",
    )
    undated = Statement.objects.create(title="Undated post ❤️")
    odd = actions.create_article(
        title='Odd "text" \\ 🚗',
        text=ODD_TEXT,
        url='https://news.example.org/ødd?q="x"',
        publisher="Nordhavn “Post”",
        byline="A. Writer\\B",
        published_on=datetime.date(2026, 3, 5),
        language="nb",
        by=alice,
    )
    bare = actions.create_article(title="@No URL, no date", text=ODD_TEXT, by=alice)
    empty = actions.create_article(title="Nothing claimed", text="Quiet.", by=alice)

    def claim(article, quote, **fields):
        return actions.create_claim(article=article, by=alice, quote=quote, **fields)

    made = [
        claim(
            odd,
            '"the bridge"',
            kind="direct_quote",
            speaker=speaker,
            statement=dated,
            summary='He said "the bridge" \\ with 🚗',
            cue=(ODD_TEXT.index("the mayor"), ODD_TEXT.index("the mayor") + 9),
            source_mention=(0, 3),
        ),
        claim(odd, "back\\slash", kind="author_claim", check_worthy=False),
        claim(odd, "with a tab, 🚗🌉 cars", speaker=plain_speaker, statement=undated),
        claim(odd, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", kind="mixed_quote", summary="Fraktur\nline"),
        claim(bare, "</script> & <b>tags</b>", speaker_name="Ann Ødegård"),
        claim(bare, "“curly”", kind="indirect_quote"),
        claim(odd, "Ünïcödé"),
        claim(bare, "A second line", summary="=SUM(A1)", speaker_name="+Plus -Minus"),
    ]
    # Approved with sources and a rationale that needs escaping; reviewer with a full name.
    verdict = actions.save_verdict(
        claim=made[0],
        reviewer=bob,
        rating=scale[0],
        rationale='Counts say "no".\nSee \\ the 🚗 data </script>',
        sources=[
            actions.Source(url="https://data.example.org/1", title="Counts “2026”", excerpt="a\nb"),
            actions.Source(url="https://data.example.org/2"),
        ],
    )
    actions.approve_verdict(verdict=verdict, by=dana)
    # Approved, no rationale, a rating without a value; reviewer without a full name.
    verdict = actions.save_verdict(claim=made[2], reviewer=carol, rating=unscored)
    actions.approve_verdict(verdict=verdict, by=dana)
    # Published, said by the article's author (no speaker), on an article without a URL.
    verdict = actions.save_verdict(claim=made[5], reviewer=bob, rating=scale[1])
    actions.approve_verdict(verdict=verdict, by=dana)
    # An approved verdict on a claim that is not (or no longer) published: no public URL.
    Claim.objects.filter(pk=made[2].pk).update(status=Claim.Status.IN_REVIEW)
    # Submitted, not approved: no verdict in the exports.
    actions.save_verdict(claim=made[3], reviewer=carol, rating=scale[-1], rationale="Maybe.")
    # A creator who left (SET_NULL), one with an empty full name, and odd timestamps.
    Claim.objects.filter(pk=made[1].pk).update(created_by=None)
    gone = User.objects.create_user("gone-soon")
    Claim.objects.filter(pk=made[5].pk).update(created_by=gone)
    utc = datetime.UTC
    Claim.objects.filter(pk=made[4].pk).update(
        created_at=datetime.datetime(2026, 3, 5, 23, 59, 59, 999999, tzinfo=utc),
        updated_at=datetime.datetime(2026, 3, 6, 0, 0, 0, tzinfo=utc),
    )
    Claim.objects.filter(pk=made[6].pk).update(
        created_at=datetime.datetime(
            2026, 3, 6, 1, 30, 0, 500000, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
        ),
        published_at=datetime.datetime(1999, 12, 31, 23, 59, 59, 999500, tzinfo=utc),
    )
    return made, empty


def test_w3c_annotations_are_those_of_the_straightforward_encoder(odd_claims):
    got = list(w3c.annotations_json(Claim.objects.all(), base_url=BASE))
    want = [
        (c.pk, w3c._dumps(w3c.annotation(claim_row(c), base_url=BASE, context=False)))
        for c in Claim.objects.order_by("pk")
    ]
    assert len(got) == 8
    assert got == want


def test_w3c_annotations_respect_limit_and_batches(odd_claims):
    everything = list(w3c.annotations_json(Claim.objects.all(), base_url=BASE))
    assert (
        list(w3c.annotations_json(Claim.objects.all(), base_url=BASE, limit=3)) == (everything[:3])
    )
    # Keyset batches of two give the same rows as one batch.
    rows = [r for batch in raw_batches(Claim.objects.order_by("pk"), ("pk",), 2) for r in batch]
    assert [r[0] for r in rows] == [pk for pk, _ in everything]


def reference_jsonl(articles, claims, base_url):
    """The JSONL export as it was written before the row writers: dicts through ``json``."""
    for rows in batches(articles.order_by("pk").values(*jsonl.ARTICLE_FIELDS), 20):
        ids = [a["pk"] for a in rows]
        spans = list(
            claims.filter(article_id__in=ids)
            .order_by("article_id", "start", "-end", "pk")
            .values(*CLAIM_FIELDS)
        )
        attach_verdicts(spans, Q(claim__article_id__in=ids))
        for article in rows:
            mine = [s for s in spans if s["article_id"] == article["pk"]]
            yield jsonl._dumps(jsonl.article_record(article, mine, base_url=base_url)) + "\n"


def test_jsonl_lines_are_those_of_the_straightforward_encoder(odd_claims):
    got = "".join(jsonl.stream_jsonl(Article.objects.all(), Claim.objects.all(), base_url=BASE))
    want = "".join(reference_jsonl(Article.objects.all(), Claim.objects.all(), BASE))
    assert got.count("\n") == 3
    assert got == want


def test_jsonl_for_outsiders_is_that_of_the_straightforward_encoder(odd_claims):
    articles, claims = Article.objects.filter(pk=odd_claims[0][0].article_id), Claim.objects
    got = "".join(jsonl.stream_jsonl(articles, claims.published(), base_url=BASE))
    assert got == "".join(reference_jsonl(articles, claims.published(), BASE))


def test_csv_lines_are_those_of_the_straightforward_encoder(odd_claims):
    got = "".join(csv_export.stream_csv(Claim.objects.all(), base_url=BASE))

    class Line:
        def write(self, value):
            return value

    writer = csv.writer(Line())
    want = csv_export.BOM + writer.writerow(csv_export.COLUMNS)
    for row in claim_rows(Claim.objects.order_by("pk")):
        want += writer.writerow(csv_export.csv_row(row, base_url=BASE))
    assert got.count("\r\n") >= 9 and "'=SUM(A1)" in got and "'@No URL" in got
    assert got == want


def test_claimreviews_are_those_of_the_full_rows(odd_claims):
    # ClaimReview reads fewer columns than claim_rows gives by default; the same JSON.
    got = "".join(claimreview.stream_claimreviews(Claim.objects.all(), base_url=BASE))
    reviews = [
        claimreview.claim_review(row, base_url=BASE, scale=rating_scale())
        for row in claim_rows(Claim.objects.published())
    ]
    for review in reviews:
        del review["@context"]
    want = '{"@context":"https://schema.org","@graph":['
    want += ",".join(claimreview._dumps(r) for r in reviews if r is not None) + "]}"
    assert got.count('"ClaimReview"') == 2
    assert got == want


def test_by_id_reads_each_row_once_and_forgets_beyond_its_limit(
    odd_claims, django_assert_num_queries
):
    ids = sorted(Speaker.objects.values_list("pk", flat=True))
    assert len(ids) == 3
    speakers = ById(Speaker, ["name"], str.upper, limit=2)
    with django_assert_num_queries(1):
        speakers.read([ids[0], None, ids[0]])
    with django_assert_num_queries(0):
        speakers.read([ids[0]])
    # Over the limit: the known ones are forgotten, and this batch's all read again.
    with django_assert_num_queries(1):
        speakers.read([ids[0], ids[1], ids[2]])
    assert speakers.known == {
        pk: name.upper() for pk, name in Speaker.objects.values_list("pk", "name")
    }
