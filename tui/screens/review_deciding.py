"""The review's decisions: accept, reject with a reason, reset to pending, all matching at once,
and undo/redo of them.

Decisions go to the store in order through a chain of thread workers (``OrderedWrites``) while
the cursor has already moved on to the next pending claim, so reviewing is as fast as the
reviewer's keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.screen import Screen

from annotations.model import Claim
from annotations.review.decisions import BulkResult, decide_matching
from annotations.review.filters import ReviewFilter
from annotations.review.listing import ReviewList
from annotations.store import ConflictError, UndoStep
from annotations.terminal_safe import plural
from tui.screens.decisions import DecisionHistory
from tui.screens.reader_versions import FLAG_MARK
from tui.screens.review_dialogs import BulkDialog, ReasonDialog
from tui.widgets.claim_table import ClaimTable, one_line
from tui.widgets.save_state import PERSIST_SECONDS

if TYPE_CHECKING:
    from tui.app import AnnottyApp

VERBS = {"accepted": "Accepted", "rejected": "Rejected", "pending": "Reset to pending"}


class DecisionActions(DecisionHistory, Screen[None]):
    """Part of ``ReviewScreen``: deciding one claim or every matching one, undo and redo."""

    app: AnnottyApp
    filter: ReviewFilter
    list: ReviewList | None
    busy: str
    _said: str
    table: ClaimTable
    reload: Callable[[], None]
    show_context: Callable[[str], object]
    _show_filter: Callable[..., None]
    _status: Callable[[str], None]
    read_marks: Callable[[], object]

    def _usable_row(self) -> Claim | None:
        """The row under the cursor, unless there is none or a bulk operation is running."""
        if self.busy:
            self.notify(f"Please wait: {self.busy}", severity="warning")
            return None
        return self.table.current

    def action_decide(self, decision: str, reason: str = "") -> None:
        row = self._usable_row()
        if row is None or self.list is None:
            return
        found, index = self.list, self.table.cursor
        found.status_override[found.rowids[index]] = decision
        self.table.refresh_row(index)
        # through the app's save queue: a decision that cannot be saved now is kept and retried;
        # it carries the version shown, so a claim someone else changed meanwhile is not decided
        self._write(
            lambda: self.app.saves.decide(row.id, decision, reason, expected=row.version),
            lambda saved, error: self._decided(found, index, row, decision, bool(saved), error),
        )
        following = found.next_pending(index)
        if following is not None:
            self.table.move_to(following)
        else:
            self.table.move_to(index)  # shows the new status in the context panel
            self._status("That was the last pending claim in this list.")

    def _decided(
        self,
        found: ReviewList,
        index: int,
        row: Claim,
        decision: str,
        saved: bool,
        error: Exception | None,
    ) -> None:
        if error is None and not saved:  # kept: the row keeps showing it, the line says so
            self._status(
                f"{VERBS[decision]}, not saved yet (kept, retrying): “{one_line(row.quote)[:40]}”"
            )
            return
        if found.status_override.get(found.rowids[index]) == decision:
            del found.status_override[found.rowids[index]]
        found.invalidate(index)
        if found is self.list:
            self.table.refresh_row(index)
            if index == self.table.cursor:
                self.show_context(row.id)
        if (
            error is None
            and decision != "pending"
            and FLAG_MARK in str(self.table.marks.get(row.id, ""))
        ):
            self.read_marks()  # the decision cleared the claim's new-version flag
        if isinstance(error, ConflictError):  # its row now shows the claim as it is
            self.notify(
                f"“{one_line(row.quote)[:40]}”: {error}",
                severity="warning",
                timeout=PERSIST_SECONDS,
                markup=False,
            )
        elif error is not None:
            self.notify(
                f"Could not save the decision ({VERBS[decision].lower()}: "
                f"“{one_line(row.quote)[:40]}”): {one_line(str(error))}. The claim "
                "keeps its earlier status; decide again.",
                severity="error",
                timeout=PERSIST_SECONDS,
                markup=False,
            )
        else:
            self._status(f"{VERBS[decision]}: “{one_line(row.quote)[:60]}”")

    async def action_reject(self) -> None:
        row = self._usable_row()
        if row is None:
            raise SkipAction()
        # awaited: the keys typed after ``r`` are routed once the dialog is mounted
        await self.app.push_screen(
            ReasonDialog(one_line(row.quote)[:200]), lambda reason: self._rejected(row, reason)
        )

    def _rejected(self, row: Claim, reason: str | None) -> None:
        if reason is not None and self.table.current == row:
            self.action_decide("rejected", reason)

    # -- every matching claim at once ---------------------------------------------------------
    async def action_bulk(self, decision: str) -> None:
        if self.busy or self.list is None or not len(self.list):
            self.notify(self.busy or "No claims match the filter.", severity="warning")
            raise SkipAction()
        dialog = BulkDialog(
            decision, len(self.list), self.filter.describe(), self.filter.is_empty()
        )
        await self.app.push_screen(dialog, lambda reason: self._bulk(decision, reason))

    def _bulk(self, decision: str, reason: str | None) -> None:
        if reason is None:
            return
        f, started = self.filter, time.perf_counter()
        self.busy = f"{VERBS[decision].lower()} every matching claim…"
        self._show_filter()
        self._write(
            lambda: decide_matching(self.app.store, f, decision, reason),
            lambda result, error: self._bulk_done(decision, result, error, started),
        )

    def _bulk_done(
        self, decision: str, result: BulkResult | None, error: Exception | None, started: float
    ) -> None:
        self.busy = ""
        if error is not None or result is None:
            # one transaction: nothing was changed, so nothing is half done; say it until seen
            self.notify(
                f"{VERBS[decision]} every matching claim: not saved, nothing was "
                f"changed ({one_line(str(error))}). Press "
                f"{'A' if decision == 'accepted' else 'R'} again to retry.",
                severity="error",
                timeout=PERSIST_SECONDS,
                markup=False,
            )
        else:
            seconds = time.perf_counter() - started
            them = "it" if result.count == 1 else "them all"
            self.notify(
                f"{VERBS[decision]} {plural(result.count, 'claim', thousands=True)} "
                f"in {seconds:.1f} s. u undoes {them}."
            )
        self.reload()

    # -- undo and redo (DecisionHistory) ------------------------------------------------------
    def _history_busy(self) -> str:
        return self.busy

    def _describe_step(self, word: str, entry: UndoStep) -> str:
        if not entry.batch:
            return super()._describe_step(word, entry)
        what = entry.action or "change"
        return f"{word} {what} of {plural(entry.count, 'claim', thousands=True)}."

    def _history_done(self, message: str | None) -> None:
        if message is not None:
            self._said = message
        if self._said:
            self._status(self._said)
        self.reload()
