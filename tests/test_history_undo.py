"""Undo and redo through the indexes: the same steps as replaying the log, at any log size."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.model import new_id
from annotations.store import Store, history

pytestmark = pytest.mark.both_backends

TEXT = "One claim here. Another claim there. A third one follows. And a fourth at last." * 3

_OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "edit", "delete", "undo", "undo", "redo"]),
        st.integers(0, 1),
        st.integers(0, 50),
    ),
    max_size=30,
)


def _play(store: Store, docs: list[str], ops: list[tuple[str, int, int]], scoped: bool) -> None:
    """Do ``ops``; after each, the tops found through the indexes must be the replay's."""
    for op, which, n in ops:
        doc = docs[which]
        scope = doc if scoped else None
        mine = [c for c in store.claims(doc) if c.annotator == store.annotator]
        if op == "add":
            start = n % 60
            store.add_claim(doc, start, start + 5, "other")
        elif op == "edit" and mine:
            store.update_claim(mine[n % len(mine)].id, note=f"n{n}")
        elif op == "delete" and mine:
            store.delete_claim(mine[n % len(mine)].id)
        elif op == "undo":
            store.undo(scope)
        elif op == "redo":
            store.redo(scope)
        conn = store.db.conn
        for check in docs if scoped else [None]:
            undo_stack, redo_stack = history.stacks(conn, store.annotator, check)
            assert history.undo_top(conn, store.annotator, check) == (
                undo_stack[-1] if undo_stack else None
            )
            top = history.redo_top(conn, store.annotator, check)
            assert (None if top is None else history._entry(conn, top)["ref"]) == (
                redo_stack[-1] if redo_stack else None
            )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=_OPS, scoped=st.booleans())
def test_the_indexed_tops_are_the_replayed_tops(
    ops: list[tuple[str, int, int]], scoped: bool
) -> None:
    """Undo everywhere, or undo per document only: either way the walk down the index finds
    exactly what replaying the whole log finds (the old, slow definition)."""
    store = Store(None, annotator="ann")
    try:
        first, _ = store.add_document(TEXT, "a")
        second, _ = store.add_document(TEXT + " two", "b")
        _play(store, [first.id, second.id], ops, scoped)
    finally:
        store.close()


def test_a_new_change_in_the_document_ends_redo_there(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    a = store.add_claim(doc.id, 0, 5, "other")
    store.undo(doc.id)
    store.add_claim(doc.id, 10, 15, "other")
    assert store.redo(doc.id) is None
    assert a.id not in {c.id for c in store.claims()}


def test_undo_after_a_batch_undo_skips_the_batch_and_redo_brings_it_back(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    single = store.add_claim(doc.id, 0, 5, "other")
    claims = [store.add_claim(doc.id, i, i + 3, "other") for i in range(20, 60, 4)]
    with store.transaction() as conn:
        entries = []
        for claim in claims:
            row = history.current(conn, "claim", claim.id)
            assert row is not None
            new = {**row, "note": "bulk"}
            history.apply(conn, "claim", claim.id, new)
            entries.append((claim.id, doc.id, row, new))
        history.record_batch(conn, store.annotator, "update", "claim", entries)
    assert store.undo(doc.id).count == len(claims)
    assert store.undo(doc.id).item_id == claims[-1].id  # the create below the batch
    assert store.redo(doc.id).item_id == claims[-1].id
    assert store.redo(doc.id).count == len(claims)
    assert {c.note for c in store.claims() if c.id != single.id} == {"bulk"}


def _big_log(path: Path, rows: int) -> tuple[Store, str]:
    """A store whose history has ``rows`` rows, nearly all by this annotator, over 100
    documents, with a few annotators' rows between."""
    store = Store(path, annotator="ann")
    doc, _ = store.add_document(TEXT, "t")
    before = json.dumps({"id": "x", "note": ""})
    log = (
        (
            f"2026-01-01T00:00:{i % 60:02d}",
            "ann" if i % 7 else "bob",
            "update",
            "claim",
            f"c{i}",
            f"d{i % 100}",
            before,
            before,
            None,
            None,
        )
        for i in range(rows)
    )
    with store.transaction() as conn:
        conn.executemany(
            "insert into history(at, annotator, action, kind, item_id, doc_id,"
            " before, after, ref, batch) values (?,?,?,?,?,?,?,?,?,?)",
            log,
        )
    for i in range(20):
        store.add_claim(doc.id, i, i + 4, "other", note=new_id())
    return store, doc.id


def test_undo_does_not_replay_the_log(tmp_path: Path) -> None:
    """At 300,000 rows replaying took ~0.5 s a step; through the indexes it takes ~1 ms.
    (The 1,000,000-row figure is in ``python -m bench history``; this bound is loose.)"""
    store, doc_id = _big_log(tmp_path / "big.db", 300_000)
    try:
        times = []
        for scope in (doc_id, None) * 5:
            started = time.perf_counter()
            assert store.undo(scope) is not None
            assert store.redo(scope) is not None
            assert store.undo(scope) is not None
            times.append((time.perf_counter() - started) / 3)
        assert statistics.median(times) < 0.05
    finally:
        store.close()


def test_an_update_logs_only_what_changed_and_redo_restores_the_whole_claim(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    claim = store.add_claim(doc.id, 0, 15, "causal", stance="favor", target="growth")
    edited = store.update_claim(claim.id, note="checked")
    row = store.history()[-1]
    # what changed, and the span (so every row says which text it is about)
    assert set(json.loads(row["after"])) == {
        "id",
        "doc_id",
        "start",
        "end",
        "quote",
        "note",
        "updated_at",
    }
    assert len(row["after"]) < len(row["before"]) / 2  # the log grows by half as much
    store.undo(doc.id)
    assert store.claim(claim.id).note == ""
    store.redo(doc.id)
    assert store.claim(claim.id) == edited
