"""How the learned suggester improves with decisions: train on part of the gold, score the rest.

The gold documents (of one or more gold files: ``load_golds``) are split into two halves of
about the same number of units; the model is trained on 25 / 50 / 100 % of one half's units (a
fixed shuffle, so the figures repeat) and scored on the other half, beside the untrained built-in
suggester; then the halves swap. Scores are per gold unit: average precision of the ranking and
F1 of "claim" at each suggester's own threshold (the learned model's is chosen on its training
part alone, as are its penalty and class weighting: ``learned.choose_fit``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotations.model import Entity
from annotations.suggest import evaluate
from annotations.suggest.builtin import DEFAULT_THRESHOLD, BuiltinSuggester
from annotations.suggest.learned import FitChoice, LearnedSuggester, fit, unit_examples

FRACTIONS = (0.25, 0.5, 1.0)


@dataclass(frozen=True, slots=True)
class GoldDoc:
    name: str
    text: str
    spans: tuple[tuple[int, int, bool], ...]  # start, end, is a claim


@dataclass(frozen=True, slots=True)
class ScoredDoc:
    """One scored test document: per gold unit, the learned and the built-in scores, the label."""

    learned: tuple[float, ...]
    builtin: tuple[float, ...]
    labels: tuple[bool, ...]


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
    choice: FitChoice | None = None  # what the learned model was fitted with, and how chosen
    learned_threshold: float = DEFAULT_THRESHOLD
    builtin_threshold: float = DEFAULT_THRESHOLD
    scored: tuple[ScoredDoc, ...] = ()  # the test documents, for ``spread``


def load_gold(path: Path) -> list[GoldDoc]:
    """A claims gold file (``evaluate.load_gold``: strict JSON, one line per text, refusals
    naming file and line) with each span's label as a bool: is it a claim."""
    return [
        GoldDoc(g.name, g.text, tuple((s, e, label == "claim") for s, e, label in g.spans))
        for g in evaluate.load_gold(path)
    ]


def load_golds(paths: Sequence[Path]) -> list[GoldDoc]:
    """The documents of several gold files, each named by its file too (two files may both
    hold a "doc.txt")."""
    return [
        GoldDoc(f"{path.name}:{doc.name}", doc.text, doc.spans)
        for path in paths
        for doc in load_gold(path)
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
) -> list[list[float]]:
    """Each document's unit scores."""
    return [
        [
            c.score
            for c in suggester.score_units(
                doc.text, [(s, e) for s, e, _ in doc.spans], entities[doc.name]
            )
        ]
        for doc in docs
    ]


def spread(
    point: CurvePoint, resamples: int = 400, seed: int = 13, level: float = 0.9
) -> tuple[tuple[float, float], tuple[float, float]]:
    """How far the differences (learned - built-in) in average precision and in F1 move when
    the test documents are drawn again with replacement: the ``level`` interval of each. Whole
    documents are drawn, as the halves are of whole documents."""
    docs = point.scored
    rng = random.Random(seed)
    ap_diff: list[float] = []
    f1_diff: list[float] = []
    for _ in range(resamples):
        drawn = [docs[rng.randrange(len(docs))] for _ in docs]
        learned = [x for d in drawn for x in d.learned]
        builtin = [x for d in drawn for x in d.builtin]
        labels = [y for d in drawn for y in d.labels]
        ap_diff.append(average_precision(learned, labels) - average_precision(builtin, labels))
        f1_diff.append(
            f1(learned, labels, point.learned_threshold)
            - f1(builtin, labels, point.builtin_threshold)
        )
    tail = (1.0 - level) / 2
    return _interval(ap_diff, tail), _interval(f1_diff, tail)


def _interval(values: list[float], tail: float) -> tuple[float, float]:
    ordered = sorted(values)
    last = len(ordered) - 1
    return ordered[round(tail * last)], ordered[round((1.0 - tail) * last)]


def curve(
    docs: Sequence[GoldDoc],
    recognize: Callable[[str], list[Entity]],
    fractions: Sequence[float] = FRACTIONS,
    seed: int = 13,
    split: tuple[Sequence[GoldDoc], Sequence[GoldDoc]] | None = None,
) -> list[CurvePoint]:
    """The learning curve both ways round (train on A score B, then train on B score A); the
    halves are ``halves(docs)`` unless ``split`` gives them."""
    entities = {d.name: recognize(d.text) for d in docs}
    a, b = halves(docs) if split is None else split
    builtin = BuiltinSuggester()
    out = []
    for name, train_docs, test_docs in (("A", a, b), ("B", b, a)):
        pool = [
            x
            for d in train_docs
            for x in unit_examples(d.text, d.spans, entities[d.name], group=d.name)
        ]
        random.Random(seed).shuffle(pool)
        base_by_doc = _scores(test_docs, entities, builtin)
        base_scores = [x for doc in base_by_doc for x in doc]
        labels = [y for doc in test_docs for _, _, y in doc.spans]
        for fraction in fractions:
            part = pool[: max(2, round(len(pool) * fraction))]
            params, choice = fit(part)
            learned = LearnedSuggester(params)
            by_doc = _scores(test_docs, entities, learned)
            scores = [x for doc in by_doc for x in doc]
            out.append(
                CurvePoint(
                    name,
                    fraction,
                    len(part),
                    len(labels),
                    average_precision(scores, labels),
                    f1(scores, labels, learned.threshold),
                    average_precision(base_scores, labels),
                    f1(base_scores, labels, builtin.threshold),
                    choice,
                    learned.threshold,
                    builtin.threshold,
                    tuple(
                        ScoredDoc(tuple(mine), tuple(base), tuple(y for _, _, y in doc.spans))
                        for mine, base, doc in zip(by_doc, base_by_doc, test_docs, strict=True)
                    ),
                )
            )
    return out
