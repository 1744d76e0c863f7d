"""How the built-in suggester's weights were obtained, and how much of its score is fitted.

``fit`` is a class-balanced logistic regression (scikit-learn, L2, ``C``) of the gold labels on
the transparent features of each unit. Features that fire on fewer than ``MIN_SUPPORT`` gold
units keep their hand-set weight (``HAND_WEIGHTS``): a handful of examples says nothing reliable
about, say, a percentage, and its meaning does. ``builtin.WEIGHTS`` and ``builtin.BIAS`` are the
result of ``fit`` on the seed gold plus the dev half of the news gold (``weights_gold``), rounded
and written into the code; the news gold's test half stays held out.

``leave_one_out`` refits on all gold texts but one and scores that one, for each in turn: the
figure to expect on unseen news, printed by ``bench_suggest`` beside the in-sample one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotations.model import Entity
from annotations.suggest.builtin import BuiltinSuggester
from annotations.suggest.candidate import Candidate
from annotations.suggest.evaluate import GoldText, load_gold, matches
from annotations.suggest.features import Features, features_of_units

C = 3.0  # inverse L2 strength: chosen by leave-one-text-out on the seeds (1, 3, 10, 30 tried)
MIN_SUPPORT = 5
HAND_WEIGHTS: dict[str, float] = {
    # set by meaning before any fitting (the first built-in's weights): used for rare features
    "number": 0.8,
    "money": 1.0,
    "percent": 1.2,
    "quantity": 0.8,
    "cardinal": 0.5,
    "date": 0.35,
    "ordinal": 0.3,
    "named": 0.45,
    "comparative": 0.9,
    "change": 0.7,
    "superlative": 0.8,
    "attribution": 0.2,
    "speaker": 0.3,
    "future": 0.6,
    "causal": 0.8,
    "law": 0.8,
    "experience": 0.6,
    "hedge": -0.8,
    "opinion": -1.8,
    "first_person": -0.3,
    "normative": -0.7,
    "willingness": -1.0,
    "praise": -0.8,
    "meta": -2.0,
    "question": -2.0,
    "exclamation": -1.2,
    "short": -1.5,
    "heading": -2.0,
}

Recognize = Callable[[str], Sequence[Entity]]
GOLD_DIR = Path(__file__).resolve().parents[2] / "tests" / "data"
SEED_GOLD = GOLD_DIR / "claims_gold.jsonl"
NEWS_GOLD = GOLD_DIR / "claims_gold_news.jsonl"
"""Labelled blind (the suggester never run while labelling): its ``news_gold/test`` half is the
held-out check of the weights; its ``news_gold/dev`` half is fitted with the seeds."""


def weights_gold() -> list[GoldText]:
    """What ``WEIGHTS`` are fitted on: the seed gold and the news gold's dev half."""
    return load_gold(SEED_GOLD) + [g for g in load_gold(NEWS_GOLD) if _half(g) == "dev"]


def held_out_gold() -> list[GoldText]:
    """The news gold's test half: never fitted on."""
    return [g for g in load_gold(NEWS_GOLD) if _half(g) == "test"]


def _half(record: GoldText) -> str:
    return "dev" if record.name.startswith("news_gold/dev/") else "test"


@dataclass(frozen=True, slots=True)
class Unit:
    """One gold unit: which text it is in, its features, and whether it is a gold claim."""

    text: int
    values: Mapping[str, float]
    claim: bool


def gold_units(gold: Sequence[GoldText], recognize: Recognize) -> list[Unit]:
    """Every unit of every gold text (the gold spans themselves), with its features."""
    out = []
    for n, record in enumerate(gold):
        claims = [(s, e) for s, e, label in record.spans if label == "claim"]
        spans = [(s, e) for s, e, _ in record.spans]
        for start, end, f in features_of_units(record.text, spans, recognize(record.text)):
            is_claim = any(matches(start, end, s, e) for s, e in claims)
            out.append(Unit(n, dict(f.values), is_claim))
    return out


def fitted_on(
    labelled: Iterable[tuple[str, Sequence[tuple[int, int, bool]], Sequence[Entity]]],
) -> BuiltinSuggester:
    """The built-in suggester with its weights fitted on these texts alone (text, its labelled
    spans ``(start, end, is a claim)``, its entities), the way ``WEIGHTS`` were fitted on the
    whole seed gold: the fair baseline when the rest of the gold is scored, since the shipped
    weights have seen every seed."""
    units = [
        Unit(n, dict(f.values), claim)
        for n, (text, spans, entities) in enumerate(labelled)
        for (_, _, f), (_, _, claim) in zip(
            features_of_units(text, [(s, e) for s, e, _ in spans], entities), spans, strict=True
        )
    ]
    weights, bias = fit(units)
    return BuiltinSuggester(weights=weights, bias=bias)


def fit(units: Sequence[Unit]) -> tuple[dict[str, float], float]:
    """Weights and bias of a class-balanced logistic regression over ``units``; features with
    less than ``MIN_SUPPORT`` units keep ``HAND_WEIGHTS`` (0 when they have none)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    support: dict[str, int] = {}
    for unit in units:
        for name in unit.values:
            support[name] = support.get(name, 0) + 1
    fitted = sorted(n for n, count in support.items() if count >= MIN_SUPPORT)
    column = {n: i for i, n in enumerate(fitted)}
    x = np.zeros((len(units), len(fitted)))
    for row, unit in enumerate(units):
        for name, value in unit.values.items():
            if name in column:
                x[row, column[name]] = value
    y = np.array([unit.claim for unit in units])
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(x, y)
    weights = {n: w for n, w in HAND_WEIGHTS.items() if n not in column}
    weights.update({n: round(float(w), 2) for n, w in zip(fitted, model.coef_[0], strict=True)})
    return weights, round(float(model.intercept_[0]), 2)


def leave_one_out(units: Sequence[Unit]) -> list[tuple[int, float, bool]]:
    """For each gold text, fit on the others and score its units: (text, score, is claim)."""
    out = []
    for held in sorted({u.text for u in units}):
        weights, bias = fit([u for u in units if u.text != held])
        scorer = BuiltinSuggester(weights=weights, bias=bias)
        for unit in units:
            if unit.text == held:
                out.append((held, _score(scorer, unit.values), unit.claim))
    return out


def _score(scorer: BuiltinSuggester, values: Mapping[str, float]) -> float:
    candidate: Candidate = scorer.candidate("", 0, 0, Features(dict(values)))
    return candidate.score
