"""A document's text as HTML, its entities and claims drawn like displaCy's span view.

The text is cut at every span boundary; each segment is wrapped in one element per span that
covers it (entities outermost, then claims from the outermost in), so the nesting is only as
deep as the overlap and every claim's pieces, read in order, spell its quote exactly.
Each claim keeps a level (a row of underline bars) for its whole length, so overlapping claims
show as stacked bars. Its first piece is its anchor (``id``) and carries everything about it:
``data-claim-id``, ``data-start``, ``data-end``, the label and the hover text (``title``); the
other pieces only name that anchor (``data-c``), which keeps a densely annotated report about
half the size (the page's script copies the hover text to them when the pointer gets there).

Offsets survive HTML: ``esc`` is the one way data reaches the page. Besides ``& < > " '`` it
writes a carriage return as ``&#13;`` (the parser turns a raw CR or CR LF into LF, but keeps a
referenced CR). The two kinds of character HTML cannot carry at all, NUL (dropped by the parser
in text) and lone surrogates (not encodable as UTF-8), become U+FFFD one for one, so every later
offset still lines up. C1 controls are written raw: as ``&#x80;``-style references the parser
would map them to Windows-1252 characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape
from typing import NamedTuple

from annotations.export.bundles import ClaimRow
from annotations.model import ENTITY_LABELS, REVIEW_STATUSES, Entity

MAX_LEVEL = 12
"""Bar rows the stylesheet draws (``L0``..``L12``); deeper overlaps share the last row."""
_UNSAFE = re.compile("[\x00\ud800-\udfff]")
_STATUS_MARK = {"accepted": "✓", "pending": "?", "rejected": "✗"}
_KNOWN_ENTITY = frozenset(ENTITY_LABELS)


def esc(value: str) -> str:
    """Text or attribute value for HTML whose parsed form is ``value`` (see the module doc)."""
    out = escape(value, quote=True)
    if "\r" in out:
        out = out.replace("\r", "&#13;")
    if _UNSAFE.search(out):
        out = _UNSAFE.sub("\ufffd", out)
    return out


def shown(value: str) -> str:
    """What the page shows for ``value``: its characters HTML cannot carry as U+FFFD."""
    return _UNSAFE.sub("\ufffd", value)


def status_class(status: str) -> str:
    return f"s-{status}" if status in REVIEW_STATUSES else "s-other"


def status_mark(status: str) -> str:
    """A shape beside the colour, so the status never rests on colour alone."""
    return _STATUS_MARK.get(status, "·")


def entity_class(label: str) -> str:
    return f"e-{label}" if label in _KNOWN_ENTITY else "e-X"


def claim_title(claim: ClaimRow) -> str:
    """The hover text of a claim: every label, who made it, and its review."""
    stance = claim.stance or "none"
    lines = [f"claim: {claim.claim_type} · stance: {stance}"]
    if claim.target:
        lines[0] += f" → {claim.target}"
    who = [f"annotator: {claim.annotator or '?'}"]
    if claim.speaker:
        who.insert(0, f"speaker: {claim.speaker}")
    lines.append(" · ".join(who))
    review = f"review: {claim.review_status}"
    if claim.reviewer:
        review += f" by {claim.reviewer}"
    if claim.review_note:
        review += f" — {claim.review_note}"
    lines.append(review)
    for name in ("attribution", "checkworthy", "note"):
        value = getattr(claim, name)
        if value:
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


def claim_label(claim: ClaimRow) -> str:
    stance = f"/{claim.stance}" if claim.stance and claim.stance != "none" else ""
    return f"{status_mark(claim.review_status)} {claim.claim_type}{stance}"


def levels(claims: Sequence[ClaimRow]) -> list[int]:
    """A bar row per claim (in the order given), lowest free first, so overlapping claims
    never share a row; rows are reused once free."""
    ends: list[int] = []
    out = [0] * len(claims)
    for n in sorted(range(len(claims)), key=lambda n: (claims[n].start, claims[n].end)):
        claim = claims[n]
        for level, end in enumerate(ends):
            if end <= claim.start:
                ends[level] = claim.end
                out[n] = level
                break
        else:
            out[n] = len(ends)
            ends.append(claim.end)
    return out


class _Piece(NamedTuple):
    """One span's opening tags: at its first segment (a claim's label and anchor), at its last
    (an entity's label) and at the others."""

    start: int
    end: int
    first: str
    rest: str
    last: str


def _claim_piece(claim: ClaimRow, anchor: str, level: int, type_class: str) -> _Piece:
    classes = f"c L{min(level, MAX_LEVEL)} {status_class(claim.review_status)} {type_class}"
    rest = f'<span class="{classes}" data-c="{anchor}">'
    first = (
        f'<span class="{classes} h" id="{anchor}" data-c="{anchor}" data-claim-id="{esc(claim.id)}"'
        f' data-start="{claim.start}" data-end="{claim.end}" data-l="{esc(claim_label(claim))}"'
        f' title="{esc(claim_title(claim))}">'
    )
    return _Piece(claim.start, claim.end, first, rest, rest)


def _entity_piece(entity: Entity) -> _Piece:
    label = esc(entity.label)
    title = esc(f"{entity.label} ({entity.source})" if entity.source else entity.label)
    rest = f'<span class="e {entity_class(entity.label)}" title="{title}">'
    last = f'<span class="e {entity_class(entity.label)} et" data-l="{label}" title="{title}">'
    return _Piece(entity.start, entity.end, rest, rest, last)


def render_text(
    text: str,
    entities: Sequence[Entity],
    claims: Sequence[ClaimRow],
    anchor: Callable[[int], str],
    type_class: Callable[[str], str],
) -> tuple[str, int]:
    """The text as HTML segments, and how many bar rows it uses (for its line height).

    ``anchor(n)`` names the element id of the n-th claim (the table links to it) and
    ``type_class(claim_type)`` the class the page's type filter hides.
    """
    rows = levels(claims)
    ent_pieces = sorted(
        (_entity_piece(e) for e in entities if 0 <= e.start < e.end <= len(text)),
        key=lambda p: (p.start, -p.end),
    )
    claim_pieces = sorted(
        (
            _claim_piece(c, anchor(n), rows[n], type_class(c.claim_type))
            for n, c in enumerate(claims)
            if 0 <= c.start < c.end <= len(text)
        ),
        key=lambda p: (p.start, -p.end),
    )
    cuts = {0, len(text)}
    for piece in ent_pieces:
        cuts.update((piece.start, piece.end))
    for piece in claim_pieces:
        cuts.update((piece.start, piece.end))
    points = sorted(cuts)
    out: list[str] = []
    ents: list[_Piece] = []
    marks: list[_Piece] = []
    ei = ci = 0
    for a, b in zip(points, points[1:], strict=False):
        if ents:
            ents = [p for p in ents if p.end > a]
        if marks:
            marks = [p for p in marks if p.end > a]
        while ei < len(ent_pieces) and ent_pieces[ei].start == a:
            ents.append(ent_pieces[ei])
            ei += 1
        while ci < len(claim_pieces) and claim_pieces[ci].start == a:
            marks.append(claim_pieces[ci])
            ci += 1
        if not ents and not marks:
            out.append(esc(text[a:b]))
            continue
        for p in ents:
            out.append(p.last if p.end == b else p.rest)
        for p in marks:
            out.append(p.first if p.start == a else p.rest)
        out.append(esc(text[a:b]))
        out.append("</span>" * (len(ents) + len(marks)))
    return "".join(out), (max(rows) + 1 if rows else 0)
