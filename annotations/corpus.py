"""Importing documents from files: decoding, titles, metadata and de-duplication.

Bad files never stop an import: each gets one line naming it in the report and is skipped, and
nothing already stored is touched. A ``.json`` or ``.jsonl`` file that is an annotation export
(annotty, Label Studio, doccano) is recognised by its first record and handed to
``annotations.importers``, which merges its claims too.
"""

from __future__ import annotations

import codecs
import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from annotations.errors import InputError
from annotations.import_report import ImportReport
from annotations.model import Document
from annotations.store import Store, StoreError

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
JSON_SUFFIXES = (".json", ".jsonl")
SUFFIXES = (*TEXT_SUFFIXES, *JSON_SUFFIXES)
MAX_TITLE = 120
_SINGLE_BYTE_FAMILIES = ("cp125", "latin", "iso8859", "mac_", "cp437", "cp850")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


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
    if best.encoding.startswith(_SINGLE_BYTE_FAMILIES):
        # Detection cannot tell Western code pages apart on short texts (it picks cp1250 for
        # French); Windows-1252 is by far the likeliest, so it wins whenever it decodes.
        with contextlib.suppress(UnicodeDecodeError):
            text = data.decode("cp1252")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > max(2, len(text) // 100):
        raise InputError(path, "looks like a binary file (control bytes), skipped")
    return text


def valid_unicode(text: str) -> bool:
    """False for text with lone surrogates (possible via JSON escapes): no file can hold it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
    # only "\n" ends a JSONL line: str.splitlines() would also split at U+2028 or U+0085,
    # which JSON writers leave raw inside strings
    for number, line in enumerate(text.split("\n"), start=1):
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
        if not valid_unicode(record["text"]):
            yield InputError(path, "has an unpaired surrogate escape (not Unicode text), "
                                   "record skipped", number, "text")
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
        if path.suffix.lower() in JSON_SUFFIXES and _import_export(store, path, report, on_added):
            continue
        for record in read_records(path):
            if isinstance(record, InputError):
                report.errors.append(str(record))
                continue
            try:
                doc, created = store.add_document(**record)
            except StoreError as exc:
                report.errors.append(f"{record['source']}: {exc}, skipped")
                continue
            if created:
                report.added.append(doc)
                if on_added is not None:
                    on_added(doc)
            else:
                report.duplicates.append(f"{record['source']}: already imported as {doc.id}")
    return report


def _import_export(store: Store, path: Path, report: ImportReport,
                   on_added: Callable[[Document], None] | None) -> bool:
    """Hand an annotation export (or a ``.json`` of documents) to the importers; False if it is
    JSONL of plain documents, which ``read_records`` handles."""
    from annotations import importers

    shape = importers.detect(path)
    if shape in (None, "text") and path.suffix.lower() == ".jsonl":
        return False
    report.merge(importers.import_file(
        store, path, "annotty" if shape == "text" else shape or "", on_added=on_added))
    return True
