"""Imports written in bulk (``actions.create_imported``): history rows, reuse within a file,
and nothing written until every record has been checked."""

import json

import pytest

from bench.imports import forget, write_doccano
from factcheck import imports
from factcheck.models import Article, Claim, Speaker, Statement

TEXT = "Mayor Solberg said the toll has not changed in ten years. Berg said ridership fell."


def span(quote):
    start = TEXT.index(quote)
    return start, start + len(quote)


def record(*claims, url="https://example.org/toll", text=TEXT):
    return json.dumps({"text": text, "url": url, "claims": list(claims)}) + "\n"


def claim(quote, **extra):
    s, e = span(quote)
    return {"start": s, "end": e, **extra}


def test_it_writes_a_history_row_for_everything_it_makes(alice):
    data = record(
        claim("has not changed", speaker="Mayor Solberg", statement="Council meeting"),
        claim("ridership fell", speaker={"name": "Berg", "aliases": ["K. Berg"]}),
    )
    result = imports.import_annotations(data, fmt="ours", by=alice)
    assert (result.articles_created, result.claims_created) == (1, 2)
    for model in (Article, Speaker, Statement, Claim):
        made = set(model.objects.values_list("pk", flat=True))
        history = model.history.filter(history_type="+")
        # One "+" row for each object, by whoever imported it, as a single save would leave.
        assert set(history.values_list("id", flat=True)) == made, model
        assert set(history.values_list("history_user", flat=True)) == {alice.pk}, model
    assert sorted(result.created_claim_ids) == sorted(Claim.objects.values_list("pk", flat=True))
    statement = Statement.objects.get()
    assert statement.speaker.name == "Mayor Solberg"
    assert Claim.objects.get(statement=statement).speaker == statement.speaker
    assert Speaker.objects.get(name="Berg").alias_list == ["K. Berg"]


def test_a_name_or_article_given_twice_in_one_file_is_made_once(alice):
    data = record(claim("has not changed", speaker="Mayor Solberg")) + record(
        claim("has not changed", speaker="mayor  SOLBERG"),  # the same span again: skipped
        claim("ridership fell", speaker="Mayor Solberg", statement="Council meeting"),
        claim("Berg said", speaker="mayor solberg", statement="council MEETING"),
    )
    result = imports.import_annotations(data, fmt="ours", by=alice)
    assert (result.articles_created, result.articles_reused) == (1, 1)
    assert (result.claims_created, result.claims_skipped) == (3, 1)
    assert Speaker.objects.count() == 1 and Statement.objects.count() == 1
    assert Claim.objects.filter(speaker__name="Mayor Solberg").count() == 3


def test_a_speaker_already_here_is_found_by_alias(alice):
    Speaker.objects.create(name="Kari Berg", aliases="Berg")
    imports.import_annotations(record(claim("ridership fell", speaker="berg")), fmt="ours")
    assert Speaker.objects.count() == 1
    assert Claim.objects.get().speaker.name == "Kari Berg"


def test_a_url_given_twice_with_two_texts_is_refused(alice):
    data = record(claim("ridership fell")) + record(text=TEXT + " More.")
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_annotations(data, fmt="ours", by=alice)
    assert "line 2: url: An article with this URL exists here with a different text." in [
        str(p) for p in failed.value.problems
    ]
    assert not Article.objects.exists() and not Claim.objects.exists()


def test_progress_that_raises_leaves_nothing_written(alice):
    calls = []

    def progress():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("cancelled")

    data = record(claim("ridership fell")) + record(claim("Berg said"), url="https://e.org/2")
    with pytest.raises(RuntimeError):
        imports.import_annotations(data, fmt="ours", by=alice, progress=progress)
    assert not Article.objects.exists() and not Claim.objects.exists()
    assert not Claim.history.exists()


def test_the_benchmark_file_imports_whole_and_is_forgotten(tmp_path, alice):
    path = tmp_path / "doccano.jsonl"
    spans = write_doccano(str(path), documents=3, spans_per_document=20)
    with open(path, "rb") as source:
        result = imports.import_annotations(source, fmt="doccano", by=alice)
    assert result.claims_created == spans == Claim.objects.count() == Claim.history.count()
    articles = set(Claim.objects.values_list("article", flat=True))
    assert len(articles) == 3
    for claim_ in Claim.objects.select_related("article"):
        claim_.check_against_text()  # what save() would have checked
    forget(result)  # the benchmark leaves a kept data set as it found it
    assert not Claim.objects.exists() and not Claim.history.exists()
    assert not Article.history.filter(id__in=articles).exists()


@pytest.fixture
def one_record_a_part(monkeypatch):
    """Each record read, checked and (on PostgreSQL) written as a part of its own."""
    monkeypatch.setattr(imports, "CHUNK", 1)


def test_a_problem_after_parts_were_written_leaves_nothing(alice, one_record_a_part):
    good = [record(claim("ridership fell"), url=f"https://e.org/{i}") for i in range(3)]
    bad = record({"start": 0, "end": len(TEXT) + 5}, url="https://e.org/bad")
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_annotations("".join(good) + bad, fmt="ours", by=alice)
    assert [p.where for p in failed.value.problems] == ["line 4"]
    # PostgreSQL wrote the first records while it checked the last: all of it rolled back.
    assert not Article.objects.exists() and not Claim.objects.exists()
    assert not Claim.history.exists() and not Article.history.exists()


def test_a_cancel_while_parts_are_written_leaves_nothing(alice, one_record_a_part):
    calls = []

    def progress():
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("cancelled")

    data = "".join(record(claim("Berg said"), url=f"https://e.org/{i}") for i in range(4))
    with pytest.raises(RuntimeError):
        imports.import_annotations(data, fmt="ours", by=alice, progress=progress)
    assert not Article.objects.exists() and not Claim.history.exists()


@pytest.mark.parametrize("chunk", [1, 100])
def test_records_of_one_text_are_reused_alike_in_parts_or_whole(alice, monkeypatch, chunk):
    monkeypatch.setattr(imports, "CHUNK", chunk)

    def untitled(*claims, **meta):
        return json.dumps({"text": TEXT, "title": "Toll", "claims": list(claims), **meta}) + "\n"

    data = (
        untitled(claim("has not changed"))
        + untitled(claim("has not changed"), claim("ridership fell"))  # the same article
        + untitled(claim("has not changed"), publisher="Other")  # other metadata: another
    )
    result = imports.import_annotations(data, fmt="ours", by=alice)
    assert (result.articles_created, result.articles_reused) == (2, 1)
    assert (result.claims_created, result.claims_skipped) == (3, 1)
    assert sorted(result.created_article_ids) == sorted(
        Article.objects.values_list("pk", flat=True)
    )
    assert sorted(result.created_claim_ids) == sorted(Claim.objects.values_list("pk", flat=True))
    # Imported again, each record finds its article here: nothing new.
    again = imports.import_annotations(data, fmt="ours", by=alice)
    assert (again.articles_created, again.articles_reused, again.claims_created) == (0, 3, 0)


def test_what_an_import_wrote_in_parts_is_found_by_search(alice, one_record_a_part):
    from factcheck import search

    data = record(claim("ridership fell"), url="https://e.org/1") + json.dumps(
        {"text": "The ferry to Nordhavn runs hourly.", "label": [[4, 9, "DIRECT_QUOTE"]]}
    )
    result = imports.import_annotations(data, fmt="ours", by=alice)
    ferry = Article.objects.get(text__startswith="The ferry")
    assert ("article", ferry.pk) in [(h.kind, h.id) for h in search.search("Nordhavn", alice).hits]
    found = {(h.kind, h.id) for h in search.search("ridership", alice, kinds=["claim"]).hits}
    assert found == {("claim", c.pk) for c in Claim.objects.filter(quote="ridership fell")}
    assert len(result.created_claim_ids) == 2


def test_a_failed_write_is_raised_and_leaves_nothing(alice, one_record_a_part, monkeypatch):
    from django.db import DatabaseError, connections

    from factcheck import actions

    def broken(**kwargs):
        connection = kwargs.get("connection") or connections["default"]
        with connection.cursor() as cursor:  # aborts a PostgreSQL transaction, as a real failure
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(actions, "write_imported", broken)
    data = "".join(record(claim("Berg said"), url=f"https://e.org/{i}") for i in range(4))
    # Raised as the database's error, not as a problem of whichever record came next.
    with pytest.raises(DatabaseError):
        imports.import_annotations(data, fmt="ours", by=alice)
    assert not Article.objects.exists() and not Claim.history.exists()


def test_a_claim_built_for_an_import_is_the_claim_django_would_make(alice):
    from django.db.models import signals

    from factcheck import actions
    from factcheck import text as textlib

    article = Article.objects.create(title="Toll", text=TEXT, created_by=alice)
    speaker = Speaker(name="Mayor Solberg")  # unsaved, as an import makes them
    statement = Statement(title="Council meeting", speaker=speaker)
    s, e = span("has not changed")
    fields = {"kind": Claim.Kind.INDIRECT_QUOTE, "summary": "Toll", "check_worthy": False}
    built = actions.build_claim(
        article=article,
        span=textlib.span_at(TEXT, s, e),
        by=alice,
        speaker=speaker,
        statement=statement,
        cue=(0, 5),
        **fields,
    )
    made = Claim(
        article=article,
        start=s,
        end=e,
        quote="has not changed",
        prefix=TEXT[max(0, s - textlib.CONTEXT_LENGTH) : s],
        suffix=TEXT[e : e + textlib.CONTEXT_LENGTH],
        speaker=speaker,
        statement=statement,
        created_by=alice,
        cue_start=0,
        cue_end=5,
        **fields,
    )
    # Built without Model.__init__ (a copy of one claim it made): the same values, the same
    # related objects, and no init signal a receiver would miss.
    assert {k: v for k, v in built.__dict__.items() if k != "_state"} == {
        k: v for k, v in made.__dict__.items() if k != "_state"
    }
    assert built._state.fields_cache == made._state.fields_cache
    assert built._state.adding and built.pk is None
    assert not signals.pre_init.has_listeners(Claim)
    assert not signals.post_init.has_listeners(Claim)
    # Saved once its speaker and statement are: the claim refers to them.
    speaker.save()
    statement.save()
    built.save()
    assert Claim.objects.get(pk=built.pk).statement == statement


def test_a_claim_whose_article_was_never_saved_is_refused_by_the_bulk_write(alice):
    from factcheck import actions
    from factcheck import text as textlib

    article = Article(title="Toll", text=TEXT)  # never written
    s, e = span("ridership fell")
    claim_ = actions.build_claim(article=article, span=textlib.span_at(TEXT, s, e), by=alice)
    with pytest.raises(ValueError, match="unsaved related object 'article'"):
        actions.create_imported(articles=[], speakers=[], statements=[], claims=[claim_], by=alice)
    assert not Claim.objects.exists() and not Claim.history.exists()


def test_parts_that_grow_and_shrink_write_every_claim_once_with_its_history(
    alice, one_record_a_part
):
    """On PostgreSQL a part's rows are made while the part before is written, with ids
    drawn ahead for a part as large as the last one: a larger part takes the rest when it is
    its turn to be written. Every claim is written once, with its own history row."""
    quotes = ["Mayor Solberg said", "has not changed", "ten years", "Berg said", "ridership fell"]
    sizes = [1, 3, 2, 5, 1, 4]
    data = "".join(
        record(*(claim(q) for q in quotes[:n]), url=f"https://e.org/{i}")
        for i, n in enumerate(sizes)
    )
    result = imports.import_annotations(data, fmt="ours", by=alice)
    assert result.claims_created == sum(sizes) == Claim.objects.count()
    assert sorted(result.created_claim_ids) == sorted(Claim.objects.values_list("pk", flat=True))
    assert sorted(Claim.history.values_list("id", flat=True)) == sorted(result.created_claim_ids)
    for i, n in enumerate(sizes):
        article = Article.objects.get(url=f"https://e.org/{i}")
        assert sorted(article.claims.values_list("quote", flat=True)) == sorted(quotes[:n])
    # A claim made afterwards by a single write takes an id of its own.
    later = Claim.objects.create(
        article=Article.objects.get(url="https://e.org/0"), start=0, end=5, quote=TEXT[:5]
    )
    assert later.pk not in result.created_claim_ids


def test_an_import_leaves_no_run_of_unused_ids_behind(alice, one_record_a_part):
    """Ids drawn ahead for a next part are not drawn after the last one: the next claim
    made takes the id after the import's last (PostgreSQL's sequences; SQLite's too)."""
    data = "".join(
        record(claim("Berg said"), claim("ridership fell"), url=f"https://e.org/{i}")
        for i in range(3)
    )
    result = imports.import_annotations(data, fmt="ours", by=alice)
    later = Claim.objects.create(
        article=Article.objects.get(url="https://e.org/0"), start=0, end=5, quote=TEXT[:5]
    )
    assert later.pk == max(result.created_claim_ids) + 1
