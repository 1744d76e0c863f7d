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
from itertools import accumulate

from rich.cells import cell_len, split_graphemes

REPLACEMENT = "\ufffd"
# C0 and C1 controls (but the newline), DEL, and the bidi overrides/isolates that could reorder
# what the terminal shows. Tabs and carriage returns become a space; the rest U+FFFD.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_ROW_PATTERNS: dict[int, re.Pattern[str]] = {}
_NARROW_CLASS = ("\x20-\x7e\u00a0-\u024f\u0370-\u03ff\u0400-\u0482\u048a-\u04ff"
                 "\u2010-\u2027\u2030-\u205e\u20a0-\u20bf\ufffd")
# Characters outside the one-cell set, with the character before them (a base letter that a
# combining mark belongs to), are measured grapheme by grapheme.
_WIDE_CHAR = re.compile(f"[^{_NARROW_CLASS}\\n]")
_WIDE_RUN = re.compile(f"[{_NARROW_CLASS}]?[^{_NARROW_CLASS}\n]+")


def _replace(match: re.Match[str]) -> str:
    return " " if match.group() in "\t\r" else REPLACEMENT


def display(text: str) -> str:
    """The text as it may be shown: same length, control characters made harmless."""
    return _UNSAFE.sub(_replace, text)


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

    def __init__(self, text: str, width: int, limit: int | None = None) -> None:
        """Wrap ``text``; with ``limit``, only the lines up to that offset (a quick first
        layout of a long text: its rows are the first rows of the full layout)."""
        self.text = text
        self.width = max(1, width)
        self.starts = array("q")
        self.ends = array("q")
        self.end = len(text)
        if limit is not None and limit < len(text):
            cut = text.find("\n", limit)
            self.end = len(text) if cut < 0 else cut
        self.complete = self.end == len(text)
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
        """Lines of one-cell characters are wrapped in blocks by one regex; a line holding any
        other character is measured grapheme by grapheme."""
        text, end = self.text, self.end
        block_start = 0
        search = _WIDE_CHAR.search
        wide = search(text, 0, end)
        while wide is not None:
            line_start = text.rfind("\n", 0, wide.start()) + 1
            line_end = text.find("\n", wide.start(), end)
            line_end = end if line_end < 0 else line_end
            if line_start > block_start:
                self._wrap_narrow_block(block_start, line_start - 1)
            self._wrap_graphemes(line_start, line_end)
            block_start = line_end + 1
            wide = search(text, block_start, end)
        if block_start <= end:
            self._wrap_narrow_block(block_start, end)

    def _wrap_narrow_block(self, start: int, end: int) -> None:
        """Whole lines ``[start, end)`` of one-cell characters, wrapped greedily at spaces.

        One regex in C finds the rows: a row is the rest of a line if it fits (with its
        newline), else up to the last space that fits, else a hard cut. Rows are contiguous,
        so their lengths alone give every start: no Python work per character.
        """
        width = self.width
        pattern = _ROW_PATTERNS.get(width)
        if pattern is None:
            pattern = _ROW_PATTERNS[width] = re.compile(
                f"[^\\n]{{0,{width}}}\\n|[^\\n]{{1,{width}}}\\Z|[^\\n]{{0,{width - 1}}} "
                f"|[^\\n]{{{width}}}")
        rows = pattern.findall(self.text, start, end)
        row_starts = list(accumulate((len(r) for r in rows), initial=start))
        self.starts.extend(row_starts[:-1])
        self.ends.extend([b - (r[-1] == "\n") for r, b in zip(rows, row_starts[1:], strict=True)])
        if start == end or self.text[end - 1] == "\n":
            self.starts.append(end)  # the block ends with an empty line
            self.ends.append(end)

    def _wrap_graphemes(self, start: int, end: int) -> None:
        """Greedy wrap of a line with wide or zero-width characters, in cells.

        Runs of one-cell characters are measured in bulk; only the runs around other
        characters (with the character before them, for combining marks) are split into
        graphemes, so a long line with one emoji costs little more than plain text.
        """
        self._row_start, self._cells, self._last_break = start, 0, -1
        pos = start
        for run in _WIDE_RUN.finditer(self.text, start, end):
            self._narrow_run(pos, run.start())
            for g_start, g_end, g_cells in split_graphemes(run.group())[0]:
                self._grapheme(g_start + run.start(), g_end + run.start(), g_cells)
            pos = run.end()
        self._narrow_run(pos, end)
        self.starts.append(self._row_start)
        self.ends.append(end)

    def _break_row(self, at: int) -> None:
        """End the row before offset ``at`` (or at the last space before it)."""
        cut = self._last_break if self._last_break > self._row_start else at
        self.starts.append(self._row_start)
        self.ends.append(cut)
        self._cells = cell_len(self.text[cut:at]) if cut < at else 0
        self._row_start = cut
        self._last_break = -1

    def _grapheme(self, g_start: int, g_end: int, g_cells: int) -> None:
        if self._cells + g_cells > self.width and g_start > self._row_start:
            self._break_row(g_start)
        self._cells += g_cells
        if self.text[g_start] == " ":
            self._last_break = g_end

    def _narrow_run(self, i: int, end: int) -> None:
        """One-cell characters ``[i, end)``: the same greedy rule, a row-full at a time."""
        text = self.text
        while i < end:
            room = self.width - self._cells
            stop = min(end, i + max(room, 0))
            space = text.rfind(" ", i, stop)
            if space >= 0:
                self._last_break = space + 1
            if end - i <= room:
                self._cells += end - i
                return
            if stop <= self._row_start:  # cannot happen with width >= 1; never loop forever
                stop = i + 1
            self._cells += stop - i
            self._break_row(stop)
            i = stop

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
