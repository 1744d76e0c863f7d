"""Reading records from JSON and JSONL files one at a time, with their record numbers.

A Label Studio export or an annotty ``.json`` is one big JSON value; loading it whole would hold
the corpus in memory twice. ``json_records`` walks the outer array (or the ``documents`` array of
annotty's wrapper object) and decodes one element at a time with the C decoder, reading more of
the file only when an element is not complete yet. Each record comes with its number (1-based
position in the array, or line number in JSONL) so problems can be reported where they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

CHUNK = 1 << 16
_WS = " \t\n\r"
_DECODER = json.JSONDecoder()


class BadJSON(ValueError):
    """The file stops being JSON at ``line``; nothing after that point can be read."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass
class Header:
    """What came before the records: annotty's ``format``/``version`` and other top-level keys."""

    values: dict[str, Any] = field(default_factory=dict)


class _Scanner:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.lines_before = 0  # newlines in text already dropped from the buffer
        self.eof = False

    def _more(self, want: int = CHUNK) -> bool:
        if self.eof:
            return False
        if self.pos > CHUNK:
            self.lines_before += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos:]
            self.pos = 0
        piece = self.stream.read(max(want, CHUNK))
        if not piece:
            self.eof = True
            return False
        self.buf += piece
        return True

    def line(self, pos: int | None = None) -> int:
        return self.lines_before + self.buf.count("\n", 0, self.pos if pos is None else pos) + 1

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def take(self, expected: str) -> None:
        found = self.peek()
        if found != expected:
            shown = repr(found) if found else "end of file"
            raise BadJSON(f"expected {expected!r}, found {shown}", self.line())
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # incomplete so far, or broken: read as much again and retry (amortised linear)
                if self._more(len(self.buf) - self.pos):
                    continue
                raise BadJSON(exc.msg, self.line(exc.pos)) from None
            if end == len(self.buf) and self._more():
                continue  # a number at the very end of the buffer may go on
            self.pos = end
            return obj


def json_records(stream: TextIO, header: Header) -> Iterator[tuple[int, Any]]:
    """Elements of the top-level array, or of ``documents`` in an object; else the object itself.

    Raises ``BadJSON`` where the file stops being JSON (after yielding every record before it).
    """
    scan = _Scanner(stream)
    first = scan.peek()
    if first == "[":
        yield from _array(scan)
    elif first == "{":
        scan.take("{")
        single: dict[str, Any] = {}
        streamed = False
        while scan.peek() != "}":
            if single or streamed:
                scan.take(",")
            key = scan.value()
            scan.take(":")
            if key == "documents" and scan.peek() == "[":
                header.values.update(single)
                yield from _array(scan)
                streamed = True
                continue
            single[key] = scan.value()
            if streamed:
                header.values[key] = single[key]
        scan.take("}")
        if not streamed:
            yield 1, single
    elif first:
        raise BadJSON("expected a JSON array or object", scan.line())
    if scan.peek():
        raise BadJSON("extra data after the JSON value", scan.line())


def _array(scan: _Scanner) -> Iterator[tuple[int, Any]]:
    scan.take("[")
    number = 0
    while scan.peek() != "]":
        if number:
            scan.take(",")
        number += 1
        yield number, scan.value()
    scan.take("]")


def jsonl_records(stream: TextIO) -> Iterator[tuple[int, Any]]:
    """Each non-empty line's JSON value with its line number; a bad line yields ``BadJSON``."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, BadJSON(f"bad JSON ({exc.msg})", number)


def open_text(path: Path) -> TextIO:
    """JSON is UTF-8 (RFC 8259); a BOM is tolerated. Only ``\\n`` ends a JSONL line."""
    return path.open("r", encoding="utf-8-sig", newline="\n")


def first_record(path: Path) -> tuple[Any, dict[str, Any]]:
    """The first record of a JSON or JSONL file and the header before it, for detection.

    The record is None when the file has none or does not start as JSON.
    """
    header = Header()
    with open_text(path) as stream:
        records = (jsonl_records(stream) if path.suffix.lower() == ".jsonl"
                   else json_records(stream, header))
        try:
            for _, record in records:
                if not isinstance(record, BadJSON):  # a bad first line does not decide it
                    return record, header.values
        except (BadJSON, UnicodeDecodeError):
            pass
    return None, header.values
