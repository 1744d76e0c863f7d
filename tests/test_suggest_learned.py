"""The learned claim suggester: it learns, its model is plain data, scoring needs no sklearn."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.errors import InputError
from annotations.suggest import learning_curve as lc
from annotations.suggest.builtin import BuiltinSuggester
from annotations.suggest.learned import (
    MISSING_SKLEARN,
    Example,
    LearnedSuggester,
    ModelError,
    ModelParams,
    can_train,
    choose,
    train,
    uncertainty,
    unit_examples,
)
from annotations.suggest.ngram_hashing import HashingSettings, hashed, ngrams
from tests.conftest import ROOT

CLAIMS = [
    "Exports rose 12 percent to 3.4 billion dollars in 2023, the customs office said.",
    "The factory employs 4,500 workers and produced 80,000 cars last year.",
    "Unemployment fell to 5.1 percent in March, down from 6.3 percent a year earlier.",
    "The new law bans the sale of single-use plastic bags from January 2025.",
    "The bridge, opened in 2018, is 55 kilometres long and cost 20 billion dollars.",
    "Rice output grew by 8 percent after the drought ended, according to the ministry.",
    "The company sold 1.2 million phones in the third quarter, twice as many as in 2022.",
    "More than 300 flights were cancelled on Monday because of the storm.",
    "The city's population reached 21 million in the 2020 census.",
    "Inflation climbed to 9.8 percent in October, the highest rate in 40 years.",
    "The government will spend 2 billion dollars on 120 new schools by 2027.",
    "Average wages increased 4.2 percent last year, the statistics bureau reported.",
]
OPINIONS = [
    "I think this is a wonderful idea and everyone should love it.",
    "We believe the future looks bright for all of us.",
    "Personally, I feel the film was far too long and rather boring.",
    "What a beautiful morning it is in the mountains!",
    "I hope my friends enjoy the holiday as much as I do.",
    "In my opinion the new design is simply lovely.",
    "Why would anyone want to live in such a place?",
    "We feel that kindness matters more than anything else.",
    "I guess it might rain later, but who knows really.",
    "To me the music sounds cheerful and warm.",
    "Honestly, we think the food there is great.",
    "I wish everyone a happy and peaceful new year.",
]


def examples(texts: list[str], label: bool) -> list[Example]:
    return [unit_examples(t, [(0, len(t), label)], [])[0] for t in texts]


def small_model() -> ModelParams:
    return train(examples(CLAIMS[:9], True) + examples(OPINIONS[:9], False))


def test_training_separates_claims_from_opinions() -> None:
    learned = LearnedSuggester(small_model())
    held_claims = [learned.suggest(t, [])[0].score for t in CLAIMS[9:]]
    held_opinions = [learned.suggest(t, [])[0].score for t in OPINIONS[9:]]
    # every held-out claim ranks above every held-out opinion (where the threshold falls among
    # them follows the built-in prior the model starts from, fitted to the gold elsewhere)
    assert min(held_claims) > max(held_opinions), (held_claims, held_opinions)
    assert max(held_opinions) < learned.threshold < max(held_claims)


def test_candidates_carry_type_speaker_and_reasons_like_the_builtin() -> None:
    text = "Exports rose 12 percent in 2023. I think it is lovely."
    learned = LearnedSuggester(small_model()).suggest(text, [])
    builtin = BuiltinSuggester().suggest(text, [])
    assert [(c.start, c.end, c.claim_type) for c in learned] == [
        (c.start, c.end, c.claim_type) for c in builtin
    ]
    assert learned[0].reasons and all(r[0] in "+-" for r in learned[0].reasons)
    assert learned[0].score > learned[1].score


def test_training_needs_both_classes() -> None:
    with pytest.raises(ValueError, match="positives and negatives"):
        train(examples(CLAIMS, True))


def test_params_round_trip_through_json_exactly() -> None:
    params = small_model()
    data = json.loads(json.dumps(params.to_dict()))
    again = ModelParams.from_dict(data)
    assert again == params
    assert json.dumps(again.to_dict()) == json.dumps(params.to_dict())
    assert again.positives == 9 and again.negatives == 9
    assert LearnedSuggester(again).key == LearnedSuggester(params).key
    other = train(examples(CLAIMS[3:], True) + examples(OPINIONS[3:], False))
    assert LearnedSuggester(other).key != LearnedSuggester(params).key  # a cache can tell


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(
    st.dictionaries(st.integers(0, (1 << 10) - 1), finite.filter(bool), max_size=30),
    st.dictionaries(st.text(max_size=12), finite, max_size=8),
    finite,
)
def test_any_finite_model_round_trips(
    weights: dict[int, float], features: dict[str, float], intercept: float
) -> None:
    params = ModelParams(HashingSettings(n_features=1 << 10), weights, features, intercept, 3, 4)
    assert ModelParams.from_dict(json.loads(json.dumps(params.to_dict()))) == params


@pytest.mark.parametrize(
    "where", ["ngram_weights", "feature_weights", "intercept", "infinity", "string"]
)
def test_a_model_with_nan_or_infinity_is_refused(where: str) -> None:
    data = small_model().to_dict()
    if where == "ngram_weights":
        data["ngram_weights"][0][1] = math.nan
    elif where == "feature_weights":
        data["feature_weights"]["number"] = math.nan
    elif where == "intercept":
        data["intercept"] = math.nan
    elif where == "infinity":
        data["ngram_weights"][0][1] = math.inf
    else:
        data["intercept"] = "0.5"
    text = json.dumps(data)  # json writes NaN / Infinity literals and reads them back
    with pytest.raises(ModelError, match="finite number"):
        ModelParams.from_dict(json.loads(text))
    with pytest.raises(ModelError):
        ModelParams(HashingSettings(), {1: math.nan}, {}, 0.0, 1, 1)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(format=99),
        lambda d: d["hashing"].update(n_features=1000),  # not a power of two
        lambda d: d["hashing"].update(hash="murmur3"),
        lambda d: d["ngram_weights"].append([1 << 30, 0.5]),  # outside the columns
        lambda d: d.pop("counts"),
        lambda d: d["counts"].update(positives=-1),
    ],
)
def test_a_malformed_model_is_refused_and_the_builtin_is_chosen(
    change: Callable[[dict[str, Any]], object],
) -> None:
    data = small_model().to_dict()
    change(data)
    with pytest.raises(ModelError):
        ModelParams.from_dict(data)
    suggester, notes = choose(data)
    assert isinstance(suggester, BuiltinSuggester)
    assert len(notes) == 1 and "built-in" in notes[0]
    assert isinstance(choose(small_model().to_dict())[0], LearnedSuggester)
    untrained, none = choose(None)  # nothing trained yet: the built-in one, nothing to say
    assert isinstance(untrained, BuiltinSuggester) and none == []


def test_scoring_a_stored_model_imports_no_sklearn_numpy_or_scipy(tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    model.write_text(json.dumps(small_model().to_dict()), encoding="utf-8")
    script = (
        "import json, sys\n"
        "from annotations.suggest.learned import choose\n"
        f"suggester, notes = choose(json.loads(open({str(model)!r}).read()))\n"
        "assert type(suggester).__name__ == 'LearnedSuggester' and not notes\n"
        "out = suggester.suggest('Exports rose 12 percent. I think so.', [])\n"
        "assert len(out) == 2 and out[0].score > out[1].score, out\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('sklearn', 'numpy', 'scipy')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_training_without_sklearn_says_so_and_scoring_still_works() -> None:
    script = (
        "import sys\n"
        "sys.modules['sklearn'] = None  # as if the learn extra were not installed\n"
        "from annotations.suggest.learned import *\n"
        "try:\n"
        "    train([Example('a b', True), Example('c d', False)])\n"
        "except LearnerUnavailable as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == MISSING_SKLEARN, done.stdout + done.stderr
    assert "annotty[learn]" in MISSING_SKLEARN and can_train()  # the dev extra has it


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_ngrams_are_the_ones_hashing_vectorizer_makes(text: str) -> None:
    # scikit-learn's analyzer: lower-case, token_pattern r"(?u)\b\w\w+\b", then _word_ngrams
    # joins n-grams with one space, unigrams first (sklearn/feature_extraction/text.py).
    from sklearn.feature_extraction.text import HashingVectorizer

    analyzer = HashingVectorizer(ngram_range=(1, 2)).build_analyzer()
    assert ngrams(text, HashingSettings()) == analyzer(text)


def test_hashed_rows_are_l2_normalized_and_stable() -> None:
    row = hashed("Exports rose 12 percent, exports rose.", HashingSettings())
    assert math.isclose(math.sqrt(sum(v * v for v in row.values())), 1.0)
    assert row == hashed("exports ROSE 12 percent; Exports rose", HashingSettings())
    assert hashed("", HashingSettings()) == {}


def test_uncertainty_puts_the_undecided_first() -> None:
    scores = [0.95, 0.52, 0.1, 0.4]
    assert sorted(scores, key=uncertainty, reverse=True) == [0.52, 0.4, 0.1, 0.95]
    assert uncertainty(0.5) == 1.0 and uncertainty(0.0) == uncertainty(1.0) == 0.0


def tiny_gold(path: Path) -> Path:
    lines = []
    for i in range(4):
        claims, opinions = CLAIMS[i * 3 : i * 3 + 3], OPINIONS[i * 3 : i * 3 + 3]
        text = "\n".join(claims + opinions)
        spans, at = [], 0
        for n, sentence in enumerate(claims + opinions):
            spans.append([at, at + len(sentence), "claim" if n < 3 else "not_claim"])
            at += len(sentence) + 1
        lines.append(json.dumps({"file": f"doc{i}.txt", "text": text, "spans": spans}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_learning_curve_runs_on_a_tiny_gold(tmp_path: Path) -> None:
    docs = lc.load_gold(tiny_gold(tmp_path / "gold.jsonl"))
    a, b = lc.halves(docs)
    assert len(a) == len(b) == 2 and {d.name for d in a + b} == {d.name for d in docs}
    points = lc.curve(docs, lambda text: [], fractions=(0.5, 1.0))
    assert [(p.train_half, p.fraction, p.train_units) for p in points] == [
        ("A", 0.5, 6),
        ("A", 1.0, 12),
        ("B", 0.5, 6),
        ("B", 1.0, 12),
    ]
    for p in points:
        assert p.test_units == 12
        assert 0.0 <= p.learned_ap <= 1.0 and 0.0 <= p.learned_f1 <= 1.0
    full = [p for p in points if p.fraction == 1.0]
    assert all(
        p.learned_ap == 1.0 for p in full
    )  # claims and opinions this plain: all ranked first


def test_average_precision_and_f1_by_hand() -> None:
    assert lc.average_precision([0.9, 0.8, 0.7], [True, False, True]) == pytest.approx(
        (1 / 1 + 2 / 3) / 2
    )
    assert lc.average_precision([0.5, 0.5], [True, False]) == 0.5  # ties give no credit
    assert lc.f1([0.9, 0.6, 0.2], [True, False, True]) == pytest.approx(2 / (2 + 1 + 1))


def test_a_malformed_gold_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(
        '{"text": "abc", "spans": [[0, 3, "claim"]]}\n{"text": "ab", "spans": [[0, 9, "claim"]]}\n'
    )
    with pytest.raises(InputError, match=r"gold.jsonl:2: "):
        lc.load_gold(path)
