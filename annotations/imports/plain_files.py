"""Importing documents from files: decoding, titles, metadata, de-duplication, in bulk.

Bad files and records never stop an import: each gets one line naming the file (and record) in
the report and is skipped, and nothing already stored is touched. A ``.json`` or ``.jsonl`` file
that is an annotation export (annotty, Label Studio, doccano) is recognised by its first record
and handed to ``annotations.imports.annotation_files``, which merges its claims too.

Plain documents are streamed (one line of a JSONL file in memory at a time) and written in
batches: a batch is one transaction (atomic and durable) with its machine entities, so a
million short documents import at thousands per second in constant memory.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from annotations import input_files, strict_json
from annotations.bulk_entities import BulkRecognizer, RecognizerSpec
from annotations.encodings import BOMS, decode, decode_guess
from annotations.entities import Recognizer
from annotations.errors import InputError
from annotations.imports import annotation_files
from annotations.imports.doc_batches import DocBatches
from annotations.imports.report import ImportReport
from annotations.input_files import (
    open_regular,
    read_whole,
    regular_size,
    shown,
    size_text,
    stored_name,
)
from annotations.model import Document, title_for
from annotations.store import Store

__all__ = ["ImportReport", "decode", "import_paths", "iter_files", "read_records", "title_for"]

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
JSON_SUFFIXES = (".json", ".jsonl")
SUFFIXES = (*TEXT_SUFFIXES, *JSON_SUFFIXES)
Progress = Callable[[int], None]
"""Called with the number of bytes of all files read so far."""


class Note(str):
    """A line for the report's notes (an encoding guessed), not an error."""


@dataclass
class PlainRecord:
    """One document read from a file, before it is stored."""

    text: str
    title: str
    source: str
    where: str  # "FILE" or "FILE: record N", for report lines
    meta: dict[str, Any] = field(default_factory=dict)
    doc_id: str | None = None
    by_source: bool = False
    """A whole file: imported again from the same path, it is a new version of its document."""


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and the importable regular files inside folders named (sorted)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # not only regular files: a FIFO or device named like a document gets its line
            yield from sorted(
                p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and not p.is_dir()
            )
        else:
            yield path


class _Reading:
    """How far into the current file reading has got, for the progress bar."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def position(self) -> int:
        try:
            return self.stream.tell()
        except (OSError, ValueError):
            return 0


def read_records(
    path: Path, reading: list[_Reading] | None = None
) -> Iterator[PlainRecord | InputError | Note]:
    """The documents a file holds: one for a text file, one per line of a JSONL file."""
    name = shown(path)
    try:
        if path.suffix.lower() != ".jsonl":
            text, note = decode_guess(read_whole(path), name)
            if note:
                yield Note(f"{name}: {note}")
            if not text.strip():
                yield InputError(name, "empty file, skipped")
                return
            yield PlainRecord(
                text,
                title_for(text, stored_name(path.stem)),
                stored_name(path),
                name,
                by_source=True,
            )
            return
        with open_regular(path) as stream:
            if reading is not None:
                reading.append(_Reading(stream))
            yield from _jsonl(path, name, stream)
    except InputError as exc:
        yield exc


def _lines(name: str, stream: BinaryIO) -> Iterator[tuple[int, str | InputError | Note]]:
    """Numbered lines of a JSONL file as text. Only ``\\n`` ends a line: ``str.splitlines``
    would also split at U+2028 or U+0085, which JSON writers leave raw inside strings. Lines
    are UTF-8; a UTF-16/32 file (by its BOM) is read as such, a line in a legacy encoding is
    decoded by ``decode_guess`` and the first such guess noted."""
    head = stream.read(4)
    stream.seek(0)
    wide = next((enc for bom, enc in BOMS if head.startswith(bom) and enc != "utf-8-sig"), None)
    if wide is not None:
        text = io.TextIOWrapper(stream, encoding=wide, newline="\n", errors="strict")
        number = 0
        try:
            while line := text.readline(input_files.MAX_RECORD + 1):
                number += 1
                yield number, line
        except UnicodeDecodeError as exc:
            yield (
                number + 1,
                InputError(
                    name,
                    f"broken {wide} text ({exc.reason}); the rest of the file was not read",
                    number + 1,
                ),
            )
        return
    noted = False
    number = 0
    cap = input_files.MAX_RECORD
    while raw := stream.readline(cap + 1):
        number += 1
        if len(raw) > cap and not raw.endswith(b"\n"):
            while (more := stream.readline(1 << 20)) and not more.endswith(b"\n"):
                pass
            yield number, InputError(name, f"longer than {size_text(cap)}; record skipped", number)
            continue
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                line, note = decode_guess(raw, name)
            except InputError as exc:
                yield number, InputError(name, exc.problem + " (JSONL should be UTF-8)", number)
                continue
            if note and not noted:
                noted = True
                yield number, Note(f"{name}: line {number}: {note} (JSONL should be UTF-8)")
            yield number, line


def _jsonl(path: Path, name: str, stream: BinaryIO) -> Iterator[PlainRecord | InputError | Note]:
    stem, source = stored_name(path.stem), stored_name(path)
    for number, line in _lines(name, stream):
        if not isinstance(line, str) or isinstance(line, Note):
            yield line
            continue
        if not line.strip():
            continue
        try:
            record = strict_json.loads(line)
        except ValueError as exc:
            yield InputError(name, f"{exc}, record skipped", number)
            continue
        yield _plain_record(record, source, stem, name, number)


def _plain_record(
    record: Any, source: str, stem: str, name: str, number: int
) -> PlainRecord | InputError:
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return InputError(name, "missing a string 'text', record skipped", number, "text")
    text = record["text"]
    if not text.strip():
        return InputError(name, "empty text, record skipped", number, "text")
    if "\x00" in text:
        return InputError(
            name, "contains NUL characters (binary data?), record skipped", number, "text"
        )
    meta = record.get("meta", {})
    if not isinstance(meta, dict):
        return InputError(name, "must be an object, record skipped", number, "meta")
    doc_id = record.get("id")
    if doc_id is not None and (
        isinstance(doc_id, bool) or not isinstance(doc_id, str | int) or doc_id == ""
    ):
        return InputError(
            name,
            f"must be a string or an integer, not {type(doc_id).__name__}; record skipped",
            number,
            "id",
        )
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        return InputError(
            name, f"must be a string, not {type(title).__name__}; record skipped", number, "title"
        )
    where = f"{name}: record {number}"
    return PlainRecord(
        text=text,
        title=title or title_for(text, f"{stem}#{number}"),
        source=f"{source}#{doc_id if doc_id is not None else number}",
        where=where,
        meta=meta,
        doc_id=None if doc_id is None else str(doc_id),
    )


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    on_added: Callable[[Document], None] | None = None,
    recognizer: Recognizer | None = None,
    progress: Progress | None = None,
    spec: RecognizerSpec | None = None,
    as_doc: str | None = None,
) -> ImportReport:
    """Import files and folders into ``store``.

    ``recognizer`` finds the machine entities of new documents in bulk (stored in the same
    transaction); with ``spec`` (how to build it again) a large import recognises in worker
    processes. ``on_added`` runs for each new document after it is stored; ``progress`` gets
    the bytes read so far (see ``total_bytes``). ``as_doc``: the one document read (a text
    file or one JSONL record) is a new version of that stored document (``annotty import
    --as``); see ``doc_batches`` for when a document is a new version otherwise.
    """
    store.check_writable()  # a read-only or damaged database: one line, before any read
    report = ImportReport()
    bulk = None if recognizer is None else BulkRecognizer(recognizer, spec)
    try:
        done = 0
        for path in iter_files(paths):
            _import_one(store, path, report, on_added, bulk, progress, done, as_doc)
            done += regular_size(path)
            if progress is not None:
                progress(done)
    finally:
        if bulk is not None:
            bulk.close()
    return report


def _import_one(
    store: Store,
    path: Path,
    report: ImportReport,
    on_added: Callable[[Document], None] | None,
    bulk: BulkRecognizer | None,
    progress: Progress | None,
    done: int,
    as_doc: str | None = None,
) -> None:
    name = shown(path)
    if not path.exists() and not path.is_symlink():
        report.error(f"{name}: no such file")
        return
    if path.suffix.lower() not in SUFFIXES:
        report.error(
            f"{name}: unsupported file type {shown(path.suffix or '(none)')!r}, "
            f"use {', '.join(SUFFIXES)}"
        )
        return
    recognizer = None if bulk is None else bulk.recognizer
    if as_doc is not None and path.suffix.lower() == ".json":
        report.error(f"{name}: --as takes a text file or a JSONL record, not a .json file")
        return
    if path.suffix.lower() in JSON_SUFFIXES and _import_export(
        store, path, report, on_added, recognizer
    ):
        return
    batches = DocBatches(store, report, bulk, on_added, as_doc)
    reading: list[_Reading] = []
    for count, record in enumerate(read_records(path, reading), start=1):
        if isinstance(record, Note):
            report.note(str(record))
        elif isinstance(record, InputError):
            report.error(str(record))
        else:
            batches.add(record)
        if progress is not None and reading and count % 1000 == 0:
            progress(done + reading[0].position())
    batches.finish()


def total_bytes(paths: Iterable[str | Path]) -> int:
    """What ``progress`` counts up to: the sizes of the regular files an import will read."""
    return sum(regular_size(p) for p in iter_files(paths))


def _import_export(
    store: Store,
    path: Path,
    report: ImportReport,
    on_added: Callable[[Document], None] | None,
    recognizer: Recognizer | None,
) -> bool:
    """Hand an annotation export (or a ``.json`` of documents) to the importers; False if it is
    JSONL of plain documents, which ``read_records`` handles (or not a file at all)."""
    try:
        shape = annotation_files.detect(path)
    except InputError as exc:
        report.error(str(exc))
        return True
    if shape in (None, "text") and path.suffix.lower() == ".jsonl":
        return False
    if recognizer is not None:

        def with_entities(doc: Document) -> None:
            store.cache_entities(doc.id, recognizer.key, recognizer.recognize(doc.text))
            if on_added is not None:
                on_added(doc)

        callback: Callable[[Document], None] | None = with_entities
    else:
        callback = on_added
    report.merge(
        annotation_files.import_file(
            store, path, "annotty" if shape == "text" else shape or "", on_added=callback
        )
    )
    return True
