"""Review: page through every claim in the corpus, decide, fix, and filter.

The table is virtual (see ``ClaimTable``); the list of matching claims is made in a thread
worker from one SQL query, and the selected claim's paragraph is read in another. Decisions go
to the store in order through a chain of thread workers, while the cursor has already moved on
to the next pending claim, so reviewing is as fast as the reviewer's keys.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from annotations.model import EDITABLE_CLAIM_FIELDS, SPEAKER_LABELS
from annotations.review.decisions import BulkResult, decide_matching
from annotations.review.filters import ReviewError, ReviewFilter, save_filter, saved_filter
from annotations.review.listing import ReviewList, ReviewReader, ReviewRow, load_context
from annotations.store import StoreError
from annotations.terminal_safe import plural
from tui.messages import StoreChanged
from tui.screens.decisions import DecisionHistory
from tui.screens.review_dialogs import BulkDialog, FilterDialog, ReasonDialog, filter_line
from tui.widgets.claim_context import ClaimContextView
from tui.widgets.claim_table import ClaimTable, one_line
from tui.widgets.save_state import PERSIST_SECONDS, SaveState

if TYPE_CHECKING:
    from tui.app import AnnottyApp

VERBS = {"accepted": "Accepted", "rejected": "Rejected", "pending": "Reset to pending"}


class ReviewScreen(DecisionHistory, Screen[None]):
    """Every claim in a table, the selected one in context below; decide with one key."""

    app: AnnottyApp
    DEFAULT_CSS = """
    ReviewScreen #review-title { background: $primary-darken-2; color: $text; padding: 0 1;
                                 text-style: bold; height: 1; }
    ReviewScreen #review-filter { height: 1; padding: 0 1; background: $boost; }
    ReviewScreen #review-status { height: 1; padding: 0 1; background: $panel;
                                  color: $text-muted; }
    """
    # priority (the screen has no text field): a key acts when Textual routes it, so keys
    # typed at once after ``r`` go into the dialog it opens, never to this screen
    BINDINGS = [
        Binding("a", "decide('accepted')", "Accept", priority=True, id="review.accept"),
        Binding("r", "reject", "Reject", priority=True, id="review.reject"),
        Binding(
            "p", "decide('pending')", "Pending", show=False, priority=True, id="review.pending"
        ),
        Binding("e", "edit", "Edit", priority=True, id="review.edit"),
        Binding("enter", "open", "Open", priority=True, id="review.open"),
        Binding("n", "next_pending(1)", "Next pending", priority=True, id="review.next"),
        Binding(
            "N", "next_pending(-1)", "Prev pending", show=False, priority=True, id="review.prev"
        ),
        Binding("slash", "filter", "Filter", priority=True, id="review.filter"),
        Binding("c", "clear_filter", "Clear filter", show=False, priority=True, id="review.clear"),
        Binding(
            "A", "bulk('accepted')", "Accept all", show=False, priority=True, id="review.accept_all"
        ),
        Binding(
            "R", "bulk('rejected')", "Reject all", show=False, priority=True, id="review.reject_all"
        ),
        Binding("u,ctrl+z", "undo", "Undo", priority=True, id="review.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, priority=True, id="review.redo"),
        Binding("t", "stats", "Stats", priority=True, id="review.stats"),
        Binding("q,escape", "back", "Back", priority=True, id="review.back"),
    ]

    def __init__(self, review_filter: ReviewFilter | None = None) -> None:
        super().__init__()
        self.initial_filter = review_filter
        self.filter = review_filter or ReviewFilter()
        self.list: ReviewList | None = None
        self.reader: ReviewReader | None = None
        self.busy = ""  # what a bulk operation is doing; decisions wait until it is done
        self.choices: dict[str, list[str]] = {"target": [], "annotator": []}
        self._away = False  # another screen that may change claims is on top
        self._said = ""  # what an undo or redo did: said again once the list is re-made

    def compose(self) -> ComposeResult:
        yield Static(Text("annotty · review"), id="review-title")
        yield Static("", id="review-filter")
        yield ClaimTable(self.app.schema, id="claims")
        yield ClaimContextView(self.app.schema, id="context")
        yield Static(Text("Loading claims…"), id="review-status")
        yield SaveState(id="save-state")
        yield Footer()

    @property
    def table(self) -> ClaimTable:
        return self.query_one(ClaimTable)

    def on_mount(self) -> None:
        self.reader = ReviewReader(self.app.store)
        if self.initial_filter is None:
            self.filter = saved_filter(self.app.store)
        self._show_filter(loading=True)
        self.table.focus()
        self.load(self.filter)
        if self.initial_filter is not None:
            self._save_filter(self.filter)
        self.load_choices()

    def on_unmount(self) -> None:
        if self.reader is not None:
            self.reader.close()

    def on_screen_resume(self) -> None:
        if self._away and self.list is not None:  # back from the reader: claims may have changed
            self._away = False
            self.reload()

    # -- loading ------------------------------------------------------------------------------
    def reload(self) -> None:
        """List the claims again, the cursor staying on its claim (or at its place)."""
        row = self.table.current
        self.load(self.filter, keep=row.id if row else None, at=self.table.cursor)

    def on_store_changed(self, message: StoreChanged) -> None:
        """Another process (or screen) saved: re-read rows; re-list if others changed claims."""
        changes = message.changes
        if self.list is None or self.busy:
            return
        # a list still being read may hold rows from before this change: read it again
        loading = any(w.group == "review-list" and w.is_running for w in self.app.workers)
        if changes.other or changes.annotators - {self.app.store.annotator} or loading:
            self.reload()
        else:
            self.list.invalidate()
            self.table.refresh_rows()

    @work(thread=True, exclusive=True, group="review-list")
    def load(self, f: ReviewFilter, keep: str | None = None, at: int | None = None) -> None:
        assert self.reader is not None
        try:
            found = ReviewList.load(self.reader, f)
        except ReviewError as exc:
            self.app.call_from_thread(self._load_failed, str(exc))
            return
        index = found.index_of(keep) if keep else None  # found here, off the event loop
        if index is None and at is not None:
            index = at  # the claim left the list (decided elsewhere): stay where it was
        if index is None:  # a new list starts at its first pending claim
            index = found.next_pending(-1) if f.review_status != "pending" else 0
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self._loaded, found, index or 0)

    def _loaded(self, found: ReviewList, index: int) -> None:
        self.list = found
        self.table.show(found, index)
        self._show_filter()
        pending = "" if found.filter.review_status else " · n next pending"
        said, self._said = self._said, ""
        self._status(
            f"{said}  ·  {plural(len(found), 'claim', thousands=True)}"
            if said
            else f"{plural(len(found), 'claim', thousands=True)}{pending} · a accept · "
            "r reject · A/R all matching"
        )

    def _load_failed(self, message: str) -> None:
        self._show_filter()
        self.notify(message, severity="error")

    @work(thread=True, exclusive=True, group="review-choices")
    def load_choices(self) -> None:
        """Targets and annotators in the corpus, for the filter form's pick lists."""
        assert self.reader is not None
        self.choices = self.reader.choices()

    @on(ClaimTable.Highlighted)
    def _highlighted(self, event: ClaimTable.Highlighted) -> None:
        if event.row is None:
            self.query_one(ClaimContextView).show(
                None,
                "No claims match this filter."
                if self.list is not None and not len(self.list)
                else "",
            )
            return
        self.show_context(event.row.id)

    @work(thread=True, exclusive=True, group="review-context")
    def show_context(self, claim_id: str) -> None:
        assert self.reader is not None
        with self.reader.fresh() as conn:
            context = load_context(conn, claim_id)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(
                self.query_one(ClaimContextView).show, context, "This claim was deleted."
            )

    # -- the filter ---------------------------------------------------------------------------
    def _show_filter(self, loading: bool = False) -> None:
        count = None if loading or self.list is None else len(self.list)
        self.query_one("#review-filter", Static).update(filter_line(self.filter, count, self.busy))

    def apply_filter(self, f: ReviewFilter) -> None:
        """Show the claims matching ``f`` (keeping the current claim if it still matches)."""
        self.filter = f
        self._show_filter(loading=True)
        row = self.table.current
        self.load(f, keep=row.id if row else None)
        self._save_filter(f)

    def _save_filter(self, f: ReviewFilter) -> None:
        """Remember the filter (per annotator) so review reopens with it."""
        self._write(lambda: save_filter(self.app.store, f), lambda _result, _error: None)

    async def action_filter(self) -> None:
        dialog = FilterDialog(
            self.app.schema, self.filter, self.choices["target"], self.choices["annotator"]
        )
        await self.app.push_screen(dialog, self._filter_chosen)

    def _filter_chosen(self, f: ReviewFilter | None) -> None:
        if f is not None and f != self.filter:
            self.apply_filter(f)

    def action_clear_filter(self) -> None:
        if not self.filter.is_empty():
            self.apply_filter(ReviewFilter())

    # -- moving -------------------------------------------------------------------------------
    def action_next_pending(self, step: int) -> None:
        if self.list is None:
            return
        found = self.list.next_pending(self.table.cursor, step)
        if found is None:
            self._status("No more pending claims " + ("below." if step > 0 else "above."))
        else:
            self.table.move_to(found)

    def action_open(self) -> None:
        row = self.table.current
        if row is not None:
            self._away = True
            self.app.open_document(row.doc_id, row.start)

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        self._away = True
        self.app.push_screen(StatsScreen())

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()

    # -- deciding -----------------------------------------------------------------------------
    def _usable_row(self) -> ReviewRow | None:
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
        found.status_override[row.rowid] = decision
        self.table.refresh_row(index)
        # through the app's save queue: a decision that cannot be saved now is kept and retried
        self._write(
            lambda: self.app.saves.decide(row.id, decision, reason),
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
        row: ReviewRow,
        decision: str,
        saved: bool,
        error: Exception | None,
    ) -> None:
        if error is None and not saved:  # kept: the row keeps showing it, the line says so
            self._status(
                f"{VERBS[decision]}, not saved yet (kept, retrying): “{one_line(row.quote)[:40]}”"
            )
            return
        if found.status_override.get(row.rowid) == decision:
            del found.status_override[row.rowid]
        found.invalidate(index)
        if found is self.list:
            self.table.refresh_row(index)
            if index == self.table.cursor:
                self.show_context(row.id)
        if error is not None:
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

    def _rejected(self, row: ReviewRow, reason: str | None) -> None:
        if reason is not None and self.table.current == row:
            self.action_decide("rejected", reason)

    async def action_edit(self) -> None:
        row = self._usable_row()
        if row is None:
            raise SkipAction()
        from tui.widgets.claim_form import ClaimForm

        try:
            claim = self.app.store.claim(row.id)
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            raise SkipAction() from exc
        context = self.query_one(ClaimContextView).context
        speakers = [
            e.text
            for e in (context.entities if context and context.claim.id == row.id else ())
            if e.label in SPEAKER_LABELS and e.text
        ]
        initial = {k: getattr(claim, k) for k in EDITABLE_CLAIM_FIELDS}
        form = ClaimForm(
            self.app.schema, claim.quote, initial=initial, speakers=speakers, title="Edit claim"
        )
        await self.app.push_screen(form, lambda values: self._edited(row, initial, values))

    def _edited(
        self, row: ReviewRow, initial: dict[str, Any], values: dict[str, Any] | None
    ) -> None:
        changes = {
            k: v
            for k, v in (values or {}).items()
            if k in EDITABLE_CLAIM_FIELDS and initial.get(k) != v
        }
        if not changes:
            return
        self._write(
            lambda: self.app.saves.update_claim(row.id, **changes),  # kept if it fails
            lambda claim, error: self._edit_saved(row, claim, error),
        )

    def _edit_saved(self, row: ReviewRow, claim: Any, error: Exception | None) -> None:
        if error is not None:
            self.notify(
                f"Could not save the edit of “{one_line(row.quote)[:40]}”: {one_line(str(error))}",
                severity="error",
                timeout=PERSIST_SECONDS,
                markup=False,
            )
            return
        if claim is None:
            self._status(f"Edit not saved yet (kept, retrying): “{one_line(row.quote)[:40]}”")
            return
        self._status(f"Saved: “{one_line(row.quote)[:60]}”")
        if self.list is not None:
            self.list.invalidate()
            self.table.refresh_rows()
            current = self.table.current
            if current is not None:
                self.show_context(current.id)

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

    def _describe_step(self, word: str, entry: dict[str, Any]) -> str:
        count = entry.get("count")
        if not count:
            return super()._describe_step(word, entry)
        what = entry.get("action", "change")
        return f"{word} {what} of {plural(count, 'claim', thousands=True)}."

    def _history_done(self, message: str | None) -> None:
        if message is not None:
            self._said = message
        if self._said:
            self._status(self._said)
        self.reload()

    def _status(self, message: str) -> None:
        self.query_one("#review-status", Static).update(Text(message))
