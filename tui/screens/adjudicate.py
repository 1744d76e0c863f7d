"""Adjudication: where annotators disagree, side by side, and the reviewer's gold version.

The screen starts from the documents two or more people annotated (``adjudication.overview``);
``enter`` opens one: its items in text order above, the selected item's claims side by side
below, one column per annotator. ``1``..``9`` make annotator N's version gold, ``e`` edits the
gold version, ``x`` decides "no claim here". On a narrow terminal the document list and the open
document take turns; from 120 columns the list stays on the left.

Reads run in thread workers. The screen is made of two parts: the document list
(``adjudicate_overview.DocumentList``) and the open document with its decisions
(``adjudicate_document.OpenDocument``); this module holds the keys, the layout and undo/redo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from annotations import adjudication as adj
from annotations.store import UndoStep
from annotations.terminal_safe import plural
from tui.screens.adjudicate_document import OpenDocument
from tui.screens.adjudicate_overview import DocumentList
from tui.screens.comments import open_for_item
from tui.widgets.adjudication_tables import DocumentTable, ItemTable, describe
from tui.widgets.side_by_side import SideBySide

if TYPE_CHECKING:
    from tui.app import AnnottyApp

WIDE = 120  # from this width the document list stays beside the open document
DOC_ACTIONS = frozenset({"pick", "edit", "reject", "accept_agreed", "comments"})
"""Actions on the open document's items: hidden (and their keys free) while none is open."""


class AdjudicateScreen(DocumentList, OpenDocument):
    """Documents with several annotators; per document, items side by side; decide gold."""

    app: AnnottyApp
    DEFAULT_CSS = """
    AdjudicateScreen #adj-title { height: 1; padding: 0 1; background: $primary-darken-2;
                                  color: $text; text-style: bold; }
    AdjudicateScreen #adj-body { height: 1fr; }
    AdjudicateScreen #adj-docs { width: 1fr; height: 1fr; }
    AdjudicateScreen #adj-doc { width: 1fr; height: 1fr; display: none; }
    AdjudicateScreen.-open #adj-docs { display: none; }
    AdjudicateScreen.-open #adj-doc { display: block; }
    AdjudicateScreen.-wide #adj-docs { display: block; width: 44;
                                       border-right: solid $panel-lighten-2; }
    AdjudicateScreen.-wide #adj-doc { display: block; }
    AdjudicateScreen #adj-items { height: 1fr; min-height: 4; max-height: 14; }
    AdjudicateScreen #adj-compare { height: 2fr; border-top: solid $panel-lighten-2; }
    AdjudicateScreen #adj-status { height: 1; padding: 0 1; background: $panel;
                                   color: $text-muted; }
    """
    BINDINGS = [
        Binding("j", "move(1)", "Down", show=False, id="adjudicate.down"),
        Binding("k", "move(-1)", "Up", show=False, id="adjudicate.up"),
        Binding(
            "1",
            "pick(1)",
            "Pick",
            key_display="1-9",
            id="adjudicate.pick1",
            tooltip="Make annotator N's version the gold one",
        ),
        *(
            Binding(
                str(n),
                f"pick({n})",
                f"Pick annotator {n}'s version",
                show=False,
                id=f"adjudicate.pick{n}",
            )
            for n in range(2, 10)
        ),
        # priority: the keys typed at once after ``e`` go into the form it opens
        Binding(
            "e",
            "edit",
            "Edit",
            priority=True,
            id="adjudicate.edit",
            tooltip="Edit the gold version's labels with the claim form",
        ),
        Binding(
            "x",
            "reject",
            "No claim",
            id="adjudicate.reject",
            tooltip="Decide that there is no claim here: reject every version",
        ),
        Binding(
            "A",
            "accept_agreed",
            "Accept agreed",
            id="adjudicate.accept_agreed",
            tooltip="Make every item the annotators agree on gold, in one decision",
        ),
        Binding(
            "n",
            "next_disputed",
            "Next disputed",
            id="adjudicate.next",
            tooltip="The next disputed item (in the list: the next document with some)",
        ),
        Binding(
            "C",
            "comments",
            "Comments",
            show=False,
            id="adjudicate.comments",
            tooltip="The comment thread of the current item",
        ),
        Binding("u,ctrl+z", "undo", "Undo", id="adjudicate.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="adjudicate.redo"),
        Binding("q,escape", "back", "Back", id="adjudicate.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.docs: list[adj.DocumentOverview] = []
        self.doc_id: str | None = None
        self.text = ""  # the open document's text
        self.comparison: adj.Comparison | None = None
        self.message = ""  # the outcome of the last decision, shown in the status line
        self._away = False  # the reader is on top: claims may change there
        self._decided_items: set[frozenset[str]] = set()
        """Items decided here whose save the loaded comparison may not show yet: ``n`` and the
        move after a decision pass over them."""

    @property
    def on_items(self) -> bool:
        """Whether moving keys go to the items (else to the document list)."""
        return self.is_open and not (self.has_class("-wide") and self.doc_table.has_focus)

    def compose(self) -> ComposeResult:
        yield Static(Text("annotty · adjudicate"), id="adj-title")
        with Horizontal(id="adj-body"):
            self.doc_table = DocumentTable(id="adj-docs")
            yield self.doc_table
            with Vertical(id="adj-doc"):
                yield ItemTable(id="adj-items")
                with VerticalScroll(id="adj-compare"):
                    yield SideBySide(self.app.schema, id="adj-side")
        yield Static(Text("Loading documents…"), id="adj-status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.doc_table.focus()
        self.load_overview()

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE
        self.set_class(wide, "-wide")
        self.doc_table.title_width = 26 if wide else max(20, self.size.width - 40)
        self.side.room = self.query_one("#adj-compare").content_region.height

    def on_screen_resume(self) -> None:
        if self._away:  # back from the reader
            self._away = False
            self.load_overview()
            if self.doc_id is not None:
                self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_open if action in DOC_ACTIONS else True

    def action_comments(self) -> None:
        item = self.current_item
        if item is not None and self.doc_id is not None:
            open_for_item(self, self.doc_id, item)

    # -- moving ----------------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        self.message = ""
        table = self.item_table if self.on_items else self.doc_table
        table.action_cursor_down() if step > 0 else table.action_cursor_up()

    def action_next_disputed(self) -> None:
        self.message = ""
        if not self.on_items:
            start = self.doc_table.cursor_row
            for step in range(1, len(self.docs) + 1):
                index = (start + step - (0 if self.is_open else 1)) % len(self.docs)
                if self.docs[index].disputed:
                    self.doc_table.move_cursor(row=index)
                    self.show_document(self.docs[index].doc_id)
                    return
            self._say("No document has disputed items left.")
            return
        if not self._to_next_disputed():
            self._say(self._none_left())

    def action_back(self) -> None:
        if self.has_class("-open"):
            self.close_document()
        elif len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()

    # -- undo and redo (DecisionHistory) ------------------------------------------------------
    def _history_scope(self) -> str | None:
        """The reviewer's latest decision in the open document if there is one."""
        return self.doc_id if self.is_open else None

    def _describe_step(self, word: str, entry: UndoStep) -> str:
        if not entry.batch:
            return super()._describe_step(word, entry)
        return f"{word} a decision ({plural(entry.count, 'change')})."

    def _history_done(self, message: str | None) -> None:
        self._decided_items.clear()  # an undone decision makes its item disputed again
        if message is not None:
            self.message = message
        if self.is_open:
            self.reload()
        else:
            self.load_overview()

    def _say(self, message: str) -> None:
        """A message in the status line, beside the item's summary, until the next move."""
        self.message = message
        self._show_status()

    def _show_status(self) -> None:
        line = Text()
        comparison, item = self.comparison, self.current_item
        if comparison is not None and item is not None:
            line.append(f"item {self.item_table.cursor_row + 1}/{len(comparison.items)} · ")
            line.append(describe(item))
        elif not self.is_open:
            disputed = sum(d.disputed for d in self.docs)
            line.append(
                f"{plural(len(self.docs), 'document')} to adjudicate · "
                f"{plural(disputed, 'disputed item')} · enter opens"
                if self.docs
                else "No document has two or more annotators yet."
            )
        if self.message:
            line.append("  " + self.message, style="bold")
        self.query_one("#adj-status", Static).update(line)
