"""Finding things in a document: all matches of a phrase, and go-to targets (line or %)."""

from __future__ import annotations

import re

MAX_MATCHES = 100_000


def find_all(text: str, query: str, limit: int = MAX_MATCHES) -> list[tuple[int, int]]:
    """Spans of ``query`` in ``text``: case-insensitive unless the query has capitals."""
    if not query:
        return []
    flags = 0 if any(ch.isupper() for ch in query) else re.IGNORECASE
    out: list[tuple[int, int]] = []
    for match in re.finditer(re.escape(query), text, flags):
        out.append(match.span())
        if len(out) >= limit:
            break
    return out


def goto_offset(text: str, spec: str) -> int | None:
    """``"120"`` is the start of line 120 (1-based), ``"50%"`` half-way; None if not understood."""
    spec = spec.strip()
    try:
        if spec.endswith("%"):
            share = float(spec[:-1])
            offset = round(len(text) * min(max(share, 0.0), 100.0) / 100)
            line_start = text.rfind("\n", 0, offset) + 1
            return min(line_start, len(text))
        line = int(spec)
    except ValueError:
        return None
    if line <= 1:
        return 0
    pos = 0
    for _ in range(line - 1):
        found = text.find("\n", pos)
        if found < 0:
            return len(text) - len(text.rsplit("\n", 1)[-1])
        pos = found + 1
    return pos
