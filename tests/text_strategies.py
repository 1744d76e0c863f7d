"""Hypothesis strategies for document text: the pieces offsets trip over (combining marks,
wide and ZWJ emoji, flags, CRLF, tabs, abbreviations and curly quotes), shared by the property
tests of selection, wrapping and inline labels."""

from __future__ import annotations

from hypothesis import strategies as st

PIECES = [
    "a",
    "b",
    " ",
    "  ",
    ".",
    ",",
    "é",
    "e\u0301",
    "한국",
    "中文",
    "😀",
    "👨‍👩‍👧",
    "🇰🇷",
    "\r\n",
    "\n",
    "\t",
    "U.S.",
    "Co., Ltd.",
    "“",
    "”",
    "x" * 12,
]
TEXTS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join)
