"""Reading annotations back: annotty JSON/JSONL, Label Studio tasks and doccano JSONL.

``import_file`` streams a file record by record into the store through ``ImportPlacer``: offsets are
converted to code points, documents and claims merge without duplicates, and every record it
cannot use is reported with its number rather than dropped. Importing the same file twice
changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotations.errors import InputError
from annotations.export.annotty_json_read import annotty_doc
from annotations.export.doccano_read import doccano_doc
from annotations.export.incoming import Reader, RecordError, version_problem
from annotations.export.label_studio_read import label_studio_doc
from annotations.imports.placement import ImportPlacer
from annotations.imports.records import (
    BadJSON,
    Header,
    first_record,
    json_records,
    jsonl_records,
    open_text,
)
from annotations.imports.report import ImportReport
from annotations.input_files import shown, stored_name
from annotations.model import Document
from annotations.store import Store

READERS: dict[str, Reader] = {
    "annotty": annotty_doc,
    "label-studio": label_studio_doc,
    "doccano": doccano_doc,
}
SHAPES = tuple(READERS)


def detect(path: Path) -> str | None:
    """``annotty``, ``label-studio``, ``doccano``, ``text`` (documents only) or None.

    Raises ``InputError`` for what is not a regular file (a FIFO would block forever)."""
    try:
        record, header = first_record(path)
    except OSError:
        return None  # import_file says why when it tries to read the file
    return shape_of(record, header)


def import_file(
    store: Store,
    path: str | Path,
    shape: str = "auto",
    on_added: Callable[[Document], None] | None = None,
    annotator: str | None = None,
) -> ImportReport:
    """Merge one exported file into ``store``; ``shape`` "auto" detects it from the first record.

    ``annotator`` names the claims of a file that does not say who made them (default: the
    store's annotator). ``on_added`` runs for every new document (e.g. to find its entities).
    """
    path = Path(path)
    store.check_writable()  # a read-only or damaged database: one line, before any read
    merger = ImportPlacer(store, shown(path), annotator or store.annotator, on_added)
    try:
        if shape == "auto":
            shape = detect(path) or ""
        reader = READERS.get(shape)
        if reader is None:
            merger.result.error(
                f"{shown(path)}: not an annotty, Label Studio or doccano export"
                + (f" (format {shown(shape)!r})" if shape else "")
            )
            return merger.result
        with open_text(path) as stream:
            header = Header()
            records = (
                jsonl_records(stream)
                if path.suffix.lower() == ".jsonl"
                else json_records(stream, header)
            )
            for number, record in records:
                refusal = _refused_version(header.values) if number <= 1 else None
                if refusal:
                    merger.result.error(f"{shown(path)}: {refusal}; nothing imported")
                    return merger.result
                _one_record(merger, reader, number, record, stored_name(path))
            merger.finish()
    except InputError as exc:
        merger.result.error(str(exc))
    except BadJSON as exc:
        merger.finish()
        merger.result.error(f"{shown(path)}: {exc}; the rest of the file was not read")
    except UnicodeDecodeError as exc:
        merger.finish()
        merger.result.error(f"{shown(path)}: not UTF-8 (byte {exc.start}); JSON must be UTF-8")
    except OSError as exc:
        merger.result.error(f"{shown(path)}: cannot read ({exc.strerror or exc})")
    return merger.result


def _refused_version(header: dict[str, Any]) -> str | None:
    """Why an annotty file's top-level ``version`` cannot be read here, or None."""
    if header.get("format") != "annotty" or "version" not in header:
        return None
    return version_problem(header["version"])


def _one_record(
    merger: ImportPlacer, reader: Reader, number: int, record: Any, source: str
) -> None:
    """One record into the store, or one line saying why not: never an exception."""
    if isinstance(record, BadJSON):
        merger.problem(number, f"{record}; skipped")
        return
    if not isinstance(record, dict):
        merger.problem(number, "not a JSON object; skipped")
        return
    try:
        incoming = reader(record, number, source)
    except RecordError as exc:
        merger.problem(number, f"{exc}; skipped")
        return
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError) as exc:
        # a shape no check above foresaw: the record is bad, the import goes on
        merger.problem(
            number, f"unexpected structure ({type(exc).__name__}: {str(exc)[:80]}); skipped"
        )
        return
    merger.document(incoming)


__all__ = ["SHAPES", "ImportReport", "detect", "import_file"]


def shape_of(record: Any, header: dict[str, Any]) -> str | None:
    """Which reader fits a record: annotty, label-studio, doccano, text (documents only)."""
    if header.get("format") == "annotty":
        return "annotty"
    if not isinstance(record, dict):
        return None
    if record.get("format") == "annotty" or ("text" in record and "claims" in record):
        return "annotty"
    if isinstance(record.get("data"), dict) or any(
        k in record for k in ("annotations", "predictions", "completions")
    ):
        return "label-studio"
    if "text" in record and any(k in record for k in ("label", "entities", "relations")):
        return "doccano"
    if isinstance(record.get("text"), str):
        return "text"
    return None
