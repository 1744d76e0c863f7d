"""The built-in suggester: transparent features, a fitted logistic score, a typing rule.

Nothing to download and nothing learned at run time: the weights (``WEIGHTS``) are constants,
fitted once offline to the seed gold and the news gold's dev half (``fit_weights``) where they
have enough examples of a feature, and set by hand from the feature's meaning elsewhere. The
learned model reuses ``unit_features`` and these weights as its prior; anything with
``suggest(text, entities)`` is a suggester (``Suggester``).
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

BIAS = -1.08
"""A unit with no evidence either way scores logistic(-1.06) = 0.26: below the threshold, yet not
far, since in news most sentences state something."""

WEIGHTS: dict[str, float] = {
    # numbers and numeric entities: the core of statistical claims
    "number": 0.44,  # digits outside dates: "22 villagers", "3.0"
    "money": 2.09,
    "percent": 2.14,
    "quantity": 1.16,
    "cardinal": 1.01,
    "date": 0.28,  # a date alone sets a scene ("In 2009, she went...")
    "ordinal": 0.2,
    # something specific and checkable is named, done, ranked or compared
    "named": 0.46,
    "comparative": 1.12,
    "change": 0.42,
    "superlative": 0.76,
    "ranking": 0.75,
    "deed": 1.27,
    "perfect": 0.51,
    "long": 0.25,
    # who said it says little of whether it is worth checking ("X stressed the achievements")
    "attribution": 0.44,
    "speaker": -0.44,
    "future": -1.09,  # "will" alone is mostly a promise or a hope ...
    "forecast": 1.41,  # ... and a forecast with a figure or a date is a claim
    "causal": -0.06,
    "law": 0.76,
    "experience": -1.61,
    # negative evidence: not a factual statement, or not one worth checking
    "hedge": -0.83,
    "opinion": -1.8,
    "first_person": -0.47,
    "normative": -1.46,
    "willingness": -1.59,
    "praise": -2.04,
    "evaluative": -0.66,
    "meeting": -0.54,
    "personal": -0.58,
    "quote": -1.2,
    "meta": -1.75,
    "question": -2.0,
    "exclamation": -1.2,
    "short": -1.94,
    "heading": 0.27,
}
"""Per unit of feature value (counts are capped at ``features.CAP``). Obtained by
``annotations.suggest.fit_weights.fit`` on the seed gold and the dev half of the news gold
(``tests/data/claims_gold.jsonl`` and the ``news_gold/dev`` lines of
``tests/data/claims_gold_news.jsonl``: class-balanced L2 logistic regression, C=3, 21 texts, 738
units), rounded to two decimals; features seen on fewer than 5 of those units (question,
exclamation, opinion) keep the weight set by hand from their meaning. The news gold's test half,
labelled blind, is held out: ``bench_suggest`` prints it beside the seed gold's (in-sample)
figures and the leave-one-text-out ones."""

TYPE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("prediction", ("future",)),
    ("rule_or_law", ("law",)),
    ("causal", ("causal",)),
    ("comparison", ("comparative", "superlative", "ranking")),
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
    "ranking": "ranking",
    "deed": "a completed act",
    "perfect": "a result",
    "long": "long",
    "forecast": "dated or quantified forecast",
    "evaluative": "a judgment",
    "meeting": "meeting or remarks",
    "personal": "a person's story",
    "quote": "direct speech",
}


class Suggester(Protocol):
    """Anything that scores the units of a text given its entities. ``key`` names it (and a
    learned model's content); candidates are the units scoring at least ``threshold``."""

    key: str
    threshold: float

    def suggest(self, text: str, entities: Sequence[Entity]) -> list[Candidate]: ...

    def score_units(
        self, text: str, spans: Sequence[tuple[int, int]], entities: Sequence[Entity]
    ) -> list[Candidate]: ...


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
            start=start,
            end=end,
            score=round(score, 4),
            claim_type=self._type(features),
            speaker=features.speaker,
            reasons=_reasons(parts, features),
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
