"""Code points <-> UTF-16 code units, the offsets doccano counts (as its browser front end does).

annotty stores Python ``str`` indices (code points). A browser counts a character outside the
Basic Multilingual Plane (most emoji, some CJK) as two units, so every offset after one such
character differs by one per character. (Label Studio converts to code points itself; only files
from old versions of it count units, which its importer recognises with this index.)
``Utf16Index`` converts in O(log n) per offset after one C-speed scan of the text, and refuses an
offset that falls between the two halves of a pair.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Index:
    """Offset conversion for one text; build it once per document, use it for every span."""

    __slots__ = ("_astral", "_ends16")

    def __init__(self, text: str) -> None:
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]
        # in UTF-16, astral character k starts at astral[k] + k and ends two units later
        self._ends16 = [cp + k + 2 for k, cp in enumerate(self._astral)]

    def to_utf16(self, offset: int) -> int:
        """A code-point offset as UTF-16 code units."""
        return offset + bisect_left(self._astral, offset)

    def from_utf16(self, offset: int) -> int | None:
        """A UTF-16 offset as code points; None when it splits a surrogate pair."""
        before = bisect_right(self._ends16, offset)  # astral characters wholly before it
        if before < len(self._ends16) and self._ends16[before] - 1 == offset:
            return None
        return offset - before
