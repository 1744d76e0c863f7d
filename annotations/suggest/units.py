"""The units a claim candidate is made of: sentences, never across a line break.

syntok knows abbreviations and quotes ("U.S.", "Co., Ltd."), but it joins a heading or a list
item to the sentence after it when no full stop ends it; a line break always ends a unit here.
Spans are code-point offsets into the stored text, half-open, without surrounding spaces.
"""

from __future__ import annotations

import re

from annotations.selection import sentences

PIECE = 8_000  # characters cut into units at a time (a long text's pieces, see below)
# syntok's paragraph separator (segmenter.__PARAGRAPH_SEP): it splits paragraphs with this and
# segments each on its own, so cutting a text right after one changes no unit.
PARAGRAPH_BREAK = re.compile(r"\r?\n(?:\s*\r?\n)+")
# Failing that, a line that ends a sentence and a next line that starts a word: syntok's
# segmentation of either line does not depend on the other (units never cross a line anyway).
SENTENCE_LINE_BREAK = re.compile(r"(?<=[.!?\"”’])[ \t]*\n(?=\w)")


def _units_whole(text: str) -> list[tuple[int, int]]:
    """The candidate sentences of ``text`` in one pass of the splitter."""
    out: list[tuple[int, int]] = []
    for start, end in sentences(text):
        at = start
        while at < end:
            stop = text.find("\n", at, end)
            piece_end = end if stop == -1 else stop
            s, e = at, piece_end
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s < e:
                out.append((s, e))
            at = piece_end + 1
    return out


def units(text: str, piece: int = PIECE) -> list[tuple[int, int]]:
    """The candidate sentences of ``text``: (start, end), in order, none empty, cut about
    ``piece`` characters at a time. The sentence splitter takes
    time growing faster than its paragraph (2 MB without a blank line: over a minute, holding
    the interpreter's lock in long stretches); pieces keep it linear and the cursor free. Cuts
    go after a blank line, else after a line that ends a sentence before one that starts with
    a word (the first found after ``piece`` characters), so the units are the same."""
    out: list[tuple[int, int]] = []
    at, size = 0, len(text)
    while at < size:
        stop = size
        if at + piece < size:
            near = min(at + 2 * piece, size)
            found = (
                PARAGRAPH_BREAK.search(text, at + piece, near)
                or SENTENCE_LINE_BREAK.search(text, at + piece, near)
                or PARAGRAPH_BREAK.search(text, near)
                or SENTENCE_LINE_BREAK.search(text, near)
            )
            stop = size if found is None else found.end()
        out.extend((start + at, end + at) for start, end in _units_whole(text[at:stop]))
        at = stop
    return out
