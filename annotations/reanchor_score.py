"""How much of an anchor survives at a place in the new text: context agreement and similarity.

Thresholds are calibrated by ``bench/bench_reanchor.py`` (which prints the figures): reworded
sentences from the seed articles against unrelated sentences of the same articles.
"""

from __future__ import annotations

from rapidfuzz import fuzz

FUZZY_MIN = 0.55
"""Least ``similarity`` for a changed span to be placed (fuzzy) instead of flagged (lost).

On the bench's revisions (8 seeds), what stands in a claim's place after its sentence was
deleted or replaced by another sentence of the same news scores at most 0.48; a claim with a
fixed typo, changed whitespace or one to three words reworded scores at least 0.59 (median
0.92 to 1.0). 0.55 sits between the two: a claim reworded further than that is flagged lost
(and shown with its old text), which costs a reviewer a look, not a wrong claim."""

STRONG_CONTEXT = 0.25
"""Share of prefix+suffix that must agree for a relocated quote to count as moved on context
alone (16 of 64 code points: more than chance agreement of a few letters or a space)."""


def agree_before(prefix: str, text: str, pos: int) -> int:
    """Length of the longest end of ``prefix`` that ``text[:pos]`` also ends with."""
    n = min(len(prefix), pos)
    for k in range(n):
        if text[pos - 1 - k] != prefix[-1 - k]:
            return k
    return n


def agree_after(suffix: str, text: str, pos: int) -> int:
    """Length of the longest start of ``suffix`` that ``text[pos:]`` also starts with."""
    n = min(len(suffix), len(text) - pos)
    for k in range(n):
        if text[pos + k] != suffix[k]:
            return k
    return n


def similarity(quote: str, candidate: str) -> float:
    """0..1: the mean of character similarity (Indel) and word-order-free similarity.

    Characters catch typo fixes and whitespace; sorted words keep a sentence whose clauses were
    swapped close ("X, the minister said" / "The minister said X").
    """
    a, b = quote.casefold(), candidate.casefold()
    return (fuzz.ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 200
