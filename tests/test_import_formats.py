"""Imports lose nothing silently: offsets through normalisation and doccano's unit, old and
partial layouts, format guessing, labels. Fixtures in tests/fixtures/imports/ are small files
in the shape doccano and Label Studio write (their exports' keys, CRLF, NFD, emoji)."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck import imports
from factcheck import text as t
from factcheck.models import Article, Claim

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def quotes(kind=False):
    rows = Claim.objects.order_by("article_id", "start", "kind")
    return [(c.quote, c.kind) if kind else c.quote for c in rows]


def run(data, **kwargs):
    options = imports.ImportOptions.from_input(
        offset_unit=kwargs.pop("offset_unit", None), labels=kwargs.pop("labels", None)
    )
    return imports.import_annotations(data, options=options, **kwargs)


def failure(data, **kwargs) -> list[str]:
    with pytest.raises(imports.ImportFailed) as failed:
        run(data, **kwargs)
    assert not Article.objects.exists() and not Claim.objects.exists()
    return [str(p) for p in failed.value.problems]


# --------------------------------------------------------------------------- offsets


def test_doccano_with_crlf_nfd_and_an_emoji_keeps_every_span_on_its_words(alice):
    # Before: "taxes fell" was stored as "axes fell.", "rents doubled" as "nts doubled. ",
    # and "firetrucks" (after 🚒, two UTF-16 units) as "etrucks to".
    result = run(fixture("doccano_crlf_nfd_emoji.jsonl"), by=alice)
    assert result.format == "doccano" and result.claims_created == 3
    assert quotes() == ["taxes fell", "rents doubled", "firetrucks arrive late"]
    cafe = Article.objects.get(text__startswith="Café")
    assert "\r" not in cafe.text and cafe.text == t.normalize_text(cafe.text)


def test_firetrucks_after_an_emoji_stays_firetrucks(alice):
    text = "🚒 firetrucks to the rescue"
    # doccano's editor: the fire engine is two UTF-16 units, so "firetrucks" is 3–13.
    run(json.dumps({"text": text, "label": [[3, 13, "DIRECT_QUOTE"]]}), by=alice)
    assert quotes() == ["firetrucks"]  # read as code points, as before: "iretrucks "


def test_a_span_that_only_makes_sense_in_another_unit_is_reported(alice):
    data = fixture("doccano_crlf_nfd_emoji.jsonl")
    problems = failure(data, by=alice, offset_unit="codepoint")
    # Only the line with the emoji: elsewhere the units agree (CRLF and NFD aside).
    assert len(problems) == 1 and problems[0].startswith("line 2: label 1 (15–37)")
    assert "counted in utf16 it is 'firetrucks arrive late'" in problems[0]
    assert "cuts a word" in problems[0]


def test_an_offset_inside_a_surrogate_pair_is_reported(alice):
    text = "Fire chief: 🚒 firetrucks arrive."
    start = text.index("🚒")
    record = {"text": text, "label": [[start + 1, start + 3, "DIRECT_QUOTE"]]}
    (problem,) = failure(json.dumps(record), by=alice)
    assert "line 1: label 1" in problem and "cuts a character" in problem


def test_a_reversed_span_beside_an_emoji_is_refused_as_reversed(alice):
    record = {"text": "Fire chief: 🚒 firetrucks arrive.", "label": [[20, 15, "DIRECT_QUOTE"]]}
    (problem,) = failure(json.dumps(record), by=alice)
    assert "end must be greater than start" in problem


def test_the_unit_the_file_states_is_used_and_the_option_wins(alice):
    text = "Family 👩\u200d👩\u200d👧 says: costs rose."
    units = t.Units(text)
    start = text.index("costs rose")
    grapheme = [
        units.from_codepoint(start, "grapheme"),
        units.from_codepoint(start + 10, "grapheme"),
    ]
    record = {"text": text, "label": [[*grapheme, "DIRECT_QUOTE"]], "offset_unit": "grapheme"}
    run(json.dumps(record), by=alice, dry_run=True)
    run(json.dumps(record), by=alice)
    assert quotes() == ["costs rose"]
    Claim.objects.all().delete()
    Article.objects.all().delete()
    assert "counted in grapheme" in failure(json.dumps(record), by=alice, offset_unit="utf16")[0]


def test_a_span_that_cannot_be_mapped_through_normalisation_is_refused(alice):
    # An end between "u" and the accent it composes with has no place in the stored "ü"; nor
    # one inside a CRLF. (doccano's unit check says so first for a doccano file.)
    text = "In Mu\u0308nchen\r\nrents doubled."
    record = {"text": text, "claims": [{"start": 3, "end": 5}, {"start": 6, "end": 12}]}
    problems = failure(json.dumps(record), by=alice, fmt="ours")
    assert problems == [
        "line 1: claim 1 (3–5): offset 5 falls inside 'ü': 2 code points in the file (a "
        "letter and its accents, say), stored as 1."
    ]
    record["claims"] = [{"start": 6, "end": 12}]
    (problem,) = failure(json.dumps(record), by=alice, fmt="ours")
    assert "offset 12 falls inside a \\r\\n line end" in problem
    (problem,) = failure(json.dumps({"text": text, "label": [[3, 5, "DIRECT_QUOTE"]]}), by=alice)
    assert "line 1: label 1 (3–5): counted in utf16 this cuts a character in two" in problem


def test_label_studio_task_with_crlf_and_nfd_imports_each_annotators_labels(alice):
    # A pretty-printed per-task file: before, one error per line as our JSONL, and with
    # --format, refused because its offsets count the CRLF and NFD text.
    result = run(fixture("labelstudio_task_crlf_nfd.json"), by=alice)
    assert result.format == "labelstudio" and "Label Studio task" in result.guessed
    # Two annotators: "wages grew" as a direct and as an indirect quote (two claims), "prices
    # grew faster" twice as an indirect quote (one).
    assert quotes(kind=True) == [
        ("wages grew", "direct_quote"),
        ("wages grew", "indirect_quote"),
        ("prices grew faster", "indirect_quote"),
    ]
    again = run(fixture("labelstudio_task_crlf_nfd.json"), by=alice)
    assert (again.articles_reused, again.claims_created, again.claims_skipped) == (1, 0, 3)


def test_label_studio_offsets_that_miss_their_quote_fall_back_to_a_unique_quote(alice):
    text = "The senator said wages grew. Her rival said prices grew faster."
    value = {"start": 3, "end": 13, "text": "wages grew", "labels": ["Direct quote"]}
    twice = {"start": 0, "end": 4, "text": "grew", "labels": ["Direct quote"]}
    task = {"data": {"text": text}, "annotations": [{"result": [{"value": value}]}]}
    run(json.dumps([task]), by=alice)
    assert quotes() == ["wages grew"]
    task["annotations"][0]["result"] = [{"value": twice}]  # "grew" twice: which one?
    Claim.objects.all().delete()
    Article.objects.all().delete()
    (problem,) = failure(json.dumps([task]), by=alice)
    assert "task 1: claim 1 (0–4): quote: The quote does not match" in problem


# --------------------------------------------------------------------------- layouts


def test_label_studio_pre_1_0_completions_are_read(alice):
    result = run(fixture("labelstudio_completions.json"), by=alice, labels="Claim=direct_quote")
    assert result.claims_created == 1
    assert quotes() == ["the bridge will open in May"]


def test_prediction_only_tasks_fail_saying_what_was_skipped(alice):
    (problem,) = failure(fixture("labelstudio_predictions.json"), by=alice)
    assert problem.startswith("file: no claims found; skipped: 1 Label Studio prediction span")
    assert "suggestions are not imported" in problem


def test_predictions_beside_annotations_are_counted_as_skipped(alice):
    tasks = json.loads(fixture("labelstudio_predictions.json"))
    tasks += json.loads(fixture("labelstudio_completions.json"))
    result = run(json.dumps(tasks), by=alice, labels="Claim=direct_quote")
    assert result.claims_created == 1
    assert result.skipped == {"Label Studio prediction spans (suggestions are not imported)": 1}


def test_doccano_before_1_0_annotations_with_label_ids(alice):
    data = fixture("doccano_old_annotations.jsonl")
    problems = failure(data, by=alice)
    assert problems == [
        f"labels: '{n}' (1 span) is not a claim kind (direct_quote, indirect_quote, mixed_quote, "
        f'author_claim): map it, e.g. labels "{n}=direct_quote", or "*=direct_quote" for every '
        "other label"
        for n in (2, 3)
    ]
    run(data, by=alice, labels="2=direct_quote,3=indirect_quote")
    assert quotes(kind=True) == [
        ("exports rose 4 %", "direct_quote"),
        ("they fell", "indirect_quote"),
    ]


def test_span_like_data_under_an_unknown_key_is_named(alice):
    record = {"text": "The mayor said fares fell.", "spans": [{"start": 15, "end": 25}]}
    (problem,) = failure(json.dumps(record), by=alice, fmt="doccano")
    assert problem == (
        'file: no claims found; skipped: 1 "spans" (span-like data this format does not read)'
    )


def test_texts_without_any_spans_still_import_as_articles(alice):
    result = run(json.dumps({"text": "Nothing annotated yet."}), by=alice, fmt="doccano")
    assert (result.articles_created, result.claims_created, result.skipped) == (1, 0, {})


# --------------------------------------------------------------------------- guessing


def test_a_compact_label_studio_export_labelled_annotation_is_not_guessed_w3c(alice):
    data = fixture("labelstudio_compact_annotation_label.json")
    result = run(data, by=alice, labels="Annotation=direct_quote")
    assert result.format == "labelstudio" and "JSON array" in result.guessed
    assert quotes() == ["unemployment fell to 3 %"]


def test_a_pretty_printed_w3c_annotation_is_guessed_as_w3c(alice):
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "http://example.org/anno1",
        "type": "Annotation",
        "body": "http://example.org/post1",
        "target": "http://example.com/page1",
    }
    with pytest.raises(imports.ImportFailed) as failed:
        run(json.dumps(annotation, indent=2), by=alice)
    # One problem for the one annotation, not one per line as JSON Lines.
    assert [p.where for p in failed.value.problems] == ["annotation 1"]
    assert "read as w3c, guessed from a W3C Annotation" in str(failed.value)


def test_a_pretty_printed_doccano_record_and_a_json_array_are_read(alice):
    record = {"text": "The mayor said fares fell.", "label": [[15, 25, "DIRECT_QUOTE"]]}
    run(json.dumps(record, indent=2), by=alice)
    run(json.dumps([record, {**record, "id": 2}]), by=alice, fmt="doccano")
    assert quotes() == ["fares fell", "fares fell"]


def test_the_format_given_wins_over_the_guess(alice):
    data = fixture("labelstudio_compact_annotation_label.json")
    with pytest.raises(imports.ImportFailed) as failed:
        run(data, by=alice, fmt="w3c")
    assert failed.value.guessed == ""
    assert "annotation 1" in str(failed.value.problems[0])


# --------------------------------------------------------------------------- labels


@pytest.mark.parametrize(
    "given",
    ['{"CLAIM": "Direct quote", "*": "mixed_quote"}', "CLAIM=direct_quote, *=mixed-quote"],
)
def test_labels_map_to_kinds_as_the_user_says(alice, given):
    text = "She said taxes fell and rents rose, and I think so."
    label = [[9, 19, "claim"], [24, 34, "OPINION"], [40, 50, "Author claim"]]
    run(json.dumps({"text": text, "label": label}), by=alice, labels=given)
    assert quotes(kind=True) == [
        ("taxes fell", "direct_quote"),
        ("rents rose", "mixed_quote"),
        ("I think so", "author_claim"),  # a kind's own label needs no mapping
    ]


def test_a_label_map_naming_no_kind_is_refused():
    with pytest.raises(ValueError, match="'quote' \\(for 'CLAIM'\\) is not a claim kind"):
        imports.ImportOptions.from_input(labels="CLAIM=quote")
    with pytest.raises(ValueError, match="LABEL=kind"):
        imports.ImportOptions.from_input(labels="CLAIM")
    with pytest.raises(ValueError, match="offset unit 'bytes'"):
        imports.ImportOptions.from_input(offset_unit="bytes")


# --------------------------------------------------------------------------- articles


def test_records_with_the_same_text_and_other_metadata_are_other_articles(alice):
    text = "Press release: the plant will close."
    lines = "\n".join(
        json.dumps({"id": n, "text": text, "label": [[15, 35, "DIRECT_QUOTE"]], "meta": meta})
        for n, meta in ((1, {"source": "wire"}), (2, {"source": "site"}), (1, {"source": "wire"}))
    )
    result = run(lines, by=alice)
    # The third line repeats the first (same metadata): the same article, its claim there.
    assert (result.articles_created, result.articles_reused) == (2, 1)
    assert (result.claims_created, result.claims_skipped) == (2, 1)
    again = run(lines, by=alice)
    assert (again.articles_created, again.articles_reused, again.claims_created) == (0, 3, 0)
    assert Article.objects.count() == 2


# --------------------------------------------------------------------------- round trip


def test_doccano_to_factcheck_to_doccano_keeps_every_span_in_doccanos_unit(alice, tmp_path):
    source = fixture("doccano_crlf_nfd_emoji.jsonl").decode()
    run(source, by=alice)
    out = tmp_path / "out.jsonl"
    call_command("export", "jsonl", "-o", str(out))
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    for original, back in zip(
        [json.loads(line) for line in source.splitlines()], exported, strict=True
    ):
        assert back["offset_unit"] == "utf16"

        # doccano slices its text in UTF-16 units: the same words, in the stored text.
        def words(record):
            units = t.Units(record["text"])
            return [
                t.normalize_text(
                    record["text"][units.to_codepoint(s, "utf16") : units.to_codepoint(e, "utf16")]
                )
                for s, e, _ in record["label"]
            ]

        assert words(back) == words(original)
        assert [label for *_, label in back["label"]] == [label for *_, label in original["label"]]
    # And back in: nothing new, every claim found where it was.
    again = run(out.read_bytes(), by=alice, fmt="doccano")
    assert (again.articles_reused, again.claims_created, again.claims_skipped) == (2, 0, 3)


# --------------------------------------------------------------------------- any text

PIECES = st.sampled_from(
    ["taxes", "fell", " ", ".", "\r\n", "\r", "\n", "Mu\u0308nchen", "cafe\u0301", "🚒", "👩\u200d👧"]
)  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(PIECES, min_size=1, max_size=12), st.data())
def test_any_doccano_span_of_whole_pieces_arrives_on_its_text(alice, pieces, data):
    # A span over whole pieces of a text with CRLF, lone CR, NFD and emoji, counted as doccano
    # counts (UTF-16): stored, it is the normalisation of what doccano showed.
    Claim.objects.all().delete()  # what an earlier example made
    Article.objects.all().delete()
    text = "".join(pieces)
    if not text.strip():
        return
    bounds = [sum(len(p) for p in pieces[:i]) for i in range(len(pieces) + 1)]
    start = data.draw(st.sampled_from(bounds[:-1]))
    end = data.draw(st.sampled_from([b for b in bounds if b > start]))
    units = t.Units(text)
    label = [units.from_codepoint(start, "utf16"), units.from_codepoint(end, "utf16"), "MIXED"]
    try:
        run(json.dumps({"text": text, "label": [label]}), by=alice, labels="*=mixed_quote")
    except imports.ImportFailed as failed:
        # Refused (never stored wrong) when the span cuts a character (between the "\r" and
        # "\n" pieces, one CRLF), or cuts a word ("taxesfell") where another unit gives whole
        # words: a mismatch of units is more likely than half a word.
        assert not Claim.objects.exists()
        assert "cuts a" in str(failed.problems)
        return
    claim = Claim.objects.get()
    assert claim.quote == t.normalize_text(text[start:end])


def test_per_region_choices_and_text_are_not_made_claims(alice):
    """Label Studio's per-region Choices and TextArea results carry the span of the region they
    describe: each became one more claim, a direct quote no annotator gave (or refused the
    file, its text being a list). They are counted as not read."""
    text = "The senator said wages grew."
    span = {"start": 17, "end": 27, "text": "wages grew"}
    results = [
        {"id": "r1", "type": "labels", "value": {**span, "labels": ["Indirect quote"]}},
        {"id": "r1", "type": "choices", "value": {**span, "choices": ["Misleading"]}},
        {"id": "r1", "type": "textarea", "value": {**span, "text": ["Check the budget."]}},
    ]
    task = {"data": {"text": text}, "annotations": [{"result": results}]}
    result = run(json.dumps([task]), by=alice)
    assert quotes(kind=True) == [("wages grew", "indirect_quote")]
    assert result.skipped == {
        'Label Studio per-region "choices" results (no place for them)': 1,
        'Label Studio per-region "textarea" results (no place for them)': 1,
    }
