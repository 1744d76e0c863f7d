"""Exporters: one module per format, all fed by one streaming reader of the store.

``export()`` is the single entry point for the CLI, the TUI and scripts: it picks the format from
``FORMATS``, applies ``Filters``, takes entities from a pluggable ``EntitySource`` and writes to a
stream or to a path. A path is written through a fresh file (or folder) created exclusively
beside it and renamed into place at the end (``annotations.atomic_write``): an interrupted export
never leaves a truncated file under the real name, and a symlink planted in a shared folder is
never written through.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, cast

from annotations import atomic_write
from annotations.entities import Recognizer
from annotations.errors import AnnottyError
from annotations.export.annotty_json import write_json, write_jsonl
from annotations.export.brat import FolderSink, preview_brat, write_brat
from annotations.export.bundles import (
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
from annotations.export.csv_fmt import write_csv, write_csv_raw
from annotations.export.doccano import write_doccano, write_doccano_relations
from annotations.export.html_report import write_html
from annotations.export.label_studio import write_label_studio
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
    no_suggestions: str = ""
    """Why the format cannot carry decided claim candidates; "" when it can."""

    def uses_path_writer(self, target: Path) -> bool:
        return self.write_path is not None and (
            not self.path_suffix or target.suffix.lower() == self.path_suffix
        )


def _none(store: Store, doc_id: str, recognizer: str) -> None:
    return None


def _source(form: Format, chosen: EntitySource | None) -> EntitySource:
    if not form.entities:
        return _none
    return chosen or default_entity_source()


def _write_brat_folder(
    items: Iterable[DocBundle], folder: Path, skipped: list[str] | None = None
) -> int:
    return atomic_write.replace_folder(
        folder, lambda fresh: write_brat(items, FolderSink(fresh), skipped)
    )


_CSV_ROWS = "CSV has one row per claim"

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "json",
            "annotty JSON: documents, entities, claims",
            write_json,
            ".json",
            round_trips=True,
        ),
        Format(
            "jsonl", "annotty JSONL: one document per line", write_jsonl, ".jsonl", round_trips=True
        ),
        Format("w3c", "W3C Web Annotation (JSON-LD)", write_w3c, ".jsonld"),
        Format(
            "label-studio",
            "Label Studio tasks (code-point offsets)",
            write_label_studio,
            ".json",
            round_trips=True,
        ),
        Format(
            "doccano",
            "doccano JSONL, label spans (UTF-16 offsets)",
            write_doccano,
            ".jsonl",
            round_trips=True,
        ),
        Format(
            "doccano-relations",
            "doccano JSONL, entities + speaker relations (UTF-16)",
            write_doccano_relations,
            ".jsonl",
            round_trips=True,
        ),
        Format(
            "brat",
            "brat standoff folder: .txt + .ann",
            preview_brat,
            "",
            lexer="text",
            write_path=_write_brat_folder,
            no_suggestions="brat standoff has no place for a score or a machine suggestion",
        ),
        Format(
            "spacy",
            "spaCy JSONL (ents, spans); a .spacy path writes a DocBin",
            write_spacy_jsonl,
            ".jsonl",
            write_path=write_docbin,
            path_suffix=".spacy",
        ),
        Format(
            "csv",
            "CSV, one row per claim (formula-like cells quoted for spreadsheets)",
            write_csv,
            ".csv",
            lexer="text",
            entities=False,
            no_suggestions=_CSV_ROWS,
        ),
        Format(
            "csv-raw",
            "CSV, one row per claim, cells exactly as stored (for programs)",
            write_csv_raw,
            ".csv",
            lexer="text",
            entities=False,
            no_suggestions=_CSV_ROWS,
        ),
        Format(
            "html",
            "HTML report: highlighted documents, claim tables, charts (self-contained)",
            write_html,
            ".html",
            lexer="html",
        ),
    )
}


def get_format(fmt: str) -> Format:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise AnnottyError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None


def suggestions_refused(fmt: str) -> str | None:
    """The one line saying that ``fmt`` cannot carry decided candidates, or None if it can."""
    form = get_format(fmt)
    if not form.no_suggestions:
        return None
    able = ", ".join(name for name, f in FORMATS.items() if not f.no_suggestions)
    return f"{fmt} cannot include decided candidates ({form.no_suggestions}); use {able}"


def export(
    store: Store,
    fmt: str,
    out: TextIO | str | Path,
    recognizer: str | Recognizer = "",
    *,
    filters: Filters | None = None,
    entity_source: EntitySource | None = None,
    progress: Progress | None = None,
) -> Tally:
    """Write the filtered documents in format ``fmt`` to a stream or a path; returns the tally.

    ``recognizer`` is the recognizer (or only its cache key). ``entity_source(store, doc_id,
    key)`` supplies each document's entities; by default the recognizer's entities with the
    annotators' corrections applied, computed (and cached) for documents the cache lacks when a
    recognizer object is given; with only a key, documents without cached entities are listed in
    ``Tally.entities_missing``. ``progress`` is called after each document and may raise to
    cancel (a path target is then left as it was).
    """
    form = get_format(fmt)
    if filters is not None and filters.suggestions:
        refused = suggestions_refused(fmt)
        if refused:
            raise AnnottyError(refused)
    tally = Tally()
    key = recognizer if isinstance(recognizer, str) else recognizer.key
    if entity_source is None and not isinstance(recognizer, str):
        entity_source = default_entity_source(recognizer)
    source = _source(form, entity_source)
    computed_before = getattr(source, "computed", 0)  # a source may serve previews too
    items = bundles(store, filters, key if form.entities else "", source, progress, tally)
    try:
        if not isinstance(out, str | Path):
            if form.write_path is not None and not form.path_suffix:
                raise AnnottyError(f"{fmt} writes a folder: give a folder path, not a stream")
            form.write(items, out)
        else:
            target = Path(out)
            if form.name == "brat":
                _write_brat_folder(items, target, tally.skipped)
            elif form.uses_path_writer(target) and form.write_path is not None:
                form.write_path(items, target)
            else:
                with atomic_write.open_for_replace(target, "w") as stream:
                    form.write(items, cast(TextIO, stream))
    finally:
        items.close()
        tally.entities_computed = getattr(source, "computed", 0) - computed_before
    return tally


class _Full(Exception):
    """Raised by the preview buffer once it holds enough."""


class _Bounded(io.StringIO):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, s: str) -> int:
        room = self.limit - self.tell()
        if len(s) >= room:
            super().write(s[: max(room, 0)])
            raise _Full
        return super().write(s)


def preview(
    store: Store,
    fmt: str,
    recognizer: str | Recognizer = "",
    *,
    filters: Filters | None = None,
    entity_source: EntitySource | None = None,
    documents: int = 2,
    max_chars: int = 4000,
) -> str:
    """The start of an export, for a dialog: at most ``documents`` records and ``max_chars``."""
    form = get_format(fmt)
    buffer = _Bounded(max_chars)
    key = recognizer if isinstance(recognizer, str) else recognizer.key
    if entity_source is None and not isinstance(recognizer, str):
        entity_source = default_entity_source(recognizer)
    items = bundles(store, filters, key, _source(form, entity_source))

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


__all__ = [
    "FORMATS",
    "EntitySource",
    "Recognizer",
    "Filters",
    "Format",
    "Progress",
    "Tally",
    "cached_entities",
    "count_documents",
    "default_entity_source",
    "export",
    "get_format",
    "preview",
    "suggestions_refused",
]
