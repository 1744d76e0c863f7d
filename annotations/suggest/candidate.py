"""A claim candidate: one unit of the text, how likely it holds a check-worthy claim, and why."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Candidate:
    """``start``/``end`` are code-point offsets of the unit (half-open); ``score`` is in 0..1;
    ``claim_type`` is a schema claim type; ``speaker`` is the entity text the unit attributes the
    claim to ("" when none is named); ``reasons`` are short phrases a user can check; ``stance``
    and ``target`` are a schema stance and a target the learned model suggests once it has seen
    enough labelled claims ("" when it suggests none)."""

    start: int
    end: int
    score: float
    claim_type: str
    speaker: str = ""
    reasons: tuple[str, ...] = ()
    stance: str = ""
    target: str = ""


def open_candidates(
    scored: list[Candidate],
    decided: set[tuple[int, int]],
    claims: list[tuple[int, int]],
    threshold: float,
) -> list[Candidate]:
    """The candidates still to decide: over the threshold, undecided, touching no claim of
    ``claims`` (spans, sorted by start); in text order."""
    starts = [s for s, _ in claims]
    longest = max((e - s for s, e in claims), default=0)
    out = []
    for candidate in scored:
        if candidate.score < threshold or (candidate.start, candidate.end) in decided:
            continue
        lo = bisect_left(starts, candidate.start - longest)
        hi = bisect_left(starts, candidate.end)
        if any(e > candidate.start for _, e in claims[lo:hi]):
            continue
        out.append(candidate)
    return sorted(out, key=lambda c: (c.start, c.end))
