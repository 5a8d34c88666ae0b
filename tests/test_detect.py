"""The detector (factcheck.detect): each piece on small original sentences, offsets exact on
any text, and the shared sample article when it is present."""

import datetime
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.detect import KnownSpeaker, KnownStatement, detect

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "000_1ecee73369e3d259.txt"


def only(text, kind=None, **kwargs):
    found = [p for p in detect(text, **kwargs) if kind is None or p.kind == kind]
    assert len(found) == 1, found
    return found[0]


def covering(proposals, fragment, text):
    at = text.index(fragment)
    return [p for p in proposals if p.start <= at and at + len(fragment) <= p.end]


def test_a_direct_quote_with_its_cue_source_and_speaker():
    text = "“We will reopen the bridge in May,” Mayor Ana Ruiz said on Monday."
    p = only(text)
    assert p.kind == "direct_quote"
    assert p.quote == "We will reopen the bridge in May,"
    assert (p.cue.text, p.source_mention.text) == ("said", "Mayor Ana Ruiz")
    assert text[p.cue.start : p.cue.end] == "said"
    assert p.speaker.name == "Ana Ruiz" and p.speaker.kind == "person" and p.speaker.id is None
    assert p.confidence >= 0.8


@pytest.mark.parametrize(
    "marks",
    [("“", "”"), ('"', '"'), ("«", "»"), ("„", "“"), ("‘", "’"), ("'", "'")],
)
def test_every_quotation_mark_style(marks):
    o, c = marks
    text = f"{o}The budget is balanced for the first time in a decade,{c} the treasurer said."
    p = only(text)
    assert p.kind == "direct_quote"
    assert p.quote == "The budget is balanced for the first time in a decade,"


def test_a_quote_split_by_its_cue_is_one_quote():
    text = "“We will build the school,” she said, “and we will pay for it ourselves.”"
    p = only(text)
    assert p.kind == "direct_quote"
    assert p.quote.startswith("We will build") and p.quote.endswith("ourselves.")
    assert p.cue.text == "said" and p.source_mention.text == "she"


def test_a_quote_running_over_paragraphs():
    text = (
        "Lena Park, the harbour master, described the storm. “The waves came over the wall "
        "at midnight,” she said. “Nobody had seen anything like it.\n\n"
        "“By morning the quay was under a metre of water.”"
    )
    quotes = [p for p in detect(text) if p.kind == "direct_quote"]
    last = quotes[-1]
    assert last.quote.startswith("Nobody had seen") and last.quote.endswith("water.")
    assert "\n\n" in last.quote
    assert last.speaker.name == "Lena Park"


def test_pronouns_and_roles_resolve_to_the_speaker_introduced_earlier():
    text = (
        "The health minister, Carla Brandt, visited the clinic on Friday. “Every nurse here "
        "deserves a raise,” she said. The minister added that the budget would grow by "
        "4 percent next year. Brandt also said that new clinics would open in the north."
    )
    proposals = [p for p in detect(text) if p.kind != "author_claim"]
    assert len(proposals) == 3
    assert {p.speaker.name for p in proposals} == {"Carla Brandt"}
    assert [p.kind for p in proposals] == ["direct_quote", "indirect_quote", "indirect_quote"]


def test_a_pronoun_goes_to_the_latest_person_named():
    text = (
        "Omar Haddad, the coach, spoke first. “We trained hard,” he said. Then Ines Vidal, "
        "the captain, took the microphone. “We were simply unlucky tonight,” she said."
    )
    quotes = detect(text)
    assert [p.speaker.name for p in quotes] == ["Omar Haddad", "Ines Vidal"]


def test_registry_match_by_alias_diacritics_and_surname():
    known = [
        KnownSpeaker(id=7, name="José Álvarez", aliases=("Pepe Alvarez",)),
        KnownSpeaker(id=9, name="Ministry of Health", kind="government"),
    ]
    text = (
        "“The reform is finished,” Jose Alvarez said on Tuesday. Alvarez added that the "
        "hospitals would get 300 new doctors. The Ministry of Health said in a statement that "
        "waiting lists had fallen by a fifth."
    )
    proposals = [p for p in detect(text, speakers=known) if p.kind != "author_claim"]
    assert [(p.speaker.id, p.speaker.name) for p in proposals] == [
        (7, "José Álvarez"),
        (7, "José Álvarez"),
        (9, "Ministry of Health"),
    ]


def test_a_new_speaker_gets_a_kind():
    text = (
        "The Kessler Port Authority said that cargo volumes had doubled since 2019. "
        "The Ministry of Transport said that the new line would open in March. "
        "“We are ready,” said Piotr Lasko."
    )
    kinds = {p.speaker.name: p.speaker.kind for p in detect(text) if p.speaker}
    assert kinds == {
        "Kessler Port Authority": "organisation",
        "Ministry of Transport": "government",
        "Piotr Lasko": "person",
    }


def test_indirect_speech_and_according_to():
    text = (
        "Finance Minister Paolo Ventresca argued that the deficit would shrink to 2 percent. "
        "According to the central bank, growth will slow next year. "
        "Prices will rise again in the spring, the bank said."
    )
    proposals = detect(text)
    assert [p.kind for p in proposals] == ["indirect_quote"] * 3
    assert [p.cue.text for p in proposals] == ["argued", "According to", "said"]
    assert proposals[0].quote == "the deficit would shrink to 2 percent"
    assert proposals[1].quote == "growth will slow next year"
    assert proposals[2].quote == "Prices will rise again in the spring"


@pytest.mark.parametrize(
    "occasion",
    [
        "in a press release",
        "in a press release on 16 June 2026",
        "in a statement on June 16, 2026,",
        "in a joint statement with Spain",
        "on Monday",
    ],
)
def test_indirect_speech_starts_after_the_occasion_and_its_date(occasion):
    # the occasion's words belong to the statement, not to what was said
    text = f"The ministry said {occasion} that the new plan would cut waiting lists by a third."
    p = only(text)
    assert p.kind == "indirect_quote"
    assert p.quote == "the new plan would cut waiting lists by a third"
    assert p.cue.text == "said"


@pytest.mark.parametrize("occasion", ["in a statement", "on Friday", "in a post on Facebook"])
def test_a_mixed_quote_starts_after_the_occasion_too(occasion):
    text = f"The union said {occasion} that pay had “fallen behind for a decade” in the region."
    p = only(text)
    assert p.kind == "mixed_quote"
    assert p.quote == "pay had “fallen behind for a decade” in the region"


def test_a_pronoun_after_an_opening_phrase_is_the_source():
    # "Speaking on Radio Varden, she said": the programme is where, not who
    text = (
        "Dr Priya Nand said the outbreak had been expected for months. Speaking on Radio "
        "Varden, she said uptake of the second dose had fallen to 81 percent in Lowfield."
    )
    second = detect(text)[1]
    assert second.quote.startswith("uptake of the second dose")
    assert second.source_mention.text == "she"
    assert second.speaker.name == "Priya Nand"


def test_the_body_a_person_works_for_is_not_their_role():
    # "the agency's director" is a director: "the agency" later is still the agency
    text = (
        "The regional health agency said most of the cases were among young children. "
        "Dr Priya Nand, the agency's director of public health, said the outbreak had been "
        "expected. Eleven children have been admitted to hospital, according to the agency."
    )
    last = detect(text)[-1]
    assert last.cue.text == "according to"
    assert last.speaker.name == "Regional health agency"


def test_a_name_after_the_pronoun_and_its_cue_is_not_who_the_pronoun_is():
    # "she told Ferris": she is the person met before, not the one she spoke to
    text = (
        "Colin Ferris said the cut was temporary. Morag Dunn, who chairs the council, said "
        "the last sailing would leave too early. “You are telling nurses to choose,” she told "
        "Ferris from the floor. “Is that a lifeline service?”"
    )
    quotes = [p for p in detect(text) if p.kind == "direct_quote"]
    assert [p.speaker.name for p in quotes] == ["Morag Dunn", "Morag Dunn"]


@pytest.mark.parametrize("subject", ["none", "most", "nobody", "all of them"])
def test_a_reported_clause_may_open_with_an_indefinite_pronoun(subject):
    text = f"The hospital's medical director, Samuel Okoro, said {subject} was in intensive care."
    p = only(text)
    assert p.kind == "indirect_quote" and p.quote == f"{subject} was in intensive care"
    assert p.speaker.name == "Samuel Okoro"


def test_a_verb_that_names_an_occasion_is_not_one():
    # "to review the contract" is no review; the report after it is not his
    text = (
        "The minister, Alan Petrie, said he had asked officials to review the contract. "
        "A report commissioned by the council found that ferries were late more often "
        "than on any other route."
    )
    petrie, report = detect(text)
    assert "report" not in petrie.statement.title.lower()
    assert report.speaker is None or report.speaker.name != "Alan Petrie"


def test_a_short_reported_clause_after_that():
    # "that" says a report follows: three words are enough ("the plan worked")
    p = only("Carla Brandt said that the plan worked.")
    assert (p.kind, p.quote, p.speaker.name) == (
        "indirect_quote",
        "the plan worked",
        "Carla Brandt",
    )


@pytest.mark.parametrize("mark", ["?", "!"])
def test_a_question_or_exclamation_before_a_named_source_and_its_cue(mark):
    # "?” Ana" does not end the sentence when the cue follows: the quote keeps its speaker
    text = f"“Who pays for the bridge{mark}” Ana Ruiz asked rhetorically. The vote is on Monday."
    p = only(text, "direct_quote")
    assert p.quote == f"Who pays for the bridge{mark}"
    assert (p.cue.text, p.source_mention.text) == ("asked rhetorically", "Ana Ruiz")
    assert p.speaker.name == "Ana Ruiz"


def test_an_inverted_cue_after_a_question_takes_the_name_after_it():
    # "asked Ana Ruiz" after a quote is the inverted cue, not "asked (someone)"; and no word
    # of the quote ("Will") is ever its source
    text = "“Will the school reopen in May?” asked Ana Ruiz, the mayor."
    p = only(text)
    assert p.kind == "direct_quote" and p.quote == "Will the school reopen in May?"
    assert p.cue.text == "asked"
    assert p.source_mention.text.startswith("Ana Ruiz")
    assert p.speaker.name == "Ana Ruiz"


def test_a_mixed_quote_holds_the_paraphrase_and_the_fragment():
    text = "The mayor, Gordon Fitch, said the closures were “a last resort” and would be reviewed in May."
    p = only(text)
    assert p.kind == "mixed_quote"
    assert p.quote == "the closures were “a last resort” and would be reviewed in May"
    assert p.speaker.name == "Gordon Fitch"


def test_scare_quotes_nicknames_and_titles_are_refused():
    text = (
        "Critics mocked the “reform” from the start. Locals call the new tower “the Needle”. "
        "The report, titled “Clear Water Ahead”, was published in March. "
        "The stadium, known as “the Cauldron”, holds 40,000 fans."
    )
    proposals = detect(text)
    for word in ("reform", "the Needle", "Clear Water Ahead", "the Cauldron"):
        assert not [p for p in covering(proposals, word, text) if p.kind != "author_claim"], word


def test_a_title_before_a_cue_is_not_the_source():
    text = "The audit, titled “Holding Steady”, found that only 19 of 57 schemes were finished."
    p = only(text)
    assert p.kind == "indirect_quote"
    assert "Holding Steady" not in p.quote
    assert p.source_mention is None or "Holding" not in p.source_mention.text


def test_an_explicit_date_is_taken_and_a_weekday_is_not():
    dated = "The council said in a statement on 16 June 2026 that the library would stay open."
    undated = "The council said in a statement on Tuesday that the library would stay open."
    assert only(dated).statement.date == datetime.date(2026, 6, 16)
    assert only(dated).statement.kind == "press_release"
    assert only(undated).statement.date is None


def test_quotes_of_one_occasion_share_a_group_and_match_the_registry():
    speakers = [KnownSpeaker(id=3, name="Lucia Ferreira")]
    statements = [
        KnownStatement(id=11, speaker_id=3, title="Speech at the Chamber dinner", kind="speech"),
        KnownStatement(id=12, speaker_id=3, title="Interview on Radio One", kind="interview"),
    ]
    text = (
        "In a speech in Sarrow, Lucia Ferreira said inflation had peaked in the spring. “The worst is "
        "behind us,” she said. “We will not cut rates early.”\n\n"
        "Sara Kwan, an economist, said the bank was right to wait."
    )
    proposals = [p for p in detect(text, speakers=speakers, statements=statements) if p.speaker]
    ferreira = [p for p in proposals if p.speaker.id == 3]
    assert len(ferreira) == 3
    assert {p.statement.id for p in ferreira} == {11}
    assert len({p.statement.group for p in ferreira}) == 1
    kwan = [p for p in proposals if p.speaker.name == "Sara Kwan"]
    assert kwan[0].statement.group != ferreira[0].statement.group


def test_author_claims_are_ranked_by_check_worthiness():
    text = (
        "Burglaries fell from 3,900 in 2015 to 2,100 last year, the lowest figure since 1981. "
        "Crime rose because the youth centres closed. "
        "We should all feel proud of this city."
    )
    claims = detect(text)
    assert [p.kind for p in claims] == ["author_claim", "author_claim"]
    assert claims[0].speaker is None and claims[0].statement is None
    assert claims[0].check_worthiness > claims[1].check_worthiness > 0
    assert not covering(claims, "proud", text)


def test_unknown_language_proposes_nothing_and_regional_english_is_english():
    text = "“We will win,” the coach said."
    assert detect(text, language="xx") == []
    assert detect(text, language="en-GB") == detect(text)


def _assert_exact(text):
    for p in detect(text):
        assert 0 <= p.start < p.end <= len(text)
        assert text[p.start : p.end] == p.quote
        for part in (p.cue, p.source_mention):
            if part is not None:
                assert text[part.start : part.end] == part.text
        assert 0 <= p.confidence <= 1 and 0 <= p.check_worthiness <= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_offsets_are_exact_and_nothing_crashes_on_any_string(text):
    _assert_exact(text)


PIECES = [
    "“We will win,” ",
    '"No," ',
    "« Jamais » ",
    "„Ja“ ",
    "‘maybe’ ",
    "'so' ",
    "she said",
    "he added",
    ", ",
    ". ",
    "\n\n",
    "Ana Ruiz",
    "the minister",
    "according to the report",
    "that ",
    "prices rose 5 percent since 2019",
    "titled “Blue Skies”",
    "“",
    "”",
    '"',
    "'",
    "’",
    "«",
    "on 16 June 2026",
    "It",
    "They argued that",
    "the Ministry of Health",
    "O’Brien’s",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_offsets_are_exact_on_quote_heavy_texts(pieces):
    _assert_exact("".join(pieces))


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared sample article is not here")
def test_the_sample_article_is_fast_and_its_statements_are_found():
    text = SAMPLE.read_text(encoding="utf-8")
    detect(text)  # warm the regular expressions
    began = time.perf_counter()
    proposals = detect(text)
    assert time.perf_counter() - began < 1.0
    _assert_exact(text)
    quoted = [p for p in proposals if p.kind in ("direct_quote", "mixed_quote") and p.speaker]
    white_house = [p for p in quoted if p.speaker.name == "White House"]
    russia = [p for p in quoted if p.speaker.name in ("Russia", "Kremlin")]
    assert white_house and white_house[0].speaker.kind == "government"
    assert len(russia) >= 3
    for p in white_house + russia:  # the quoted words themselves, or a paraphrase holding them
        assert text[p.start - 1] == "“" if p.kind == "direct_quote" else "“" in p.quote


@pytest.mark.parametrize(
    "unit",
    ["x", "a. ", "'a ", "“x ", "said ", "Mr. ", "the minister, Ana Ruiz, said ", "”a "],
)
def test_long_degenerate_texts_take_linear_time(unit):
    # each of these once took minutes at 100,000 characters (a regex or a scan per position)
    text = unit * (40_000 // len(unit))
    began = time.perf_counter()
    _assert_exact(text)
    assert time.perf_counter() - began < 3.0
