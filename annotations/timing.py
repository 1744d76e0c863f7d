"""Time on task: an idle-aware stopwatch, and the medians and totals stats shows of it.

Teams ask how long a claim takes (to plan, to pay, to spot a confusing guideline). Wall time
overstates it: an annotator who goes for coffee with a document open has not spent the break
on it. So a stretch without any key longer than ``idle_after`` seconds counts as
``idle_after`` seconds, no more: a minute of thought counts, the rest of the break does not.
The clock is injected, so tests run on a fake one, and nothing here imports Textual.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

IDLE_SECONDS = 60.0
"""A gap between keys longer than this counts only this long (idle time left out)."""


class Stopwatch:
    """Seconds of activity since it was made: every gap between ``touch()`` calls (and from the
    last one to now) counts up to ``idle_after``. Never decreases, never exceeds wall time."""

    def __init__(
        self, idle_after: float = IDLE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if idle_after <= 0:
            raise ValueError("idle_after must be positive")
        self.idle_after = idle_after
        self._clock = clock
        self._last = clock()
        self._counted = 0.0  # activity up to ``_last``
        self._taken = 0.0  # what ``take()`` handed out so far

    def _gap(self, now: float) -> float:
        return min(max(0.0, now - self._last), self.idle_after)

    def touch(self) -> None:
        """A key (or any sign of the user): the gap since the previous one counts, capped."""
        now = self._clock()
        self._counted += self._gap(now)
        self._last = max(self._last, now)  # a clock that steps back never undoes time

    def elapsed(self) -> float:
        """Active seconds so far; the gap since the last touch counts up to ``idle_after``."""
        return self._counted + self._gap(self._clock())

    def take(self) -> float:
        """Active seconds since the previous ``take()`` (all of them the first time): for
        batched writes, so each second is written once however often this is called."""
        now = self.elapsed()
        taken, self._taken = max(0.0, now - self._taken), max(self._taken, now)
        return taken


@dataclass(frozen=True, slots=True)
class ClaimTimes:
    """Timed claims of one annotator (and one claim type, or every type: ``claim_type`` None)."""

    annotator: str
    claim_type: str | None
    claims: int
    median_seconds: float
    total_seconds: float


@dataclass(frozen=True, slots=True)
class DocumentTime:
    """One annotator's seconds with documents open in the reader (idle time left out)."""

    annotator: str
    documents: int
    total_seconds: float


@dataclass(frozen=True, slots=True)
class TimeStats:
    """Time per claim by annotator (``by_annotator``) and by annotator and claim type
    (``by_type``), and time with documents open (``documents``); names sorted."""

    by_annotator: tuple[ClaimTimes, ...]
    by_type: tuple[ClaimTimes, ...]
    documents: tuple[DocumentTime, ...]


def summarise(
    claims: Iterable[tuple[str, str, float]], documents: Iterable[tuple[str, int, float]]
) -> TimeStats:
    """``claims``: (annotator, claim type, seconds) per timed claim; ``documents``: (annotator,
    documents, seconds) per annotator. Seconds are rounded to tenths, which is all they mean."""
    per_who: dict[str, list[float]] = defaultdict(list)
    per_type: dict[tuple[str, str], list[float]] = defaultdict(list)
    for who, ctype, seconds in claims:
        per_who[who or ""].append(float(seconds))
        per_type[(who or "", ctype or "")].append(float(seconds))

    def times(who: str, ctype: str | None, values: list[float]) -> ClaimTimes:
        return ClaimTimes(
            who,
            ctype,
            len(values),
            round(statistics.median(values), 1),
            round(sum(values), 1),
        )

    return TimeStats(
        by_annotator=tuple(times(w, None, v) for w, v in sorted(per_who.items())),
        by_type=tuple(times(w, t, v) for (w, t), v in sorted(per_type.items())),
        documents=tuple(
            DocumentTime(who or "", int(n), round(float(s), 1))
            for who, n, s in sorted(documents, key=lambda row: row[0] or "")
        ),
    )


def duration(seconds: float) -> str:
    """``42s``, ``3m 05s``, ``2h 07m``: short enough for a table cell."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
