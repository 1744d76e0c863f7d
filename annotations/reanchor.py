"""Re-anchoring spans onto an edited text: news articles change after publication.

When a document's text changes, every claim and entity correction must follow its words. Each
span is remembered the way the W3C Web Annotation model does it: a ``TextQuoteSelector`` (the
exact text plus up to ``CONTEXT`` code points of prefix and suffix) with the old
``TextPositionSelector`` as a hint (``Anchor``). Placing it in the new text (``reanchor``) tries,
in order:

1. **exact**: a diff of the two versions (``reanchor_diff.EditMap``) says where the span's first
   and last characters went, and how far the kept text around it moved; if the quote sits
   there, that is where the edit put it, and no other occurrence can beat that.
   A single edit that leaves the span's characters alone always ends here (property-tested).
2. **moved**: the quote is searched everywhere in the new text, except in old text the diff
   kept in place (that is another copy staying put); occurrences are ranked by how many
   characters of prefix and suffix still agree, then by distance to where the diff expected
   the span (the Hypothesis client's "quote, then context, then position"). The best is
   taken only if it is clearly best and convincing (``_convincing``).
3. **fuzzy**: the span's text changed (a reworded sentence, a fixed typo): the diff maps the
   span's boundaries into the new text, and what lies between is accepted if it is still
   similar enough to the quote (``reanchor_score``).
4. **lost**: nothing can be placed with confidence. The caller keeps the span, flags it for
   review and shows its old text: a wrong placement is worse than none.

Offsets are Python ``str`` indices (code points), half-open. Nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from annotations.reanchor_diff import EditMap
from annotations.reanchor_fuzzy import best_cut
from annotations.reanchor_score import (
    FUZZY_MIN,
    STRONG_CONTEXT,
    agree_after,
    agree_before,
)

__all__ = ["CONTEXT", "Anchor", "Kind", "Placement", "anchor", "reanchor"]

CONTEXT = 32
"""Code points of prefix and suffix kept with each quote (as the Hypothesis client keeps)."""

MAX_OCCURRENCES = 2_000
"""Occurrences of one quote that are ranked; a quote more common than that is not evidence."""

Kind = Literal["exact", "moved", "fuzzy", "lost"]


@dataclass(frozen=True, slots=True)
class Anchor:
    """A span as W3C text-quote (quote, prefix, suffix) plus text-position (start, end)."""

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an anchor lands in the new text, how it was found, and how sure that is.

    ``new_text[start:end]`` is what the placement claims; for exact and moved it equals
    ``anchor.quote``. ``start`` and ``end`` are None only for ``lost``. ``confidence``: exact
    0.9 to 1.0 (1.0 when all of the context still agrees), moved 0.6 to 1.0 by context
    agreement, fuzzy the similarity (``FUZZY_MIN`` to 1.0), lost 0.0. An empty span is a point:
    exact beside kept text, else fuzzy at 0.5 where the diff maps it; never lost.
    """

    anchor: Anchor
    kind: Kind
    start: int | None
    end: int | None
    confidence: float


def anchor(text: str, start: int, end: int, context: int = CONTEXT) -> Anchor:
    """The anchor of ``text[start:end]``."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span [{start}, {end}) outside a text of {len(text)} code points")
    return Anchor(
        start,
        end,
        text[start:end],
        text[max(0, start - context) : start],
        text[end : end + context],
    )


def reanchor(old_text: str, new_text: str, spans: Sequence[tuple[int, int]]) -> list[Placement]:
    """Place each ``old_text[start:end]`` in ``new_text``, one independent placement per span."""
    anchors = [anchor(old_text, start, end) for start, end in spans]
    if old_text == new_text:
        return [Placement(a, "exact", a.start, a.end, 1.0) for a in anchors]
    edits = EditMap.of(old_text, new_text)
    return [place(a, new_text, edits) for a in anchors]


def place(a: Anchor, new_text: str, edits: EditMap) -> Placement:
    """One anchor: exact, else moved, else fuzzy, else lost (see the module docstring)."""
    length = len(a.quote)
    if length == 0:
        return _place_empty(a, new_text, edits)
    hit = _kept(a, new_text, edits)
    if hit is not None:  # the edit kept the quote where it was: no other occurrence can beat that
        full = len(a.prefix) + len(a.suffix)
        agreement = _context(a, new_text, hit) / full if full else 1.0
        return Placement(a, "exact", hit, hit + length, 0.9 + 0.1 * agreement)
    lo, hi = edits.start(a.start), edits.end(a.end)
    best = _best_occurrence(a, new_text, lo, edits)
    if best is not None and _convincing(*best, length=length, expected=lo):
        return Placement(a, "moved", best[0], best[0] + length, 0.6 + 0.4 * best[1])
    fuzzy = _fuzzy(a, new_text, lo, hi)
    if fuzzy is not None:
        return fuzzy
    return Placement(a, "lost", None, None, 0.0)


def _convincing(pos: int, agreement: float, candidates: int, length: int, expected: int) -> bool:
    """A relocated quote is believed when its context agrees (``STRONG_CONTEXT``), when it is
    as long as a context and found once (a moved paragraph's context is new on both sides), or
    when it is where the diff put the span anyway, give or take its length."""
    return (
        agreement >= STRONG_CONTEXT
        or (candidates == 1 and length >= CONTEXT)
        or abs(pos - expected) <= length
    )


def _kept(a: Anchor, new_text: str, edits: EditMap) -> int | None:
    """Where the diff put the quote, if it did: by its first character, by its last, or as far
    as the kept text around it moved."""
    length = len(a.quote)
    first, last = edits.char(a.start), edits.char(a.end - 1)
    tries = [] if first is None else [first]
    tries += [] if last is None else [last + 1 - length]
    tries += [a.start + shift for shift in edits.shifts(a.start, a.end)]
    for pos in tries:
        if pos >= 0 and new_text.startswith(a.quote, pos):
            return pos
    return None


def _context(a: Anchor, text: str, pos: int) -> int:
    """Characters of prefix and suffix that still agree around the quote placed at ``pos``."""
    return agree_before(a.prefix, text, pos) + agree_after(a.suffix, text, pos + len(a.quote))


def _best_occurrence(
    a: Anchor, text: str, hint: int, edits: EditMap
) -> tuple[int, float, int] | None:
    """The best place the quote could have moved to: (position, context agreement 0..1, how
    many candidates there were), or None if there is none or no clear best.

    Candidates are the occurrences of the quote that are not old text kept in place (the diff
    did not keep this span, so it cannot be where the diff kept another copy). They are ranked
    by context agreement, then by distance to ``hint`` (where the diff expected the span); the
    best must agree strictly better than the runner-up.
    """
    found: list[tuple[int, int]] = []
    length = len(a.quote)
    pos = text.find(a.quote)
    seen = 0
    while pos >= 0 and seen < MAX_OCCURRENCES:
        seen += 1
        if not edits.kept(pos, pos + length):
            found.append((_context(a, text, pos), pos))
        pos = text.find(a.quote, pos + 1)
    if not found or pos >= 0:  # none, or too many to mean anything
        return None
    found.sort(key=lambda f: (-f[0], abs(f[1] - hint)))
    agreement, where = found[0]
    if len(found) > 1 and found[1][0] == agreement:
        return None
    full = len(a.prefix) + len(a.suffix)
    return where, (agreement / full if full else 1.0), len(found)


def _fuzzy(a: Anchor, text: str, lo: int, hi: int) -> Placement | None:
    """What the diff put in the span's place, if it is still recognisably the quote."""
    cut = best_cut(a.quote, text, lo, hi)
    if cut is None or cut[2] < FUZZY_MIN:
        return None
    return Placement(a, "fuzzy", cut[0], cut[1], cut[2])


def _place_empty(a: Anchor, new_text: str, edits: EditMap) -> Placement:
    """An empty span is a point: it follows a kept character beside it, else the kept text
    around it; with nothing kept nearby it goes where the diff maps it (fuzzy: a point has no
    text to lose, but its place is a guess)."""
    before = edits.char(a.start - 1) if a.start > 0 else -1
    if before is not None:
        return Placement(a, "exact", before + 1, before + 1, 1.0)
    after = edits.char(a.start) if a.start < edits.old_length else len(new_text)
    if after is not None:
        return Placement(a, "exact", after, after, 1.0)
    for shift in edits.shifts(a.start, a.end):
        if 0 <= a.start + shift <= len(new_text):
            return Placement(a, "exact", a.start + shift, a.start + shift, 0.9)
    at = edits.start(a.start)
    return Placement(a, "fuzzy", at, at, 0.5)
