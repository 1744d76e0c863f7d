"""Reading records from JSON and JSONL files one at a time, with their record numbers.

A Label Studio export or an annotty ``.json`` is one big JSON value; loading it whole would hold
the corpus in memory twice. ``json_records`` walks the outer array (or the ``documents`` array of
annotty's wrapper object) and decodes one element at a time with the C decoder, reading more of
the file only when an element is not complete yet. Each record comes with its number (1-based
position in the array, or line number in JSONL) so problems can be reported where they are.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from annotations import input_files, strict_json

CHUNK = 1 << 16
_WS = " \t\n\r"
_DECODER = strict_json.DECODER


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
        if len(self.buf) - self.pos > input_files.MAX_RECORD:
            raise BadJSON(
                f"a record longer than {input_files.size_text(input_files.MAX_RECORD)}", self.line()
            )
        if self.pos > CHUNK:
            self.lines_before += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
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
        """The next JSON value; a value that is JSON but not strict JSON (NaN, a lone surrogate,
        too deep) comes back as a ``BadJSON`` instance: that record is bad, the file goes on."""
        self.peek()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # incomplete so far, or broken: read as much again and retry (amortised linear)
                if self._more(len(self.buf) - self.pos):
                    continue
                raise BadJSON(exc.msg, self.line(exc.pos)) from None
            except (ValueError, RecursionError) as exc:
                skip_to = _skip_value(self.buf, self.pos)
                if skip_to is None:  # not complete in the buffer yet
                    if self._more(len(self.buf) - self.pos):
                        continue
                    raise BadJSON(str(exc) or "nested too deeply", self.line()) from None
                line = self.line()
                self.pos = skip_to
                return BadJSON(
                    str(exc) if isinstance(exc, ValueError) else "nested too deeply", line
                )
            if end == len(self.buf) and self._more():
                continue  # a number at the very end of the buffer may go on
            try:
                strict_json.check_unicode(self.buf[self.pos : end], obj)
            except ValueError as exc:
                obj = BadJSON(str(exc), self.line())
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
            key = _good(scan.value())
            scan.take(":")
            if key == "documents" and scan.peek() == "[":
                header.values.update(single)
                yield from _array(scan)
                streamed = True
                continue
            single[key] = _good(scan.value())
            if streamed:
                header.values[key] = single[key]
        scan.take("}")
        if not streamed:
            yield 1, single
    elif first:
        raise BadJSON("expected a JSON array or object", scan.line())
    if scan.peek():
        raise BadJSON("extra data after the JSON value", scan.line())


def _good(value: Any) -> Any:
    """Outside the records array a bad value spoils the whole (single) record: raise it."""
    if isinstance(value, BadJSON):
        raise value
    return value


def _array(scan: _Scanner) -> Iterator[tuple[int, Any]]:
    scan.take("[")
    number = 0
    while scan.peek() != "]":
        if number:
            scan.take(",")
        number += 1
        yield number, scan.value()
    scan.take("]")


def _skip_value(buf: str, pos: int) -> int | None:
    """Where the JSON value starting at ``pos`` ends, by counting brackets outside strings
    (no recursion, so a value nested 100,000 deep is stepped over); None if it does not end."""
    depth = 0
    in_string = escaped = False
    for i in range(pos, len(buf)):
        ch = buf[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
                if depth == 0:
                    return i + 1
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        elif depth == 0 and ch in ",]} \t\r\n":
            return i
    return None


def jsonl_records(stream: TextIO) -> Iterator[tuple[int, Any]]:
    """Each non-empty line's JSON value with its line number; a bad line yields ``BadJSON``."""
    number = 0
    while line := stream.readline(input_files.MAX_RECORD + 1):
        number += 1
        if len(line) > input_files.MAX_RECORD and not line.endswith("\n"):
            while (more := stream.readline(1 << 20)) and not more.endswith("\n"):
                pass
            yield (
                number,
                BadJSON(f"longer than {input_files.size_text(input_files.MAX_RECORD)}", number),
            )
            continue
        if not line.strip():
            continue
        try:
            yield number, strict_json.loads(line)
        except ValueError as exc:
            yield number, BadJSON(str(exc), number)


def open_text(path: Path) -> TextIO:
    """JSON is UTF-8 (RFC 8259); a BOM is tolerated. Only ``\\n`` ends a JSONL line. Only a
    regular file is opened (``InputError`` otherwise): a FIFO would block the import."""
    return io.TextIOWrapper(input_files.open_regular(path), encoding="utf-8-sig", newline="\n")


def first_record(path: Path) -> tuple[Any, dict[str, Any]]:
    """The first record of a JSON or JSONL file and the header before it, for detection.

    The record is None when the file has none or does not start as JSON.
    """
    header = Header()
    with open_text(path) as stream:
        records = (
            jsonl_records(stream)
            if path.suffix.lower() == ".jsonl"
            else json_records(stream, header)
        )
        try:
            for _, record in records:
                if not isinstance(record, BadJSON):  # a bad first line does not decide it
                    return record, header.values
        except (BadJSON, UnicodeDecodeError, RecursionError):
            pass
    return None, header.values
