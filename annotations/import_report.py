"""What an import did: documents added or already there, claims merged, and every problem.

One report type for plain files (``annotations.corpus``) and annotation exports
(``annotations.importers``), so the CLI and the app add them up the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotations.model import Document


@dataclass
class ImportReport:
    added: list[Document] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    documents_merged: int = 0
    """Documents of an annotation export that were already here: their claims merged in."""
    claims_added: int = 0
    claims_updated: int = 0
    claims_unchanged: int = 0
    claims_kept: int = 0
    """Claims the file has in an older version than this database: left as they are."""
    entities_ignored: int = 0
    moved: list[str] = field(default_factory=list)
    """Spans placed by their quote because their offsets did not hold it."""

    def merge(self, other: ImportReport) -> None:
        self.added += other.added
        self.duplicates += other.duplicates
        self.errors += other.errors
        self.documents_merged += other.documents_merged
        self.claims_added += other.claims_added
        self.claims_updated += other.claims_updated
        self.claims_unchanged += other.claims_unchanged
        self.claims_kept += other.claims_kept
        self.entities_ignored += other.entities_ignored
        self.moved += other.moved
