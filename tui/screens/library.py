"""The library: every document with its id, size, entities, claims and status; ``enter`` opens.

``/`` filters as you type (words of the title, the id or the file it came from), ``s`` sorts by
the next column (title, status, claims, size, import order) and ``S`` turns the order round,
``f`` shows one status at a time. The Id column shows the shortest prefix (at least 8
characters) that tells every document apart, which is what ``annotty export --doc`` takes.
The table draws only the rows on screen, so 10,000 documents filter and sort at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar, Static

from annotations.model import DOC_STATUSES, DocumentSummary
from annotations.terminal_safe import plural
from tui.messages import StoreChanged
from tui.screens.worker_results import deliver
from tui.widgets.library_table import LibraryTable, id_width, one_line
from tui.widgets.save_state import SaveState

if TYPE_CHECKING:
    from tui.app import AnnottyApp

UNFINISHED = ("todo", "in_progress")
SORTS = ("imported", "title", "status", "claims", "size")
"""What ``s`` steps through; claims and size start with the largest."""
DESCENDING = frozenset({"claims", "size"})
SORT_COLUMN = {"title": "title", "status": "status", "claims": "claims", "size": "words"}
COLUMN_SORT = {column: sort for sort, column in SORT_COLUMN.items()}
ORDER_WORDS = {
    "imported": ("first imported first", "last imported first"),
    "title": ("title A→Z", "title Z→A"),
    "status": ("by status", "by status, reversed"),
    "claims": ("fewest claims first", "most claims first"),
    "size": ("shortest first", "longest first"),
}
STATUS_VIEWS: tuple[str, ...] = ("all", "unfinished", *DOC_STATUSES)
"""What ``f`` steps through."""


@dataclass(frozen=True, slots=True)
class View:
    """How the library is filtered and sorted."""

    query: str = ""
    status: str = "all"
    sort: str = "imported"
    reverse: bool = False

    def describe(self) -> str:
        """The filter and the order in words, for the status line ("" for the plain list)."""
        parts = []
        if self.status != "all":
            parts.append(self.status.replace("_", " "))
        if self.query:
            parts.append(f"matching “{one_line(self.query)}”")
        if self.sort != "imported" or self.reverse:
            parts.append(ORDER_WORDS[self.sort][(self.sort in DESCENDING) != self.reverse])
        return " · ".join(parts)


def search_key(doc: DocumentSummary) -> str:
    """What the filter matches: the title, the id and the name of the file it came from (its
    folders would match every document imported from them)."""
    name = doc.source.rsplit("#", 1)[0].replace("\\", "/").rsplit("/", 1)[-1]
    return f"{doc.title} {doc.id} {name}".casefold()


def arrange(
    docs: Sequence[DocumentSummary],
    keys: Mapping[str, str],
    view: View,
    first: frozenset[str] = frozenset(),
) -> list[DocumentSummary]:
    """The documents ``view`` shows, in its order; ``keys[id]`` is the document's
    ``search_key``. Those in ``first`` (assigned to me) come first, each part in that order."""
    words = view.query.casefold().split()
    wanted: tuple[str, ...] = (
        UNFINISHED
        if view.status == "unfinished"
        else ()
        if view.status == "all"
        else (view.status,)
    )
    shown = [doc for doc in docs if not wanted or doc.status in wanted]
    for word in words:  # one pass per word: 10,000 titles take a few ms
        shown = [doc for doc in shown if word in keys[doc.id]]
    descending = (view.sort in DESCENDING) != view.reverse
    if view.sort == "title":
        shown.sort(key=lambda d: (one_line(d.title).casefold(), d.id), reverse=descending)
    elif view.sort == "status":
        order = {s: i for i, s in enumerate(DOC_STATUSES)}
        shown.sort(key=lambda d: order.get(d.status, len(order)), reverse=descending)
    elif view.sort == "claims":
        shown.sort(key=lambda d: d.claims, reverse=descending)
    elif view.sort == "size":
        shown.sort(key=lambda d: d.chars, reverse=descending)
    elif descending:
        shown.reverse()
    if first:
        shown = [d for d in shown if d.id in first] + [d for d in shown if d.id not in first]
    return shown


class LibraryScreen(Screen[None]):
    app: AnnottyApp

    DEFAULT_CSS = """
    LibraryScreen #library-filter { height: 1; border: none; padding: 0 1; display: none; }
    LibraryScreen #library-filter:focus { border: none; }
    LibraryScreen.-filtering #library-filter { display: block; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="library.open"),
        Binding("n", "next_unfinished", "Next unfinished", id="library.next"),
        Binding(
            "slash",
            "filter",
            "Filter",
            id="library.filter",
            tooltip="Type words of a title, an id or a file name; escape clears",
        ),
        Binding(
            "s",
            "sort",
            "Sort",
            id="library.sort",
            tooltip="Sort by the next column: title, status, claims, size, import order",
        ),
        Binding("S", "reverse", "Reverse order", show=False, id="library.reverse"),
        Binding(
            "f",
            "status_filter",
            "Status filter",
            show=False,
            id="library.status",
            tooltip="Show all documents, the unfinished ones, or one status",
        ),
        Binding("escape", "clear", "Clear filter", show=False, id="library.clear"),
        Binding("r", "app.review", "Review", id="library.review"),
        Binding("t", "app.stats", "Stats", id="library.stats"),
        Binding("a", "app.adjudicate", "Adjudicate", show=False, id="library.adjudicate"),
        Binding(
            "c",
            "candidate_queue",
            "Candidate queue",
            show=False,
            tooltip="Decide the corpus's claim candidates one by one, by score or uncertainty",
            id="library.queue",
        ),
        Binding("q", "app.quit", "Quit", id="library.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[DocumentSummary] = []
        self.keys: dict[str, str] = {}
        self.view = View()
        self.shown: list[DocumentSummary] = []
        self.mine: frozenset[str] = frozenset()  # documents assigned to me: shown first
        self._could_clear = False

    def compose(self) -> ComposeResult:
        yield Static("annotty · library", id="library-title")
        yield Input(
            placeholder="filter: words of a title, an id or a file name", id="library-filter"
        )
        yield LibraryTable(id="documents")
        yield ProgressBar(id="progress", show_eta=False)
        yield SaveState(id="save-state")  # work left in the reader that is not saved yet
        yield Static("", id="library-status")
        yield Footer()

    @property
    def table(self) -> LibraryTable:
        return self.query_one(LibraryTable)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#library-filter", Input)

    def on_mount(self) -> None:
        # only the database file's name: a full path would make the screen (and snapshots)
        # depend on the machine; the palette's "Database info" tells the whole path
        name = self.app.store.short_name
        self.query_one("#library-title", Static).update(
            Text(f"annotty · library · {one_line(name)}")
        )
        self.table.focus()
        self.query_one("#library-status", Static).update("Loading documents…")
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self._can_clear() if action == "clear" else True

    @work(thread=True, exclusive=True, group="library")
    def reload(self) -> None:
        summaries = self.app.store.documents()
        mine = frozenset(self.app.store.assignments_of())
        keys = {doc.id: search_key(doc) for doc in summaries}
        width = id_width([doc.id for doc in summaries])
        deliver(self, self._loaded, summaries, keys, width, mine)

    def _loaded(
        self,
        summaries: list[DocumentSummary],
        keys: dict[str, str],
        width: int,
        mine: frozenset[str] = frozenset(),
    ) -> None:
        self.summaries, self.keys, self.mine = summaries, keys, mine
        self.table.id_width = width
        self.table.assigned = mine
        self._arrange()
        done = sum(1 for d in summaries if d.status in ("done", "skipped"))
        self.query_one(ProgressBar).update(total=max(1, len(summaries)), progress=done)

    def _arrange(self, view: View | None = None, narrower: bool = False) -> None:
        """Show the documents ``view`` (default: the current one) selects, the cursor staying
        on its document when it is still shown; ``narrower``: ``view`` only takes documents
        away from those shown (a word typed on), so only they are looked at."""
        self.view = view or self.view
        current = self.table.current
        self.shown = arrange(
            self.shown if narrower else self.summaries, self.keys, self.view, self.mine
        )
        cursor = 0
        if current is not None:
            cursor = next(
                (i for i, d in enumerate(self.shown) if d.id == current.id),
                min(self.table.cursor, max(0, len(self.shown) - 1)),
            )
        self.table.sorted_by = (
            None
            if self.view.sort == "imported"
            else (SORT_COLUMN[self.view.sort], (self.view.sort in DESCENDING) != self.view.reverse)
        )
        self.table.show(self.shown, cursor)
        self._status()
        if self._can_clear() != self._could_clear:  # the footer redraws only when it changes
            self._could_clear = self._can_clear()
            self.refresh_bindings()

    def _can_clear(self) -> bool:
        return bool(self.view.query or self.view.status != "all" or self.has_class("-filtering"))

    def _status(self) -> None:
        docs = self.summaries
        done = sum(1 for d in docs if d.status in ("done", "skipped"))
        claims = sum(d.claims for d in docs)
        line = Text()
        if len(self.shown) != len(docs):
            line.append(f"{len(self.shown):,} of ", style="bold")
        line.append(f"{plural(len(docs), 'document', thousands=True)}")
        if self.view.describe():
            line.append(f" ({self.view.describe()})", style="bold")
        line.append(f" · {done:,} finished · {plural(claims, 'claim', thousands=True)}")
        if self.mine:
            left = sum(1 for d in docs if d.id in self.mine and d.status in UNFINISHED)
            mine = sum(1 for d in docs if d.id in self.mine)
            line.append(f" · ▶ {mine:,} assigned to me ({left:,} unfinished)")
        self.query_one("#library-status", Static).update(line)

    # -- finding ------------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.add_class("-filtering")
        self.filter_input.focus()
        self._could_clear = True
        self.refresh_bindings()

    @on(Input.Changed, "#library-filter")
    def _typed(self, event: Input.Changed) -> None:
        old = self.view.query
        if event.value != old:
            # typing on only narrows: every word is kept or lengthened, or a word is added
            self._arrange(
                View(event.value, self.view.status, self.view.sort, self.view.reverse),
                narrower=event.value.startswith(old),
            )

    @on(Input.Submitted, "#library-filter")
    def _filter_done(self) -> None:
        self.table.focus()
        if not self.view.query:
            self.remove_class("-filtering")

    def on_key(self, event: events.Key) -> None:
        """In the filter field, ``down`` goes to the table and ``escape`` clears the filter."""
        if self.filter_input.has_focus and event.key in ("down", "escape"):
            event.stop()
            event.prevent_default()
            if event.key == "escape":
                self.action_clear()
            else:
                self.table.focus()

    def action_clear(self) -> None:
        """Clear the filter words (and the status filter when there are none)."""
        query, status = self.view.query, self.view.status
        if not query and not self.has_class("-filtering"):
            status = "all"
        self.filter_input.value = ""
        self.remove_class("-filtering")
        self.table.focus()
        self._arrange(View("", status, self.view.sort, self.view.reverse))

    def action_sort(self) -> None:
        following = SORTS[(SORTS.index(self.view.sort) + 1) % len(SORTS)]
        self._arrange(View(self.view.query, self.view.status, following, False))

    def action_reverse(self) -> None:
        self._arrange(
            View(self.view.query, self.view.status, self.view.sort, not self.view.reverse)
        )

    @on(LibraryTable.Sort)
    def _header_clicked(self, event: LibraryTable.Sort) -> None:
        sort = COLUMN_SORT.get(event.key)
        if sort is None:
            return
        reverse = not self.view.reverse if sort == self.view.sort else False
        self._arrange(View(self.view.query, self.view.status, sort, reverse))

    def action_status_filter(self) -> None:
        following = STATUS_VIEWS[(STATUS_VIEWS.index(self.view.status) + 1) % len(STATUS_VIEWS)]
        self._arrange(View(self.view.query, following, self.view.sort, self.view.reverse))

    # -- opening ------------------------------------------------------------------------------
    @on(LibraryTable.Selected)
    def _row_selected(self, event: LibraryTable.Selected) -> None:
        self.app.open_document(event.doc.id)

    def action_open(self) -> None:
        doc = self.table.current
        if doc is not None:
            self.app.open_document(doc.id)

    def action_candidate_queue(self) -> None:
        """The candidate queue over the unfinished documents (imported when first opened)."""
        from tui.screens.candidate_queue import CandidateQueueScreen

        self.app.push_screen(CandidateQueueScreen())

    def action_next_unfinished(self) -> None:
        """Open the first to-do or in-progress document from the highlighted row on."""
        count = len(self.shown)
        for step in range(count):
            index = (self.table.cursor + step) % count
            if self.shown[index].status in UNFINISHED:
                self.table.move_to(index)
                self.app.open_document(self.shown[index].id)
                return
        self.notify(
            "Every document shown is done or skipped."
            if count != len(self.summaries)
            else "Every document is done or skipped."
        )
