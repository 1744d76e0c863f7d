"""Horizontal bar charts as Rich ``Text``: plain and stacked bars with eighth-cell precision.

Each part of a stacked bar has its own glyph as well as its own colour, so the chart still
reads in a monochrome terminal or with ``NO_COLOR``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text

EIGHTHS = " ▏▎▍▌▋▊▉"


@dataclass(frozen=True, slots=True)
class Part:
    """One segment of a stacked bar."""

    value: int
    style: str
    glyph: str = "█"


def bar(value: float, maximum: float, width: int, style: str = "") -> Text:
    """A bar ``width`` cells long at ``maximum``, drawn to an eighth of a cell."""
    if maximum <= 0 or value <= 0 or width <= 0:
        return Text(" " * max(0, width), end="")
    eighths = round(min(value, maximum) / maximum * width * 8)
    eighths = max(eighths, 1)
    full, rest = divmod(eighths, 8)
    drawn = "█" * full + (EIGHTHS[rest] if rest else "")
    return Text(drawn.ljust(width), style=style, end="")


def stacked(parts: Sequence[Part], maximum: float, width: int) -> Text:
    """Parts side by side, scaled together so equal totals draw equal lengths.

    Cells are shared out by largest remainder, so the parts always add up to the bar's length,
    and every non-zero part gets at least one cell (taken from the largest part).
    """
    out = Text(end="")
    total = sum(p.value for p in parts)
    if maximum <= 0 or total <= 0 or width <= 0:
        return Text(" " * max(0, width), end="")
    length = max(1, round(min(total, maximum) / maximum * width))
    exact = [p.value / total * length for p in parts]
    cells = [int(x) for x in exact]
    by_remainder = sorted(range(len(parts)), key=lambda i: exact[i] - cells[i], reverse=True)
    for i in by_remainder[: length - sum(cells)]:
        cells[i] += 1
    for i, p in enumerate(parts):  # a small part must not vanish
        if p.value and not cells[i] and max(cells) > 1:
            cells[i] = 1
            cells[cells.index(max(cells))] -= 1
    for p, n in zip(parts, cells, strict=True):
        out.append(p.glyph * n, style=p.style)
    out.append(" " * max(0, width - sum(cells)))
    return out


def chart(rows: Sequence[tuple[Text, Text, Text]], label_width: int) -> Table:
    """Rows of (label, bar, numbers) aligned as a table without borders."""
    table = Table.grid(padding=(0, 1))
    table.add_column(width=label_width, no_wrap=True, overflow="ellipsis")
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    for label, drawn, numbers in rows:
        table.add_row(label, drawn, numbers)
    return table
