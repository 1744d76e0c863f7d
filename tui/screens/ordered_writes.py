"""Store writes from a screen, off the event loop and in the order the user made them.

Thread workers alone keep no order: an accept and, a moment later, a reject of the same claim
could commit the wrong way round. Each write here waits for the one before it, so decisions land
as they were typed, while the screen has already moved on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual import work

Done = Callable[[Any, Exception | None], None]


class OrderedWrites:
    """Mixin for a ``Screen``: ``_write(job, done)`` runs ``job`` in a thread after every
    earlier job, then calls ``done(result, error)`` on the event loop."""

    _write_done: threading.Event | None = None

    def _write(self, job: Callable[[], Any], done: Done) -> None:
        previous, mine = self._write_done, threading.Event()
        self._write_done = mine
        self._run_write(job, done, previous, mine)

    @work(thread=True, group="serial-write")
    def _run_write(
        self,
        job: Callable[[], Any],
        done: Done,
        previous: threading.Event | None,
        mine: threading.Event,
    ) -> None:
        result: Any = None
        error: Exception | None = None
        try:
            if previous is not None:
                previous.wait()
            try:
                result = job()
            except Exception as exc:  # reported to the user by ``done``, never lost
                error = exc
        finally:
            mine.set()
        self.app.call_from_thread(done, result, error)  # type: ignore[attr-defined]
