"""Importing documents from files: decoding, titles, metadata and de-duplication.

Bad files never stop an import: each gets one line naming it in the report and is skipped, and
nothing already stored is touched.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from annotations.errors import InputError
from annotations.model import Document
from annotations.store import Store

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
SUFFIXES = (*TEXT_SUFFIXES, ".jsonl")
MAX_TITLE = 120
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class ImportReport:
    added: list[Document] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def merge(self, other: ImportReport) -> None:
        self.added += other.added
        self.duplicates += other.duplicates
        self.errors += other.errors


def decode(data: bytes, path: str | Path) -> str:
    """Bytes to text: a BOM wins, then strict UTF-8, then charset detection; binary is refused."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(path, f"broken {encoding} text at byte {exc.start}") from exc
    if b"\x00" in data[:65536]:
        raise InputError(path, "looks like a binary file (NUL bytes), skipped")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError(path, f"cannot decode: not UTF-8 (bad byte at {utf8_error.start}) "
                               "and no other encoding fits, skipped")
    text = str(best)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > max(2, len(text) // 100):
        raise InputError(path, "looks like a binary file (control bytes), skipped")
    return text


def title_for(text: str, fallback: str) -> str:
    """The first non-empty line if it is short enough to be a title, else the file name."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= MAX_TITLE else fallback
    return fallback


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*")
                              if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


def read_records(path: Path) -> Iterator[dict[str, Any] | InputError]:
    """The documents a file holds: one for text files, one per line of a JSONL file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(path, f"cannot read ({exc.strerror or exc})")
        return
    try:
        text = decode(data, path)
    except InputError as exc:
        yield exc
        return
    if path.suffix.lower() != ".jsonl":
        if not text.strip():
            yield InputError(path, "empty file, skipped")
            return
        yield {"text": text, "title": title_for(text, path.stem), "source": str(path)}
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(path, f"bad JSON ({exc.msg}), record skipped", line=number)
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield InputError(path, "missing a string 'text', record skipped", number, "text")
            continue
        if not record["text"].strip():
            yield InputError(path, "empty text, record skipped", number, "text")
            continue
        meta = record.get("meta", {})
        if not isinstance(meta, dict):
            yield InputError(path, "must be an object, record skipped", number, "meta")
            continue
        doc_id = record.get("id")
        yield {
            "text": record["text"],
            "title": str(record.get("title") or title_for(record["text"], f"{path.stem}#{number}")),
            "source": f"{path}#{doc_id if doc_id is not None else number}",
            "meta": meta,
            "doc_id": None if doc_id is None else str(doc_id),
        }


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    on_added: Callable[[Document], None] | None = None,
) -> ImportReport:
    """Import files and folders into ``store``; ``on_added`` runs for each new document."""
    report = ImportReport()
    for path in iter_files(paths):
        if not path.exists():
            report.errors.append(f"{path}: no such file")
            continue
        if path.suffix.lower() not in SUFFIXES:
            report.errors.append(f"{path}: unsupported file type {path.suffix or '(none)'!r}, "
                                 f"use {', '.join(SUFFIXES)}")
            continue
        for record in read_records(path):
            if isinstance(record, InputError):
                report.errors.append(str(record))
                continue
            doc, created = store.add_document(**record)
            if created:
                report.added.append(doc)
                if on_added is not None:
                    on_added(doc)
            else:
                report.duplicates.append(f"{record['source']}: already imported as {doc.id}")
    return report
