"""Entity corrections (``entity_edits``): one row per corrected span, undoable like claims.

What a correction means is ``annotations.entities.corrections``; this module stores them.
"""

from __future__ import annotations

from typing import Any

from annotations.store.base import StoreBase, Transaction


class EntityEdits(StoreBase):
    """Reads of the entity corrections (writes go through ``UndoHistory.log_change``)."""

    def entity_edits(self, doc_id: str | None = None) -> list[dict[str, Any]]:
        """A document's corrections (or every document's) as column dicts, in span order."""
        where, params = ("where doc_id = ?", [doc_id]) if doc_id else ("", [])
        return self._rows(
            f'select * from entity_edits {where} order by doc_id, start, "end"', params
        )

    def entity_edit_at(
        self, conn: Transaction, doc_id: str, start: int, end: int
    ) -> dict[str, Any] | None:
        """Inside ``transaction()``: the correction on exactly ``[start, end)``, or None."""
        cur = conn.execute(
            'select * from entity_edits where doc_id = ? and start = ? and "end" = ?',
            (doc_id, start, end),
        )
        row = cur.fetchone()
        return None if row is None else dict(zip([c[0] for c in cur.description], row, strict=True))
