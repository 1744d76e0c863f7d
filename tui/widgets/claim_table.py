"""The review table: one line per claim, drawn only for the rows on screen (the Line API).

The table holds a ``ReviewList`` (rowids only) and asks it for the rows it draws, a page at a
time, so 100,000 claims cost no more to show than 100. Rendered lines are cached per row and
width; moving the cursor redraws two lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotations.review_list import ReviewList, ReviewRow
from annotations.schema import Schema
from annotations.text import display

REVIEW_STYLES = {"accepted": "green", "rejected": "red", "pending": "dim"}
REVIEW_MARKS = {"accepted": "✓ ", "rejected": "✗ ", "pending": "· "}


def one_line(value: str) -> str:
    """Text for a single table cell: controls made harmless, all whitespace runs one space."""
    return " ".join(display(value).split())

SIDEWAYS = frozenset({"scroll_left", "scroll_right", "page_left", "page_right"})

@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int  # 0: takes the room left
    drop: int  # lower is dropped first when the terminal is narrow (0: never)


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


def layout(width: int) -> list[tuple[Column, int]]:
    """Columns that fit ``width`` with their widths; the quote takes what is left."""
    shown = list(COLUMNS)
    while True:
        fixed = sum(c.width for c in shown) + len(shown) - 1
        droppable = [c for c in shown if c.drop]
        if width - fixed >= MIN_QUOTE or not droppable:
            break
        shown.remove(min(droppable, key=lambda c: c.drop))
    return [(c, c.width or max(8, width - fixed)) for c in shown]


class ClaimTable(ScrollView, can_focus=True):
    """A virtual table of claims with a row cursor; posts ``Highlighted`` when it moves."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"claim-table--header", "claim-table--cursor"}
    DEFAULT_CSS = """
    ClaimTable { height: 1fr; scrollbar-gutter: stable; overflow-x: hidden; }
    ClaimTable > .claim-table--header { text-style: bold; background: $panel; }
    ClaimTable > .claim-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    ClaimTable:focus > .claim-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """
    BINDINGS = [
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("pagedown,space", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home,g", "jump(0)", "First", show=False),
        Binding("end,G", "jump(-1)", "Last", show=False),
    ]

    @dataclass
    class Highlighted(Message):
        """The cursor is on a new row (or the rows under it changed)."""

        table: ClaimTable
        index: int
        row: ReviewRow | None

    def __init__(self, schema: Schema, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.schema = schema
        self.source: ReviewList | None = None
        self.cursor = 0
        self._lines: LRUCache[tuple[int, int, bool], Strip] = LRUCache(512)

    # -- data ---------------------------------------------------------------------------------
    def show(self, source: ReviewList, cursor: int = 0) -> None:
        """Display a new list of claims, with the cursor on ``cursor``."""
        self.source = source
        self._lines.clear()
        self.virtual_size = Size(self.size.width, len(source) + 1)
        self.cursor = max(0, min(cursor, len(source) - 1))
        self.refresh()
        self.call_after_refresh(self._scroll_to_cursor)
        self.post_message(self.Highlighted(self, self.cursor, self.current))

    @property
    def current(self) -> ReviewRow | None:
        return self.source.row(self.cursor) if self.source is not None else None

    def refresh_row(self, index: int) -> None:
        """Redraw one row after its claim changed (the list must be invalidated first)."""
        for selected in (False, True):
            self._lines.discard((index, self.size.width, selected))
        self.refresh_line(index + 1)

    def refresh_rows(self) -> None:
        self._lines.clear()
        self.refresh()

    # -- cursor -------------------------------------------------------------------------------
    def move_to(self, index: int) -> None:
        if self.source is None or not len(self.source):
            return
        index = max(0, min(index, len(self.source) - 1))
        old, self.cursor = self.cursor, index
        self.refresh_line(old + 1)
        self.refresh_line(index + 1)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self, index, self.current))

    def _scroll_to_cursor(self) -> None:
        rows = max(1, self.size.height - 1)  # the header takes one line
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(1, self.size.height - 2))

    def action_jump(self, index: int) -> None:
        if self.source is not None:
            self.move_to(index if index >= 0 else len(self.source) - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_to(round(self.scroll_y) + event.y - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Rows are cut to the width: no sideways scrolling, so its keys are not offered."""
        return action not in SIDEWAYS

    def notify_style_update(self) -> None:
        """The theme (or the CSS) changed: lines drawn with the old colours are stale."""
        super().notify_style_update()
        self._lines.clear()

    def on_resize(self, event: events.Resize) -> None:
        if self.source is not None:
            self.virtual_size = Size(self.size.width, len(self.source) + 1)
        self._lines.clear()

    # -- drawing ------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = round(self.scroll_y) + y - 1
        base = self.rich_style
        if self.source is None or index >= len(self.source):
            return Strip.blank(width, base)
        selected = index == self.cursor
        key = (index, width, selected)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._row_strip(self.source.row(index), width, selected)
            self._lines[key] = strip
        return strip

    def _header(self, width: int) -> Strip:
        style = self.get_component_rich_style("claim-table--header")
        line = Text(style=style, no_wrap=True, end="")
        for i, (column, size) in enumerate(layout(width)):
            if i:
                line.append(" ")
            title = Text(column.title, no_wrap=True, end="")
            title.truncate(size, pad=True)
            line.append(title)
        return self._strip(line, width, style)

    def _row_strip(self, row: ReviewRow | None, width: int, selected: bool) -> Strip:
        base = self.rich_style
        style = self.get_component_rich_style("claim-table--cursor") if selected else base
        if row is None:
            return self._strip(Text("  (claim deleted since the list was made)", style="dim"),
                               width, style)
        line = Text(no_wrap=True, end="")
        for i, (column, size) in enumerate(layout(width)):
            if i:
                line.append(" ")
            line.append(self._cell(row, column.key, size))
        if selected:
            line.stylize(style)
        return self._strip(line, width, style)

    def _cell(self, row: ReviewRow, key: str, size: int) -> Text:
        value = one_line(str(getattr(row, key)))
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
        cell.truncate(size, overflow="ellipsis", pad=True)
        return cell

    def _strip(self, line: Text, width: int, style: Style) -> Strip:
        segments = [Segment(s.text, style + s.style if s.style else style) if not s.control
                    else s for s in line.render(self.app.console)]
        return Strip(segments).adjust_cell_length(width, style)
