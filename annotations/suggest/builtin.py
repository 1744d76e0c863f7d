"""The built-in suggester: transparent features, a hand-weighted logistic score, a typing rule.

Nothing to download and nothing learned: the weights (``WEIGHTS``) were set by hand from what each
feature means for check-worthiness in ClaimBuster's sense, not fitted to any gold file, so the seed
gold measures them fairly. A learned model can later reuse ``unit_features`` and replace the
weights; anything with ``suggest(text, entities)`` is a suggester (``Suggester``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from annotations.model import Entity
from annotations.suggest.candidate import Candidate
from annotations.suggest.features import Features, features_of_units
from annotations.suggest.units import units

DEFAULT_THRESHOLD = 0.5  # a candidate is shown (and counts as "claim" in eval) from this score up
MAX_REASONS = 4

BIAS = -0.9
"""A unit with no evidence either way scores logistic(-0.9) = 0.29: below the threshold, yet not
far, since in news most sentences state something; one named entity and a number, or two named
entities and a reporting verb, are enough to lift a sentence over it."""

WEIGHTS: dict[str, float] = {
    # numbers and numeric entities: the core of statistical claims
    "number": 0.8,
    "money": 1.0,
    "percent": 1.2,
    "quantity": 0.8,
    "cardinal": 0.5,
    "date": 0.35,
    "ordinal": 0.3,
    # something specific and checkable is named
    "named": 0.45,
    "comparative": 0.9,
    "change": 0.7,
    "superlative": 0.8,
    # who said it says nothing of whether it is worth checking ("X stressed the achievements")
    "attribution": 0.2,
    "speaker": 0.3,
    "future": 0.6,
    "causal": 0.8,
    "law": 0.8,
    "experience": 0.6,
    # negative evidence: not a factual statement, or not one worth checking
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
"""Per unit of feature value (counts are capped at ``features.CAP``). Set by hand, by meaning:
a percentage or a sum of money is the strongest single sign of a checkable claim; a question, a
heading or a first-person opinion the strongest sign against. Not fitted to the gold."""

TYPE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("prediction", ("future",)),
    ("rule_or_law", ("law",)),
    ("causal", ("causal",)),
    ("comparison", ("comparative", "superlative")),
    ("statistical", ("number", "money", "percent", "quantity", "cardinal", "change")),
    ("personal_experience", ("experience",)),
    ("opinion", ("opinion", "normative", "willingness", "praise")),
)
"""The first type whose features fired. The specific cues come before numbers, which most claims
of every type carry ("exports will grow 5% by 2030" is a prediction)."""

_REASON = {
    "number": "numbers",
    "money": "money",
    "percent": "a percentage",
    "quantity": "a quantity",
    "cardinal": "a count",
    "date": "a date",
    "ordinal": "an ordinal",
    "named": "names",
    "comparative": "comparison",
    "change": "a change",
    "superlative": "superlative",
    "attribution": "attributed",
    "speaker": "speaker",
    "future": "future",
    "causal": "cause",
    "law": "rule or law",
    "experience": "own experience",
    "hedge": "hedged",
    "opinion": "opinion",
    "first_person": "first person",
    "normative": "should/must",
    "willingness": "will or hope",
    "praise": "praise",
    "meta": "caption or credit",
    "question": "a question",
    "exclamation": "an exclamation",
    "short": "very short",
    "heading": "a heading",
}


class Suggester(Protocol):
    """Anything that scores the units of a text given its entities."""

    def suggest(self, text: str, entities: Sequence[Entity]) -> list[Candidate]: ...


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class BuiltinSuggester:
    """Scores every unit of a text; callers keep those at or above ``threshold``."""

    key = "builtin"

    def __init__(
        self,
        weights: dict[str, float] | None = None,
        bias: float = BIAS,
        claim_types: Sequence[str] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.weights = dict(WEIGHTS if weights is None else weights)
        self.bias = bias
        self.threshold = threshold
        # the schema's claim types (None: any); a type the schema lacks becomes "other"
        self.claim_types = None if claim_types is None else frozenset(claim_types)

    def suggest(self, text: str, entities: Sequence[Entity]) -> list[Candidate]:
        """Every unit of ``text``, scored; ``entities`` are the text's, in any order."""
        return self.score_units(text, units(text), entities)

    def score_units(
        self, text: str, spans: Sequence[tuple[int, int]], entities: Sequence[Entity]
    ) -> list[Candidate]:
        """Score given units (``units(text)`` or a part of them): for callers that cache units."""
        return [
            self.candidate(text, start, end, features)
            for start, end, features in features_of_units(text, spans, entities)
        ]

    def candidate(self, text: str, start: int, end: int, features: Features) -> Candidate:
        """Score, type and reasons of one unit from its features."""
        weights = self.weights
        parts = {n: weights.get(n, 0.0) * v for n, v in features.values.items()}
        score = logistic(self.bias + sum(parts.values()))
        return Candidate(
            start,
            end,
            round(score, 4),
            self._type(features),
            features.speaker,
            _reasons(parts, features),
        )

    def _type(self, features: Features) -> str:
        for name, cues in TYPE_RULES:
            wanted = self.claim_types is None or name in self.claim_types
            if wanted and any(cue in features.values for cue in cues):
                return name
        return "other"


def _reasons(parts: dict[str, float], features: Features) -> tuple[str, ...]:
    """The features that moved the score most, each with the words that set it."""
    ranked = sorted((p for p in parts.items() if p[1]), key=lambda p: -abs(p[1]))
    out = []
    for name, part in ranked[:MAX_REASONS]:
        what = _REASON.get(name, name)
        evidence = features.evidence.get(name, "")
        sign = "+" if part > 0 else "-"
        out.append(f"{sign} {what}: {evidence}" if evidence else f"{sign} {what}")
    return tuple(out)
