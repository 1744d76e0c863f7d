"""The learned suggester: a linear model over hashed word n-grams and the built-in features.

It learns from the team's decisions (accepted and manual claims are positives; rejected candidates
and unclaimed units of finished documents negatives). Training needs scikit-learn (the optional
``learn`` extra); the trained model is plain data (``ModelParams``: hashing settings, the non-zero
weights, the intercept, counts, and optional stance and target heads) that scoring reads with
nothing but the standard library, so the app starts and scores a stored model without
scikit-learn, numpy or scipy, and nothing is pickled. ``training`` gathers the examples from the
store and decides when the heads have enough labelled claims.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from annotations.model import Entity
from annotations.suggest.builtin import DEFAULT_THRESHOLD, MAX_REASONS, BuiltinSuggester, logistic
from annotations.suggest.candidate import Candidate
from annotations.suggest.features import features_of_units
from annotations.suggest.model_checks import ModelError, finite, read_stored
from annotations.suggest.ngram_hashing import HashingSettings, hashed
from annotations.suggest.units import units

MODEL_FORMAT = 1
DIGITS = 6
"""Weights are stored to 6 decimals: a millionth changes no score visibly, and the JSON is about
half as long (faster to store, read and check after every retrain)."""
HEADS = ("stance", "target")
HEAD_C = 1.0
"""Inverse L2 strength of the stance and target heads: n-grams only, few examples, many words."""
HEAD_PASSES = 20
"""SAGA passes over the claims for a head: its labels follow a few words, found in a few passes."""
HEAD_PRUNE = 0.05
"""Head weights smaller than this are left out of the stored model: an n-gram's value is at most 1
(rows are l2-normalized), so each would move a logit by less than 0.05; the model stays small
and scoring fast (a head's cost grows with its weights)."""
HEAD_MIN_PROBABILITY = 0.5
"""A head's label is suggested only when its class is at least this likely (else "")."""
C = 0.03
"""Inverse strength of the L2 penalty when there are too few documents to choose one
(``CV_MIN_GROUPS``): a few hundred decisions from a few documents overfit their words unless held
back firmly."""
C_GRID = (0.03, 0.1, 0.3, 1.0)
"""The penalties ``choose_fit`` tries: from the firm default to one that lets the words speak
once the decisions cover many documents."""
WEIGHTINGS = (True, False)
"""Class-balanced or not: ``choose_fit`` keeps whichever ranks the held-out documents better."""
CV_FOLDS = 5
CV_MIN_GROUPS = 4
CV_MIN_EXAMPLES = 100
"""Fewer documents or examples than these: no cross-validation, the defaults (``C``, balanced,
``DEFAULT_THRESHOLD``): a fold of one document says little, and out of a few dozen decisions a
threshold would follow a handful of them (after 20 decisions one could hide every candidate)."""
CV_SAMPLE = 2_000
"""At most about this many examples (whole documents, picked by a checksum of their names, so the
same ones each time) are cross-validated on ``CV_LARGE_FOLDS`` folds: a choice among a few
settings is made as well on 2,000 decisions as on 10,000, and retraining on 10,000 decisions
stays within 2 s (the final fit uses every example)."""
CV_LARGE_FOLDS = 3
SE_RULE = 1.0
THRESHOLDS = tuple(round(0.2 + 0.01 * i, 2) for i in range(61))
"""The decision thresholds ``choose_fit`` tries on the out-of-fold scores (0.2 to 0.8)."""
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


class LearnerUnavailable(RuntimeError):
    """scikit-learn is not installed, so no model can be trained (scoring still works)."""


@dataclass(frozen=True, slots=True)
class Example:
    """One decided unit: its text, whether it holds a claim, its transparent features, and the
    document it comes from (``group``: cross-validation keeps a document's units together, since
    units of one document share words a model could learn by heart)."""

    text: str
    label: bool
    features: Mapping[str, float] = field(default_factory=dict)
    group: str = ""


@dataclass(frozen=True, slots=True)
class Head:
    """A label the model suggests beside the score (``HEADS``: stance, target): a softmax over
    ``classes``, one hashed n-gram weight row and one intercept per class."""

    classes: tuple[str, ...]
    weights: tuple[Mapping[int, float], ...]
    intercepts: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.classes) < 2 or len(set(self.classes)) != len(self.classes):
            raise ModelError(f"a head needs two or more distinct classes, not {self.classes!r}")
        if not all(isinstance(c, str) and c for c in self.classes):
            raise ModelError("a head's classes are non-empty strings")
        if not len(self.weights) == len(self.intercepts) == len(self.classes):
            raise ModelError("a head needs one weight row and one intercept per class")
        for label, intercept in zip(self.classes, self.intercepts, strict=True):
            finite(f"intercept of {label!r}", intercept)

    def predict(self, cells: Mapping[int, float]) -> tuple[str, float]:
        """The most likely class for a unit's hashed n-grams, and its probability."""
        return HeadScorer(self).predict(cells)

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "intercepts": list(self.intercepts),
            "weights": [[[i, w] for i, w in sorted(row.items())] for row in self.weights],
        }


class HeadScorer:
    """A head's weights by column (column -> (class, weight) pairs): a unit's logits cost one
    lookup per n-gram, not one per n-gram and class (20 targets: 100 ms -> 10 ms a document)."""

    def __init__(self, head: Head) -> None:
        self.classes = head.classes
        self.intercepts = list(head.intercepts)
        table: dict[int, list[tuple[int, float]]] = {}
        for k, row in enumerate(head.weights):
            for index, weight in row.items():
                table.setdefault(index, []).append((k, weight))
        self.table = {index: tuple(pairs) for index, pairs in table.items()}

    def predict(self, cells: Mapping[int, float]) -> tuple[str, float]:
        """The most likely class for a unit's hashed n-grams, and its probability."""
        logits = self.intercepts.copy()
        get = self.table.get
        for index, value in cells.items():
            for k, weight in get(index, ()):
                logits[k] += weight * value
        top = max(logits)
        odds = [math.exp(max(-500.0, z - top)) for z in logits]
        best = max(range(len(odds)), key=odds.__getitem__)
        return self.classes[best], odds[best] / sum(odds)


@dataclass(frozen=True, slots=True)
class ModelParams:
    """A trained model as plain data. ``ngram_weights``: hashed column -> weight (non-zero only);
    ``feature_weights``: transparent feature name -> weight; ``heads``: optional stance and target
    classifiers (models stored before them have none); ``history_seq``: the store's history
    position the training data was read at (0: unknown). Checked on construction."""

    hashing: HashingSettings
    ngram_weights: Mapping[int, float]
    feature_weights: Mapping[str, float]
    intercept: float
    positives: int
    negatives: int
    heads: Mapping[str, Head] = field(default_factory=dict)
    history_seq: int = 0
    threshold: float = DEFAULT_THRESHOLD
    c: float = 0.0
    balanced: bool = True

    def __post_init__(self) -> None:
        n = self.hashing.n_features
        finite("threshold", self.threshold)
        if not 0.0 < self.threshold < 1.0:
            raise ModelError(f"threshold {self.threshold!r} is not between 0 and 1")
        finite("c", self.c)
        if self.c < 0:
            raise ModelError(f"c {self.c!r} is negative")
        for index, weight in self.ngram_weights.items():
            if not (isinstance(index, int) and 0 <= index < n):
                raise ModelError(f"n-gram column {index!r} is outside 0..{n - 1}")
            finite(f"weight of column {index}", weight)
        for name, head in self.heads.items():
            if name not in HEADS:
                raise ModelError(f"unknown head {name!r} (this version knows {', '.join(HEADS)})")
            for row in head.weights:
                for index, weight in row.items():
                    if not (isinstance(index, int) and 0 <= index < n):
                        raise ModelError(f"{name} column {index!r} is outside 0..{n - 1}")
                    finite(f"{name} weight of column {index}", weight)
        for name, weight in self.feature_weights.items():
            if not isinstance(name, str):
                raise ModelError(f"feature name {name!r} is not a string")
            finite(f"weight of feature {name!r}", weight)
        finite("intercept", self.intercept)
        for what in ("positives", "negatives", "history_seq"):
            count = getattr(self, what)
            if not (isinstance(count, int) and not isinstance(count, bool) and count >= 0):
                raise ModelError(f"{what} must be a count, not {count!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``json.loads(json.dumps(p.to_dict()))`` gives ``p`` back exactly. Heads
        and the history position are written only when there are some, so a model without them
        reads and writes as the models stored before they existed; so are the decision threshold
        (when not ``DEFAULT_THRESHOLD``) and the penalty and class weighting chosen (when known)."""
        h = self.hashing
        out: dict[str, Any] = {
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
        if self.heads:
            out["heads"] = {name: head.to_dict() for name, head in sorted(self.heads.items())}
        if self.history_seq:
            out["trained_at"] = {"history_seq": self.history_seq}
        if self.threshold != DEFAULT_THRESHOLD:
            out["threshold"] = self.threshold
        if self.c:
            out["fit"] = {"c": self.c, "class_weight": "balanced" if self.balanced else "none"}
        return out

    @staticmethod
    def from_dict(data: object) -> ModelParams:
        """The model ``to_dict`` wrote; ``ModelError`` naming the first thing wrong otherwise."""
        return read_stored(data, _from_dict, "learned model")


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
        finite(f"weight of column {index}", weight)
        weights[index] = float(weight)
    features = data["feature_weights"]
    if not isinstance(features, dict):
        raise ModelError("feature_weights is not an object")
    for name, weight in features.items():
        finite(f"weight of feature {name!r}", weight)
    intercept = data["intercept"]
    finite("intercept", intercept)
    counts = data["counts"]
    heads = data.get("heads", {})
    if not isinstance(heads, dict):
        raise ModelError("heads is not an object")
    trained_at = data.get("trained_at", {"history_seq": 0})
    threshold = data.get("threshold", DEFAULT_THRESHOLD)
    finite("threshold", threshold)
    fitted = data.get("fit", {"c": 0.0, "class_weight": "balanced"})
    if not isinstance(fitted, dict) or fitted["class_weight"] not in ("balanced", "none"):
        raise ModelError(f"fit is not a penalty and a class weighting: {fitted!r}")
    finite("c", fitted["c"])
    return ModelParams(
        settings,
        weights,
        {str(k): float(v) for k, v in features.items()},
        float(intercept),
        counts["positives"],
        counts["negatives"],
        {str(name): _head(name, head) for name, head in heads.items()},
        trained_at["history_seq"],
        float(threshold),
        float(fitted["c"]),
        fitted["class_weight"] == "balanced",
    )


def _head(name: str, data: object) -> Head:
    if not isinstance(data, dict):
        raise ModelError(f"head {name!r} is not an object")
    classes, intercepts, rows = data["classes"], data["intercepts"], data["weights"]
    if not all(isinstance(v, list) for v in (classes, intercepts, rows)):
        raise ModelError(f"head {name!r}: classes, intercepts and weights are lists")
    weights: list[dict[int, float]] = []
    for row in rows:
        out: dict[int, float] = {}
        for index, weight in row:
            if not isinstance(index, int) or isinstance(index, bool):
                raise ModelError(f"{name} column {index!r} is not an integer")
            finite(f"{name} weight of column {index}", weight)
            out[index] = float(weight)
        weights.append(out)
    for value in intercepts:
        finite(f"{name} intercept", value)
    return Head(tuple(classes), tuple(weights), tuple(float(b) for b in intercepts))


def can_train() -> bool:
    """Whether scikit-learn is installed (found without importing it: it takes about a second)."""
    return importlib.util.find_spec("sklearn") is not None


@dataclass(frozen=True, slots=True)
class FitChoice:
    """The penalty, class weighting and decision threshold a model is fitted with, and how they
    were chosen: ``folds`` documents-grouped folds of the training data (0: too few documents,
    the defaults), ``cv_ap`` the out-of-fold average precision of the choice."""

    c: float
    balanced: bool
    threshold: float
    folds: int = 0
    cv_ap: float = 0.0


DEFAULT_FIT = FitChoice(C, True, DEFAULT_THRESHOLD)


def train(
    examples: Iterable[Example],
    hashing: HashingSettings | None = None,
    c: float | None = None,
    memo: dict[str, dict[int, float]] | None = None,
) -> ModelParams:
    """Fit a logistic regression on the examples' n-grams and features.

    With ``c`` None the penalty, class weighting and threshold are chosen on the examples alone
    (``choose_fit``: cross-validation grouped by document); a given ``c`` is used as is,
    class-balanced, with ``DEFAULT_THRESHOLD``. Needs both classes; ``LearnerUnavailable`` when
    scikit-learn is missing. ``memo`` keeps each text's hashed n-grams for the heads trained
    next (claims are often examples too)."""
    return fit(examples, hashing, c, memo)[0]


def training_rows(examples: Iterable[Example]) -> tuple[list[Example], int, int]:
    """The examples as a list, with how many are positive and negative: ``ValueError`` unless
    both classes are there, ``LearnerUnavailable`` when scikit-learn is missing."""
    rows = list(examples)
    positives = sum(1 for e in rows if e.label)
    negatives = len(rows) - positives
    if not positives or not negatives:
        raise ValueError(
            f"training needs positives and negatives ({positives} and {negatives} given)"
        )
    try:
        import sklearn.linear_model  # noqa: F401  (what training needs: fail before any work)
    except ImportError:
        raise LearnerUnavailable(MISSING_SKLEARN) from None
    return rows, positives, negatives


def fit(
    examples: Iterable[Example],
    hashing: HashingSettings | None = None,
    c: float | None = None,
    memo: dict[str, dict[int, float]] | None = None,
) -> tuple[ModelParams, FitChoice]:
    """``train``, and the choice it made (for the bench and the CLI to show)."""
    settings = hashing or HashingSettings()
    rows, positives, negatives = training_rows(examples)
    import numpy as np
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]  # no stubs shipped

    names = sorted({name for e in rows for name in e.features})
    column_of = {name: settings.n_features + i for i, name in enumerate(names)}
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for e in rows:
        cells = _hashed(e.text, settings, memo)
        indices.extend(cells)
        values.extend(cells.values())
        for name, value in e.features.items():
            indices.append(column_of[name])
            values.append(float(value))
        indptr.append(len(indices))
    # only the columns some example uses: the same fit (an unused column's weight stays 0), and
    # liblinear's vector work shrinks from 2**18 columns to a few thousand (10x faster)
    columns, compact = np.unique(np.asarray(indices, dtype=np.int64), return_inverse=True)
    matrix = csr_matrix(
        (np.asarray(values), compact.reshape(-1), np.asarray(indptr)),
        shape=(len(rows), len(columns)),
    )
    labels = np.asarray([1 if e.label else 0 for e in rows])
    if c is None:
        # an example without a document stands alone (its text names it)
        choice = choose_fit(matrix, labels, [e.group or f"text:{e.text}" for e in rows])
    else:
        choice = FitChoice(c, True, DEFAULT_THRESHOLD)
    model = _fit(matrix, labels, choice.c, choice.balanced)
    weight_of = dict(zip(columns.tolist(), model.coef_[0].tolist(), strict=True))
    n = settings.n_features
    ngram_weights = {i: round(w, DIGITS) for i, w in weight_of.items() if i < n}
    params = ModelParams(
        settings,
        {i: w for i, w in ngram_weights.items() if w},
        {name: round(weight_of.get(column_of[name], 0.0), DIGITS) for name in names},
        round(float(model.intercept_[0]), DIGITS),
        positives,
        negatives,
        threshold=choice.threshold,
        c=choice.c,
        balanced=choice.balanced,
    )
    return params, choice


def _fit(matrix: Any, labels: Any, c: float, balanced: bool) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(
        C=c, class_weight="balanced" if balanced else None, solver="liblinear", max_iter=200
    )
    model.fit(matrix, labels)
    return model


def choose_fit(matrix: Any, labels: Any, groups: Sequence[str]) -> FitChoice:
    """The penalty (``C_GRID``) and class weighting (``WEIGHTINGS``) whose out-of-fold scores
    rank best (average precision; by the one-standard-error rule, the firmest penalty, balanced
    first, within one standard error of the folds' average precisions of the best), and the
    threshold (``THRESHOLDS``) with the
    best out-of-fold F1 for them (ties: nearest 0.5).

    Folds hold whole documents (``groups``), so a score is always for documents the model has
    not seen, as for the documents an annotator opens next; only the training data is used.
    ``DEFAULT_FIT`` with fewer than ``CV_MIN_GROUPS`` documents or ``CV_MIN_EXAMPLES`` examples."""
    import numpy as np
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import GroupKFold

    distinct = len(set(groups))
    if distinct < CV_MIN_GROUPS or len(groups) < CV_MIN_EXAMPLES:
        return DEFAULT_FIT
    large = len(groups) > CV_SAMPLE
    if large:
        rows = _sample(groups, CV_SAMPLE)
        matrix, labels, groups = matrix[rows], labels[rows], [groups[i] for i in rows]
        distinct = len(set(groups))
    folds = min(CV_LARGE_FOLDS if large else CV_FOLDS, distinct)
    splits = [
        (train_rows, test_rows)
        for train_rows, test_rows in GroupKFold(folds).split(matrix, labels, groups)
        if 0 < labels[train_rows].sum() < len(train_rows)  # a fold needs both classes to fit
    ]
    tried: list[tuple[float, float, float, bool, Any]] = []  # AP, its error, C, balanced
    for balanced in WEIGHTINGS:
        for c in C_GRID:
            margin = np.full(len(labels), np.nan)
            fold_ap = []
            for train_rows, test_rows in splits:
                model = _fit(matrix[train_rows], labels[train_rows], c, balanced)
                margin[test_rows] = model.decision_function(matrix[test_rows])
                if 0 < labels[test_rows].sum() < len(test_rows):
                    fold_ap.append(average_precision_score(labels[test_rows], margin[test_rows]))
            seen = ~np.isnan(margin)
            if not 0 < labels[seen].sum() < seen.sum():
                return DEFAULT_FIT  # no fold could be scored on both classes
            ap = float(average_precision_score(labels[seen], margin[seen]))
            error = float(np.std(fold_ap) / np.sqrt(len(fold_ap))) if len(fold_ap) > 1 else 0.0
            tried.append((ap, error, c, balanced, margin))
    top = max(tried, key=lambda t: t[0])
    ap, _, c, balanced, margin = next(t for t in tried if t[0] >= top[0] - SE_RULE * top[1])
    seen = ~np.isnan(margin)
    probability = 1.0 / (1.0 + np.exp(-np.clip(margin[seen], -500, 500)))
    truth = labels[seen].astype(bool)
    threshold, best_f1 = DEFAULT_THRESHOLD, -1.0
    for t in sorted(THRESHOLDS, key=lambda t: abs(t - DEFAULT_THRESHOLD)):
        said = probability >= t
        tp = int((said & truth).sum())
        f1 = 2 * tp / (said.sum() + truth.sum()) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            threshold, best_f1 = t, f1
    return FitChoice(c, balanced, threshold, len(splits), round(ap, 4))


def _sample(groups: Sequence[str], size: int) -> list[int]:
    """Rows of whole groups, in an order set by the groups' checksums, until ``size`` rows."""
    rows_of: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        rows_of.setdefault(group, []).append(i)
    out: list[int] = []
    for group in sorted(rows_of, key=lambda g: (zlib.crc32(g.encode("utf-8", "replace")), g)):
        if len(out) >= size:
            break
        out.extend(rows_of[group])
    return sorted(out)


def _hashed(
    text: str, settings: HashingSettings, memo: dict[str, dict[int, float]] | None
) -> dict[int, float]:
    if memo is None:
        return hashed(text, settings)
    cells = memo.get(text)
    if cells is None:
        cells = memo[text] = hashed(text, settings)
    return cells


def train_head(
    texts: Sequence[str],
    labels: Sequence[str],
    hashing: HashingSettings,
    c: float = HEAD_C,
    memo: dict[str, dict[int, float]] | None = None,
) -> Head:
    """Fit a class-balanced softmax regression from the texts' hashed n-grams to their labels
    (two or more distinct labels); ``LearnerUnavailable`` when scikit-learn is missing.

    Only the columns the texts use are fitted (a few thousand of the 2**18), with the SAGA
    solver and few passes: thousands of claims and ten targets train in well under a second.
    Weights under ``HEAD_PRUNE`` are left out of the stored model."""
    classes = sorted(set(labels))
    if len(classes) < 2 or len(texts) != len(labels):
        raise ValueError(f"a head needs texts with two or more labels ({len(classes)} given)")
    try:
        import warnings

        import numpy as np
        from scipy.sparse import csr_matrix
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise LearnerUnavailable(MISSING_SKLEARN) from None
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for text in texts:
        cells = _hashed(text, hashing, memo)
        indices.extend(cells)
        values.extend(cells.values())
        indptr.append(len(indices))
    columns, compact = np.unique(np.asarray(indices, dtype=np.int64), return_inverse=True)
    matrix = csr_matrix(
        (np.asarray(values), compact.reshape(-1), np.asarray(indptr)),
        shape=(len(texts), len(columns)),
    )
    model = LogisticRegression(C=c, class_weight="balanced", solver="saga", max_iter=HEAD_PASSES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a few passes are enough here
        model.fit(matrix, np.asarray(labels))
    found = [str(x) for x in model.classes_]
    coef, intercept = model.coef_, model.intercept_
    if len(found) == 2:  # one row for the second class: softmax over (0, z) is logistic(z)
        rows = [np.zeros(len(columns)), coef[0]]
        intercepts = [0.0, float(intercept[0])]
    else:
        rows = list(coef)
        intercepts = [float(b) for b in intercept]
    weights = tuple(
        {
            int(columns[i]): round(float(row[i]), DIGITS)
            for i in np.flatnonzero(np.abs(row) >= HEAD_PRUNE)
        }
        for row in rows
    )
    return Head(tuple(found), weights, tuple(round(b, DIGITS) for b in intercepts))


def unit_examples(
    text: str,
    labelled: Iterable[tuple[int, int, bool]],
    entities: Sequence[Entity],
    group: str | None = None,
) -> list[Example]:
    """Examples from decided spans of one text (start, end, is a claim), with their features;
    ``group`` names the document (by default, a checksum of the text)."""
    decided = list(labelled)
    spans = [(start, end) for start, end, _ in decided]
    doc = (
        f"crc32:{zlib.crc32(text.encode('utf-8', 'surrogatepass')):08x}" if group is None else group
    )
    return [
        Example(text[start:end], label, learner_features(features.values), doc)
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


def uncertainty(score: float, threshold: float = 0.5) -> float:
    """1 at the threshold (the model cannot tell), 0 at 0 or 1 (whichever is farther from the
    threshold, falling linearly): the active-learning queue's order."""
    reach = max(threshold, 1.0 - threshold)
    return 1.0 - abs(score - threshold) / reach if reach else 1.0


class LearnedSuggester:
    """Scores units with a trained model; type and speaker come from the built-in rules.
    ``key`` names the model's content, so cached suggestions can tell a retrained model."""

    def __init__(
        self,
        params: ModelParams,
        claim_types: Sequence[str] | None = None,
        threshold: float | None = None,
        stored: Mapping[str, Any] | None = None,
    ) -> None:
        """``threshold``: the model's own (chosen on its training data) unless given;
        ``stored``: ``params.to_dict()`` when the caller has it (a large model is then not
        serialised twice to name it)."""
        self.params = params
        self.threshold = params.threshold if threshold is None else threshold
        data = params.to_dict() if stored is None else stored
        digest = hashlib.sha256(json.dumps(data).encode("utf-8")).hexdigest()
        self.key = f"learned:{digest[:16]}"
        self._rules = BuiltinSuggester(claim_types=claim_types, threshold=self.threshold)
        self._heads = {name: HeadScorer(head) for name, head in params.heads.items()}

    def suggest(self, text: str, entities: Sequence[Entity]) -> list[Candidate]:
        """Every unit of ``text``, scored (as ``BuiltinSuggester.suggest``)."""
        return self.score_units(text, units(text), entities)

    def score_units(
        self, text: str, spans: Sequence[tuple[int, int]], entities: Sequence[Entity]
    ) -> list[Candidate]:
        """Score given units of ``text``: for callers that cache units, and for gold spans."""
        out = []
        p = self.params
        for start, end, features in features_of_units(text, spans, entities):
            grams: dict[int, str] = {}
            cells = hashed(text[start:end], p.hashing, grams)
            raw, reasons = self._explain(cells, grams, learner_features(features.values))
            score = round(raw, 4)
            rule = self._rules.candidate(text, start, end, features)
            stance = target = ""
            if score >= self.threshold:  # a unit that is no candidate is offered no labels
                stance, target = self._label("stance", cells), self._label("target", cells)
            out.append(
                replace(
                    rule,
                    score=score,
                    reasons=reasons,
                    stance=stance,
                    target=target,
                )
            )
        return out

    def _label(self, head: str, cells: Mapping[int, float]) -> str:
        """The head's class for the unit when it is likely enough, else ""."""
        scorer = self._heads.get(head)
        if scorer is None:
            return ""
        label, probability = scorer.predict(cells)
        return label if probability >= HEAD_MIN_PROBABILITY else ""

    def score(self, unit: str, features: Mapping[str, float]) -> float:
        """The probability that ``unit`` holds a check-worthy claim (``features`` as
        ``learner_features`` gives them)."""
        return self.explain(unit, features)[0]

    def explain(self, unit: str, features: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
        """The score and the words and features that moved it most."""
        grams: dict[int, str] = {}
        return self._explain(hashed(unit, self.params.hashing, grams), grams, features)

    def _explain(
        self, cells: Mapping[int, float], grams: Mapping[int, str], features: Mapping[str, float]
    ) -> tuple[float, tuple[str, ...]]:
        p = self.params
        weights = p.ngram_weights
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
