"""Exporters: one module per format, all fed by one streaming reader of the store.

``export()`` is the single entry point for the CLI, the TUI and scripts: it picks the format from
``FORMATS``, applies ``Filters``, takes entities from a pluggable ``EntitySource`` and writes to a
stream or, atomically, to a path (a ``.partial`` file or folder renamed into place at the end, so
an interrupted export never leaves a truncated file under the real name).
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from annotations.errors import AnnottyError
from annotations.export.annotty_json import write_json, write_jsonl
from annotations.export.brat import FolderSink, preview_brat, write_brat
from annotations.export.csv_fmt import write_csv
from annotations.export.doccano import write_doccano, write_doccano_relations
from annotations.export.label_studio import write_label_studio
from annotations.export.source import (
    DocBundle,
    EntitySource,
    Filters,
    Progress,
    Tally,
    bundles,
    cached_entities,
    count_documents,
    default_entity_source,
)
from annotations.export.spacy_fmt import write_docbin, write_spacy_jsonl
from annotations.export.w3c import write_w3c
from annotations.store import Store

StreamWriter = Callable[[Iterable[DocBundle], TextIO], int]
PathWriter = Callable[[Iterable[DocBundle], Path], int]


@dataclass(frozen=True)
class Format:
    """An export format: its stream writer and, for folder or binary output, a path writer."""

    name: str
    description: str
    write: StreamWriter
    suffix: str
    lexer: str = "json"
    """Pygments lexer for the preview."""
    write_path: PathWriter | None = None
    path_suffix: str = ""
    """Use ``write_path`` for targets ending in this suffix; "" means every path target."""
    round_trips: bool = False
    entities: bool = True
    """False for formats that never write entities: the export then skips looking them up."""

    def uses_path_writer(self, target: Path) -> bool:
        return self.write_path is not None and (not self.path_suffix
                                                or target.suffix.lower() == self.path_suffix)


def _none(store: Store, doc_id: str, recognizer: str) -> None:
    return None


def _source(form: Format, chosen: EntitySource | None) -> EntitySource:
    if not form.entities:
        return _none
    return chosen or default_entity_source()


def _write_brat_folder(items: Iterable[DocBundle], folder: Path) -> int:
    return write_brat(items, FolderSink(folder))


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", "annotty JSON: documents, entities, claims", write_json, ".json",
           round_trips=True),
    Format("jsonl", "annotty JSONL: one document per line", write_jsonl, ".jsonl",
           round_trips=True),
    Format("w3c", "W3C Web Annotation (JSON-LD)", write_w3c, ".jsonld"),
    Format("label-studio", "Label Studio tasks (UTF-16 offsets)", write_label_studio, ".json",
           round_trips=True),
    Format("doccano", "doccano JSONL, label spans (UTF-16 offsets)", write_doccano, ".jsonl",
           round_trips=True),
    Format("doccano-relations", "doccano JSONL, entities + speaker relations (UTF-16)",
           write_doccano_relations, ".jsonl", round_trips=True),
    Format("brat", "brat standoff folder: .txt + .ann", preview_brat, "", lexer="text",
           write_path=_write_brat_folder),
    Format("spacy", "spaCy JSONL (ents, spans); a .spacy path writes a DocBin",
           write_spacy_jsonl, ".jsonl", write_path=write_docbin, path_suffix=".spacy"),
    Format("csv", "CSV, one row per claim", write_csv, ".csv", lexer="text", entities=False),
)}


def get_format(fmt: str) -> Format:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise AnnottyError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None


def export(
    store: Store,
    fmt: str,
    out: TextIO | str | Path,
    recognizer: str = "",
    *,
    filters: Filters | None = None,
    entity_source: EntitySource | None = None,
    progress: Progress | None = None,
) -> Tally:
    """Write the filtered documents in format ``fmt`` to a stream or a path; returns the tally.

    ``entity_source(store, doc_id, recognizer)`` supplies each document's entities (default:
    the recognizer's cache with the annotators' corrections applied); ``progress`` is called
    after each document and may raise to cancel (a path target is then left as it was).
    """
    form = get_format(fmt)
    tally = Tally()
    items = bundles(store, filters, recognizer, _source(form, entity_source), progress, tally)
    if not isinstance(out, str | Path):
        if form.write_path is not None and not form.path_suffix:
            raise AnnottyError(f"{fmt} writes a folder: give a folder path, not a stream")
        form.write(items, out)
        return tally
    target = Path(out)
    if form.uses_path_writer(target) and form.write_path is not None:
        _atomic_path(target, form.write_path, items, folder=not form.path_suffix)
    else:
        def write_stream(things: Iterable[DocBundle], path: Path) -> int:
            with path.open("w", encoding="utf-8", newline="") as stream:
                return form.write(things, stream)

        _atomic_path(target, write_stream, items, folder=False)
    return tally


def _atomic_path(target: Path, writer: PathWriter, items: Iterable[DocBundle],
                 folder: bool) -> None:
    partial = target.with_name(target.name + ".partial")
    if folder:
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise AnnottyError(f"{target}: exists and is not an empty folder; "
                               "choose a new folder name")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        writer(items, partial)
    except BaseException:
        if folder:
            shutil.rmtree(partial, ignore_errors=True)
        else:
            partial.unlink(missing_ok=True)
        raise
    if folder and target.exists():
        target.rmdir()
    os.replace(partial, target)


class _Full(Exception):
    """Raised by the preview buffer once it holds enough."""


class _Bounded(io.StringIO):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, s: str) -> int:
        room = self.limit - self.tell()
        if len(s) >= room:
            super().write(s[:max(room, 0)])
            raise _Full
        return super().write(s)


def preview(store: Store, fmt: str, recognizer: str = "", *, filters: Filters | None = None,
            entity_source: EntitySource | None = None, documents: int = 2,
            max_chars: int = 4000) -> str:
    """The start of an export, for a dialog: at most ``documents`` records and ``max_chars``."""
    form = get_format(fmt)
    buffer = _Bounded(max_chars)
    items = bundles(store, filters, recognizer, _source(form, entity_source))

    def first(things: Iterable[DocBundle]) -> Iterable[DocBundle]:
        for n, bundle in enumerate(things):
            if n >= documents:
                return
            yield bundle

    try:
        form.write(first(items), buffer)
    except _Full:
        return buffer.getvalue() + "\n…"
    finally:
        items.close()
    return buffer.getvalue()


__all__ = ["FORMATS", "EntitySource", "Filters", "Format", "Progress", "Tally",
           "cached_entities", "count_documents", "default_entity_source", "export", "get_format",
           "preview"]
