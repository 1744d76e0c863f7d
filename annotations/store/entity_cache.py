"""The machine entity cache, keyed by recognizer name and version."""

from __future__ import annotations

from collections.abc import Iterable

from annotations.model import Entity, now_iso
from annotations.store.base import StoreBase


class EntityCache(StoreBase):
    """Machine entities cached per document and recognizer (a cache: never history)."""

    def cached_entities(self, doc_id: str, recognizer: str) -> list[Entity] | None:
        """The cached entities of a document, or None if that recognizer never ran on it."""
        if not self._rows(
            "select 1 from entity_runs where doc_id = ? and recognizer = ?", [doc_id, recognizer]
        ):
            return None
        rows = self._rows(
            'select start, "end", label, source from entities'
            ' where doc_id = ? and recognizer = ? order by start, "end"',
            [doc_id, recognizer],
        )
        return [Entity(r["start"], r["end"], r["label"], r["source"]) for r in rows]

    def cache_entities(
        self, doc_id: str, recognizer: str, entities: Iterable[Entity], wait: float | None = None
    ) -> int:
        rows = [(doc_id, e.start, e.end, e.label, e.source, recognizer) for e in entities]
        if self.readonly:  # only a cache: a read-only database recognizes again next time
            return len(rows)
        with self.transaction(wait) as conn:
            conn.execute(
                "delete from entities where doc_id = ? and recognizer = ?", (doc_id, recognizer)
            )
            conn.executemany(
                'insert into entities(doc_id, start, "end", label, source, recognizer)'
                " values (?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.execute(
                "insert into entity_runs(doc_id, recognizer, count, computed_at)"
                " values (?, ?, ?, ?) on conflict (doc_id, recognizer) do update set"
                " count = excluded.count, computed_at = excluded.computed_at",
                (doc_id, recognizer, len(rows), now_iso()),
            )
        return len(rows)
