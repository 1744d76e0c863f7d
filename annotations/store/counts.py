"""Counts over the whole database (``annotty info``)."""

from __future__ import annotations

from typing import Any

from annotations.store.base import StoreBase


class Counts(StoreBase):
    """Counts of documents, claims, entities and history."""

    def document_count(self) -> int:
        """How many documents are stored (cheap: no text is read)."""
        return int(self._rows("select count(*) as n from documents")[0]["n"])

    def stats(self) -> dict[str, Any]:
        one = self._rows(
            "select (select count(*) from documents) as documents,"
            " (select count(*) from claims) as claims,"
            " (select cast(coalesce(sum(count), 0) as bigint) from entity_runs r"
            "   where computed_at ="
            "   (select max(computed_at) from entity_runs r2 where r2.doc_id = r.doc_id))"
            "   as entities,"
            " (select count(*) from history) as history"
        )[0]
        by = {}
        for field in ("claim_type", "stance", "review_status", "annotator"):
            by[field] = {
                r["k"]: r["n"]
                for r in self._rows(
                    f"select {field} as k, count(*) as n from claims"
                    f" group by {field} order by n desc"
                )
            }
        return {**one, "claims_by": by}
