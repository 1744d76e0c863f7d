"""The text side of the similar-claim index: one normal form for quotes, and the keys it is
indexed under.

Two quotes that differ only in case, width, punctuation or spacing are the same claim, so they
share one normal form; numbers stay tokens of their own ("3.5" and "3.6" differ, and the claims
are shown as similar but not identical). The normal form is a space-joined token string, so the
scorer (rapidfuzz) sees words, and normalising it again changes nothing: a stored normal form
can be queried with as it is.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

KEY_CHARS = 6
"""Index keys are tokens cut to this many characters: a crude stemmer ("claimed", "claims" ->
"claime", "claims"; "government", "governments" -> "govern") that lets inflected twins share
keys without a language model. Keys only choose candidates; the score reads the whole text."""


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """Numbers with their decimal points, or runs of word characters and combining marks (so
    Devanagari or Thai words are not cut at their vowel signs). Built on first use: the mark
    class is read from the Unicode database, about 0.2 s, not at import."""
    marks = []
    start = -1
    for code in range(sys.maxunicode + 2):
        is_mark = code <= sys.maxunicode and unicodedata.category(chr(code))[0] == "M"
        if is_mark and start < 0:
            start = code
        elif not is_mark and start >= 0:
            marks.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = -1
    return re.compile(rf"\d+(?:[.,]\d+)*|(?:[^\W_]|[{''.join(marks)}])+")


def _fold(text: str) -> str:
    """NFKC, casefold, NFKC, until nothing changes: one round settles every single code point
    (checked over all of Unicode), the loop guards sequences that compose anew; four is a cap."""
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
        if folded == text:
            break
        text = folded
    return text


def tokens(text: str) -> list[str]:
    """The quote's tokens in order: folded words and numbers, punctuation and symbols dropped."""
    return _token_pattern().findall(_fold(text))


def normalise(text: str) -> str:
    """The normal form of a quote: its tokens joined by single spaces ("" when it has none).

    ``normalise(normalise(q)) == normalise(q)`` for every string (a property test checks it)."""
    return " ".join(tokens(text))


def keys(normal: str) -> frozenset[str]:
    """The index keys of a normal form: its distinct tokens, words cut to ``KEY_CHARS`` (numbers
    whole: "1,000,000" and "1,000,500" are different keys)."""
    return frozenset(t if t[0].isdecimal() else t[:KEY_CHARS] for t in normal.split())
