"""The review's list of claims: made in a thread worker from one SQL query, re-made when claims
change, and the selected claim's paragraph read in another worker. Each new list also counts
how the claim candidates fared, for the title line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from annotations.review.filters import ReviewError, ReviewFilter
from annotations.review.list_loader import ListLoader, ListRequest, LoadedList
from annotations.review.listing import ClaimContext, ReviewList, ReviewReader, load_context
from annotations.screen_text import screen_safe
from annotations.stats import SuggestionStats, suggestion_stats
from annotations.terminal_safe import plural
from tui.messages import StoreChanged
from tui.screens.comments import review_marks
from tui.screens.reader_versions import anchor_marks, merged
from tui.screens.review_dialogs import filter_line
from tui.screens.similar_claims import with_link_marks
from tui.screens.worker_results import deliver
from tui.widgets.claim_context import ClaimContextView
from tui.widgets.claim_table import ClaimTable

if TYPE_CHECKING:
    from tui.app import AnnottyApp


class ClaimListing(Screen[None]):
    """Part of ``ReviewScreen``: the list of claims matching the filter, and the context panel."""

    app: AnnottyApp
    filter: ReviewFilter
    choices: dict[str, list[str]]
    list: ReviewList | None
    reader: ReviewReader | None
    loader: ListLoader
    busy: str
    _said: str
    table: ClaimTable
    _status: Callable[[str], None]

    def reload(self) -> None:
        """List the claims again, the cursor staying on its claim (or at its place)."""
        row = self.table.current
        self.load(self.filter, keep=row.id if row else None, at=self.table.cursor)

    def on_store_changed(self, message: StoreChanged) -> None:
        """Another process (or screen) saved: re-read rows; re-list if others changed claims."""
        changes = message.changes
        # a list still being read may predate this change: its load is dropped and made again
        again = self.loader.changed()
        if again is not None:
            self._start_load(again)
            return
        if self.list is None or self.busy:
            return
        if changes.other or changes.annotators - {self.app.store.annotator}:
            self.reload()
        else:
            self.list.invalidate()
            self.table.refresh_rows()

    def load(self, f: ReviewFilter, keep: str | None = None, at: int | None = None) -> None:
        """Read the claims matching ``f`` in a worker; the newest load is the one shown."""
        self._start_load(ListRequest(f, keep, at))

    def _start_load(self, request: ListRequest) -> None:
        self._read_list(self.loader.begin(request), request)

    @work(thread=True, exclusive=True, group="review-list")
    def _read_list(self, generation: int, request: ListRequest) -> None:
        try:
            loaded = self.loader.load(generation, request)
        except ReviewError as exc:
            deliver(self, self._load_failed, generation, str(exc))
            return
        if not get_current_worker().is_cancelled:
            deliver(self, self._loaded, loaded)

    def _loaded(self, loaded: LoadedList) -> None:
        if not self.loader.finish(loaded.generation):
            return  # read before a newer load or a change: that load is the one to show
        found, index = loaded.found, loaded.index
        self.list = found
        self.table.show(found, index)
        self._show_filter()
        self.count_acceptance()
        self.read_marks()
        key = self.app.key
        pending = "" if found.filter.review_status else f" · {key('review.next')} next pending"
        said, self._said = self._said, ""
        self._status(
            f"{said}  ·  {plural(len(found), 'claim', thousands=True)}"
            if said
            else f"{plural(len(found), 'claim', thousands=True)}{pending}"
            f" · {key('review.accept')} accept · {key('review.reject')} reject"
            f" · {key('review.accept_all')}/{key('review.reject_all')} all matching"
        )

    def _load_failed(self, generation: int, message: str) -> None:
        if not self.loader.finish(generation):
            return
        self._show_filter()
        self.notify(message, severity="error")

    def _show_filter(self, loading: bool = False) -> None:
        count = None if loading or self.list is None else len(self.list)
        self.query_one("#review-filter", Static).update(filter_line(self.filter, count, self.busy))

    @work(thread=True, exclusive=True, group="review-marks")
    def read_marks(self) -> None:
        """Which claims have comments, open or resolved, which are linked as the same claim as
        another, and which a new version of their article flagged (the table's marks)."""
        store = self.app.store
        marks = merged(with_link_marks(store, review_marks(store)), anchor_marks(store, None))
        deliver(self, self.table.set_marks, marks)

    @work(thread=True, exclusive=True, group="review-acceptance")
    def count_acceptance(self) -> None:
        """How the claim candidates fared (a grouped read of the decisions), for the title."""
        assert self.reader is not None
        with self.reader.fresh() as conn:
            numbers = suggestion_stats(conn)
        if not get_current_worker().is_cancelled:
            deliver(self, self._show_acceptance, numbers)

    def _show_acceptance(self, numbers: SuggestionStats) -> None:
        for title in self.query("#review-title").results(Static):
            title.update(acceptance_title(numbers))

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
            deliver(self, self._show_context, context)

    def _show_context(self, context: ClaimContext | None) -> None:
        """On the event loop: the screen may have closed while the context was read."""
        for view in self.query(ClaimContextView):
            view.show(context, "This claim was deleted.")


def acceptance_title(s: SuggestionStats, shown: int = 4) -> Text:
    """The review's title line; once candidates were decided, the share accepted in all and
    for the most decided suggested types (all of them on the stats screen)."""
    line = Text("annotty · review")
    if not s.decided:
        return line
    line.append(
        f"  ·  suggestions {s.accepted:,}/{s.decided:,} accepted ({s.acceptance_rate:.0%})",
        style="not bold",
    )
    for t in s.by_type[:shown]:
        name = " ".join(screen_safe(t.claim_type).split()) or "(none)"
        line.append(f" · {name} {t.accepted}/{t.decided}", style="not bold")
    if len(s.by_type) > shown:
        line.append(" …", style="not bold")
    return line
