"""Text for the screen: display sanitising and wrapping into rows, offsets kept exact.

The display string always has exactly the stored text's length, one code point for one, so a
screen position maps straight back to a stored offset. Wrapping works in terminal cells and keeps
grapheme clusters (ZWJ emoji, flags, combining marks) whole.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass

from rich.cells import cell_len, split_graphemes

REPLACEMENT = "\ufffd"
# C0 and C1 controls (but the newline), DEL, and the bidi overrides/isolates that could reorder
# what the terminal shows. Tabs and carriage returns become a space; the rest U+FFFD.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_ROW_PATTERNS: dict[int, re.Pattern[str]] = {}


def _replace(match: re.Match[str]) -> str:
    return " " if match.group() in "\t\r" else REPLACEMENT


def display(text: str) -> str:
    """The text as it may be shown: same length, control characters made harmless."""
    return _UNSAFE.sub(_replace, text)


_NEWLINE = re.compile("\n")
# Characters that always take exactly one cell: lines made only of these wrap by code points.
_NARROW = re.compile(
    "[\x20-\x7e\u00a0-\u024f\u0370-\u03ff\u0400-\u0482\u048a-\u04ff"
    "\u2010-\u2027\u2030-\u205e\u20a0-\u20bf\ufffd]*"
)


@dataclass(frozen=True, slots=True)
class Row:
    start: int
    end: int  # exclusive; never includes the newline


class Layout:
    """Rows of a wrapped text at one width, with offset <-> (row, cell) mapping."""

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = max(1, width)
        self.starts = array("q")
        self.ends = array("q")
        self._wrap()

    def __len__(self) -> int:
        return len(self.starts)

    def row(self, index: int) -> Row:
        return Row(self.starts[index], self.ends[index])

    def row_of(self, offset: int) -> int:
        """The row showing ``offset`` (an offset at a row's end belongs to that row)."""
        index = max(0, bisect_right(self.starts, offset) - 1)
        if index > 0 and offset == self.starts[index] and self.ends[index - 1] == offset:
            return index  # soft-wrapped: the offset starts the next row
        return index

    def _wrap(self) -> None:
        text, width = self.text, self.width
        starts, ends = self.starts, self.ends
        line_start = 0
        bounds = [m.start() for m in _NEWLINE.finditer(text)]
        bounds.append(len(text))
        narrow = _NARROW.fullmatch
        for line_end in bounds:
            if line_end - line_start <= width and (
                narrow(text, line_start, line_end) or cell_len(text[line_start:line_end]) <= width
            ):
                starts.append(line_start)
                ends.append(line_end)
            elif narrow(text, line_start, line_end):
                self._wrap_ascii(line_start, line_end)
            else:
                self._wrap_graphemes(line_start, line_end)
            line_start = line_end + 1

    def _wrap_ascii(self, start: int, end: int) -> None:
        """Greedy wrap at spaces for text of one-cell characters, by one regex in C: a row is
        the rest of the line if it fits, else up to the last space that fits, else a hard cut."""
        width = self.width
        pattern = _ROW_PATTERNS.get(width)
        if pattern is None:
            pattern = _ROW_PATTERNS[width] = re.compile(
                f"[^\\n]{{1,{width}}}\\Z|[^\\n]{{0,{width - 1}}} |[^\\n]{{{width}}}")
        for match in pattern.finditer(self.text, start, end):
            self.starts.append(match.start())
            self.ends.append(match.end())

    def _wrap_graphemes(self, start: int, end: int) -> None:
        spans, _ = split_graphemes(self.text[start:end])
        row_start = start
        cells = 0
        last_break = -1  # offset just after the last space in this row
        for g_start, g_end, g_cells in spans:
            g_start += start
            g_end += start
            if cells + g_cells > self.width and g_start > row_start:
                cut = last_break if last_break > row_start else g_start
                self.starts.append(row_start)
                self.ends.append(cut)
                cells = cell_len(self.text[cut:g_start]) if cut < g_start else 0
                row_start = cut
                last_break = -1
            cells += g_cells
            if self.text[g_start] == " ":
                last_break = g_end
        self.starts.append(row_start)
        self.ends.append(end)

    def cells_before(self, offset: int) -> int:
        """Screen column of ``offset`` within its row."""
        row = self.row(self.row_of(offset))
        return cell_len(self.text[row.start:offset])

    def offset_at(self, row_index: int, column: int) -> int:
        """The offset of the grapheme drawn at ``column`` of a row (or the row's end)."""
        row = self.row(min(max(row_index, 0), len(self) - 1))
        piece = self.text[row.start:row.end]
        if _NARROW.fullmatch(piece):
            return row.start + min(max(column, 0), len(piece))
        cells = 0
        for g_start, _g_end, g_cells in split_graphemes(piece)[0]:
            if cells + g_cells > column:
                return row.start + g_start
            cells += g_cells
        return row.end
