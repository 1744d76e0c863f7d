"""Where old offsets land in an edited text: a diff of the two versions, read as blocks.

Re-anchoring starts here because an edit says where every untouched character went: a claim
whose text the edit did not touch is copied verbatim, and the diff names its new position
without any searching. diff-match-patch (Google's diff/match/patch library, the one the W3C
text-quote anchoring in Hypothesis descends from) computes the diff: line mode first, so a
50 KB article with a few dozen edits diffs in about 0.1 s in pure Python (``difflib`` on the
same characters takes about a minute), and a deadline bounds the pathological case (a text
replaced wholesale) with a valid, merely less minimal, diff. ``diff_cleanupSemanticLossless``
then slides each edit to a word or sentence boundary without changing what is equal, so the
boundaries of a reworded passage are where a reader would put them.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass

from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]

DIFF_DEADLINE_S = 0.5
"""Seconds the diff may spend before it settles for a coarser (still correct) diff."""


@dataclass(frozen=True, slots=True)
class Block:
    """Old ``[old_start, old_end)`` became new ``[new_start, new_end)``; ``equal`` if verbatim.

    A non-equal block is a replacement (either side may be empty: a pure insertion or deletion).
    """

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    equal: bool


class EditMap:
    """Old positions to new positions through the blocks of one diff."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self.old_length = blocks[-1].old_end if blocks else 0
        self.new_length = blocks[-1].new_end if blocks else 0
        # a block is found by the old character it holds; pure insertions hold none
        self._holding = [b for b in blocks if b.old_end > b.old_start]
        self._starts = [b.old_start for b in self._holding]
        self._equal = [b for b in blocks if b.equal]
        self._equal_starts = [b.old_start for b in self._equal]
        self._equal_ends = [b.old_end for b in self._equal]
        self._equal_new_starts = [b.new_start for b in self._equal]

    @classmethod
    def of(cls, old: str, new: str, deadline_s: float = DIFF_DEADLINE_S) -> EditMap:
        dmp = diff_match_patch()
        diffs: list[tuple[int, str]] = dmp.diff_main(old, new, True, time.time() + deadline_s)
        dmp.diff_cleanupSemanticLossless(diffs)
        return cls(blocks_of(diffs))

    def _block(self, char: int) -> Block | None:
        i = bisect.bisect_right(self._starts, char) - 1
        if i < 0:
            return None
        block = self._holding[i]
        return block if char < block.old_end else None

    def char(self, pos: int) -> int | None:
        """The new index of old character ``pos`` if the edit kept it, else None."""
        block = self._block(pos)
        if block is None or not block.equal:
            return None
        return block.new_start + (pos - block.old_start)

    def kept(self, new_start: int, new_end: int) -> bool:
        """Whether new ``[new_start, new_end)`` is old text the diff kept in one piece.

        Such text is the image of some old place; a span the diff did not keep cannot have
        moved there (that is the other copy of a repeated sentence staying where it was).
        """
        i = bisect.bisect_right(self._equal_new_starts, new_start) - 1
        return i >= 0 and new_end <= self._equal[i].new_end and new_end > new_start

    def shifts(self, start: int, end: int) -> list[int]:
        """How far the kept text just before ``start`` and just after ``end`` moved.

        An edit next to a span can make the diff cut through the span (inserting "a" before
        "ab" in "xab": the diff may keep "xa", insert "a", keep "b"); the span then moved as
        far as its kept neighbours did, so these shifts are where else to look for it.
        """
        found = [0]  # the texts' starts are aligned, whatever the diff kept
        i = bisect.bisect_right(self._equal_starts, start) - 1
        if i >= 0:
            found[0] = self._equal[i].new_start - self._equal[i].old_start
        found.append(self.new_length - self.old_length)  # and so are their ends
        j = bisect.bisect_left(self._equal_ends, end)
        if j < len(self._equal):
            found[1] = self._equal[j].new_start - self._equal[j].old_start
        return found

    def start(self, pos: int) -> int:
        """Where a range starting at old ``pos`` starts in the new text.

        A kept character maps exactly (an insertion just before it stays outside); a replaced
        one maps proportionally into its replacement, so a range that starts where a rewording
        starts takes the reworded text in.
        """
        block = self._block(pos)
        if block is None:  # pos == len(old): after everything
            return self.blocks[-1].new_end if self.blocks else 0
        if block.equal:
            return block.new_start + (pos - block.old_start)
        span = block.new_end - block.new_start
        return block.new_start + (pos - block.old_start) * span // (block.old_end - block.old_start)

    def end(self, pos: int) -> int:
        """Where a range ending at old ``pos`` (exclusive) ends: the mirror image of ``start``."""
        if pos == 0:
            return 0
        block = self._block(pos - 1)
        if block is None:  # cannot happen for 0 < pos <= len(old); stay total anyway
            return self.blocks[-1].new_end if self.blocks else 0
        if block.equal:
            return block.new_start + (pos - block.old_start)
        span = block.new_end - block.new_start
        old_span = block.old_end - block.old_start
        return block.new_start + -(-(pos - block.old_start) * span // old_span)


def blocks_of(diffs: list[tuple[int, str]]) -> list[Block]:
    """diff-match-patch's (op, text) list as blocks: runs of edits between equalities merged."""
    blocks: list[Block] = []
    old = new = 0
    pending: tuple[int, int] | None = None  # (old, new) where the current run of edits began
    for op, text in diffs:
        if op == 0:
            if pending is not None:
                blocks.append(Block(pending[0], old, pending[1], new, False))
                pending = None
            blocks.append(Block(old, old + len(text), new, new + len(text), True))
            old += len(text)
            new += len(text)
            continue
        if pending is None:
            pending = (old, new)
        if op < 0:
            old += len(text)
        else:
            new += len(text)
    if pending is not None:
        blocks.append(Block(pending[0], old, pending[1], new, False))
    return blocks
