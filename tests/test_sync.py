"""Change detection: an app polling every second sees other annotators' changes, cheaply."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from annotations.store import Store
from annotations.store.watcher import Watcher, changes_since, last_seq

TEXT = "The deficit doubled in two years, the minister said on Monday. " * 10
ROOT = Path(__file__).resolve().parent.parent


def test_another_connection_adding_a_claim_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    mine = Store(path, annotator="alice")
    doc, _ = mine.add_document(TEXT, "t")
    other_doc, _ = mine.add_document(TEXT + " more", "u")
    watcher = Watcher(mine)
    assert not watcher.poll()
    bob = Store(path, annotator="bob")
    bob.add_claim(doc.id, 0, 11, "statistical")
    bob.add_claim(other_doc.id, 0, 11, "statistical")
    changes = watcher.poll()
    assert changes.doc_ids == {doc.id, other_doc.id}
    assert changes.annotators == {"bob"}
    assert changes.entries == 2 and changes.other
    assert not watcher.poll()  # reported once


def test_own_writes_are_reported_without_the_other_flag(tmp_path: Path) -> None:
    mine = Store(tmp_path / "t.db", annotator="alice")
    doc, _ = mine.add_document(TEXT, "t")
    watcher = Watcher(mine)
    mine.add_claim(doc.id, 0, 5, "opinion")
    changes = watcher.poll()
    assert changes.doc_ids == {doc.id} and changes.annotators == {"alice"}
    assert not changes.other


def test_changes_without_history_still_say_refresh(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    mine = Store(path, annotator="alice")
    watcher = Watcher(mine)
    Store(path, annotator="bob").add_document(TEXT, "imported by bob")
    changes = watcher.poll()
    assert changes and changes.other and changes.entries == 0


def test_changes_since_is_a_plain_function_over_history(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    start = last_seq(store)
    claim = store.add_claim(doc.id, 0, 5, "opinion")
    store.update_claim(claim.id, stance="favor")
    changes = changes_since(store, start)
    assert changes.seq == last_seq(store) == start + 2
    assert changes.entries == 2 and changes.doc_ids == {doc.id}
    assert not changes_since(store, changes.seq)


def test_another_process_is_seen_within_a_poll(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    mine = Store(path, annotator="alice")
    doc, _ = mine.add_document(TEXT, "t")
    watcher = Watcher(mine)
    code = (
        f"from annotations.store import Store; s = Store({str(path)!r}, annotator='carol');"
        f" s.add_claim({doc.id!r}, 3, 9, 'causal')"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    changes = watcher.poll()
    assert changes.doc_ids == {doc.id} and changes.annotators == {"carol"}


def test_an_idle_poll_is_cheap_even_with_a_long_history(tmp_path: Path) -> None:
    mine = Store(tmp_path / "t.db", annotator="alice")
    doc, _ = mine.add_document(TEXT, "t")
    with mine.transaction() as conn:  # 50k history rows, quickly
        conn.executemany(
            "insert into history(at, annotator, action, kind, item_id, doc_id)"
            " values ('2024', 'x', 'create', 'claim', ?, ?)",
            [(str(i), doc.id) for i in range(50_000)],
        )
    watcher = Watcher(mine)
    t0 = time.perf_counter()
    for _ in range(1000):
        watcher.poll()
    idle = (time.perf_counter() - t0) / 1000
    Store(tmp_path / "t.db", annotator="bob").add_claim(doc.id, 0, 4, "other")
    t0 = time.perf_counter()
    changes = watcher.poll()
    busy = time.perf_counter() - t0
    assert changes.entries == 1
    assert idle < 0.002 and busy < 0.02, (idle, busy)  # typically ~20 µs and ~200 µs
