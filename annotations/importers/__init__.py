"""Reading annotations back: annotty JSON/JSONL, Label Studio tasks and doccano JSONL.

``import_file`` streams a file record by record into the store through ``Merger``: offsets are
converted to code points, documents and claims merge without duplicates, and every record it
cannot use is reported with its number rather than dropped. Importing the same file twice
changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annotations.import_report import ImportReport
from annotations.importers.formats import READERS, RecordError, shape_of
from annotations.importers.merge import Merger
from annotations.importers.reading import (
    BadJSON,
    Header,
    first_record,
    json_records,
    jsonl_records,
    open_text,
)
from annotations.model import Document
from annotations.store import Store

SHAPES = tuple(READERS)


def detect(path: Path) -> str | None:
    """``annotty``, ``label-studio``, ``doccano``, ``text`` (documents only) or None."""
    try:
        record, header = first_record(path)
    except OSError:
        return None
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
    merger = Merger(store, str(path), annotator or store.annotator, on_added)
    if shape == "auto":
        shape = detect(path) or ""
    reader = READERS.get(shape)
    if reader is None:
        merger.result.errors.append(
            f"{path}: not an annotty, Label Studio or doccano export"
            + (f" (format {shape!r})" if shape else ""))
        return merger.result
    try:
        with open_text(path) as stream:
            records = (jsonl_records(stream) if path.suffix.lower() == ".jsonl"
                       else json_records(stream, Header()))
            for number, record in records:
                if isinstance(record, BadJSON):
                    merger.problem(number, f"{record}; skipped")
                    continue
                if not isinstance(record, dict):
                    merger.problem(number, "not a JSON object; skipped")
                    continue
                try:
                    incoming = reader(record, number, str(path))
                except RecordError as exc:
                    merger.problem(number, f"{exc}; skipped")
                    continue
                merger.document(incoming)
    except BadJSON as exc:
        merger.result.errors.append(f"{path}: {exc}; the rest of the file was not read")
    except UnicodeDecodeError as exc:
        merger.result.errors.append(f"{path}: not UTF-8 (byte {exc.start}); JSON must be "
                                      "UTF-8")
    except OSError as exc:
        merger.result.errors.append(f"{path}: cannot read ({exc.strerror or exc})")
    return merger.result


__all__ = ["SHAPES", "ImportReport", "detect", "import_file"]
