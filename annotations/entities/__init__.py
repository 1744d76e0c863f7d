"""Named-entity recognition: the recognizer interface and chunked running for big documents.

A recognizer has a ``key`` (name and version) that changes whenever its output may change; the
store caches machine entities under that key, so a new key means recomputation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from annotations.model import Entity

CHUNK_CHARS = 100_000


class Recognizer(Protocol):
    key: str

    def recognize(self, text: str) -> list[Entity]:
        """Entities in ``text`` with offsets into it, sorted by start."""
        ...


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Split at line breaks into pieces of about ``size`` characters: (offset, piece)."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def recognize_in_chunks(recognizer: Recognizer, text: str,
                        size: int = CHUNK_CHARS) -> Iterator[list[Entity]]:
    """Run a recognizer piece by piece so callers can show entities as they arrive."""
    for offset, piece in chunks(text, size):
        yield [Entity(e.start + offset, e.end + offset, e.label, e.source)
               for e in recognizer.recognize(piece)]


def builtin() -> Recognizer:
    from annotations.entities.rules import RuleRecognizer

    return RuleRecognizer()
