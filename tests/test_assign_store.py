"""Assignments in the store: written in one run, read per annotator and per document, undone
and redone as one step by whoever assigned, progress joined with document status."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotations.assignments import plan
from annotations.store import Store, history_check
from annotations.store.assignments import AssignmentProgress
from annotations.store.sqlite_schema import SCHEMA_VERSION

pytestmark = pytest.mark.both_backends


def _docs(store: Store, n: int) -> list[str]:
    return [
        store.add_document(f"Document number {i} says something.", f"D{i}")[0].id for i in range(n)
    ]


def test_assign_then_read_back(store: Store) -> None:
    ids = _docs(store, 4)
    assert not store.has_assignments() and store.assignments_of("alice") == set()
    pairs = plan(ids, ["alice", "bob", "carol"], 2).pairs
    added, batch = store.assign(pairs)
    assert added == 8 and batch
    assert store.has_assignments()
    by_doc = store.assignment_map()
    assert set(by_doc) == set(ids) and all(len(v) == 2 for v in by_doc.values())
    assert store.assignees(ids[0]) == sorted(n for d, n in pairs if d == ids[0])
    assert store.assignments_of("alice") == {d for d, n in pairs if n == "alice"}
    assert store.assigned_annotators() == {"alice", "bob", "carol"}
    assert store.assign(pairs) == (0, "")  # already there: nothing added, nothing logged
    rows = [h for h in store.history() if h["kind"] == "assignment"]
    assert len(rows) == 8 and {h["batch"] for h in rows} == {batch}
    assert {h["annotator"] for h in rows} == {"tester"}  # who assigned


def test_one_undo_takes_a_whole_run_back_and_redo_makes_it_again(store: Store) -> None:
    ids = _docs(store, 3)
    doc = ids[0]
    store.add_claim(doc, 0, 8, "opinion")  # an earlier change of the assigner stays
    store.assign(plan(ids, ["alice", "bob"], 2).pairs)
    step = store.undo()
    assert step is not None and step.kind == "assignment" and step.count == 6
    assert not store.has_assignments() and len(store.claims(doc)) == 1
    again = store.redo()
    assert again is not None and again.count == 6
    assert store.assignments_of("bob") == set(ids)
    assert store.undo() is not None and not store.has_assignments()  # again one step
    step = store.undo()
    assert step is not None and step.kind == "claim" and not store.claims(doc)


def test_progress_counts_each_annotators_own_status(store: Store) -> None:
    ids = _docs(store, 4)
    store.assign([(ids[0], "alice"), (ids[1], "alice"), (ids[2], "alice"), (ids[0], "bob")])
    store.set_status(ids[0], "done", annotator="alice")
    store.set_status(ids[1], "in_progress", annotator="alice")
    store.set_status(ids[0], "skipped", annotator="bob")
    store.set_status(ids[3], "done", annotator="alice")  # not assigned to her: not counted
    assert store.assignment_progress() == [
        AssignmentProgress("alice", assigned=3, done=1, in_progress=1, skipped=0),
        AssignmentProgress("bob", assigned=1, done=0, in_progress=0, skipped=1),
    ]
    assert store.assignment_progress()[0].todo == 1


def test_assignment_history_rows_pass_the_merge_check(store: Store) -> None:
    (doc,) = _docs(store, 1)
    store.assign([(doc, "alice")])
    (row,) = [h for h in store.history() if h["kind"] == "assignment"]
    assert history_check.problem(row, doc, {}) is None
    forged = {**row, "after": row["after"].replace('"alice"', '"mallory", "x": 1')}
    assert history_check.problem(forged, doc, {}) is not None


def test_a_version_5_database_gains_the_assignments_table(tmp_path: Path) -> None:
    """SQLite's own migration (a server database is created at the current version)."""
    path = tmp_path / "old.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("drop table assignments")
    conn.execute("pragma user_version = 5")
    conn.commit()
    conn.close()
    store = Store(path, annotator="me")
    try:
        (doc,) = _docs(store, 1)
        assert store.assign([(doc, "alice")])[0] == 1
        assert store.assignees(doc) == ["alice"]
        assert store.db.conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        store.close()


def test_a_document_id_with_the_key_separator_still_undoes(store: Store) -> None:
    doc, _ = store.add_document("A text whose id is odd.", "Odd", doc_id="odd\x1fid")
    store.assign([(doc.id, "alice")])
    step = store.undo()
    assert step is not None and step.kind == "assignment" and not store.has_assignments()
    assert store.redo() is not None and store.assignees(doc.id) == ["alice"]
