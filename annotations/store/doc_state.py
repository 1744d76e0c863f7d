"""Document state: each annotator's status, reading position and document stance."""

from __future__ import annotations

from collections.abc import Iterable

from annotations.model import DOC_STATUSES, now_iso
from annotations.store.base import StoreBase, StoreError


class DocStates(StoreBase):
    """Per-annotator state of a document (a row in ``doc_state``)."""

    def merge_doc_states(self, rows: Iterable[dict[str, str]]) -> int:
        """Take document status/stance rows from another copy of the work, timestamps kept.

        Each row (doc_id, annotator, status, stance, updated_at) replaces the stored one only if
        it is newer, so importing an old export never undoes later work. Returns rows written.
        """
        written = 0
        with self.transaction() as conn:
            for row in rows:
                if row["status"] not in DOC_STATUSES:
                    raise StoreError(f"unknown status {row['status']!r}")
                written += conn.execute(
                    "insert into doc_state(doc_id, annotator, status, position, stance,"
                    " updated_at) values (?, ?, ?, 0, ?, ?) on conflict(doc_id, annotator)"
                    " do update set status = excluded.status, stance = excluded.stance,"
                    " updated_at = excluded.updated_at"
                    " where coalesce(doc_state.updated_at, '') < excluded.updated_at",
                    (
                        row["doc_id"],
                        row["annotator"],
                        row["status"],
                        row["stance"],
                        row["updated_at"],
                    ),
                ).rowcount
        return written

    def statuses(self, doc_id: str) -> dict[str, str]:
        """Every annotator's status of one document: annotator -> status."""
        rows = self._rows("select annotator, status from doc_state where doc_id = ?", [doc_id])
        return {r["annotator"]: r["status"] for r in rows}

    def doc_ids_with_status(self, status: str) -> set[str]:
        """Documents some annotator gave ``status`` (``done``: worked on)."""
        rows = self._rows("select distinct doc_id from doc_state where status = ?", [status])
        return {r["doc_id"] for r in rows}

    def status(self, doc_id: str, annotator: str | None = None) -> str:
        rows = self._rows(
            "select status from doc_state where doc_id = ? and annotator = ?",
            [doc_id, annotator or self.annotator],
        )
        return rows[0]["status"] if rows else "todo"

    def set_status(self, doc_id: str, status: str, annotator: str | None = None) -> None:
        if status not in DOC_STATUSES:
            raise StoreError(f"unknown status {status!r}; use one of {', '.join(DOC_STATUSES)}")
        who = annotator or self.annotator
        with self.transaction() as conn:
            conn.execute(
                "insert into doc_state(doc_id, annotator, status, position, updated_at,"
                " status_at) values (?, ?, ?, 0, ?, ?) on conflict(doc_id, annotator)"
                " do update set status = excluded.status, updated_at = excluded.updated_at,"
                " status_at = excluded.status_at",
                (doc_id, who, status, *[now_iso()] * 2),
            )

    def position(self, doc_id: str, annotator: str | None = None) -> int:
        """Where this annotator last left the document (a cursor offset)."""
        rows = self._rows(
            "select position from doc_state where doc_id = ? and annotator = ?",
            [doc_id, annotator or self.annotator],
        )
        return int(rows[0]["position"] or 0) if rows else 0

    def set_position(
        self, doc_id: str, offset: int, annotator: str | None = None, wait: float | None = None
    ) -> None:
        if self.readonly:  # a reading position is not work: a read-only database forgets it
            return
        with self.transaction(wait) as conn:
            conn.execute(
                "insert into doc_state(doc_id, annotator, status, position, updated_at)"
                " values (?, ?, 'todo', ?, ?) on conflict(doc_id, annotator)"
                " do update set position = excluded.position",
                (doc_id, annotator or self.annotator, offset, now_iso()),
            )

    def doc_stance(self, doc_id: str, annotator: str | None = None) -> str:
        """The annotator's stance for the document as a whole ('' when not set)."""
        rows = self._rows(
            "select stance from doc_state where doc_id = ? and annotator = ?",
            [doc_id, annotator or self.annotator],
        )
        return (rows[0]["stance"] or "") if rows else ""

    def set_doc_stance(self, doc_id: str, stance: str, annotator: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "insert into doc_state(doc_id, annotator, status, position, stance, updated_at,"
                " stance_at) values (?, ?, 'todo', 0, ?, ?, ?) on conflict(doc_id, annotator)"
                " do update set stance = excluded.stance, updated_at = excluded.updated_at,"
                " stance_at = excluded.stance_at",
                (doc_id, annotator or self.annotator, stance, *[now_iso()] * 2),
            )
