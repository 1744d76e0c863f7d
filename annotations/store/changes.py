"""The history of changes and this annotator's undo/redo over it."""

from __future__ import annotations

from typing import Any

from annotations import history
from annotations.store.base import StoreBase, StoreError


class Changes(StoreBase):
    """History rows (append-only) and undo/redo, for every kind of record."""

    def history(self, doc_id: str | None = None) -> list[dict[str, Any]]:
        where, params = ("where doc_id = ?", [doc_id]) if doc_id else ("", [])
        return self._rows(f"select * from history {where} order by seq", params)

    def undo(self, doc_id: str | None = None) -> dict[str, Any] | None:
        """Undo this annotator's latest change (in ``doc_id`` if given); None if nothing to undo.

        A history row that cannot be applied safely (forged or damaged) is refused with a
        ``StoreError`` naming it, and nothing is changed.
        """
        try:
            with self.transaction() as conn:
                return history.undo(conn, self.annotator, doc_id)
        except history.HistoryError as exc:
            raise StoreError(f"cannot undo: {exc}") from None

    def redo(self, doc_id: str | None = None) -> dict[str, Any] | None:
        try:
            with self.transaction() as conn:
                return history.redo(conn, self.annotator, doc_id)
        except history.HistoryError as exc:
            raise StoreError(f"cannot redo: {exc}") from None
