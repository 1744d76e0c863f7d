"""First-run setup: the bundled seed corpus goes into a new default database once."""

from __future__ import annotations

from pathlib import Path

from annotations import paths
from annotations.bulk_entities import RecognizerSpec
from annotations.entities import Recognizer
from annotations.imports.plain_files import ImportReport, Progress, import_paths
from annotations.store import Store

SEEDED = "seeded"


def ensure_seeded(store: Store, recognizer: Recognizer) -> ImportReport | None:
    """Import the seeds unless this database was seeded before (deleted seeds stay deleted)."""
    if store.setting(SEEDED) or store.documents():
        return None
    folder = paths.seeds_dir()
    if folder is None:
        return None
    report = import_with_entities(store, [folder], recognizer)
    store.set_setting(SEEDED, str(folder))
    return report


def import_with_entities(
    store: Store,
    sources: list[str | Path],
    recognizer: Recognizer,
    progress: Progress | None = None,
    spec: RecognizerSpec | None = None,
) -> ImportReport:
    """Import files and compute machine entities for each new document (in bulk: a batch of
    documents and their entities is one transaction; with ``spec``, a large import recognises
    in worker processes)."""
    return import_paths(store, sources, recognizer=recognizer, progress=progress, spec=spec)
