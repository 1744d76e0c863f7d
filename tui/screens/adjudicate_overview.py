"""Adjudication's document list: the documents two or more people annotated, with counts of
disputed, agreed and resolved items; ``enter`` opens one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.screen import Screen
from textual.widgets import DataTable
from textual.worker import get_current_worker

from annotations import adjudication as adj
from tui.screens.worker_results import deliver
from tui.widgets.adjudication_tables import DocumentTable, ItemTable
from tui.widgets.side_by_side import SideBySide

if TYPE_CHECKING:
    from tui.app import AnnottyApp


class DocumentList(Screen[None]):
    """Part of ``AdjudicateScreen``: the list of documents, and opening and closing one."""

    app: AnnottyApp
    docs: list[adj.DocumentOverview]
    doc_id: str | None
    text: str
    comparison: adj.Comparison | None
    _decided_items: set[frozenset[str]]
    is_open: bool
    doc_table: DocumentTable
    item_table: ItemTable
    side: SideBySide
    reload: Callable[[], None]
    _title: Callable[[], None]
    _show_status: Callable[[], None]

    @work(thread=True, exclusive=True, group="adjudicate-overview")
    def load_overview(self) -> None:
        docs = adj.overview(self.app.store)
        if not get_current_worker().is_cancelled:
            deliver(self, self._overview_loaded, docs)

    def _overview_loaded(self, docs: list[adj.DocumentOverview]) -> None:
        self.docs = docs
        self.doc_table.show(docs)
        if not self.is_open:
            self._show_status()

    @on(DataTable.RowSelected, "DocumentTable")
    def _doc_chosen(self, event: DataTable.RowSelected) -> None:
        self.show_document(str(event.row_key.value))

    def show_document(self, doc_id: str) -> None:
        """Show ``doc_id``'s items (loaded in a worker) and give them the keys."""
        if doc_id != self.doc_id:
            self.comparison, self.text = None, ""
            self._decided_items.clear()
            self.item_table.clear()
            self.side.show(None, (), "", "Loading…")
        self.doc_id = doc_id
        self.add_class("-open")
        self.item_table.focus()
        self.reload()

    def close_document(self) -> None:
        self.remove_class("-open")
        self.doc_table.focus()
        self.refresh_bindings()
        self._title()
        self.load_overview()
