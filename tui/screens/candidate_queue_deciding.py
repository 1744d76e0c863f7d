"""Part of the candidate queue: deciding (``y``, ``Y``, ``z``) and undoing a decision (``u``).

A decision moves the queue on at once; its save follows in the order typed (``OrderedWrites``)
through the app's ``SaveQueue``, which keeps and retries a save that fails. Undo takes back only
that decision in the store (``Store.undo_decision``), never a later change of the document.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from annotations.errors import AnnottyError
from annotations.screen_text import screen_safe
from annotations.store import StoreError
from annotations.suggest import corpus_queue as cq
from tui.screens.ordered_writes import OrderedWrites
from tui.widgets.claim_form import ClaimForm

if TYPE_CHECKING:
    from tui.app import AnnottyApp

FAILURES = (StoreError, AnnottyError, sqlite3.Error, OSError)
NOT_SAVED = "Not saved yet: kept, retrying."


class QueueDeciding(OrderedWrites, Screen[None]):
    """Part of ``CandidateQueueScreen``: decisions and their undo."""

    app: AnnottyApp
    queue: cq.CandidateQueue
    _shown: cq.Key | None
    _saved: dict[cq.Key, bool]

    if TYPE_CHECKING:  # ``CandidateQueueScreen`` has them

        def _show(self) -> None: ...

        def _show_progress(self) -> None: ...

    def action_accept(self) -> None:
        self._decide(True)

    def action_reject(self) -> None:
        self._decide(False)

    async def action_accept_form(self) -> None:
        item = self.queue.current
        if item is None:
            self.notify("No candidate to accept.")
            return
        c = item.candidate
        initial = {"claim_type": c.claim_type, "speaker": c.speaker, "stance": c.stance}
        initial["target"] = c.target

        def saved(values: dict[str, Any] | None) -> None:
            if values is not None:
                self._decide(True, item, values)

        await self.app.push_screen(
            ClaimForm(
                self.app.schema,
                item.sentence,
                {k: v for k, v in initial.items() if v},
                list(item.speakers),
                title="Accept candidate",
            ),
            saved,
        )

    def _decide(
        self, accept: bool, item: cq.QueueItem | None = None, values: dict[str, Any] | None = None
    ) -> None:
        """Decide at once (the next candidate shows); the save follows in order."""
        decided = self.queue.decide(item)
        if decided is None:
            self.notify("No candidate to decide.")
            return
        self._show()

        def save() -> bool:
            return self._save(decided, accept, values)

        def done(saved: bool | None, error: Exception | None) -> None:
            self._decision_saved(decided, accept, bool(saved), error)

        self._write(save, done)

    def _save(self, item: cq.QueueItem, accept: bool, values: dict[str, Any] | None) -> bool:
        """In the writer thread: the decision through the save queue (kept when it fails)."""
        saves, c = self.app.saves, item.candidate
        if not accept:
            return saves.reject_candidate(item.doc_id, c, item.suggester)
        fields = dict(values or {})
        if values is None:  # the learned model's stance and target, when it suggests them
            fields.update({k: v for k, v in (("stance", c.stance), ("target", c.target)) if v})
        saved = saves.accept_candidate(item.doc_id, c, item.suggester, fields or None) is not None
        try:
            if self.app.store.status(item.doc_id) == "todo":
                saves.set_status(item.doc_id, "in_progress")  # as a claim tagged in the reader
        except FAILURES:
            pass  # the status is a convenience; the decision is what counts
        return saved

    def _decision_saved(
        self, item: cq.QueueItem, accept: bool, saved: bool, error: Exception | None
    ) -> None:
        if error is not None:  # refused outright, not kept: the candidate comes back
            self.queue.reopen(item)
            self._shown = None
            self._show()
            said = f"Not saved: {error}. The candidate is back: decide it again."
            self.notify(screen_safe(said), severity="error", markup=False)
            return
        self._saved[item.key] = saved
        if saved:
            self.app.note_decision()
        else:
            self.notify(NOT_SAVED, severity="warning")
        self._show_progress()

    def action_undo(self) -> None:
        item = self.queue.undo()
        if item is None:
            self.notify("Nothing to undo in the queue.")
            return
        self._shown = None
        self._show()

        def undo() -> str:
            return self._undo(item)

        def done(said: str | None, error: Exception | None) -> None:
            if error is not None or said != "":
                self.queue.decide(item)  # the decision stands
                self._shown = None
                self._show()
                message = f"Undo not done: {error}" if error is not None else said or ""
                self.notify(screen_safe(message), severity="warning", markup=False)
                return
            self.notify("Decision undone: the candidate is back.")

        self._write(undo, done)

    def _undo(self, item: cq.QueueItem) -> str:
        """In the writer thread, after the decision's save: take it back in the store. "" when
        done, else why not (the decision then stands)."""
        if not self._saved.get(item.key, False):
            return "That decision is waiting to be saved: undo it once it is."
        start, end = item.candidate.start, item.candidate.end
        if self.app.store.undo_decision(item.doc_id, start, end) is None:
            return "Not undone: your latest change in that document is not this decision."
        del self._saved[item.key]
        return ""
