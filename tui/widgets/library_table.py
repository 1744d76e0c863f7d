"""The library's table: one line per document, drawn only for the rows on screen (``VirtualTable``).

A ``DataTable`` measures and styles every cell of every row before its first paint: 5 s for
10,000 documents, and again on every keystroke of the filter. This table holds the list it is
given and renders the dozen lines the terminal shows, so filtering and sorting 10,000 documents
costs a list comprehension. Cells are ``Text`` made safe with ``one_line``, never markup.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.strip import Strip

from annotations.model import DocumentSummary
from tui.widgets.virtual_table import Column, VirtualTable, fit, one_line

__all__ = ["LibraryTable", "id_width", "layout", "one_line"]

STATUS_STYLE = {"todo": "dim", "in_progress": "yellow", "done": "green", "skipped": "dim italic"}
STATUS_MARK = {"todo": "· ", "in_progress": "… ", "done": "✓ ", "skipped": "– "}
ASSIGNED_MARK = "▶ "
"""Before the title of a document assigned to the current annotator (``annotty assign``)."""
MIN_TITLE = 16
MIN_ID = 8

COLUMNS: tuple[Column, ...] = (
    Column("id", "Id", MIN_ID, 3),
    Column("title", "Title", 0, 0),
    Column("words", "Words", 8, 2, right=True),
    Column("entities", "Entities", 8, 1, right=True),
    Column("claims", "Claims", 8, 0, right=True),
    Column("status", "Status", 13, 0),
)


def id_width(ids: Sequence[str]) -> int:
    """How many leading characters tell every id apart (at least 8): what the Id column shows,
    and what ``export --doc`` and the other commands accept as a unique prefix."""
    ordered = sorted(ids)
    longest = 0
    for a, b in zip(ordered, ordered[1:], strict=False):
        same = 0
        for x, y in zip(a, b, strict=False):
            if x != y:
                break
            same += 1
        longest = max(longest, same + 1)
    return max(MIN_ID, longest)


def layout(width: int, ids: int) -> list[tuple[Column, int]]:
    """Columns that fit ``width`` with their widths; the title takes what is left."""
    columns = [dataclasses.replace(c, width=ids) if c.key == "id" else c for c in COLUMNS]
    return fit(columns, width, MIN_TITLE)


class LibraryTable(VirtualTable):
    """Documents with a row cursor; ``enter`` posts ``Selected``, a header click ``Sort``."""

    COMPONENT_CLASSES = {"library-table--zebra"}
    DEFAULT_CSS = """
    LibraryTable { padding: 0 1; }
    LibraryTable > .library-table--zebra { background: $surface-lighten-1 30%; }
    """

    @dataclass
    class Selected(Message):
        """``enter`` (or a click on the highlighted row): open this document."""

        doc: DocumentSummary

    @dataclass
    class Sort(Message):
        """A click on a column's header: sort by it."""

        key: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: Sequence[DocumentSummary] = ()
        self.id_width = MIN_ID
        self.sorted_by: tuple[str, bool] | None = None  # (column key, descending)
        self.assigned: frozenset[str] = frozenset()  # ids assigned to me: marked

    # -- data ---------------------------------------------------------------------------------
    def show(self, rows: Sequence[DocumentSummary], cursor: int = 0) -> None:
        """Display ``rows`` (already filtered and sorted), the cursor on row ``cursor``."""
        self.rows = rows
        self.reset(cursor)

    def row_count(self) -> int:
        return len(self.rows)

    @property
    def current(self) -> DocumentSummary | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    # -- keys and clicks ----------------------------------------------------------------------
    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def header_clicked(self, x: int) -> None:
        for column, size in layout(self.scrollable_content_region.width, self.id_width):
            if x < size + 1:
                self.post_message(self.Sort(column.key))
                return
            x -= size + 1

    def row_clicked(self, index: int, chain: int) -> None:
        if index == self.cursor and chain == 2:
            self.action_select()
        self.move_to(index)

    # -- drawing ------------------------------------------------------------------------------
    def titles(self, width: int) -> list[Text]:
        cells = []
        for column, size in layout(width, self.id_width):
            title = column.title
            if self.sorted_by is not None and self.sorted_by[0] == column.key:
                title += " ▼" if self.sorted_by[1] else " ▲"
            cells.append(_cell(title, size, column.right))
        return cells

    def row_style(self, index: int, selected: bool) -> Style:
        if not selected and index % 2:
            return self.get_component_rich_style("library-table--zebra")
        return super().row_style(index, selected)

    def draw_row(self, index: int, width: int, selected: bool) -> Strip:
        doc = self.rows[index]
        cells = []
        for column, size in layout(width, self.id_width):
            if column.key == "status":
                cells.append(
                    _cell(
                        STATUS_MARK.get(doc.status, "") + doc.status.replace("_", " "),
                        size,
                        style=STATUS_STYLE.get(doc.status, ""),
                    )
                )
            elif column.key == "title":
                name = one_line(doc.title) or "(untitled)"
                if doc.id in self.assigned:  # "assigned to me": a mark, the title after it
                    cells.append(_cell(name, size, mark=ASSIGNED_MARK))
                else:
                    cells.append(_cell(name, size))
            elif column.key == "id":
                cells.append(_cell(one_line(doc.id)[:size], size, style="dim"))
            else:
                cells.append(_cell(f"{getattr(doc, column.key):,}", size, right=True))
        return self.strip_row(cells, width, self.row_style(index, selected), selected)


def _cell(value: str, size: int, right: bool = False, style: str = "", mark: str = "") -> Text:
    cell = Text(value, style=style, no_wrap=True, end="", justify="right" if right else "left")
    if mark:
        cell = Text(mark, style="bold cyan", no_wrap=True, end="").append_text(cell)
    cell.truncate(size, overflow="ellipsis")
    if right:
        cell.pad_left(size - cell.cell_len)
    else:
        cell.pad_right(size - cell.cell_len)
    return cell
