"""Text for the screen: sanitising for display and wrapping into rows, offsets kept exact.

The display string always has exactly the stored text's length, one code point for one, so a
screen position maps straight back to a stored offset. Wrapping works in terminal cells and keeps
grapheme clusters (ZWJ emoji, flags, combining marks) whole.

A layout may also reserve *inserts*: cells drawn after an offset that belong to no offset (inline
entity labels). They take room when rows wrap, a cell of theirs maps to the offset they stand at,
and the text and every offset stay as stored.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate

from rich.cells import cell_len, split_graphemes

REPLACEMENT = "\ufffd"
# C0 and C1 controls (but the newline), DEL, and the bidi overrides/isolates that could reorder
# what the terminal shows. Tabs and carriage returns become a space; the rest U+FFFD.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_ROW_PATTERNS: dict[int, re.Pattern[str]] = {}
_NARROW_CLASS = (
    "\x20-\x7e\u00a0-\u024f\u0370-\u03ff\u0400-\u0482\u048a-\u04ff"
    "\u2010-\u2027\u2030-\u205e\u20a0-\u20bf\ufffd"
)
# Characters outside the one-cell set, with the character before them (a base letter that a
# combining mark belongs to), are measured grapheme by grapheme.
_WIDE_CHAR = re.compile(f"[^{_NARROW_CLASS}\\n]")
_WIDE_RUN = re.compile(f"[{_NARROW_CLASS}]?[^{_NARROW_CLASS}\n]+")


def _replace(match: re.Match[str]) -> str:
    return " " if match.group() in "\t\r" else REPLACEMENT


def screen_safe(text: str) -> str:
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


class WrappedText:
    """Rows of a wrapped text at one width, with offset <-> (row, cell) mapping."""

    def __init__(
        self,
        text: str,
        width: int,
        limit: int | None = None,
        inserts: Mapping[int, int] | None = None,
    ) -> None:
        """Wrap ``text``; with ``limit``, only the lines up to that offset (a quick first
        layout of a long text: its rows are the first rows of the full layout).

        ``inserts`` maps an offset ``k`` to a number of cells drawn between the characters
        ``k - 1`` and ``k`` (a label after a mention ending at ``k``). An insert inside a
        grapheme moves to that grapheme's end; one right after a line break, or at 0, is
        dropped (it has no character to follow). ``placed(k)`` says where one went.
        """
        self.text = text
        self.width = max(1, width)
        self.starts = array("q")
        self.ends = array("q")
        self.end = len(text)
        if limit is not None and limit < len(text):
            cut = text.find("\n", limit)
            self.end = len(text) if cut < 0 else cut
        self.complete = self.end == len(text)
        self.requested: Mapping[int, int] = inserts or {}
        self._moved: dict[int, int] = {}  # requested offset -> later offset it is drawn at
        self._ins_pos = array("q")  # placed offsets, ascending
        self._ins_cum = array("q", [0])  # running total of their cells
        self._marks = sorted(
            k
            for k, cells in self.requested.items()
            if 0 < k <= self.end and cells > 0 and text[k - 1] != "\n"
        )
        self._wrap()
        del self._marks

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
        marks, mark_index = self._marks, 0
        while True:
            # the next line that needs measuring: a wide character's, or an insert's
            while mark_index < len(marks) and marks[mark_index] - 1 < block_start:
                mark_index += 1
            at = wide.start() if wide is not None else -1
            if mark_index < len(marks) and (at < 0 or marks[mark_index] - 1 < at):
                at = marks[mark_index] - 1
            if at < 0:
                break
            line_start = text.rfind("\n", 0, at) + 1
            line_end = text.find("\n", at, end)
            line_end = end if line_end < 0 else line_end
            if line_start > block_start:
                self._wrap_narrow_block(block_start, line_start - 1)
            self._wrap_graphemes(line_start, line_end)
            block_start = line_end + 1
            if wide is not None and wide.start() < block_start:
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
                f"|[^\\n]{{{width}}}"
            )
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
        marks = self._marks
        self._next_mark = bisect_right(marks, start)
        pos = start
        for run in _WIDE_RUN.finditer(self.text, start, end):
            self._narrow_marked(pos, run.start())
            for g_start, g_end, g_cells in split_graphemes(run.group())[0]:
                self._grapheme(g_start + run.start(), g_end + run.start(), g_cells)
                if self._next_mark < len(marks) and marks[self._next_mark] <= g_end + run.start():
                    self._place(g_end + run.start())
            pos = run.end()
        self._narrow_marked(pos, end)
        self.starts.append(self._row_start)
        self.ends.append(end)

    def _narrow_marked(self, i: int, end: int) -> None:
        """One-cell characters ``[i, end)`` with the inserts that stand among them."""
        marks = self._marks
        while self._next_mark < len(marks) and marks[self._next_mark] <= end:
            at = max(marks[self._next_mark], i)
            self._narrow_run(i, at)
            self._place(at)
            i = at
        self._narrow_run(i, end)

    def _place(self, at: int) -> None:
        """Draw every insert up to ``at`` (those inside the grapheme before it) at ``at``.

        If it does not fit, the row breaks at its last space, so a label moves with its
        mention; a mention too long for any row keeps its label and the row is cut on screen.
        """
        marks, cells = self._marks, 0
        while self._next_mark < len(marks) and marks[self._next_mark] <= at:
            k = marks[self._next_mark]
            if at != k:
                self._moved[k] = at
            cells += self.requested[k]
            self._next_mark += 1
        if self._cells + cells > self.width and self._row_start < self._last_break < at:
            self._break_row(at)
        self._cells += cells
        self._ins_pos.append(at)
        self._ins_cum.append(self._ins_cum[-1] + cells)

    def placed(self, k: int) -> int | None:
        """Where the insert asked for at ``k`` is drawn (None: dropped, or not asked for)."""
        if (
            k not in self.requested
            or not 0 < k <= self.end
            or self.requested[k] <= 0
            or self.text[k - 1] == "\n"
        ):
            return None
        return self._moved.get(k, k)

    def inserted(self, after: int, upto: int) -> int:
        """Cells of inserts drawn at offsets in ``(after, upto]``."""
        if not self._ins_pos:
            return 0
        pos, cum = self._ins_pos, self._ins_cum
        return cum[bisect_right(pos, upto)] - cum[bisect_right(pos, after)]

    def inserts_in(self, start: int, end: int) -> list[tuple[int, int]]:
        """(offset, cells) of the inserts a row ``[start, end)`` draws: offsets in
        ``(start, end]``."""
        pos, cum = self._ins_pos, self._ins_cum
        lo, hi = bisect_right(pos, start), bisect_right(pos, end)
        return [(pos[i], cum[i + 1] - cum[i]) for i in range(lo, hi)]

    def _break_row(self, at: int) -> None:
        """End the row before offset ``at`` (or at the last space before it)."""
        cut = self._last_break if self._last_break > self._row_start else at
        self.starts.append(self._row_start)
        self.ends.append(cut)
        self._cells = cell_len(self.text[cut:at]) if cut < at else 0
        if self._ins_pos and self._ins_pos[-1] > cut:  # labels that move down with their text
            self._cells += self.inserted(cut, at)
        self._row_start = cut
        self._last_break = -1

    def _grapheme(self, g_start: int, g_end: int, g_cells: int) -> None:
        if self._cells + g_cells > self.width and g_start > self._row_start:
            self._break_row(g_start)
            if self._cells + g_cells > self.width and g_start > self._row_start:
                self._break_row(g_start)  # the words since the last space fill a row too
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
        """Screen column of ``offset`` within its row (inserts before it included)."""
        row = self.row(self.row_of(offset))
        return cell_len(self.text[row.start : offset]) + self.inserted(row.start, offset)

    def offset_at(self, row_index: int, column: int) -> int:
        """The offset of the grapheme drawn at ``column`` of a row (or the row's end); a cell
        of an insert gives the offset the insert stands at."""
        row = self.row(min(max(row_index, 0), len(self) - 1))
        column = max(column, 0)
        start = row.start
        for at, cells in self.inserts_in(row.start, row.end):
            found, used = self._offset_in(start, at, column)
            if found is not None:
                return found
            column -= used
            if column < cells:
                return at
            column -= cells
            start = at
        found, _used = self._offset_in(start, row.end, column)
        return row.end if found is None else found

    def _offset_in(self, start: int, end: int, column: int) -> tuple[int | None, int]:
        """The offset drawn at ``column`` of the piece ``[start, end)``, or None and the
        piece's width in cells if the column is past it."""
        piece = self.text[start:end]
        if _NARROW.fullmatch(piece):
            return (start + column, 0) if column < len(piece) else (None, len(piece))
        cells = 0
        for g_start, _g_end, g_cells in split_graphemes(piece)[0]:
            if cells + g_cells > column:
                return start + g_start, 0
            cells += g_cells
        return None, cells
