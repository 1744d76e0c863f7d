"""Review: page through every claim in the corpus, decide, fix, and filter.

The screen is made of parts: the list of matching claims and the context panel
(``review_listing.ClaimListing``), the filter (``review_filtering.FilterActions``), decisions
with undo and redo (``review_deciding.DecisionActions``) and editing a claim
(``review_editing.EditAction``). The table is virtual (see ``ClaimTable``): rows are read a
page at a time as they are drawn. Lists are read in a worker through ``ListLoader``, whose
generation numbers make sure a list read before a change or a newer load is never shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from annotations.review.filters import ReviewFilter, saved_filter
from annotations.review.list_loader import ListLoader
from annotations.review.listing import ReviewList, ReviewReader
from tui.screens.comments import claim_about, open_thread
from tui.screens.review_deciding import DecisionActions
from tui.screens.review_editing import EditAction
from tui.screens.review_filtering import FilterActions
from tui.screens.review_listing import ClaimListing
from tui.widgets.claim_context import ClaimContextView
from tui.widgets.claim_table import ClaimTable
from tui.widgets.save_state import SaveState

if TYPE_CHECKING:
    from tui.app import AnnottyApp


class ReviewScreen(ClaimListing, FilterActions, EditAction, DecisionActions):
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
        Binding(
            "C",
            "comments",
            "Comments",
            show=False,
            tooltip="The highlighted claim's comment thread, and what others changed in it",
            priority=True,
            id="review.comments",
        ),
        Binding(
            "equals_sign",
            "similar_claims",
            "Similar claims",
            show=False,
            tooltip="The claims most like the highlighted one in other documents; link them as "
            "the same claim",
            priority=True,
            id="review.similar",
        ),
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
        self.table = ClaimTable(self.app.schema, id="claims")
        yield self.table
        yield ClaimContextView(self.app.schema, id="context")
        yield Static(Text("Loading claims…"), id="review-status")
        yield SaveState(id="save-state")
        yield Footer()

    def on_mount(self) -> None:
        self.reader = ReviewReader(self.app.store)
        self.loader = ListLoader(self.reader)
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

    def action_comments(self) -> None:
        row = self.table.current
        if row is not None:
            about = claim_about(row)
            open_thread(self, "claim", row.id, row.doc_id, about, row.id, self._comments_closed)

    def _comments_closed(self, changed: bool | None) -> None:
        if changed and self.filter.comments:  # the thread may have left the filter
            self.reload()
        elif changed:
            self.read_marks()

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        self._away = True
        self.app.push_screen(StatsScreen())

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()

    def action_similar_claims(self) -> None:
        from tui.screens.similar_claims import SimilarClaimsScreen

        row = self.table.current
        if row is not None:
            self._away = True  # links made there show when the list is read again
            self.app.push_screen(
                SimilarClaimsScreen(row.id, row.doc_id, row.quote), self._review_group
            )

    def _review_group(self, claim_id: str | None) -> None:
        """``g`` in the similar claims: this claim's group of the same claim, together."""
        if claim_id:
            self.apply_filter(ReviewFilter(cluster=claim_id))

    def _status(self, message: str) -> None:
        self.query_one("#review-status", Static).update(Text(message))
