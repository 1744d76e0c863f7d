"""The built-in recognizer: what it finds in sentences like the corpus's, and its invariants."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.entities import builtin, chunks, recognize_in_chunks
from annotations.entities import evaluate as ev
from annotations.entities.rules import RuleRecognizer
from tests.conftest import ROOT

GOLD = ROOT / "tests" / "data" / "seeds_gold.jsonl"


@pytest.fixture(scope="module")
def rec() -> RuleRecognizer:
    return RuleRecognizer()


def found(rec: RuleRecognizer, text: str) -> set[tuple[str, str]]:
    return {(e.text, e.label) for e in rec.recognize(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It was signed on February 14, 1950 in Moscow.", {("February 14, 1950", "DATE")}),
        ("In August 2019, the village changed.", {("August 2019", "DATE")}),
        ("delivery by the end of February", {("the end of February", "DATE")}),
        ("In the summer of 2024, Yang left.", {("the summer of 2024", "DATE")}),
        (
            "For decades, it lagged; in recent years it led.",
            {("decades", "DATE"), ("recent years", "DATE")},
        ),
        ("after a nearly six-year hiatus", {("nearly six-year", "DATE")}),
        ("Yang Wenli, a 30-year-old woman", {("30-year-old", "DATE")}),
        ("The WTO joined 25 years ago.", {("25 years ago", "DATE")}),
        ("On Monday night, the ministry spoke.", {("Monday night", "TIME")}),
        ("a sell-off exceeding $1 trillion", {("$1 trillion", "MONEY")}),
        ("salary reaches 8,000 yuan ($1,103)", {("8,000 yuan", "MONEY"), ("$1,103", "MONEY")}),
        ("Billions of dollars have been poured in", {("Billions of dollars", "MONEY")}),
        ("accounting for 36.4 percent of demand", {("36.4 percent", "PERCENT")}),
        (
            "speeds up to 350 km/h (217 mph)",
            {("up to 350 km/h", "QUANTITY"), ("217 mph", "QUANTITY")},
        ),
        ("a new 1,600-square-meter factory", {("1,600-square-meter", "QUANTITY")}),
        ("guests from more than 80 countries", {("more than 80", "CARDINAL")}),
        ("With over 1.4 billion people", {("over 1.4 billion", "CARDINAL")}),
        ("submit one or two paintings", {("one or two", "CARDINAL")}),
        (
            "the 75th anniversary, the first of its kind",
            {("75th", "ORDINAL"), ("first", "ORDINAL")},
        ),
    ],
)
def test_numbers_and_dates_follow_ontonotes(
    rec: RuleRecognizer, text: str, expected: set[tuple[str, str]]
) -> None:
    assert expected <= found(rec, text)


@pytest.mark.parametrize(
    "text",
    [
        "At first, Yang set up a workshop.",
        "they bought a second-hand machine",
        "On one hand, the EU is aligned.",
        "advanced mobile-first solutions",
        "2.1. Artificial Intelligence",
        "source: toutiao.com/article/7600966119763771919/",
        "the Tianwen-1 mission and 5G networks",
    ],
)
def test_no_numbers_where_there_are_none(rec: RuleRecognizer, text: str) -> None:
    labels = {"CARDINAL", "ORDINAL"}
    assert not [e for e in rec.recognize(text) if e.label in labels]


def test_title_and_name_are_separate_entities(rec: RuleRecognizer) -> None:
    text = "Chinese Foreign Ministry Spokesperson Guo Jiakun stated that China and Russia agree."
    assert {
        ("Chinese", "NORP"),
        ("Foreign Ministry", "ORG"),
        ("Guo Jiakun", "PERSON"),
        ("China", "GPE"),
        ("Russia", "GPE"),
    } <= found(rec, text)
    assert not {e.text for e in rec.recognize(text)} & {"Spokesperson", "Spokesperson Guo Jiakun"}


def test_organisation_suffixes_and_their_short_names(rec: RuleRecognizer) -> None:
    text = (
        "Wu Fengli, Chairman of Guangdong Topstar Technology Co., Ltd., spoke. "
        "Topstar aims high. The National People’s Congress (NPC) met; the NPC closed."
    )
    got = found(rec, text)
    assert ("Guangdong Topstar Technology Co., Ltd.", "ORG") in got
    assert ("Topstar", "ORG") in got
    assert ("National People’s Congress", "ORG") in got
    assert [e.label for e in rec.recognize(text) if e.text == "NPC"] == ["ORG", "ORG"]


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        ("He met the Ministry of Commerce today.", "Ministry of Commerce", "ORG"),
        (
            "a professor at the China Foreign Affairs University",
            "China Foreign Affairs University",
            "ORG",
        ),
        (
            "implement the Declaration on the Conduct of Parties in the South China Sea fully",
            "Declaration on the Conduct of Parties in the South China Sea",
            "LAW",
        ),
        ("the Zhongguancun Forum is held in Beijing", "Zhongguancun Forum", "EVENT"),
        ("claims about the Panama Canal were made", "Panama Canal", "FAC"),
        ("villagers of Xiadang Township in Ningde", "Xiadang Township", "GPE"),
        ("Southwest China's Guizhou Province", "Southwest China", "LOC"),
        (
            'an article titled "How China Achieved a Technological Turnaround" on Monday',
            "How China Achieved a Technological Turnaround",
            "WORK_OF_ART",
        ),
        (
            "included in the book Up and Out of Poverty, a compilation",
            "Up and Out of Poverty",
            "WORK_OF_ART",
        ),
    ],
)
def test_head_nouns_and_context_type_names(
    rec: RuleRecognizer, text: str, name: str, label: str
) -> None:
    assert (name, label) in found(rec, text)


def test_people_found_from_context_and_then_everywhere(rec: RuleRecognizer) -> None:
    text = (
        "Belunn Se\nEditor's note: Belunn Se, a special commentator, wrote this.\n"
        'Lü Xiang, a research fellow, said so. "It is time," Lü told reporters.\n'
        "Her husband Yang Ming agreed. Yang Ming is a teacher."
    )
    persons = [e.text for e in rec.recognize(text) if e.label == "PERSON"]
    assert persons == ["Belunn Se", "Belunn Se", "Lü Xiang", "Lü", "Yang Ming", "Yang Ming"]


def test_pronouns_and_sentence_words_are_not_names(rec: RuleRecognizer) -> None:
    text = "She said it was fine. He noted the plan. Example: We agreed. However, They left."
    assert not [e for e in rec.recognize(text) if e.label == "PERSON"]


def test_gazetteer_data_comes_from_packages(rec: RuleRecognizer) -> None:
    got = found(
        rec,
        "Iranian and Malaysian delegates flew from Tehran via Zhengzhou to "
        "Michigan, USA, and then to Switzerland.",
    )
    assert {
        ("Iranian", "NORP"),
        ("Malaysian", "NORP"),
        ("Tehran", "GPE"),
        ("Zhengzhou", "GPE"),
        ("Michigan", "GPE"),
        ("USA", "GPE"),
        ("Switzerland", "GPE"),
    } <= got


def test_ordinary_words_that_are_also_places_are_left_alone(rec: RuleRecognizer) -> None:
    assert not found(rec, "Reading the split, Mobile users found it Nice.")


def test_seed_gold_f1_is_above_target() -> None:
    """The hand-checked gold: overall exact span + label F1 >= 0.80 (make bench prints all)."""
    exact, boundary = ev.evaluate(builtin().recognize, ev.load_gold(GOLD))
    assert exact.overall.f1 >= 0.80
    assert boundary.overall.f1 >= exact.overall.f1


_TEXT = st.lists(
    st.sampled_from(
        list("abc XYZ.,\n-'’$5%()\"“”")
        + [
            "Guo ",
            "Jiakun ",
            "said ",
            " of ",
            "Ministry ",
            "2019",
            "May ",
            "one ",
            "🙂",
            "Co., Ltd.",
            "China",
            "Chinese ",
            "the ",
            "von der ",
            "Leyen",
            "(NPC)",
            "Township",
            "percent",
        ]
    ),
    max_size=80,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT)
def test_offsets_are_valid_sorted_and_non_overlapping(text: str) -> None:
    entities = builtin().recognize(text)
    assert entities == sorted(entities, key=lambda e: (e.start, e.end))
    for a, b in zip(entities, entities[1:], strict=False):
        assert a.end <= b.start
    for e in entities:
        assert 0 <= e.start < e.end <= len(text)
        assert e.text == text[e.start : e.end]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT, size=st.integers(min_value=1, max_value=60))
def test_chunks_cover_the_text_exactly(text: str, size: int) -> None:
    pieces = list(chunks(text, size))
    assert "".join(p for _, p in pieces) == text
    position = 0
    for offset, piece in pieces:
        assert offset == position and 0 < len(piece) <= size
        position += len(piece)


def test_chunks_cut_after_line_breaks_then_spaces() -> None:
    assert [p for _, p in chunks("aaa\nbbb ccc", 6)] == ["aaa\n", "bbb ", "ccc"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.sampled_from(
            [
                "Guo Jiakun said China and Russia agree.",
                "On May 24, 2023 over 200 came.",
                "The Global Times reported it.",
                "",
                "Xi Jinping visited Huawu village.",
            ]
        ),
        max_size=12,
    )
)
def test_pieces_give_the_same_entities_as_the_whole(lines: list[str]) -> None:
    text = "\n".join(lines)
    rec = builtin()
    whole = [(e.start, e.end, e.label, e.text) for e in rec.recognize(text)]
    pieces = [
        (e.start, e.end, e.label, e.text)
        for part in recognize_in_chunks(rec, text, size=45)
        for e in part
    ]
    assert pieces == whole
