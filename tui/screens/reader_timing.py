"""The reader's time keeping: seconds per claim and with the document open (issue 16).

Two ``annotations.timing.Stopwatch`` es, both touched by the user's keys in the reader: one runs
while the document is open, one from the moment a selection starts (or an edit form opens) to
the claim's save. Idle time is left out after a minute without keys. Time is a measurement,
never work: its writes go to the store after the claim's own save (a failure is logged, the
claim stays saved), and the document's seconds are written in batches (every few minutes and
when the reader closes), off the event loop, failing quietly.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen

from annotations.timing import IDLE_SECONDS, Stopwatch

if TYPE_CHECKING:
    from tui.app import AnnottyApp

DOC_TIME_EVERY = 300.0
"""Seconds between batched writes of the document's time while it stays open."""
DOC_TIME_WAIT = 1.0
"""How long a document-time write may wait for the database: time is not work."""
log = logging.getLogger(__name__)


class TimeKeeping(Screen[None]):
    """Part of ``ReaderScreen``: keeps the document's and the current claim's time."""

    app: AnnottyApp
    doc_id: str
    _doc_watch: Stopwatch | None = None
    _claim_watch: Stopwatch | None = None

    def clock(self) -> float:
        """Where time comes from: a method of its own so tests can put a fake clock here."""
        return time.monotonic()

    def start_timing(self) -> None:
        """The document is open: its time runs, written every ``DOC_TIME_EVERY`` seconds."""
        self._doc_watch = Stopwatch(IDLE_SECONDS, self.clock)
        self.set_interval(DOC_TIME_EVERY, self._write_doc_time)

    def new_stopwatch(self) -> Stopwatch:
        return Stopwatch(IDLE_SECONDS, self.clock)

    def activity(self) -> None:
        """A key or a click anywhere in the app (``AnnottyApp.on_event`` calls this for every
        open reader, also while a form is on top): idle time ends."""
        for watch in (self._doc_watch, self._claim_watch):
            if watch is not None:
                watch.touch()

    def selection_seen(self, selection: tuple[int, int] | None) -> None:
        """A claim's time starts with its selection and is dropped when the selection goes
        without a claim."""
        if selection is None:
            self._claim_watch = None
        elif self._claim_watch is None:
            self._claim_watch = self.new_stopwatch()

    def claim_stopwatch(self) -> Stopwatch:
        """The running time of the claim about to be tagged (from its selection's start)."""
        if self._claim_watch is None:
            self._claim_watch = self.new_stopwatch()
        return self._claim_watch

    def record_claim_time(self, claim_id: str, seconds: float | None) -> None:
        """In the save worker, right after the claim's save: a failure here is logged and
        never touches the claim."""
        if seconds is None or seconds <= 0:
            return
        try:
            self.app.store.add_claim_time(claim_id, seconds)
        except Exception as exc:  # a measurement: whatever went wrong, the claim is saved
            log.info("time on claim %s not recorded: %s", claim_id, exc)

    def _write_doc_time(self) -> None:
        watch = self._doc_watch
        if watch is not None:
            self._store_doc_time(self.doc_id, watch.take())

    @work(thread=True, group="doc-time")
    def _store_doc_time(self, doc_id: str, seconds: float) -> None:
        _add_doc_time(self.app, doc_id, seconds)

    def stop_timing(self) -> threading.Thread | None:
        """The reader closes: the seconds not yet written go in a thread of their own (a worker
        would be cancelled with the screen) that the app waits for before it closes the store.
        Returns that thread (tests wait for it)."""
        watch, self._doc_watch = self._doc_watch, None
        if watch is None:
            return None
        seconds = watch.take()
        if seconds <= 0:
            return None
        app, doc_id = self.app, self.doc_id
        thread = app.write_on_close(lambda: _add_doc_time(app, doc_id, seconds), "annotty-doc-time")
        return thread


def _add_doc_time(app: AnnottyApp, doc_id: str, seconds: float) -> None:
    if seconds <= 0:
        return
    try:
        app.store.add_doc_time(doc_id, seconds, wait=DOC_TIME_WAIT)
    except Exception as exc:  # a measurement: a locked or closed database only loses it
        log.info("time with %s open not recorded: %s", doc_id, exc)
