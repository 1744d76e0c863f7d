"""A claim candidate: one unit of the text, how likely it holds a check-worthy claim, and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Candidate:
    """``start``/``end`` are code-point offsets of the unit (half-open); ``score`` is in 0..1;
    ``claim_type`` is a schema claim type; ``speaker`` is the entity text the unit attributes the
    claim to ("" when none is named); ``reasons`` are short phrases a user can check."""

    start: int
    end: int
    score: float
    claim_type: str
    speaker: str = ""
    reasons: tuple[str, ...] = ()
