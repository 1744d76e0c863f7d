"""The learned suggester chooses its penalty, class weighting and threshold on its training data
alone, by cross-validation that keeps documents whole; models stored before that still load."""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.entities import builtin
from annotations.model import Entity
from annotations.suggest import learned
from annotations.suggest import learning_curve as lc
from annotations.suggest.builtin import DEFAULT_THRESHOLD
from annotations.suggest.learned import (
    C_GRID,
    DEFAULT_FIT,
    Example,
    LearnedSuggester,
    ModelError,
    ModelParams,
    fit,
    train,
)
from annotations.suggest.ngram_hashing import HashingSettings

DATA = Path(__file__).resolve().parent / "data"
GOLDS = [DATA / "claims_gold.jsonl", DATA / "claims_gold_news.jsonl"]
WORDS = [
    "river",
    "bridge",
    "harbour",
    "market",
    "school",
    "field",
    "tower",
    "station",
    "valley",
    "forest",
]


def memorable(docs: int, per_doc: int, seed: int = 1) -> list[Example]:
    """Documents whose units share a made-up name and one label (every other document is a
    claim's): within a document the name predicts the label perfectly, across documents nothing
    does (the other words are drawn at random)."""
    rng = random.Random(seed)
    out = []
    for d in range(docs):
        label = d % 2 == 0
        for _ in range(per_doc):
            words = " ".join(rng.choice(WORDS) for _ in range(6))
            out.append(Example(f"zq{d}x {words}", label, {}, f"doc {d}"))
    return out


def test_folds_keep_documents_whole() -> None:
    grouped = memorable(40, 12)
    _, by_document = fit(grouped)
    _, by_unit = fit([replace(e, group="") for e in grouped])  # every unit alone
    assert by_document.folds == learned.CV_FOLDS and by_unit.folds == learned.CV_FOLDS
    # split by unit, a document's name is learned in one fold and "predicts" the next: the
    # estimate flatters; split by document, it is what unseen documents will get (chance)
    assert by_unit.cv_ap > 0.9
    assert by_document.cv_ap < 0.7


@pytest.mark.parametrize(
    "docs, per_doc",
    [
        (learned.CV_MIN_GROUPS - 1, 50),  # few documents, many decisions
        (10, 2),  # twenty decisions in ten documents: a threshold would follow a handful
    ],
)
def test_too_few_documents_or_decisions_fit_with_the_defaults(docs: int, per_doc: int) -> None:
    few = memorable(docs, per_doc, seed=3)
    assert len({e.label for e in few}) == 2
    params, choice = fit(few)
    assert choice == DEFAULT_FIT and choice.folds == 0
    assert (params.c, params.balanced, params.threshold) == (learned.C, True, DEFAULT_THRESHOLD)
    more = memorable(max(docs, learned.CV_MIN_GROUPS) + 2, 100 // docs + 1, seed=3)
    _, enough = fit(more)
    assert enough.folds > 0, enough  # with a few more of either, the choice is made


def test_a_given_penalty_is_used_as_is() -> None:
    params, choice = fit(memorable(20, 5), c=0.7)
    assert (choice.c, choice.balanced, choice.threshold, choice.folds) == (0.7, True, 0.5, 0)
    assert params.c == 0.7


def test_many_examples_are_chosen_on_a_sample_of_whole_documents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    groups = [f"doc {n // 7}" for n in range(700)]
    rows = learned._sample(groups, 100)
    picked = {groups[i] for i in rows}
    assert rows == sorted(i for i, g in enumerate(groups) if g in picked)  # whole documents
    assert 100 <= len(rows) < 107 and rows == learned._sample(groups, 100)  # the same each time
    monkeypatch.setattr(learned, "CV_SAMPLE", 60)
    _, choice = fit(memorable(30, 5, seed=4))  # a sample holding both classes
    assert choice.folds == learned.CV_LARGE_FOLDS and choice.c in C_GRID


@pytest.fixture(scope="module")
def recognize() -> Callable[[str], list[Entity]]:
    """The built-in recognizer, each text recognized once for the module."""
    recognizer = builtin()
    return functools.lru_cache(maxsize=None)(recognizer.recognize)


@pytest.fixture(scope="module")
def combined_curve(recognize: Callable[[str], list[Entity]]) -> list[lc.CurvePoint]:
    return lc.curve(lc.load_golds(GOLDS), recognize, fractions=(1.0,))


def test_the_combined_curve_chooses_on_the_training_half_and_loses_nothing(
    recognize: Callable[[str], list[Entity]], combined_curve: list[lc.CurvePoint]
) -> None:
    """One test for the one costly curve (a module fixture would run once per test worker).

    A guard, not the bench's figure: trained on either half (its choices made on it alone),
    the learned model ranks and decides the other half at least about as well as the built-in
    it starts from (the full curve and its differences: bench_suggest_learned); and scoring
    another test half does not change what was chosen."""
    points = combined_curve
    assert [p.train_half for p in points] == ["A", "B"]
    for p in points:
        assert p.learned_ap >= p.builtin_ap - 0.005, p
        assert p.learned_f1 >= p.builtin_f1 - 0.01, p
    docs = lc.load_golds(GOLDS)
    a, b = lc.halves(docs)
    full = combined_curve
    other = lc.curve(docs, recognize, fractions=(1.0,), split=(a, b[::2]))
    assert full[0].train_half == other[0].train_half == "A"
    assert full[0].test_units != other[0].test_units
    assert full[0].choice == other[0].choice and full[0].choice is not None
    assert full[0].choice.folds == learned.CV_FOLDS


def test_the_combined_gold_gives_two_halves_of_many_documents() -> None:
    docs = lc.load_golds(GOLDS)
    a, b = lc.halves(docs)
    assert len(docs) == 37 and len({d.name for d in docs}) == 37
    assert min(len(a), len(b)) >= 15
    units_a, units_b = (sum(len(d.spans) for d in half) for half in (a, b))
    assert abs(units_a - units_b) <= 0.05 * (units_a + units_b)


OLD_MODEL = {  # as stored before models carried a threshold and their penalty
    "format": 1,
    "kind": "logistic-hashed-ngrams",
    "hashing": {
        "hash": "crc32",
        "n_features": 1024,
        "ngram_range": [1, 2],
        "token_pattern": r"(?u)\b\w\w+\b",
        "lowercase": True,
        "alternate_sign": False,
        "norm": "l2",
    },
    "ngram_weights": [[3, 0.5], [17, -0.25]],
    "feature_weights": {"builtin": 0.3, "number": 0.1},
    "intercept": -0.2,
    "counts": {"positives": 4, "negatives": 6},
}


def test_a_model_stored_before_thresholds_loads_with_the_default() -> None:
    params = ModelParams.from_dict(json.loads(json.dumps(OLD_MODEL)))
    assert (params.threshold, params.c, params.balanced) == (DEFAULT_THRESHOLD, 0.0, True)
    assert params.to_dict() == OLD_MODEL  # written back as it was read
    assert LearnedSuggester(params).threshold == DEFAULT_THRESHOLD


def test_the_suggester_uses_the_models_threshold() -> None:
    params = replace(ModelParams.from_dict(OLD_MODEL), threshold=0.37, c=0.3, balanced=False)
    data = json.loads(json.dumps(params.to_dict()))
    assert data["threshold"] == 0.37
    assert data["fit"] == {"c": 0.3, "class_weight": "none"}
    assert LearnedSuggester(ModelParams.from_dict(data)).threshold == 0.37
    assert LearnedSuggester(params, threshold=0.6).threshold == 0.6  # a caller may override
    model = train(memorable(12, 6, seed=5))
    assert LearnedSuggester(model).threshold == model.threshold


@pytest.mark.parametrize(
    "change",
    [
        {"threshold": 0.0},
        {"threshold": 1.0},
        {"threshold": float("nan")},
        {"threshold": "0.5"},
        {"fit": {"c": -1.0, "class_weight": "balanced"}},
        {"fit": {"c": 0.3, "class_weight": "heavy"}},
        {"fit": {"c": float("inf"), "class_weight": "none"}},
        {"fit": [0.3]},
    ],
)
def test_a_bad_threshold_or_fit_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ModelError):
        ModelParams.from_dict({**OLD_MODEL, **change})


@settings(max_examples=50, deadline=None)
@given(
    st.floats(min_value=0.001, max_value=0.999),
    st.floats(min_value=0.0, max_value=1e6, allow_nan=False),
    st.booleans(),
)
def test_threshold_and_fit_round_trip_through_json(
    threshold: float, c: float, balanced: bool
) -> None:
    params = replace(
        ModelParams(HashingSettings(n_features=1024), {5: 0.25}, {"builtin": 1.5}, 0.1, 2, 3),
        threshold=threshold,
        c=c,
        balanced=balanced,
    )
    again = ModelParams.from_dict(json.loads(json.dumps(params.to_dict())))
    assert (again.threshold, again.c) == (threshold, c)
    assert again.balanced == (balanced or not c)  # the weighting is stored with a known c only
    if c:
        assert again == params


def test_the_spread_of_a_difference_comes_from_drawing_documents_again() -> None:
    same = lc.ScoredDoc((0.9, 0.2), (0.9, 0.2), (True, False))
    better = lc.ScoredDoc((0.9, 0.2), (0.2, 0.9), (True, False))  # the built-in has it backwards
    point = lc.CurvePoint("A", 1.0, 4, 4, 1.0, 1.0, 0.75, 0.5, scored=(same, better))
    (ap_lo, ap_hi), (f1_lo, f1_hi) = lc.spread(point, resamples=200)
    assert 0.0 == ap_lo < ap_hi and 0.0 == f1_lo < f1_hi  # drawn twice, "same" ties
    assert lc.spread(point, resamples=200) == ((ap_lo, ap_hi), (f1_lo, f1_hi))  # seeded
    tie = lc.CurvePoint("A", 1.0, 4, 4, 1.0, 1.0, 1.0, 1.0, scored=(same, same))
    assert lc.spread(tie) == ((0.0, 0.0), (0.0, 0.0))
