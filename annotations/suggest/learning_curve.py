"""How the learned suggester improves with decisions: train on part of the gold, score the rest.

The gold documents are split into two halves of about the same number of units; the model is
trained on 25 / 50 / 100 % of one half's units (a fixed shuffle, so the figures repeat) and scored
on the other half, beside the untrained built-in suggester; then the halves swap. Scores are per
gold unit: average precision of the ranking and F1 of "claim" at the threshold.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotations.model import Entity
from annotations.suggest import evaluate
from annotations.suggest.builtin import DEFAULT_THRESHOLD, BuiltinSuggester
from annotations.suggest.learned import LearnedSuggester, train, unit_examples

FRACTIONS = (0.25, 0.5, 1.0)


@dataclass(frozen=True, slots=True)
class GoldDoc:
    name: str
    text: str
    spans: tuple[tuple[int, int, bool], ...]  # start, end, is a claim


@dataclass(frozen=True, slots=True)
class CurvePoint:
    train_half: str  # "A" or "B": the half trained on; the other is scored
    fraction: float
    train_units: int
    test_units: int
    learned_ap: float
    learned_f1: float
    builtin_ap: float
    builtin_f1: float


def load_gold(path: Path) -> list[GoldDoc]:
    """A claims gold file (``evaluate.load_gold``: strict JSON, one line per text, refusals
    naming file and line) with each span's label as a bool: is it a claim."""
    return [
        GoldDoc(g.name, g.text, tuple((s, e, label == "claim") for s, e, label in g.spans))
        for g in evaluate.load_gold(path)
    ]


def halves(docs: Sequence[GoldDoc]) -> tuple[list[GoldDoc], list[GoldDoc]]:
    """Two groups of whole documents with about as many units each (largest first, greedy)."""
    a: list[GoldDoc] = []
    b: list[GoldDoc] = []
    for doc in sorted(docs, key=lambda d: (-len(d.spans), d.name)):
        smaller = a if sum(len(d.spans) for d in a) <= sum(len(d.spans) for d in b) else b
        smaller.append(doc)
    return a, b


def average_precision(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """scikit-learn's average precision (``evaluate.average_precision``), scores first."""
    return evaluate.average_precision(labels, scores)


def f1(
    scores: Sequence[float], labels: Sequence[bool], threshold: float = DEFAULT_THRESHOLD
) -> float:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < threshold and y)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _scores(
    docs: Sequence[GoldDoc],
    entities: dict[str, list[Entity]],
    suggester: BuiltinSuggester | LearnedSuggester,
) -> tuple[list[float], list[bool]]:
    scores: list[float] = []
    labels: list[bool] = []
    for doc in docs:
        spans = [(s, e) for s, e, _ in doc.spans]
        scores.extend(c.score for c in suggester.score_units(doc.text, spans, entities[doc.name]))
        labels.extend(y for _, _, y in doc.spans)
    return scores, labels


def curve(
    docs: Sequence[GoldDoc],
    recognize: Callable[[str], list[Entity]],
    fractions: Sequence[float] = FRACTIONS,
    seed: int = 13,
) -> list[CurvePoint]:
    """The learning curve both ways round (train on A score B, then train on B score A)."""
    entities = {d.name: recognize(d.text) for d in docs}
    a, b = halves(docs)
    builtin = BuiltinSuggester()
    out = []
    for name, train_docs, test_docs in (("A", a, b), ("B", b, a)):
        pool = [x for d in train_docs for x in unit_examples(d.text, d.spans, entities[d.name])]
        random.Random(seed).shuffle(pool)
        base_scores, labels = _scores(test_docs, entities, builtin)
        for fraction in fractions:
            part = pool[: max(2, round(len(pool) * fraction))]
            learned = LearnedSuggester(train(part))
            scores, _ = _scores(test_docs, entities, learned)
            out.append(
                CurvePoint(
                    name,
                    fraction,
                    len(part),
                    len(labels),
                    average_precision(scores, labels),
                    f1(scores, labels),
                    average_precision(base_scores, labels),
                    f1(base_scores, labels),
                )
            )
    return out
