"""The library's table: one line per document, drawn only for the rows on screen (the Line API).

A ``DataTable`` measures and styles every cell of every row before its first paint: 5 s for
10,000 documents, and again on every keystroke of the filter. This table holds the list it is
given and renders the dozen lines the terminal shows, so filtering and sorting 10,000 documents
costs a list comprehension. Cells are ``Text`` made safe with ``one_line``, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
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

from annotations.model import DocumentSummary
from annotations.text import display

STATUS_STYLE = {"todo": "dim", "in_progress": "yellow", "done": "green", "skipped": "dim italic"}
STATUS_MARK = {"todo": "· ", "in_progress": "… ", "done": "✓ ", "skipped": "– "}
MIN_TITLE = 16
MIN_ID = 8


def one_line(value: str) -> str:
    """Text for one cell: controls made harmless, whitespace runs one space (as the review
    table's cells; not imported from there, so the library starts without the review code)."""
    return " ".join(display(value).split())

SIDEWAYS = frozenset({"scroll_left", "scroll_right", "page_left", "page_right"})

@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int  # 0: the title, which takes the room left
    drop: int  # lower is dropped first when the terminal is narrow (0: never)
    right: bool = False


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
    shown = [Column(c.key, c.title, ids, c.drop) if c.key == "id" else c for c in COLUMNS]
    while True:
        fixed = sum(c.width for c in shown) + len(shown) - 1
        droppable = [c for c in shown if c.drop]
        if width - fixed >= MIN_TITLE or not droppable:
            break
        shown.remove(min(droppable, key=lambda c: c.drop))
    return [(c, c.width or max(8, width - fixed)) for c in shown]


class LibraryTable(ScrollView, can_focus=True):
    """Documents with a row cursor; ``enter`` posts ``Selected``, a header click ``Sort``."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"library-table--header", "library-table--cursor",
                         "library-table--zebra"}
    DEFAULT_CSS = """
    LibraryTable { height: 1fr; scrollbar-gutter: stable; overflow-x: hidden; padding: 0 1; }
    LibraryTable > .library-table--header { text-style: bold; background: $panel; }
    LibraryTable > .library-table--zebra { background: $surface-lighten-1 30%; }
    LibraryTable > .library-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    LibraryTable:focus > .library-table--cursor {
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
        self.cursor = 0
        self.id_width = MIN_ID
        self.sorted_by: tuple[str, bool] | None = None  # (column key, descending)
        self._lines: LRUCache[tuple[int, int, bool], Strip] = LRUCache(256)

    # -- data ---------------------------------------------------------------------------------
    def show(self, rows: Sequence[DocumentSummary], cursor: int = 0) -> None:
        """Display ``rows`` (already filtered and sorted), the cursor on row ``cursor``."""
        self.rows = rows
        self._lines.clear()
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self.cursor = max(0, min(cursor, len(rows) - 1))
        self.refresh()
        self.call_after_refresh(self._scroll_to_cursor)

    @property
    def current(self) -> DocumentSummary | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    # -- cursor -------------------------------------------------------------------------------
    def move_to(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        old, self.cursor = self.cursor, index
        self.refresh_line(old + 1)
        self.refresh_line(index + 1)
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        rows = max(1, self.scrollable_content_region.height - 1)  # the header takes a line
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
        self.move_to(index if index >= 0 else len(self.rows) - 1)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def on_click(self, event: events.Click) -> None:
        at = event.get_content_offset(self)
        if at is None:
            return
        if at.y == 0:
            x = at.x
            for column, size in layout(self.scrollable_content_region.width, self.id_width):
                if x < size + 1:
                    self.post_message(self.Sort(column.key))
                    return
                x -= size + 1
            return
        index = round(self.scroll_y) + at.y - 1
        if index == self.cursor and event.chain == 2:
            self.action_select()
        self.move_to(index)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Rows are cut to the width: no sideways scrolling, so its keys are not offered."""
        return action not in SIDEWAYS

    def notify_style_update(self) -> None:
        """The theme (or the CSS) changed: lines drawn with the old colours are stale."""
        super().notify_style_update()
        self._lines.clear()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self._lines.clear()

    # -- drawing ------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = round(self.scroll_y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        selected = index == self.cursor and self.current is not None
        key = (index, width, selected)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._row_strip(index, width, selected)
            self._lines[key] = strip
        return strip

    def _header(self, width: int) -> Strip:
        style = self.get_component_rich_style("library-table--header")
        line = Text(no_wrap=True, end="")
        for i, (column, size) in enumerate(layout(width, self.id_width)):
            title = column.title
            if self.sorted_by is not None and self.sorted_by[0] == column.key:
                title += " ▼" if self.sorted_by[1] else " ▲"
            line.append(" " if i else "")
            line.append(_cell(title, size, column.right))
        return self._strip(line, width, style)

    def _row_strip(self, index: int, width: int, selected: bool) -> Strip:
        doc = self.rows[index]
        if selected:
            style = self.get_component_rich_style("library-table--cursor")
        elif index % 2:
            style = self.get_component_rich_style("library-table--zebra")
        else:
            style = self.rich_style
        line = Text(no_wrap=True, end="")
        for i, (column, size) in enumerate(layout(width, self.id_width)):
            line.append(" " if i else "")
            if column.key == "status":
                line.append(_cell(STATUS_MARK.get(doc.status, "") + doc.status.replace("_", " "),
                                  size, style=STATUS_STYLE.get(doc.status, "")))
            elif column.key == "title":
                line.append(_cell(one_line(doc.title) or "(untitled)", size))
            elif column.key == "id":
                line.append(_cell(one_line(doc.id)[:size], size, style="dim"))
            else:
                line.append(_cell(f"{getattr(doc, column.key):,}", size, right=True))
        if selected:
            line.stylize(style)
        return self._strip(line, width, style)

    def _strip(self, line: Text, width: int, style: Style) -> Strip:
        segments = [Segment(s.text, style + s.style if s.style else style) if not s.control
                    else s for s in line.render(self.app.console)]
        return Strip(segments).adjust_cell_length(width, style)


def _cell(value: str, size: int, right: bool = False, style: str = "") -> Text:
    cell = Text(value, style=style, no_wrap=True, end="",
                justify="right" if right else "left")
    cell.truncate(size, overflow="ellipsis")
    if right:
        cell.pad_left(size - cell.cell_len)
    else:
        cell.pad_right(size - cell.cell_len)
    return cell
