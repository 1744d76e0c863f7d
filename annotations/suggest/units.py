"""The units a claim candidate is made of: sentences, never across a line break.

syntok knows abbreviations and quotes ("U.S.", "Co., Ltd."), but it joins a heading or a list
item to the sentence after it when no full stop ends it; a line break always ends a unit here.
Spans are code-point offsets into the stored text, half-open, without surrounding spaces.
"""

from __future__ import annotations

from annotations.selection import sentences


def units(text: str) -> list[tuple[int, int]]:
    """The candidate sentences of ``text``: (start, end), in order, none empty."""
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
