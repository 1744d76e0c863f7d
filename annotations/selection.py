"""Selecting text the way annotators mean it: graphemes, words, sentences, snapping.

All functions take and return code-point offsets into the stored text.
"""

from __future__ import annotations

import re
import unicodedata

from rich.cells import split_graphemes
from syntok import segmenter

# A list marker at the start of a sentence is layout, not part of what anybody claims.
_BULLET = re.compile(r"[•‣◦▪▫●○■□–—*·\-]+\s+")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_WORD = re.compile(r"\w+(?:[’'\-.]\w+)*", re.UNICODE)
# Trailing characters a snapped selection drops unless the user's span ends inside a word.
_EDGE_JUNK = " \t\r\n\u00a0\u3000"


def _grapheme_bounds(text: str, pos: int) -> tuple[int, int]:
    lo = max(0, pos - 16)
    hi = min(len(text), pos + 16)
    # Rich glues control characters (CR, LF, tab) onto the grapheme before them; for a
    # cursor they are units of their own, so they are measured as spaces.
    spans, _ = split_graphemes(_CONTROLS.sub(" ", text[lo:hi]))
    for g_start, g_end, _cells in spans:
        if g_start + lo <= pos < g_end + lo:
            return g_start + lo, g_end + lo
    return pos, min(len(text), pos + 1)


def next_grapheme(text: str, pos: int) -> int:
    """The offset after the grapheme at ``pos`` (ZWJ emoji and combining marks move as one)."""
    if pos >= len(text):
        return len(text)
    ch = text[pos]
    if ch.isascii() and ch != "\r" and (pos + 1 >= len(text) or text[pos + 1].isascii()):
        return pos + 1
    if text.startswith("\r\n", pos):
        return pos + 2
    return _grapheme_bounds(text, pos)[1]


def prev_grapheme(text: str, pos: int) -> int:
    """The offset of the grapheme before ``pos``."""
    if pos <= 0:
        return 0
    if text[pos - 1].isascii() and (pos < 2 or text[pos - 2].isascii()):
        return pos - 2 if text[pos - 2 : pos] == "\r\n" else pos - 1
    return _grapheme_bounds(text, pos - 1)[0]


def paragraph_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans in ``text[start:end]`` (syntok: knows "U.S.", "Co., Ltd.", quotes)."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    chunk = text[start:end]
    for paragraph in segmenter.analyze(chunk):
        for sentence in paragraph:
            first, last = sentence[0], sentence[-1]
            s = start + first.offset
            e = start + last.offset + len(last.value)
            if e > s:
                out.append((s, e))
    return out


def sentence_at(text: str, pos: int) -> tuple[int, int]:
    """The sentence around ``pos``: within its line, bullets and leading space excluded."""
    pos = min(max(pos, 0), max(len(text) - 1, 0))
    p_start, p_end = paragraph_bounds(text, pos)
    spans = sentences(text, p_start, p_end)
    if not spans:
        return snap(text, p_start, p_end)
    chosen = next(((s, e) for s, e in spans if pos < e), spans[-1])
    start, end = snap(text, *chosen)
    bullet = _BULLET.match(text, start, end)
    return (bullet.end(), end) if bullet and bullet.end() < end else (start, end)


def word_at(text: str, pos: int) -> tuple[int, int] | None:
    lo = max(0, pos - 200)
    for match in _WORD.finditer(text, lo, min(len(text), pos + 200)):
        if match.start() <= pos < match.end():
            return match.start(), match.end()
        if match.start() > pos:
            break
    return None


def next_word_start(text: str, pos: int) -> int:
    match = _WORD.search(text, pos + 1 if pos < len(text) else pos)
    if match is None:
        return len(text)
    here = word_at(text, pos)
    if here and match.start() < here[1]:
        match = _WORD.search(text, here[1])
        return len(text) if match is None else match.start()
    return match.start()


def next_word_end(text: str, pos: int) -> int:
    match = _WORD.search(text, pos)
    if match is not None and match.end() == pos:
        match = _WORD.search(text, pos + 1)
    return len(text) if match is None else match.end()


def prev_word_start(text: str, pos: int) -> int:
    best = 0
    lo = max(0, pos - 400)
    for match in _WORD.finditer(text, lo, pos):
        if match.start() < pos:
            best = match.start()
    return best


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a span to whole words and drop whitespace at its edges.

    Leading/trailing spaces and line breaks are never part of a claim; a span that starts or
    ends inside a word is extended to that word's edge. Punctuation the user did include
    (a closing quote, a full stop) is kept, punctuation merely touching the span is not added.
    """
    start, end = min(start, end), max(start, end)
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start] in _EDGE_JUNK:
        start += 1
    while end > start and text[end - 1] in _EDGE_JUNK:
        end -= 1
    if start >= end:
        return start, start
    left = word_at(text, start)
    if left is not None and left[0] < start:
        start = left[0]
    right = word_at(text, end - 1)
    if right is not None and right[1] > end:
        end = right[1]
    while end < len(text) and unicodedata.category(text[end]).startswith("M"):
        end += 1  # never split a base letter from its combining marks
    return start, end
