"""The history of changes and this annotator's undo/redo over it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotations.store import history
from annotations.store.base import StoreBase, StoreError, Transaction


@dataclass(frozen=True, slots=True)
class UndoStep:
    """What one ``undo`` or ``redo`` took back or made again.

    For a batch (a bulk review decision, an import) the fields other than ``count`` and
    ``batch`` describe the last of its changes restored.
    """

    action: str
    """The change undone or redone: ``create``, ``update``, ``delete`` or ``review``."""
    kind: str
    """The kind of item: ``claim``, ``entity_edit``, ``suggestion`` (a candidate decided)."""
    item_id: str
    doc_id: str
    seq: int
    """The history row of that change."""
    state: dict[str, Any] | None
    """The item as it is now (None: it no longer exists)."""
    count: int = 1
    """How many changes the step restored (more than one for a batch)."""
    batch: str = ""
    """The batch the step restored whole; "" for a single change."""

    @classmethod
    def of(cls, entry: dict[str, Any]) -> UndoStep:
        return cls(
            action=str(entry["action"]),
            kind=str(entry["kind"]),
            item_id=str(entry["item_id"]),
            doc_id=str(entry["doc_id"] or ""),
            seq=int(entry["seq"]),
            state=entry.get("state"),
            count=int(entry.get("count", 1)),
            batch=str(entry["batch"] or "") if "count" in entry else "",
        )


class UndoHistory(StoreBase):
    """History rows (append-only) and undo/redo, for every kind of record."""

    def history(self, doc_id: str | None = None) -> list[dict[str, Any]]:
        where, params = ("where doc_id = ?", [doc_id]) if doc_id else ("", [])
        return self._rows(f"select * from history {where} order by seq", params)

    def undo(self, doc_id: str | None = None) -> UndoStep | None:
        """Undo this annotator's latest change (in ``doc_id`` if given); None if nothing to undo.

        A history row that cannot be applied safely (forged or damaged) is refused with a
        ``StoreError`` naming it, and nothing is changed.
        """
        try:
            with self.transaction() as conn:
                entry = history.undo(conn, self.annotator, doc_id)
        except history.HistoryError as exc:
            raise StoreError(f"cannot undo: {exc}") from None
        return None if entry is None else UndoStep.of(entry)

    def redo(self, doc_id: str | None = None) -> UndoStep | None:
        try:
            with self.transaction() as conn:
                entry = history.redo(conn, self.annotator, doc_id)
        except history.HistoryError as exc:
            raise StoreError(f"cannot redo: {exc}") from None
        return None if entry is None else UndoStep.of(entry)

    def log_change(
        self,
        conn: Transaction,
        action: str,
        kind: str,
        item_id: str,
        doc_id: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        *,
        batch: str | None = None,
    ) -> None:
        """Inside ``transaction()`` (``conn`` is what it yielded): make the item equal
        ``after`` (None deletes it) and log the change, so undo can take it back."""
        history.apply(conn, kind, item_id, after)
        history.record(
            conn, self.annotator, action, kind, item_id, doc_id, before, after, batch=batch
        )
