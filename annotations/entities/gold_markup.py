"""Gold entities written inline: ``[[Geneva|GPE]]`` in a plain text, one document per file.

Reading a story and marking each name where it stands is how a gold set is best written and
checked by eye; offsets counted by hand are not. ``parse`` turns a marked-up text into the plain
text and its ``(start, end, label)`` spans (code points, half-open), refusing anything it cannot
read exactly: an unknown label, a stray ``[[`` or ``]]``, an empty or padded span.
"""

from __future__ import annotations

import re
from pathlib import Path

from annotations.entities.evaluate import GoldDoc, Span
from annotations.errors import InputError
from annotations.model import ENTITY_LABELS

_MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([A-Z_]+)\]\]")


def parse(marked: str, source: Path | str = "<text>") -> tuple[str, tuple[Span, ...]]:
    """The plain text and its spans; ``InputError`` (file, line) for anything malformed."""
    out: list[str] = []
    spans: list[Span] = []
    at = 0  # position in ``marked``
    length = 0  # length of the plain text so far
    for match in _MARK.finditer(marked):
        before = marked[at : match.start()]
        _plain(before, source, marked, at)
        out.append(before)
        length += len(before)
        name, label = match.group(1), match.group(2)
        line = marked.count("\n", 0, match.start()) + 1
        if label not in ENTITY_LABELS:
            raise InputError(source, f"unknown label {label!r} for {name!r}", line=line)
        if name != name.strip():
            raise InputError(source, f"span {name!r} starts or ends with a space", line=line)
        spans.append((length, length + len(name), label))
        out.append(name)
        length += len(name)
        at = match.end()
    rest = marked[at:]
    _plain(rest, source, marked, at)
    out.append(rest)
    return "".join(out), tuple(spans)


def _plain(piece: str, source: Path | str, marked: str, offset: int) -> None:
    for bad in ("[[", "]]"):
        where = piece.find(bad)
        if where != -1:
            line = marked.count("\n", 0, offset + where) + 1
            raise InputError(
                source, f"{bad!r} that is not part of a [[name|LABEL]] mark", line=line
            )


def load_folder(folder: Path) -> list[GoldDoc]:
    """Every ``*.txt`` in ``folder`` (sorted by name) as a gold document."""
    docs = []
    for path in sorted(folder.glob("*.txt")):
        text, spans = parse(path.read_text(encoding="utf-8"), path)
        docs.append(GoldDoc(path.name, text, spans))
    return docs
