"""What an import did: documents added or already there, claims merged, and every problem.

One report type for plain files (``plain_files``) and annotation exports
(``annotation_files``), so the CLI and the app add them up the same way. An import of a
million documents must run in constant memory, so the report *counts* everything but keeps only
the first ``LISTED`` added documents (without their texts' weight mattering) and the first
``MAX_LINES`` lines of each kind; the CLI says how many more there were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from annotations.model import Document
from annotations.store.versions import VersionResult

LISTED = 1000
MAX_LINES = 100_000
T = TypeVar("T")


def _keep(kept: list[T], more: Sequence[T], limit: int = MAX_LINES) -> None:
    """Add what still fits under ``limit``: the report counts everything, lists only the first."""
    kept.extend(more[: max(0, limit - len(kept))])


@dataclass
class ImportReport:
    added: list[Document] = field(default_factory=list)
    """The first ``LISTED`` new documents (``added_count`` counts them all)."""
    duplicates: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things done by a guess the user should check (an encoding), one line naming the file."""
    added_count: int = 0
    duplicates_count: int = 0
    errors_count: int = 0
    documents_merged: int = 0
    """Documents of an annotation export that were already here: their claims merged in."""
    claims_added: int = 0
    claims_updated: int = 0
    claims_unchanged: int = 0
    claims_kept: int = 0
    """Claims the file has in an older version than this database: left as they are."""
    states_imported: int = 0
    """Document status/stance rows (``doc_state``) taken from the file."""
    entities_ignored: int = 0
    moved: list[str] = field(default_factory=list)
    """Spans placed by their quote because their offsets did not hold it."""
    versions: list[VersionResult] = field(default_factory=list)
    """The first ``LISTED`` documents stored as a new version (``versions_count``: all)."""
    versions_count: int = 0

    def version(self, result: VersionResult) -> None:
        self.versions_count += 1
        _keep(self.versions, (result,), LISTED)

    def add_document(self, doc: Document) -> None:
        self.added_count += 1
        _keep(self.added, (doc,), LISTED)

    def duplicate(self, line: str) -> None:
        self.duplicates_count += 1
        _keep(self.duplicates, (line,))

    def note(self, line: str) -> None:
        _keep(self.notes, (line,))

    def error(self, line: str) -> None:
        self.errors_count += 1
        _keep(self.errors, (line,))

    @property
    def n_added(self) -> int:
        return max(self.added_count, len(self.added))

    @property
    def n_duplicates(self) -> int:
        return max(self.duplicates_count, len(self.duplicates))

    @property
    def n_errors(self) -> int:
        return max(self.errors_count, len(self.errors))

    def merge(self, other: ImportReport) -> None:
        self.added_count = self.n_added + other.n_added
        self.duplicates_count = self.n_duplicates + other.n_duplicates
        self.errors_count = self.n_errors + other.n_errors
        _keep(self.added, other.added, LISTED)
        _keep(self.duplicates, other.duplicates)
        _keep(self.errors, other.errors)
        _keep(self.notes, other.notes)
        self.documents_merged += other.documents_merged
        self.claims_added += other.claims_added
        self.claims_updated += other.claims_updated
        self.claims_unchanged += other.claims_unchanged
        self.claims_kept += other.claims_kept
        self.states_imported += other.states_imported
        self.entities_ignored += other.entities_ignored
        self.moved += other.moved
        self.versions_count += other.versions_count
        _keep(self.versions, other.versions, LISTED)
