"""The fuzzy step: what the diff put in a changed span's place, trimmed to what matches it.

The diff maps a changed span's boundaries into the new text, but edits next to each other merge
into one block (a paragraph inserted just before a reworded sentence), so the mapped range can
hold more than the span's successor. The range is therefore cut at its sentence and paragraph
boundaries and the cut that is most similar to the quote wins; the ends the diff gave are
always among the candidates, so a span inside a sentence keeps the diff's boundaries.
"""

from __future__ import annotations

import re

from annotations.reanchor_score import similarity

BOUNDARY = re.compile(r"(?<=[.!?…。！？\"”’)])\s+|\n\s*")
"""Where sentences and paragraphs meet: after a sentence end and its spaces, or after a newline."""

MAX_CUTS = 24
"""Boundaries tried on each side; a longer range is a rewritten section, not a sentence."""


def best_cut(quote: str, text: str, lo: int, hi: int) -> tuple[int, int, float] | None:
    """The part of ``text[lo:hi]`` most similar to ``quote``: (start, end, similarity)."""
    lo, hi = _trim(quote, text, lo, hi)
    if hi <= lo:
        return None
    starts, ends = [lo], [hi]
    for m in BOUNDARY.finditer(text, lo, hi):
        if m.end() < hi and len(starts) <= MAX_CUTS:
            starts.append(m.end())
        if m.start() > lo and len(ends) <= MAX_CUTS:
            ends.append(m.start())
    best: tuple[int, int, float] | None = None
    for start in starts:
        for end in ends:
            if end <= start:
                continue
            score = similarity(quote, text[start:end])
            if best is None or score > best[2]:
                best = (start, end, score)
    return best


def _trim(quote: str, text: str, lo: int, hi: int) -> tuple[int, int]:
    """Drop whitespace at the ends unless the quote has it there too."""
    if not quote[:1].isspace():
        while lo < hi and text[lo].isspace():
            lo += 1
    if not quote[-1:].isspace():
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
    return lo, hi
