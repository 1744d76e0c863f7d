"""The review table: one line per claim, drawn only for the rows on screen (``VirtualTable``).

The table holds a ``ReviewList`` (rowids only) and asks it for the rows it draws, a page at a
time, so 100,000 claims cost no more to show than 100. Rows are ``Claim`` objects; the document
column comes from ``ReviewList.title``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.strip import Strip

from annotations.model import Claim
from annotations.review.listing import ReviewList
from annotations.schema import Schema
from tui.widgets.virtual_table import Column, VirtualTable, fit, one_line

__all__ = ["REVIEW_MARKS", "REVIEW_STYLES", "ClaimTable", "layout", "one_line"]

REVIEW_STYLES = {"accepted": "green", "rejected": "red", "pending": "dim"}
REVIEW_MARKS = {"accepted": "✓ ", "rejected": "✗ ", "pending": "· "}

COLUMNS: tuple[Column, ...] = (
    Column("title", "Document", 14, 4),
    Column("quote", "Quote", 0, 0),
    Column("claim_type", "Type", 11, 0),
    Column("stance", "Stance", 7, 0),
    Column("target", "Target", 16, 3),
    Column("speaker", "Speaker", 12, 1),
    Column("annotator", "Annotator", 9, 2),
    Column("review_status", "Review", 10, 0),
)
MIN_QUOTE = 24
MAX_CELL = 400
"""Characters of a value looked at for a cell: a quote or note can be megabytes."""


def layout(width: int) -> list[tuple[Column, int]]:
    """Columns that fit ``width`` with their widths; the quote takes what is left."""
    return fit(COLUMNS, width, MIN_QUOTE)


class ClaimTable(VirtualTable):
    """A virtual table of claims with a row cursor; posts ``Highlighted`` when it moves."""

    CACHE_LINES = 512

    @dataclass
    class Highlighted(Message):
        """The cursor is on a new row (or the rows under it changed)."""

        table: ClaimTable
        index: int
        row: Claim | None

    def __init__(self, schema: Schema, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.schema = schema
        self.source: ReviewList | None = None
        self.marks: dict[str, Text] = {}
        """Claim id -> its marker (comments), drawn before the quote."""

    def set_marks(self, marks: dict[str, Text]) -> None:
        self.marks = marks
        self.refresh_rows()

    # -- data ---------------------------------------------------------------------------------
    def show(self, source: ReviewList, cursor: int = 0) -> None:
        """Display a new list of claims, with the cursor on ``cursor``."""
        self.source = source
        self.reset(cursor)
        self.cursor_moved()

    def row_count(self) -> int:
        return len(self.source) if self.source is not None else 0

    @property
    def current(self) -> Claim | None:
        return self.source.row(self.cursor) if self.source is not None else None

    def cursor_moved(self) -> None:
        self.post_message(self.Highlighted(self, self.cursor, self.current))

    # -- drawing ------------------------------------------------------------------------------
    def titles(self, width: int) -> list[Text]:
        cells = []
        for column, size in layout(width):
            title = Text(column.title, no_wrap=True, end="")
            title.truncate(size, pad=True)
            cells.append(title)
        return cells

    def draw_row(self, index: int, width: int, selected: bool) -> Strip:
        assert self.source is not None  # row_count() is 0 without a source
        row = self.source.row(index)
        style = self.row_style(index, selected)
        if row is None:
            return self.strip(
                Text("  (claim deleted since the list was made)", style="dim"), width, style
            )
        return self.strip_row(
            (self._cell(row, column.key, size) for column, size in layout(width)),
            width,
            style,
            selected,
        )

    def _cell(self, row: Claim, key: str, size: int) -> Text:
        if key == "title":
            raw = self.source.title(row.doc_id) if self.source is not None else ""
        else:
            raw = str(getattr(row, key))
        value = one_line(raw[:MAX_CELL])
        style = ""
        if key == "claim_type":
            style = self.schema.colour("claim_types", row.claim_type)
        elif key == "stance":
            style = self.schema.colour("stances", row.stance)
        elif key == "review_status":
            value = REVIEW_MARKS.get(row.review_status, "") + value
            style = REVIEW_STYLES.get(row.review_status, "")
        elif key == "quote":
            value = f"“{value}”"
        cell = Text(value, style=style, no_wrap=True, end="")
        if key == "quote" and row.id in self.marks:
            cell = Text.assemble(self.marks[row.id], " ", cell, no_wrap=True, end="")
        cell.truncate(size, overflow="ellipsis", pad=True)
        return cell
