"""A table drawn only for the rows on screen (the Line API), with a row cursor and a header.

The review table (100,000 claims) and the library (10,000 documents) would each take seconds in a
``DataTable``, which measures and styles every cell before its first paint. Here a subclass says
how many rows there are and how to draw one; this class does the rest once: the header line,
scrolling, the cursor and its keys, clicks, and a cache of drawn lines per (row, width, selected)
so moving the cursor redraws two lines. It imports nothing of the review or library code, so
either screen starts without the other's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotations.screen_text import screen_safe

SIDEWAYS = frozenset({"scroll_left", "scroll_right", "page_left", "page_right"})


def one_line(value: str) -> str:
    """Text for a single table cell: controls made harmless, all whitespace runs one space."""
    return " ".join(screen_safe(value).split())


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int  # 0: takes the room left
    drop: int  # lower is dropped first when the terminal is narrow (0: never)
    right: bool = False


def fit(columns: Sequence[Column], width: int, least: int) -> list[tuple[Column, int]]:
    """The columns that fit ``width`` with their widths: droppable ones go (lowest ``drop``
    first) until the stretching column (width 0) gets at least ``least`` cells."""
    shown = list(columns)
    while True:
        fixed = sum(c.width for c in shown) + len(shown) - 1
        droppable = [c for c in shown if c.drop]
        if width - fixed >= least or not droppable:
            break
        shown.remove(min(droppable, key=lambda c: c.drop))
    return [(c, c.width or max(8, width - fixed)) for c in shown]


def joined(cells: Iterable[Text]) -> Text:
    """One table line: the cells with one space between them, never wrapped."""
    line = Text(no_wrap=True, end="")
    for i, cell in enumerate(cells):
        if i:
            line.append(" ")
        line.append(cell)
    return line


class VirtualTable(ScrollView, can_focus=True):
    """Rows drawn on demand under a one-line header; subclasses give ``row_count``, ``titles``
    and ``draw_row``, and may react to the cursor (``cursor_moved``) and clicks."""

    ALLOW_SELECT = False
    CACHE_LINES = 256
    COMPONENT_CLASSES = {"virtual-table--header", "virtual-table--cursor"}
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; scrollbar-gutter: stable; overflow-x: hidden; }
    VirtualTable > .virtual-table--header { text-style: bold; background: $panel; }
    VirtualTable > .virtual-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    VirtualTable:focus > .virtual-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """
    BINDINGS = [
        Binding("down,j", "move(1)", "Down", show=False, id="table.down"),
        Binding("up,k", "move(-1)", "Up", show=False, id="table.up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="table.pagedown"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.pageup"),
        Binding("home,g", "jump(0)", "First", show=False, id="table.first"),
        Binding("end,G", "jump(-1)", "Last", show=False, id="table.last"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cursor = 0
        self._lines: LRUCache[tuple[int, int, bool], Strip] = LRUCache(self.CACHE_LINES)

    # -- what a subclass supplies -------------------------------------------------------------
    def row_count(self) -> int:
        raise NotImplementedError

    def titles(self, width: int) -> Iterable[Text]:
        """The header's cells for a table ``width`` cells wide."""
        raise NotImplementedError

    def draw_row(self, index: int, width: int, selected: bool) -> Strip:
        raise NotImplementedError

    def cursor_moved(self) -> None:
        """Called after the cursor moved or the rows under it were replaced."""

    def header_clicked(self, x: int) -> None:
        """A click on the header, ``x`` cells from the left of the content."""

    def row_clicked(self, index: int, chain: int) -> None:
        self.move_to(index)

    # -- data ---------------------------------------------------------------------------------
    def reset(self, cursor: int) -> None:
        """The rows were replaced: forget drawn lines, put the cursor on ``cursor``."""
        rows = self.row_count()
        self._lines.clear()
        self.virtual_size = Size(self.size.width, rows + 1)
        self.cursor = max(0, min(cursor, rows - 1))
        self.refresh()
        self.call_after_refresh(self._scroll_to_cursor)

    def refresh_row(self, index: int) -> None:
        """Redraw one row after what it shows changed."""
        for selected in (False, True):
            self._lines.discard((index, self.size.width, selected))
        self.refresh_line(index + 1)

    def refresh_rows(self) -> None:
        self._lines.clear()
        self.refresh()

    # -- cursor -------------------------------------------------------------------------------
    def move_to(self, index: int) -> None:
        rows = self.row_count()
        if not rows:
            return
        index = max(0, min(index, rows - 1))
        old, self.cursor = self.cursor, index
        self.refresh_line(old + 1)
        self.refresh_line(index + 1)
        self._scroll_to_cursor()
        self.cursor_moved()

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
        self.move_to(index if index >= 0 else self.row_count() - 1)

    def on_click(self, event: events.Click) -> None:
        at = event.get_content_offset(self)
        if at is None:
            return
        if at.y == 0:
            self.header_clicked(at.x)
        else:
            self.row_clicked(round(self.scroll_y) + at.y - 1, event.chain)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Rows are cut to the width: no sideways scrolling, so its keys are not offered."""
        return action not in SIDEWAYS

    def notify_style_update(self) -> None:
        """The theme (or the CSS) changed: lines drawn with the old colours are stale."""
        super().notify_style_update()
        self._lines.clear()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, self.row_count() + 1)
        self._lines.clear()

    # -- drawing ------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            style = self.get_component_rich_style("virtual-table--header")
            return self.strip(joined(self.titles(width)), width, style)
        index = round(self.scroll_y) + y - 1
        if index >= self.row_count():
            return Strip.blank(width, self.rich_style)
        selected = index == self.cursor
        key = (index, width, selected)
        strip = self._lines.get(key)
        if strip is None:
            strip = self.draw_row(index, width, selected)
            self._lines[key] = strip
        return strip

    def row_style(self, index: int, selected: bool) -> Style:
        """The style under a row's cells: the cursor's, or the table's."""
        return (
            self.get_component_rich_style("virtual-table--cursor") if selected else self.rich_style
        )

    def strip_row(self, cells: Iterable[Text], width: int, style: Style, selected: bool) -> Strip:
        """A row's line from its cells, the cursor's style over them where ``selected``."""
        line = joined(cells)
        if selected:
            line.stylize(style)
        return self.strip(line, width, style)

    def strip(self, line: Text, width: int, style: Style) -> Strip:
        """``line`` on ``style``, cut or padded to ``width`` cells."""
        segments = [
            Segment(s.text, style + s.style if s.style else style) if not s.control else s
            for s in line.render(self.app.console)
        ]
        return Strip(segments).adjust_cell_length(width, style)
