"""The built-in suggester: features, types, the speaker rule and scores on sentences a news
reader meets."""

from __future__ import annotations

import math

import pytest

from annotations.entities import builtin
from annotations.model import Entity
from annotations.suggest.builtin import (
    BIAS,
    DEFAULT_THRESHOLD,
    WEIGHTS,
    BuiltinSuggester,
)
from annotations.suggest.features import PATTERNS, unit_features
from annotations.suggest.units import units
from tests.conftest import SEEDS


def ents(text: str, *spans: tuple[str, str]) -> list[Entity]:
    """Entities by their words (first occurrence), so a test does not hang on the recognizer."""
    out = []
    for words, label in spans:
        start = text.index(words)
        out.append(Entity(start, start + len(words), label))
    return out


def one(text: str, entities: list[Entity] | None = None) -> tuple[float, str, str, tuple[str, ...]]:
    found = builtin().recognize(text) if entities is None else entities
    (c,) = BuiltinSuggester().suggest(text, found)
    assert (c.start, c.end) == (0, len(text))
    return c.score, c.claim_type, c.speaker, c.reasons


def test_numeric_features_count_entities_and_digits() -> None:
    text = "China's exports rose 7.1% to $3.38 trillion in 2024, the customs agency said."
    found = ents(text, ("7.1%", "PERCENT"), ("$3.38 trillion", "MONEY"), ("2024", "DATE"))
    f = unit_features(text, 0, len(text), found)
    assert f.values["percent"] == 1 and f.values["money"] == 1 and f.values["date"] == 1
    assert f.values["number"] == 2  # 7.1%, 3.38; 2024 is a DATE, no figure
    assert f.values["change"] == 1 and f.evidence["change"] == "rose"
    assert f.values["attribution"] == 1 and f.speaker == ""  # "the customs agency": no entity
    assert "named" not in f.values


@pytest.mark.parametrize(
    ("text", "claim_type"),
    [
        ("Exports rose 7.1% to $3.38 trillion in 2024.", "statistical"),
        ("Shanghai handles more containers than any port in the world.", "comparison"),
        ("It is the largest solar farm built so far.", "comparison"),
        ("The new line will open by 2030 and carry 20 million passengers a year.", "prediction"),
        ("The drought led to a sharp fall in grain output.", "causal"),
        ("Prices climbed because the harvest was poor.", "causal"),
        (
            "The law requires firms with more than 50 staff to publish their emissions.",
            "rule_or_law",
        ),
        (
            "When I was a child, my family lived in a village without running water.",
            "personal_experience",
        ),
        ("I think we should all be a little kinder to each other.", "opinion"),
        ("The museum stands on a quiet street near the river.", "other"),
    ],
)
def test_claim_type_from_the_features(text: str, claim_type: str) -> None:
    assert one(text)[1] == claim_type


def test_a_type_the_schema_lacks_becomes_other() -> None:
    text = "The new line will open in 2030."
    suggester = BuiltinSuggester(claim_types=["statistical", "other"])
    (c,) = suggester.suggest(text, [])
    assert c.claim_type == "statistical"  # prediction is not in this schema; numbers are
    (c,) = BuiltinSuggester(claim_types=["other"]).suggest(text, [])
    assert c.claim_type == "other"


@pytest.mark.parametrize(
    ("text", "entities", "speaker"),
    [
        (
            "China and Russia enjoy a comprehensive partnership, Guo Jiakun said.",
            [("China", "GPE"), ("Russia", "GPE"), ("Guo Jiakun", "PERSON")],
            "Guo Jiakun",
        ),
        (
            "Trade reached 240 billion dollars, according to the Ministry of Commerce.",
            [("Ministry of Commerce", "ORG")],
            "Ministry of Commerce",
        ),
        (
            "Guo Jiakun, a spokesperson, told Xinhua that the talks went well.",
            [("Guo Jiakun", "PERSON"), ("Xinhua", "ORG")],
            "Guo Jiakun",  # the one told is the listener, not the speaker
        ),
        (
            '"We will not accept interference," said Wang Yi.',
            [("Wang Yi", "PERSON")],
            "Wang Yi",
        ),
        (
            "China will keep its door open, the spokesperson said.",
            [("China", "GPE")],
            "",  # a place is no speaker, and "the spokesperson" names no one
        ),
        (
            "Wang Yi met Lavrov. The ministry said the talks went well.",
            [("Wang Yi", "PERSON")],
            "",  # a full stop between the name and the verb: another sentence's subject
        ),
        (
            "Exports grew 5% last year, Chinese officials said.",
            [("Chinese", "NORP")],
            "Chinese",
        ),
    ],
)
def test_speaker_is_the_entity_the_attribution_names(
    text: str, entities: list[tuple[str, str]], speaker: str
) -> None:
    f = unit_features(text, 0, len(text), ents(text, *entities))
    assert f.speaker == speaker
    assert ("speaker" in f.values) == bool(speaker)


def test_non_factual_units_score_low_and_claims_high() -> None:
    low = [
        "I think we should all be a little kinder to each other.",
        "Is this really what we want?",
        "What a wonderful day!",
        "Perhaps the weather might improve.",
        "Chapter Three",
    ]
    high = [
        "China's exports rose 7.1% to $3.38 trillion in 2024, the customs agency said.",
        "According to the Ministry of Commerce, trade with Russia reached 240 billion dollars.",
        "The law requires every company with more than 50 employees to publish its emissions.",
    ]
    low_scores = [one(t)[0] for t in low]
    high_scores = [one(t)[0] for t in high]
    assert max(low_scores) < DEFAULT_THRESHOLD <= min(high_scores)
    assert any(r.startswith("- opinion: I think") for r in one(low[0])[3])


def test_score_is_the_logistic_of_the_weighted_features() -> None:
    text = "Shanghai is the largest port in the world, handling more containers than Singapore."
    found = ents(text, ("Shanghai", "GPE"), ("Singapore", "GPE"))
    f = unit_features(text, 0, len(text), found)
    assert f.values == {"superlative": 1, "comparative": 1, "named": 2}
    expected = 1 / (1 + math.exp(-(BIAS + sum(WEIGHTS[n] * v for n, v in f.values.items()))))
    score, claim_type, _, reasons = one(text, found)
    assert score == pytest.approx(expected, abs=1e-4)
    assert claim_type == "comparison"
    # the reasons go by contribution: the largest weighted feature first, quoting its words
    first = (
        "superlative: largest"
        if WEIGHTS["superlative"] > WEIGHTS["comparative"]
        else ("comparison: more containers than")
    )
    assert reasons[0] == f"+ {first}" and WEIGHTS["superlative"] > WEIGHTS["named"]
    assert "+ comparison: more containers than" in reasons


def test_month_may_is_no_hedge_and_interest_no_superlative() -> None:
    text = "In May the central bank cut interest rates to an honest level."
    f = unit_features(text, 0, len(text), [])
    assert "hedge" not in f.values and "superlative" not in f.values
    f = unit_features("Prices may fall.", 0, 16, [])
    assert f.values["hedge"] == 1


def test_case_insensitive_patterns_are_written_in_lower_case() -> None:
    """They run on the lower-cased unit without IGNORECASE (three times faster): an upper-case
    letter in one would never match."""
    import re

    for name, pattern in PATTERNS:
        if pattern.flags & re.IGNORECASE:
            source = re.sub(r"\\[A-Za-z]", "", pattern.pattern)  # \b, \s, \w, \d
            assert source == source.lower(), name


def test_text_whose_lower_case_is_longer_keeps_offsets() -> None:
    # "İ".lower() is two code points: the lower-cased unit would shift every offset after it
    text = "İstanbul's port grew 5% last year, Turkish officials said."
    found = ents(text, ("Turkish", "NORP"))
    f = unit_features(text, 0, len(text), found)
    assert f.speaker == "Turkish" and f.evidence["change"] == "grew"


def test_trigger_gate_changes_nothing_on_the_seed_corpus() -> None:
    recognizer = builtin()
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found = recognizer.recognize(text)
        for start, end in units(text):
            inside = [e for e in found if start <= e.start and e.end <= end]
            assert unit_features(text, start, end, inside) == unit_features(
                text, start, end, inside, gate=False
            ), text[start:end]


def test_suggest_scores_every_unit_of_a_document_in_order() -> None:
    text = (SEEDS / "004_a0ad6f8e3763169b.txt").read_text(encoding="utf-8")
    found = builtin().recognize(text)
    got = BuiltinSuggester().suggest(text, found)
    assert [(c.start, c.end) for c in got] == units(text)
    assert all(0.0 <= c.score <= 1.0 for c in got)
    first = got[0]  # "..., Chinese Foreign Ministry Spokesperson Guo Jiakun stated that ..."
    assert first.speaker == "Guo Jiakun"


def test_quoted_question_and_numbers_in_names_and_addresses() -> None:
    f = unit_features('"Is it true?"', 0, 13, [])
    assert f.values["question"] == 1
    text = "Source: toutiao.com/article/7600966119763771919/ on the G1 robot."
    assert "number" not in unit_features(text, 0, len(text), []).values
    text = "Sales rose 5% to 120,000 cars in 2024."
    assert unit_features(text, 0, len(text), []).values["number"] == 3


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        ("China is willing to continue working with Russia on trade.", "willingness"),
        ("The ministry called on both sides to show restraint.", "willingness"),
        ("The team has made impressive progress in the field.", "praise"),
        ("Photo: Workers at the Shanghai port in March.", "meta"),
        ("(Translated by Lu Di)", "meta"),
        ("Such vessels can reduce emissions.", "hedge"),
        ("Guo made the remarks in response to a media inquiry.", "meeting"),
        ("After graduating, she found a job at a factory in Zhejiang.", "personal"),
        ("It is imperative to develop our own chips.", "evaluative"),
        ('"China firmly opposes the decision of the US.', "quote"),
        ("Zhongguancun Forum is held in Beijing, capital of China, May 24, 2023.", "meta"),
    ],
)
def test_non_factual_cues_lower_the_score(text: str, feature: str) -> None:
    f = unit_features(text, 0, len(text), [])
    assert feature in f.values
    (c,) = BuiltinSuggester().suggest(text, [])
    without = {n: v for n, v in f.values.items() if n != feature}
    raw = BIAS + sum(WEIGHTS[n] * v for n, v in without.items())
    assert WEIGHTS[feature] < 0 and c.score < 1 / (1 + math.exp(-raw))  # the cue pulls it down
