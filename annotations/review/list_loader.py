"""Loading review lists off the event loop without ever showing a stale one.

A list takes up to ~100 ms to read in a worker thread. Meanwhile the reviewer may ask for
another list (a new filter: a newer load), or a change may be saved (the list being read may
predate it). Every load and every change takes the next *generation* number; a finished load
is installed only if nothing started or changed after it began. An older result is dropped
and the newer load wins, whatever order the threads finish in; a change that lands while a
load is in flight hands back that load's request, to be made again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from annotations.review.filters import ReviewFilter
from annotations.review.listing import ReviewList, ReviewReader


@dataclass(frozen=True, slots=True)
class ListRequest:
    """What a load was asked for: the filter, the claim to keep the cursor on, or the row
    to stay at if that claim left the list (neither: the first pending claim)."""

    filter: ReviewFilter
    keep: str | None = None
    at: int | None = None


@dataclass(frozen=True, slots=True)
class LoadedList:
    """A finished load: the list, the row for the cursor, and the generation it was read in."""

    generation: int
    request: ListRequest
    found: ReviewList
    index: int


class ListLoader:
    """Numbers loads and changes so that only the newest load, begun after the last change,
    is installed. ``begin``, ``changed`` and ``finish`` are cheap (event loop); ``load`` runs
    in a worker thread."""

    def __init__(self, reader: ReviewReader) -> None:
        self.reader = reader
        self._lock = threading.Lock()
        self._generation = 0
        self._in_flight: tuple[int, ListRequest] | None = None

    def begin(self, request: ListRequest) -> int:
        """A load is starting: its generation, which makes every earlier one stale."""
        with self._lock:
            self._generation += 1
            self._in_flight = (self._generation, request)
            return self._generation

    def changed(self) -> ListRequest | None:
        """A change was saved: loads begun before it are stale. Returns the request of the
        load in flight, if any, which must be made again (its list may predate the change)."""
        with self._lock:
            self._generation += 1
            request = self._in_flight[1] if self._in_flight is not None else None
            self._in_flight = None
            return request

    def finish(self, generation: int) -> bool:
        """A load is done (or failed): True if it is the newest and nothing changed since it
        began, so its result may be shown; False drops it."""
        with self._lock:
            if generation != self._generation:
                return False
            self._in_flight = None
            return True

    def load(self, generation: int, request: ListRequest) -> LoadedList:
        """Read the list (in a worker thread) and find the cursor's row, off the event loop.

        Raises ``ReviewError`` for a filter SQLite refuses.
        """
        f = request.filter
        found = ReviewList.load(self.reader, f)
        index = found.index_of(request.keep) if request.keep else None
        if index is None and request.at is not None:
            index = request.at  # the claim left the list (decided elsewhere): stay where it was
        if index is None:  # a new list starts at its first pending claim
            index = found.next_pending(-1) if f.review_status != "pending" else 0
        return LoadedList(generation, request, found, index or 0)
