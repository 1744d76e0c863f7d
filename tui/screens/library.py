"""The library: every document with its size, entities, claims and status; ``enter`` opens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ProgressBar, Static

from annotations.model import DocumentSummary
from annotations.text import display
from tui.messages import StoreChanged

if TYPE_CHECKING:
    from tui.app import AnnottyApp

STATUS_STYLE = {"todo": "dim", "in_progress": "yellow", "done": "green", "skipped": "dim italic"}
UNFINISHED = ("todo", "in_progress")


class LibraryScreen(Screen[None]):
    app: AnnottyApp

    BINDINGS = [
        Binding("enter", "open", "Open", show=True),
        Binding("n", "next_unfinished", "Next unfinished"),
        Binding("r", "app.review", "Review"),
        Binding("t", "app.stats", "Stats"),
        Binding("a", "app.adjudicate", "Adjudicate", show=False),
        Binding("j", "cursor('down')", "Down", show=False),
        Binding("k", "cursor('up')", "Up", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[DocumentSummary] = []

    def compose(self) -> ComposeResult:
        yield Static("annotty · library", id="library-title")
        yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(id="progress", show_eta=False)
        yield Static("", id="library-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Title", key="title")
        for key in ("words", "entities", "claims"):
            table.add_column(key.capitalize(), key=key)
        table.add_column("Status", key="status")
        table.focus()
        self.query_one("#library-status", Static).update("Loading documents…")
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="library")
    def reload(self) -> None:
        summaries = self.app.store.documents()
        self.app.call_from_thread(self._show, summaries)

    def _show(self, summaries: list[DocumentSummary]) -> None:
        self.summaries = summaries
        table = self.query_one(DataTable)
        current = table.cursor_row
        table.clear()
        width = max(20, self.size.width - 44)
        for doc in summaries:
            title = " ".join(display(doc.title).split())
            if len(title) > width:
                title = title[: width - 1] + "…"
            table.add_row(
                Text(title), Text(f"{doc.words:,}", justify="right"),
                Text(f"{doc.entities:,}", justify="right"),
                Text(f"{doc.claims:,}", justify="right"),
                Text(doc.status.replace("_", " "), style=STATUS_STYLE.get(doc.status, "")),
                key=doc.id,
            )
        if summaries:
            table.move_cursor(row=min(current, len(summaries) - 1))
        done = sum(1 for d in summaries if d.status in ("done", "skipped"))
        self.query_one(ProgressBar).update(total=max(1, len(summaries)), progress=done)
        claims = sum(d.claims for d in summaries)
        self.query_one("#library-status", Static).update(Text(
            f"{len(summaries)} documents · {done} finished · {claims} claims · "
            f"database {self.app.store.path or ':memory:'}"))

    def action_cursor(self, direction: str) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_down() if direction == "down" else table.action_cursor_up()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_document(str(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.summaries:
            self.app.open_document(self.summaries[table.cursor_row].id)

    def action_next_unfinished(self) -> None:
        """Open the first to-do or in-progress document from the highlighted row on."""
        table = self.query_one(DataTable)
        count = len(self.summaries)
        for step in range(count):
            index = (table.cursor_row + step) % count
            if self.summaries[index].status in UNFINISHED:
                table.move_cursor(row=index)
                self.app.open_document(self.summaries[index].id)
                return
        self.notify("Every document is done or skipped.")
