"""The learned suggester: a linear model over hashed word n-grams and the built-in features.

It learns from the team's decisions (accepted and manual claims are positives; rejected candidates
and unclaimed units of finished documents negatives). Training needs scikit-learn (the optional
``learn`` extra); the trained model is plain data (``ModelParams``: hashing settings, the non-zero
weights, the intercept, counts) that scoring reads with nothing but the standard library, so the
app starts and scores a stored model without scikit-learn, numpy or scipy, and nothing is pickled.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from annotations.model import Entity
from annotations.suggest.builtin import DEFAULT_THRESHOLD, MAX_REASONS, BuiltinSuggester, logistic
from annotations.suggest.candidate import Candidate
from annotations.suggest.features import features_of_units
from annotations.suggest.ngram_hashing import HashingSettings, hashed
from annotations.suggest.units import units

MODEL_FORMAT = 1
C = 0.03
"""Inverse strength of the L2 penalty. Chosen on the seed gold's learning curve (0.03, 0.1, 0.3):
a few hundred decisions from a few documents overfit their words unless held back firmly."""
PRIOR = "builtin"
"""The feature holding the built-in suggester's logit: the model starts from the hand-set scorer
and learns corrections to it (with it, average precision on the held-out half of the seed gold
is 0.06 to 0.13 higher than with n-grams and features alone, measured at C = 0.1)."""
PRIOR_SCALE = 3.0
FEATURE_SCALE = 0.3
"""Scaling a column by k divides its penalty by k squared: the prior moves freely, the single
transparent features (already inside the prior) only where the decisions insist, n-grams between."""
_RULES = BuiltinSuggester()
MISSING_SKLEARN = (
    "training the learned suggester needs scikit-learn (pip install 'annotty[learn]'); "
    "the built-in suggester is used meanwhile"
)


class ModelError(ValueError):
    """A stored model that cannot be used: wrong shape, unknown format, a non-finite number."""


class LearnerUnavailable(RuntimeError):
    """scikit-learn is not installed, so no model can be trained (scoring still works)."""


@dataclass(frozen=True, slots=True)
class Example:
    """One decided unit: its text, whether it holds a claim, its transparent features."""

    text: str
    label: bool
    features: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModelParams:
    """A trained model as plain data. ``ngram_weights``: hashed column -> weight (non-zero only);
    ``feature_weights``: transparent feature name -> weight. Checked on construction."""

    hashing: HashingSettings
    ngram_weights: Mapping[int, float]
    feature_weights: Mapping[str, float]
    intercept: float
    positives: int
    negatives: int

    def __post_init__(self) -> None:
        n = self.hashing.n_features
        for index, weight in self.ngram_weights.items():
            if not (isinstance(index, int) and 0 <= index < n):
                raise ModelError(f"n-gram column {index!r} is outside 0..{n - 1}")
            _finite(f"weight of column {index}", weight)
        for name, weight in self.feature_weights.items():
            if not isinstance(name, str):
                raise ModelError(f"feature name {name!r} is not a string")
            _finite(f"weight of feature {name!r}", weight)
        _finite("intercept", self.intercept)
        for what in ("positives", "negatives"):
            count = getattr(self, what)
            if not (isinstance(count, int) and not isinstance(count, bool) and count >= 0):
                raise ModelError(f"{what} must be a count, not {count!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``json.loads(json.dumps(p.to_dict()))`` gives ``p`` back exactly."""
        h = self.hashing
        return {
            "format": MODEL_FORMAT,
            "kind": "logistic-hashed-ngrams",
            "hashing": {
                "hash": h.hash,
                "n_features": h.n_features,
                "ngram_range": list(h.ngram_range),
                "token_pattern": h.token_pattern,
                "lowercase": h.lowercase,
                "alternate_sign": h.alternate_sign,
                "norm": h.norm,
            },
            "ngram_weights": [[i, w] for i, w in sorted(self.ngram_weights.items())],
            "feature_weights": dict(sorted(self.feature_weights.items())),
            "intercept": self.intercept,
            "counts": {"positives": self.positives, "negatives": self.negatives},
        }

    @staticmethod
    def from_dict(data: object) -> ModelParams:
        """The model ``to_dict`` wrote; ``ModelError`` naming the first thing wrong otherwise."""
        try:
            return _from_dict(data)
        except ModelError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ModelError(f"not a stored learned model: {type(e).__name__}: {e}") from None


def _finite(what: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ModelError(f"{what} is not a finite number: {value!r}")


def _from_dict(data: object) -> ModelParams:
    if not isinstance(data, dict):
        raise ModelError("a stored learned model is a JSON object")
    if data.get("format") != MODEL_FORMAT:
        raise ModelError(f"unknown model format {data.get('format')!r} (expected {MODEL_FORMAT})")
    h = data["hashing"]
    lo, hi = h["ngram_range"]
    settings = HashingSettings(
        n_features=h["n_features"],
        ngram_range=(lo, hi),
        token_pattern=h["token_pattern"],
        lowercase=bool(h["lowercase"]),
        alternate_sign=bool(h["alternate_sign"]),
        norm=h["norm"],
        hash=h["hash"],
    )
    weights: dict[int, float] = {}
    for index, weight in data["ngram_weights"]:
        if not isinstance(index, int) or isinstance(index, bool):
            raise ModelError(f"n-gram column {index!r} is not an integer")
        _finite(f"weight of column {index}", weight)
        weights[index] = float(weight)
    features = data["feature_weights"]
    if not isinstance(features, dict):
        raise ModelError("feature_weights is not an object")
    for name, weight in features.items():
        _finite(f"weight of feature {name!r}", weight)
    intercept = data["intercept"]
    _finite("intercept", intercept)
    counts = data["counts"]
    return ModelParams(
        settings,
        weights,
        {str(k): float(v) for k, v in features.items()},
        float(intercept),
        counts["positives"],
        counts["negatives"],
    )


def can_train() -> bool:
    """Whether scikit-learn is installed (found without importing it: it takes about a second)."""
    return importlib.util.find_spec("sklearn") is not None


def train(
    examples: Iterable[Example], hashing: HashingSettings | None = None, c: float = C
) -> ModelParams:
    """Fit a class-balanced logistic regression on the examples' n-grams and features.

    Needs both classes; ``LearnerUnavailable`` when scikit-learn is missing."""
    settings = hashing or HashingSettings()
    rows = list(examples)
    positives = sum(1 for e in rows if e.label)
    negatives = len(rows) - positives
    if not positives or not negatives:
        raise ValueError(
            f"training needs positives and negatives ({positives} and {negatives} given)"
        )
    try:
        import numpy as np
        from scipy.sparse import csr_matrix  # type: ignore[import-untyped]  # no stubs shipped
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise LearnerUnavailable(MISSING_SKLEARN) from None
    names = sorted({name for e in rows for name in e.features})
    column_of = {name: settings.n_features + i for i, name in enumerate(names)}
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for e in rows:
        cells = hashed(e.text, settings)
        indices.extend(cells)
        values.extend(cells.values())
        for name, value in e.features.items():
            indices.append(column_of[name])
            values.append(float(value))
        indptr.append(len(indices))
    matrix = csr_matrix(
        (np.asarray(values), np.asarray(indices), np.asarray(indptr)),
        shape=(len(rows), settings.n_features + len(names)),
    )
    labels = np.asarray([1 if e.label else 0 for e in rows])
    model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=200)
    model.fit(matrix, labels)
    coef = model.coef_[0]
    ngram_part = coef[: settings.n_features]
    nonzero = np.flatnonzero(ngram_part)
    return ModelParams(
        settings,
        {int(i): float(ngram_part[i]) for i in nonzero},
        {name: float(coef[column_of[name]]) for name in names},
        float(model.intercept_[0]),
        positives,
        negatives,
    )


def unit_examples(
    text: str, labelled: Iterable[tuple[int, int, bool]], entities: Sequence[Entity]
) -> list[Example]:
    """Examples from decided spans of one text (start, end, is a claim), with their features."""
    decided = list(labelled)
    spans = [(start, end) for start, end, _ in decided]
    return [
        Example(text[start:end], label, learner_features(features.values))
        for (start, end, features), (_, _, label) in zip(
            features_of_units(text, spans, entities), decided, strict=True
        )
    ]


def learner_features(values: Mapping[str, float]) -> dict[str, float]:
    """A unit's transparent features plus the built-in suggester's logit (``PRIOR``), scaled to
    set how freely each may move (``FEATURE_SCALE``, ``PRIOR_SCALE``)."""
    out = {name: value * FEATURE_SCALE for name, value in values.items()}
    prior = _RULES.bias + sum(_RULES.weights.get(n, 0.0) * v for n, v in values.items())
    out[PRIOR] = prior * PRIOR_SCALE
    return out


def uncertainty(score: float) -> float:
    """1 at 0.5 (the model cannot tell), 0 at 0 or 1: the active-learning queue's order."""
    return 1.0 - 2.0 * abs(score - 0.5)


class LearnedSuggester:
    """Scores units with a trained model; type and speaker come from the built-in rules.
    ``key`` names the model's content, so cached suggestions can tell a retrained model."""

    def __init__(
        self,
        params: ModelParams,
        claim_types: Sequence[str] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.params = params
        self.threshold = threshold
        digest = hashlib.sha256(json.dumps(params.to_dict()).encode("utf-8")).hexdigest()
        self.key = f"learned:{digest[:16]}"
        self._rules = BuiltinSuggester(claim_types=claim_types, threshold=threshold)

    def suggest(self, text: str, entities: Sequence[Entity]) -> list[Candidate]:
        """Every unit of ``text``, scored (as ``BuiltinSuggester.suggest``)."""
        return self.score_units(text, units(text), entities)

    def score_units(
        self, text: str, spans: Sequence[tuple[int, int]], entities: Sequence[Entity]
    ) -> list[Candidate]:
        """Score given units of ``text``: for callers that cache units, and for gold spans."""
        out = []
        for start, end, features in features_of_units(text, spans, entities):
            score, reasons = self.explain(text[start:end], learner_features(features.values))
            rule = self._rules.candidate(text, start, end, features)
            out.append(replace(rule, score=round(score, 4), reasons=reasons))
        return out

    def score(self, unit: str, features: Mapping[str, float]) -> float:
        """The probability that ``unit`` holds a check-worthy claim (``features`` as
        ``learner_features`` gives them)."""
        return self.explain(unit, features)[0]

    def explain(self, unit: str, features: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
        """The score and the words and features that moved it most."""
        p = self.params
        weights = p.ngram_weights
        grams: dict[int, str] = {}
        cells = hashed(unit, p.hashing, grams)
        parts: dict[str, float] = {}
        z = p.intercept
        for index, value in cells.items():
            part = weights.get(index, 0.0) * value
            if part:
                z += part
                parts[f'"{grams[index]}"'] = part
        for name, value in features.items():
            part = p.feature_weights.get(name, 0.0) * value
            z += part
            if part:
                parts[name] = part
        ranked = sorted(parts.items(), key=lambda kv: -abs(kv[1]))[:MAX_REASONS]
        reasons = tuple(f"{'+' if v > 0 else '-'} {k}" for k, v in ranked)
        return _logistic(z), reasons


def _logistic(z: float) -> float:
    # math.exp overflows beyond ~709: a score is 0 or 1 long before that
    return logistic(max(-500.0, min(500.0, z)))


def choose(
    stored: object | None, claim_types: Sequence[str] | None = None
) -> tuple[BuiltinSuggester | LearnedSuggester, list[str]]:
    """The suggester for a stored model (``to_dict``'s data, or None when none is trained yet):
    the learned one, or the built-in one and a message saying why the stored model is not used."""
    if stored is None:
        return BuiltinSuggester(claim_types=claim_types), []
    try:
        return LearnedSuggester(ModelParams.from_dict(stored), claim_types), []
    except ModelError as e:
        note = f"the stored learned model is not used ({e}); using the built-in suggester"
        return BuiltinSuggester(claim_types=claim_types), [note]
