"""Scoring a long text's units in parts, one process each: for a 10 MB document on several cores.

Cutting the units (syntok) and scoring them hold the interpreter, so threads would not help.
``score_in_parts`` cuts the text where ``units`` itself may cut it (after a blank line, or after a
line break at a sure sentence end: ``units.sure_line_end``), so each part yields exactly the
units the whole text would, with the quotations of their own lines;
each part is cut and scored in a worker process and the candidates are shifted back. The result
equals ``suggester.suggest(text, entities)``. A suggester that cannot be pickled (a loaded spaCy
pipeline, say) scores in the calling process.

``annotty suggest`` uses it for a text of ``PARALLEL_FROM`` characters or more, where starting
processes costs less than it saves. The reader does not: in the app, on two cores its own work
shares, it was no faster than ``scored_over`` in a thread and kept 64 MB more resident for a
10 MB document (bench_app). Workers are started with "spawn" (safe in a threaded app).
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import itertools
import multiprocessing
import os
import pickle
import sys
import threading
from array import array
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import resource_tracker

from annotations.model import Entity
from annotations.suggest.builtin import Suggester
from annotations.suggest.candidate import Candidate
from annotations.suggest.units import sure_line_end, units

PARALLEL_FROM = 1_000_000  # characters: below this, one process is faster than starting more
CHUNK = 2_000  # units scored at a time by ``scored_over``


def default_workers() -> int:
    """The cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def cut_points(text: str, parts: int, first: float | None = None) -> list[int]:
    """Offsets ``0 = c0 < c1 < ... < ck = len(text)`` (k <= ``parts``), each inner one right
    after a break where ``units`` may cut; the first part about ``first`` of the text (default
    ``1 / parts``), the others sharing the rest evenly."""
    size = len(text)
    share = 1 / parts if first is None else first
    out = [0]
    for i in range(1, parts):
        fraction = share + (1 - share) * (i - 1) / (parts - 1)
        aim = max(int(size * fraction), out[-1] + 1)
        found = sure_line_end(text, aim)
        if found is None or found >= size:
            break
        if found > out[-1]:
            out.append(found)
    out.append(size)
    return out


FIRST_EXTRA = 0.03
"""The part scored in the calling process is this much larger (relatively) than the others:
a worker first starts an interpreter and imports the suggester, and its candidates travel back."""


def _picklable(suggester: Suggester) -> bool:
    """A suggester holding a loaded pipeline or model may not travel to a worker process: it
    then scores in the calling one."""
    try:
        pickle.dumps(suggester)
    except Exception:  # noqa: BLE001 - any failure to pickle means: score here
        return False
    return True


_FIELDS = tuple(f.name for f in dataclasses.fields(Candidate))

Row = tuple[object, ...]


def scored_over(
    suggester: Suggester,
    text: str,
    entities: Sequence[Entity],
    threshold: float | None = None,
    spans: Sequence[tuple[int, int]] | None = None,
    reasons: bool = True,
) -> list[Candidate]:
    """The units of ``text`` (``spans``, default ``units(text)``) scored by ``suggester``, only
    those at or above ``threshold`` kept (all when None), ``CHUNK`` units at a time: a 10 MB
    text never holds its 70,000 scored units, with their features and reasons, all at once.
    ``reasons=False`` drops the reasons of the kept ones (a reader that does not show them
    keeps tens of thousands of candidates of a long document in less memory)."""
    spans = units(text) if spans is None else spans
    out: list[Candidate] = []
    for at in range(0, len(spans), CHUNK):
        scored = suggester.score_units(text, spans[at : at + CHUNK], entities)
        kept = (c for c in scored if threshold is None or c.score >= threshold)
        out.extend(kept if reasons else (dataclasses.replace(c, reasons=()) for c in kept))
    return out


Packed = tuple["array[int]", "array[int]", list[str], list[str], list[str]]


def _pack(entities: Sequence[Entity]) -> Packed:
    """Entities as two integer arrays and three lists of the strings they hold already: sent to
    a worker without making 150,000 tuples (and their integers) in this long-lived process."""
    return (
        array("q", [e.start for e in entities]),
        array("q", [e.end for e in entities]),
        [e.label for e in entities],
        [e.source for e in entities],
        [e.text for e in entities],
    )


def _score_part(
    suggester: Suggester,
    text: str,
    packed: Packed,
    offset: int,
    threshold: float | None = None,
    reasons: bool = True,
) -> list[Row]:
    """The candidates of ``text``, the part of the whole at ``offset``, shifted back by it, as
    plain tuples (``Candidate``'s fields in order): tuples travel between processes several
    times faster than dataclasses. ``packed`` are the part's entities (``_pack``), at
    whole-text offsets."""
    starts, ends, labels, sources, texts = packed
    inside = [
        Entity(s - offset, e - offset, label, source, t)
        for s, e, label, source, t in zip(starts, ends, labels, sources, texts, strict=True)
    ]
    return [
        (c.start + offset, c.end + offset, *(getattr(c, n) for n in _FIELDS[2:]))
        for c in scored_over(suggester, text, inside, threshold, reasons=reasons)
    ]


_TRACKER_LOCK = threading.Lock()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real standard error.

    The tracker hands ``sys.stderr``'s descriptor to its process; under a Textual app
    ``sys.stderr`` is a capture whose ``fileno()`` is -1, and starting any worker process fails
    ("bad value(s) in fds_to_keep"). Started once with the process's own standard error (or
    none), it serves every pool after.
    """
    with _TRACKER_LOCK:
        try:
            usable = sys.stderr is not None and sys.stderr.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            usable = False
        if usable:
            return
        real = sys.__stderr__
        try:
            real_usable = real is not None and real.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            real_usable = False
        with contextlib.redirect_stderr(real if real_usable else None):
            resource_tracker.ensure_running()


def score_in_parts(
    text: str,
    entities: Sequence[Entity],
    suggester: Suggester,
    workers: int | None = None,
    threshold: float | None = None,
    here: bool = True,
    reasons: bool = True,
) -> list[Candidate]:
    """Every unit of ``text`` scored by ``suggester`` (its ``suggest``) in ``workers`` parts
    (default: the usable cores), the first in this process and each other in a worker process;
    the same list as ``suggester.suggest(text, entities)``, or only its units at or above
    ``threshold`` (then the rest never travel between processes). The suggester is pickled to
    each worker. ``here=False`` scores the first part in a worker too: this process then only
    receives the candidates, and the garbage of scoring 70,000 units (which a long-lived app
    would keep as resident memory) dies with the workers."""
    count = default_workers() if workers is None else max(1, workers)
    if count == 1 or len(text) < 2 or not _picklable(suggester):
        return scored_over(suggester, text, entities, threshold, reasons=reasons)
    cuts = cut_points(text, count, min(1.0, (1 + FIRST_EXTRA) / count) if here else None)
    if len(cuts) <= 2 and here:
        return scored_over(suggester, text, entities, threshold, reasons=reasons)
    ordered = sorted(entities, key=lambda e: (e.start, e.end))
    starts = [e.start for e in ordered]
    inside: list[list[Entity]] = []
    for lo_cut, hi_cut in itertools.pairwise(cuts):
        lo = bisect.bisect_left(starts, lo_cut)
        hi = bisect.bisect_left(starts, hi_cut, lo)
        inside.append([e for e in ordered[lo:hi] if e.end <= hi_cut])
    # "spawn": the reader calls this from a thread of a threaded app, where fork is unsafe
    context = multiprocessing.get_context("spawn")
    _start_resource_tracker()
    remote = 1 if here else 0  # the parts scored in workers start here
    with ProcessPoolExecutor(max_workers=len(cuts) - 1 - remote, mp_context=context) as pool:
        futures = [
            pool.submit(
                _score_part,
                suggester,
                text[lo_cut:hi_cut],
                _pack(part_entities),
                lo_cut,
                threshold,
                reasons,
            )
            for (lo_cut, hi_cut), part_entities in zip(
                itertools.pairwise(cuts[remote:]), inside[remote:], strict=True
            )
        ]
        first = text[: cuts[1]]
        out = scored_over(suggester, first, inside[0], threshold, reasons=reasons) if here else []
        for future in futures:
            out.extend(Candidate(*row) for row in future.result())  # type: ignore[arg-type]
    return out
