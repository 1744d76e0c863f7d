"""The optional sentence-embedding suggester: a logistic regression over sentence embeddings.

``--suggester embeddings:NAME`` encodes each unit with the sentence-transformers model ``NAME``
(installed by the user, with the model in their local cache or at a path: annotty never downloads
one) and scores the embedding, together with the built-in features and the built-in score
(``learned.learner_features``), with a linear model trained from the team's decisions: the same
examples the learned n-gram model learns from. The model is stored as plain JSON under the name
``embeddings:NAME`` (weights per dimension, feature weights, intercept, counts; no pickle), and
scoring it needs nothing but the encoder. Claim type and speaker come from the built-in rules.

The encoder hides behind ``Encoder`` (``encode(list[str]) -> list[list[float]]``), so training
and scoring are the same code whichever encoder computes the vectors.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from annotations.errors import first_line
from annotations.model import Entity
from annotations.suggest.builtin import DEFAULT_THRESHOLD, MAX_REASONS, BuiltinSuggester, logistic
from annotations.suggest.candidate import Candidate
from annotations.suggest.features import features_of_units
from annotations.suggest.learned import (
    MISSING_SKLEARN,
    Example,
    LearnerUnavailable,
    learner_features,
    training_rows,
)
from annotations.suggest.model_checks import ModelError, finite, read_stored
from annotations.suggest.units import units

if TYPE_CHECKING:
    from annotations.entities import Recognizer
    from annotations.store import Store

MODEL_FORMAT = 1
KIND = "logistic-sentence-embeddings"
C = 0.3
"""Inverse strength of the L2 penalty: embeddings are dense and unit-length, so a few hundred
decisions can move their weights further than the sparse n-grams' (``learned.C``)."""
BATCH_SIZE = 64
MAX_UNIT_CHARS = 5_000  # a sentence encoder reads a few hundred tokens; no need to pass more
INSTALL = "pip install sentence-transformers and a model"


class Encoder(Protocol):
    """Turns texts into vectors of one fixed length."""

    def encode(self, texts: list[str]) -> list[list[float]]: ...


class SentenceTransformerEncoder:
    """A sentence-transformers model, loaded from the local cache or a path only: annotty never
    downloads at run time (``local_files_only``)."""

    def __init__(self, name: str) -> None:
        # imported by name: an optional package without type information, loaded only here
        module = importlib.import_module("sentence_transformers")
        self.model = module.SentenceTransformer(name, local_files_only=True)

    def encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(
            texts, batch_size=BATCH_SIZE, show_progress_bar=False, normalize_embeddings=True
        )
        return [[float(x) for x in row] for row in vectors]


def model_name(name: str) -> str:
    """The store's name for the classifier trained over encoder ``name``'s embeddings."""
    return f"embeddings:{name}"


def can_encode() -> bool:
    """Whether sentence-transformers is installed (found without importing it: it loads torch)."""
    return importlib.util.find_spec("sentence_transformers") is not None


@dataclass(frozen=True, slots=True)
class EmbeddingParams:
    """A trained classifier as plain data. ``weights`` has one weight per embedding dimension;
    ``feature_weights`` one per transparent feature (``learner_features``' names)."""

    encoder: str
    weights: tuple[float, ...]
    feature_weights: Mapping[str, float]
    intercept: float
    positives: int
    negatives: int

    def __post_init__(self) -> None:
        if not isinstance(self.encoder, str) or not self.encoder:
            raise ModelError("an embedding model names its encoder")
        if not self.weights:
            raise ModelError("an embedding model has at least one weight")
        for i, weight in enumerate(self.weights):
            finite(f"weight of dimension {i}", weight)
        for name, weight in self.feature_weights.items():
            if not isinstance(name, str):
                raise ModelError(f"feature name {name!r} is not a string")
            finite(f"weight of feature {name!r}", weight)
        finite("intercept", self.intercept)
        for what in ("positives", "negatives"):
            count = getattr(self, what)
            if not (isinstance(count, int) and not isinstance(count, bool) and count >= 0):
                raise ModelError(f"{what} must be a count, not {count!r}")

    @property
    def dimensions(self) -> int:
        return len(self.weights)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``from_dict(json.loads(json.dumps(p.to_dict())))`` is ``p``."""
        return {
            "format": MODEL_FORMAT,
            "kind": KIND,
            "encoder": self.encoder,
            "dimensions": self.dimensions,
            "weights": list(self.weights),
            "feature_weights": dict(sorted(self.feature_weights.items())),
            "intercept": self.intercept,
            "counts": {"positives": self.positives, "negatives": self.negatives},
        }

    @staticmethod
    def from_dict(data: object) -> EmbeddingParams:
        """The model ``to_dict`` wrote; ``ModelError`` naming the first thing wrong otherwise."""
        return read_stored(data, _from_dict, "embedding model")


def _from_dict(data: object) -> EmbeddingParams:
    if not isinstance(data, dict):
        raise ModelError("a stored embedding model is a JSON object")
    if data.get("format") != MODEL_FORMAT or data.get("kind") != KIND:
        raise ModelError(
            f"unknown model format {data.get('format')!r} / kind {data.get('kind')!r} "
            f"(expected {MODEL_FORMAT} / {KIND})"
        )
    weights = data["weights"]
    if not isinstance(weights, list):
        raise ModelError("weights is not a list")
    for i, weight in enumerate(weights):
        finite(f"weight of dimension {i}", weight)
    if data["dimensions"] != len(weights):
        raise ModelError(f"{len(weights)} weights for {data['dimensions']!r} dimensions")
    features = data["feature_weights"]
    if not isinstance(features, dict):
        raise ModelError("feature_weights is not an object")
    for name, weight in features.items():
        finite(f"weight of feature {name!r}", weight)
    intercept = data["intercept"]
    finite("intercept", intercept)
    counts = data["counts"]
    return EmbeddingParams(
        data["encoder"],
        tuple(float(w) for w in weights),
        {str(k): float(v) for k, v in features.items()},
        float(intercept),
        counts["positives"],
        counts["negatives"],
    )


def encode(encoder: Encoder, texts: Sequence[str]) -> list[list[float]]:
    """Vectors for ``texts`` in batches, each checked: as many as texts, one length, finite."""
    out: list[list[float]] = []
    for at in range(0, len(texts), BATCH_SIZE):
        batch = [t[:MAX_UNIT_CHARS] for t in texts[at : at + BATCH_SIZE]]
        vectors = encoder.encode(batch)
        if len(vectors) != len(batch):
            raise ModelError(f"the encoder gave {len(vectors)} vectors for {len(batch)} texts")
        out.extend([float(x) for x in v] for v in vectors)
    if out and len({len(v) for v in out}) != 1:
        raise ModelError("the encoder gave vectors of different lengths")
    if any(not math.isfinite(x) for v in out for x in v):
        raise ModelError("the encoder gave a vector that is not finite")
    return out


def train(
    examples: Iterable[Example], encoder: Encoder, name: str, c: float = C
) -> EmbeddingParams:
    """Fit a class-balanced logistic regression on the examples' embeddings and features.

    Needs both classes; ``LearnerUnavailable`` when scikit-learn is missing."""
    rows, positives, negatives = training_rows(examples)
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    vectors = encode(encoder, [e.text for e in rows])
    dims = len(vectors[0])
    names = sorted({n for e in rows for n in e.features})
    matrix = np.zeros((len(rows), dims + len(names)))
    matrix[:, :dims] = np.asarray(vectors)
    for r, e in enumerate(rows):
        for i, n in enumerate(names):
            matrix[r, dims + i] = float(e.features.get(n, 0.0))
    labels = np.asarray([1 if e.label else 0 for e in rows])
    model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=500)
    model.fit(matrix, labels)
    coef = model.coef_[0]
    return EmbeddingParams(
        name,
        tuple(float(w) for w in coef[:dims]),
        {n: float(coef[dims + i]) for i, n in enumerate(names)},
        float(model.intercept_[0]),
        positives,
        negatives,
    )


class EncoderUnavailable(RuntimeError):
    """sentence-transformers is not installed, or the model cannot be loaded: the message says
    what to do."""


def encoder_for(name: str) -> Encoder:
    """The sentence-transformers encoder ``name``; ``EncoderUnavailable`` saying what is
    missing (the package, or the model in the local cache)."""
    if not can_encode():
        raise EncoderUnavailable(missing_package(name))
    try:
        return SentenceTransformerEncoder(name)
    except Exception as exc:  # noqa: BLE001 - any failure of a third-party loader
        raise EncoderUnavailable(
            f"sentence-transformers model {name!r} cannot be loaded ({first_line(exc)}): "
            "put it in the local cache or give its path"
        ) from None


def missing_package(name: str) -> str:
    return (
        f"sentence-transformers is not installed: {INSTALL} "
        f"(e.g. all-MiniLM-L6-v2) to use --suggester embeddings:{name}"
    )


def save_trained(
    store: Store, name: str, examples: Iterable[Example], encoder: Encoder
) -> tuple[int, EmbeddingParams]:
    """Train on ``examples`` and store the model under ``model_name(name)``: its version and
    the model."""
    params = train(examples, encoder, name)
    return store.save_model(model_name(name), params.to_dict()), params


def retrain(store: Store, recognizer: Recognizer, name: str, encoder: Encoder | None = None) -> str:
    """Train on the team's decisions (``training.gather``: the learned model's examples) and
    store the model; one line saying what was learned. ``EncoderUnavailable``,
    ``LearnerUnavailable`` or ``training.NotEnoughExamples`` say what is missing."""
    from annotations.suggest import training
    from annotations.suggest.learned import can_train

    if not can_train():
        raise LearnerUnavailable(MISSING_SKLEARN)
    encoder = encoder or encoder_for(name)
    started = time.perf_counter()
    data = training.gather(store, recognizer)
    training.check_enough(data.positives, data.negatives)
    version, params = save_trained(store, name, data.examples, encoder)
    return (
        f"embedding model {model_name(name)} version {version}: {params.positives} positives, "
        f"{params.negatives} negatives, {time.perf_counter() - started:.2f} s"
    )


class EmbeddingSuggester:
    """Scores units with a trained embedding classifier; type and speaker come from the built-in
    rules. ``key`` names the encoder and the model's content."""

    def __init__(
        self,
        params: EmbeddingParams,
        encoder: Encoder,
        claim_types: Sequence[str] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.params = params
        self.encoder = encoder
        self.threshold = threshold
        digest = hashlib.sha256(json.dumps(params.to_dict()).encode("utf-8")).hexdigest()
        self.key = f"embeddings:{params.encoder}:{digest[:16]}"
        self._rules = BuiltinSuggester(claim_types=claim_types, threshold=threshold)

    def suggest(self, text: str, entities: Sequence[Entity]) -> list[Candidate]:
        """Every unit of ``text``, scored (as ``BuiltinSuggester.suggest``)."""
        return self.score_units(text, units(text), entities)

    def score_units(
        self, text: str, spans: Sequence[tuple[int, int]], entities: Sequence[Entity]
    ) -> list[Candidate]:
        """Score given units of ``text``: for callers that cache units, and for gold spans."""
        scored = list(features_of_units(text, spans, entities))
        vectors = encode(self.encoder, [text[s:e] for s, e, _ in scored])
        out = []
        for (start, end, features), vector in zip(scored, vectors, strict=True):
            score, reasons = self.explain(vector, learner_features(features.values))
            rule = self._rules.candidate(text, start, end, features)
            out.append(replace(rule, score=round(score, 4), reasons=reasons))
        return out

    def explain(
        self, vector: Sequence[float], features: Mapping[str, float]
    ) -> tuple[float, tuple[str, ...]]:
        """The score of one unit and what moved it most (the embedding counts as one part)."""
        p = self.params
        if len(vector) != p.dimensions:
            raise ModelError(
                f"the encoder gives {len(vector)} dimensions, the stored model expects "
                f"{p.dimensions}: retrain it"
            )
        parts = {"sentence meaning": sum(w * x for w, x in zip(p.weights, vector, strict=True))}
        for name, value in features.items():
            part = p.feature_weights.get(name, 0.0) * value
            if part:
                parts[name] = part
        z = p.intercept + sum(parts.values())
        ranked = sorted((kv for kv in parts.items() if kv[1]), key=lambda kv: -abs(kv[1]))
        reasons = tuple(f"{'+' if v > 0 else '-'} {k}" for k, v in ranked[:MAX_REASONS])
        return logistic(max(-500.0, min(500.0, z))), reasons


def load(
    name: str,
    stored: object | None,
    claim_types: Sequence[str] | None = None,
    encoder: Encoder | None = None,
) -> tuple[EmbeddingSuggester | None, str]:
    """(suggester, "") or (None, what is missing and what to do). ``stored`` is the newest
    params stored under ``model_name(name)``; ``encoder`` replaces the sentence-transformers one
    (for tests and other encoders)."""
    if not name:
        return None, (
            "no sentence-embedding model named: use --suggester embeddings:NAME "
            "(a sentence-transformers model, e.g. embeddings:all-MiniLM-L6-v2)"
        )
    if encoder is None and not can_encode():
        return None, missing_package(name)
    if stored is None:
        return None, (
            f"no embedding suggester is trained for {name!r} yet: "
            f"run 'annotty suggest --retrain --suggester embeddings:{name}'"
        )
    try:
        params = EmbeddingParams.from_dict(stored)
    except ModelError as e:
        return None, f"the stored embedding model for {name!r} is not used ({e})"
    if params.encoder != name:
        return None, (
            f"the stored embedding model for {name!r} was trained on {params.encoder!r}: "
            f"run 'annotty suggest --retrain --suggester embeddings:{name}'"
        )
    if encoder is None:
        try:
            encoder = encoder_for(name)
        except EncoderUnavailable as exc:
            return None, str(exc)
    try:
        (probe,) = encode(encoder, ["probe"])
    except (ModelError, ValueError) as exc:
        return None, f"sentence-transformers model {name!r} does not encode: {exc}"
    if len(probe) != params.dimensions:
        return None, (
            f"the stored embedding model for {name!r} expects {params.dimensions} dimensions, "
            f"the encoder gives {len(probe)}: run 'annotty suggest --retrain --suggester "
            f"embeddings:{name}'"
        )
    return EmbeddingSuggester(params, encoder, claim_types), ""
