"""Assignments (``assignments``): which annotator is to annotate which document.

One row per (document, annotator). ``assign`` writes a plan (``annotations.assignments.plan``)
in one transaction, logged as history rows of kind ``assignment`` sharing one batch id, so one
undo by whoever assigned takes the whole run back. A database from before assignments existed
(opened read-only, never migrated) simply has none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from annotations.model import new_id, now_iso
from annotations.store import dialect, history
from annotations.store.base import StoreBase

COLUMNS = ("doc_id", "annotator", "assigned_at", "assigned_by")
KEY = ("doc_id", "annotator")

# Assignments are undoable like claims: an item is a (document, annotator) pair.
history.register("assignment", "assignments", "", COLUMNS, key=KEY)


@dataclass(frozen=True, slots=True)
class AssignmentProgress:
    """One annotator's assigned documents by their status (``todo``: not started)."""

    annotator: str
    assigned: int
    done: int
    in_progress: int
    skipped: int

    @property
    def todo(self) -> int:
        return self.assigned - self.done - self.in_progress - self.skipped


def has_assignments_table(conn: Any) -> bool:
    return "assignments" in dialect.table_names(conn)


def progress(conn: Any) -> list[AssignmentProgress]:
    """Per annotator with assignments (by name): assigned documents by that annotator's status.

    For the store's query modules (stats) as well as ``Assignments.assignment_progress``.
    """
    if not has_assignments_table(conn):
        return []
    rows = conn.execute(
        "select a.annotator, count(*),"
        " sum(case when s.status = 'done' then 1 else 0 end),"
        " sum(case when s.status = 'in_progress' then 1 else 0 end),"
        " sum(case when s.status = 'skipped' then 1 else 0 end)"
        " from assignments a join documents d on d.id = a.doc_id"
        " left join doc_state s on s.doc_id = a.doc_id and s.annotator = a.annotator"
        " group by a.annotator order by a.annotator"
    ).fetchall()
    return [AssignmentProgress(str(r[0]), *(int(v or 0) for v in r[1:])) for r in rows]


class Assignments(StoreBase):
    """Writes and reads of the ``assignments`` table."""

    def assign(self, pairs: Iterable[tuple[str, str]]) -> tuple[int, str]:
        """Assign each (doc_id, annotator) pair not assigned yet, in one transaction; logged as
        one batch of ``create`` rows (one undo takes the run back). Returns (rows added, batch
        id); pairs already present are left as they are."""
        batch = new_id()
        at = now_iso()
        entries: list[history.BatchEntry] = []
        with self.transaction() as conn:
            for doc_id, annotator in dict.fromkeys(pairs):
                state = {
                    "doc_id": doc_id,
                    "annotator": annotator,
                    "assigned_at": at,
                    "assigned_by": self.annotator,
                }
                added = conn.execute(
                    "insert into assignments(doc_id, annotator, assigned_at, assigned_by)"
                    " values (?, ?, ?, ?) on conflict (doc_id, annotator) do nothing",
                    (doc_id, annotator, at, self.annotator),
                ).rowcount
                if added:
                    item = history.item_id_of("assignment", state)
                    entries.append((item, doc_id, None, state))
            if entries:
                history.record_batch(conn, self.annotator, "create", "assignment", entries, batch)
        return len(entries), batch if entries else ""

    def has_assignments(self) -> bool:
        """Whether anyone is assigned anything (agreement, stats and the library ask)."""
        with self.reading() as conn:
            if not has_assignments_table(conn):
                return False
            return conn.execute("select 1 from assignments limit 1").fetchone() is not None

    def assignments_of(self, annotator: str | None = None) -> set[str]:
        """The documents assigned to ``annotator`` (default: this store's)."""
        with self.reading() as conn:
            if not has_assignments_table(conn):
                return set()
            rows = conn.execute(
                "select doc_id from assignments where annotator = ?",
                (annotator or self.annotator,),
            ).fetchall()
        return {str(r[0]) for r in rows}

    def assignees(self, doc_id: str) -> list[str]:
        """Who is assigned ``doc_id``, by name."""
        with self.reading() as conn:
            if not has_assignments_table(conn):
                return []
            rows = conn.execute(
                "select annotator from assignments where doc_id = ? order by annotator", (doc_id,)
            ).fetchall()
        return [str(r[0]) for r in rows]

    def assigned_annotators(self) -> set[str]:
        """Everyone with at least one assignment."""
        with self.reading() as conn:
            if not has_assignments_table(conn):
                return set()
            rows = conn.execute("select distinct annotator from assignments").fetchall()
        return {str(r[0]) for r in rows}

    def assignment_map(self) -> dict[str, list[str]]:
        """Every document with assignees: doc_id -> annotators by name."""
        out: dict[str, list[str]] = defaultdict(list)
        with self.reading() as conn:
            if not has_assignments_table(conn):
                return {}
            rows = conn.execute(
                "select doc_id, annotator from assignments order by doc_id, annotator"
            ).fetchall()
        for doc_id, annotator in rows:
            out[str(doc_id)].append(str(annotator))
        return dict(out)

    def assignment_progress(self) -> list[AssignmentProgress]:
        """Per annotator with assignments: assigned documents done, in progress, skipped."""
        with self.reading() as conn:
            return progress(conn)

    def known_annotators(self) -> list[str]:
        """Everyone the project knows by name, sorted: assigned annotators and whoever has
        claims, a document status or a history row (``annotty serve`` offers them when asking
        a browser tab who is annotating).

        The two large tables are read with a "loose index scan" written as a recursive query
        (one index step per distinct name, not one per row: plain ``distinct`` reads every row
        of a million-row history), which SQLite and PostgreSQL run alike."""
        names: set[str] = set()
        with self.reading() as conn:
            for table in ("claims", "history"):  # our own table names, each indexed by annotator
                rows = conn.execute(
                    "with recursive names(name) as ("
                    f" select min(annotator) from {table}"
                    f" union all select (select min(annotator) from {table} where annotator > name)"
                    " from names where name is not null"
                    ") select name from names where name is not null"
                ).fetchall()
                names.update(str(r[0]) for r in rows)
            rows = conn.execute("select distinct annotator from doc_state").fetchall()
            names.update(str(r[0]) for r in rows)
        names.update(self.assigned_annotators())
        return sorted(n for n in names if n.strip())
