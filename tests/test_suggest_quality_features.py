"""The built-in suggester's evidence added for quality: each feature fires on the construction it
names (and not on its look-alikes), and moves the score the way its meaning says."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.model import Entity
from annotations.suggest.builtin import BIAS, WEIGHTS, BuiltinSuggester
from annotations.suggest.features import features_of_units, unit_features
from annotations.suggest.units import units


def ents(text: str, *spans: tuple[str, str]) -> list[Entity]:
    out = []
    for words, label in spans:
        start = text.index(words)
        out.append(Entity(start, start + len(words), label))
    return out


def values(text: str, *spans: tuple[str, str]) -> dict[str, float]:
    return unit_features(text, 0, len(text), ents(text, *spans)).values


@pytest.mark.parametrize(
    ("text", "feature", "evidence"),
    [
        ("Companies like LONGi are global leaders in solar wafers.", "ranking", "leaders"),
        ("China also dominates the battery supply chain.", "ranking", "dominates"),
        ("BGI is at the forefront of genomic sequencing.", "ranking", "forefront"),
        ("The two sides signed the treaty and other agreements.", "deed", "signed"),
        ("The rocket landed on the far side of the Moon.", "deed", "landed"),
        ("Apple and Tesla have built large factories in Zhengzhou.", "perfect", "have built"),
        ("The flow of technology has become increasingly bidirectional.", "perfect", "has become"),
        ("Guo made the remarks in response to a media inquiry.", "meeting", "remarks"),
        ("Han Zheng met with Rachel Reeves in Beijing on Saturday.", "meeting", "met"),
        ("After graduating, she found a job at a factory.", "personal", "she"),
        ("It is imperative to develop our own chips.", "evaluative", "imperative"),
        (
            "China will continue to work with all parties on climate.",
            "willingness",
            "will continue",
        ),
        ("The restrictions are likely to spur self-reliance.", "hedge", "likely"),
        ("The lack of a mention may indicate a shift.", "hedge", "may"),
    ],
)
def test_new_cues_fire_with_their_words(text: str, feature: str, evidence: str) -> None:
    f = unit_features(text, 0, len(text), [])
    assert f.values.get(feature, 0) >= 1, f.values
    assert f.evidence[feature] == evidence


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        ("Drought is leading to a fall in grain output.", "ranking"),  # causal "leading to"
        ("The leaves fell.", "personal"),  # "he" inside a word is no pronoun
        ("Workers hold the key at the gate.", "evaluative"),  # "key" alone is no judgment
        ("They have a large market.", "perfect"),  # "have" + a noun is no perfect
    ],
)
def test_look_alikes_do_not_fire(text: str, feature: str) -> None:
    assert feature not in unit_features(text, 0, len(text), []).values


def test_a_year_is_a_date_not_a_figure() -> None:
    text = "In 2019, she established a workshop for 22 villagers."
    found = values(text, ("2019", "DATE"), ("22", "CARDINAL"))
    assert found["number"] == 1  # 22; 2019 is inside the DATE
    assert found["date"] == 1
    assert values("In 2019, she established a workshop.", ("2019", "DATE")).get("number") is None


def test_a_forecast_needs_a_figure_or_a_date() -> None:
    dated = "The line will open by 2030 and carry 20 million passengers a year."
    bare = "China will work with all parties to tackle climate change."
    with_figure = values(dated, ("2030", "DATE"), ("20 million", "CARDINAL"))
    assert with_figure["forecast"] == 1 and with_figure["future"] >= 1
    assert "forecast" not in values(bare)
    s = BuiltinSuggester()
    (hi,) = s.suggest(dated, ents(dated, ("2030", "DATE"), ("20 million", "CARDINAL")))
    (lo,) = s.suggest(bare, [])
    assert hi.score > lo.score + 0.3 and lo.score < s.threshold  # a promise alone is no claim
    assert "+ dated or quantified forecast: will" in hi.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Zhongguancun Forum is held in Beijing, capital of China, May 24, 2023.",
        "BEIJING, Jan. 30 (Xinhua) -- Exports rose in December.",
        "Reference News Network, January 30 report: The Financial Times published an article.",
    ],
)
def test_captions_and_datelines_are_meta(text: str) -> None:
    assert values(text)["meta"] == 1


def test_a_date_that_closes_a_sentence_is_no_caption() -> None:
    assert "meta" not in values("The two sides signed the treaty on February 14, 1950.")


def test_long_and_short_units() -> None:
    long = " ".join(["word"] * 25) + "."
    assert values(long)["long"] == 1 and "short" not in values(long)
    assert "long" not in values("Exports rose sharply in the first quarter of the year.")


def test_direct_speech_is_marked_across_the_sentences_of_a_quotation() -> None:
    text = (
        'Guo said the talks went well. "We are confident. We will win," he said. Exports rose 5%.'
    )
    spans = units(text)
    quoted = [("quote" in f.values) for _, _, f in features_of_units(text, spans, [])]
    assert [text[s:e] for s, e in spans] == [
        "Guo said the talks went well.",
        '"We are confident.',
        'We will win," he said.',
        "Exports rose 5%.",
    ]
    assert quoted == [False, True, True, False]
    # a quotation does not run on past its line
    text = '"We are confident.\nExports rose 5%.'
    flags = [("quote" in f.values) for _, _, f in features_of_units(text, units(text), [])]
    assert flags == [True, False]


def test_quote_state_does_not_depend_on_which_units_are_scored() -> None:
    text = 'He said: "It is over. We won. They lost." Then he left.'
    spans = units(text)
    everything = [f.values for _, _, f in features_of_units(text, spans, [])]
    alone = [next(features_of_units(text, [span], []))[2].values for span in spans]
    backwards = [f.values for _, _, f in features_of_units(text, spans[::-1], [])][::-1]
    assert everything == alone == backwards


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        ("Companies like LONGi are global leaders in solar wafers.", "ranking"),
        ("The two sides signed the treaty and other agreements.", "deed"),
        ("Apple and Tesla have built large factories in Zhengzhou.", "perfect"),
    ],
)
def test_positive_cues_raise_the_score(text: str, feature: str) -> None:
    f = unit_features(text, 0, len(text), [])
    (c,) = BuiltinSuggester().suggest(text, [])
    without = {n: v for n, v in f.values.items() if n != feature}
    raw = BIAS + sum(WEIGHTS[n] * v for n, v in without.items())
    assert WEIGHTS[feature] > 0 and c.score > 1 / (1 + math.exp(-raw))


def test_ranking_types_a_claim_as_a_comparison() -> None:
    text = "BGI Group is a world leader in genomic sequencing."
    (c,) = BuiltinSuggester().suggest(text, ents(text, ("BGI Group", "ORG")))
    assert c.claim_type == "comparison"


_PIECES = st.sampled_from(
    [
        "China",
        "said",
        "exports rose 7%",
        "will",
        "in 2024",
        "the U.S.",
        "Mr. Guo",
        '"',
        "“",
        "”",
        ".",
        "?",
        "!",
        " ",
        "\n",
        "\n\n",
        "(AI)",
        "she",
        "İ",
        "北京",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40).map(" ".join))
def test_units_stay_inside_their_line_and_scores_are_deterministic(text: str) -> None:
    spans = units(text)
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        assert "\n" not in text[start:end]
    entities = ents(text, ("China", "GPE")) if "China" in text else []
    suggester = BuiltinSuggester()
    first = suggester.suggest(text, entities)
    again = BuiltinSuggester().suggest(text, list(reversed(entities)))
    assert first == again
    assert [(c.start, c.end) for c in first] == spans
    assert all(0.0 <= c.score <= 1.0 for c in first)
