"""Undo and redo of a reviewer's decisions, shared by the review and adjudication screens.

Both screens save decisions through ``OrderedWrites``; an undo must land after the decisions
still being saved (else it would undo the one before), so it goes through the same chain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from annotations.screen_text import screen_safe
from annotations.store import UndoStep
from annotations.terminal_safe import thing
from tui.screens.ordered_writes import OrderedWrites

if TYPE_CHECKING:
    from tui.app import AnnottyApp


class DecisionHistory(OrderedWrites):
    """Mixin for a ``Screen`` with ``OrderedWrites``: ``u``/``ctrl+z`` and ``ctrl+y`` undo and
    redo the annotator's latest change, in order after the writes before them.

    A screen says where undo reaches (``_history_scope``), when it must wait
    (``_history_busy``), how a change reads (``_describe_step``) and what follows
    (``_history_done``).
    """

    app: AnnottyApp
    _history_done: Callable[[str | None], None]
    """Show the message (None after a failure, already notified) and reload: each screen's own."""

    def action_undo(self) -> None:
        self._history_step(undo=True)

    def action_redo(self) -> None:
        self._history_step(undo=False)

    def _history_scope(self) -> str | None:
        """The document undo and redo are limited to; None: the whole corpus."""
        return None

    def _history_busy(self) -> str:
        """What undo and redo must wait for ('' when nothing)."""
        return ""

    def _history_step(self, undo: bool) -> None:
        busy = self._history_busy()
        if busy:
            self.app.notify(f"Please wait: {busy}", severity="warning")
            return
        store, scope = self.app.store, self._history_scope()
        step = store.undo if undo else store.redo
        self._write(lambda: step(scope), lambda entry, error: self._stepped(undo, entry, error))

    def _stepped(self, undo: bool, entry: UndoStep | None, error: Exception | None) -> None:
        word = "Undid" if undo else "Redid"
        message: str | None = None
        if error is not None:
            said = f"{word[:-1]} failed: {error}"
            self.app.notify(screen_safe(said), severity="error", markup=False)
        elif entry is None:
            message = f"Nothing to {'undo' if undo else 'redo'}."
        else:
            message = self._describe_step(word, entry)
        self._history_done(message)

    def _describe_step(self, word: str, entry: UndoStep) -> str:
        """How one undone (``word``: Undid) or redone change reads in the status line."""
        return f"{word} {entry.action or 'change'} of {thing(entry.kind or 'item')}."
