"""The store: durable claims with history, undo/redo from the log, and a safe open."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.errors import InputError
from annotations.store import Store, StoreError

pytestmark = pytest.mark.both_backends

TEXT = "Alpha said the economy grew 5%. Beta disagreed 👨‍👩‍👧 strongly."


def test_claim_is_saved_with_its_quote_and_history(store: Store) -> None:
    doc, created = store.add_document(TEXT, "T")
    assert created
    claim = store.add_claim(doc.id, 0, 31, "statistical", stance="favor", target="economy")
    assert claim.quote == TEXT[0:31] == "Alpha said the economy grew 5%."
    assert store.claims(doc.id) == [claim]
    (entry,) = store.history(doc.id)
    assert (entry["action"], entry["kind"], entry["item_id"]) == ("create", "claim", claim.id)
    assert entry["annotator"] == "tester"


def test_offsets_are_code_points_even_after_emoji(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "T")
    start = TEXT.index("👨")
    end = TEXT.index(" strongly")
    claim = store.add_claim(doc.id, start, end, "opinion")
    assert claim.quote == "👨‍👩‍👧" == TEXT[start:end]


@pytest.mark.parametrize("span", [(-1, 3), (5, 5), (10, 4), (0, len(TEXT) + 1)])
def test_bad_spans_are_refused_and_nothing_is_written(store: Store, span: tuple[int, int]) -> None:
    doc, _ = store.add_document(TEXT, "T")
    with pytest.raises(StoreError):
        store.add_claim(doc.id, *span, "opinion")
    assert store.claims() == [] and store.history() == []


def test_same_text_is_one_document(store: Store) -> None:
    first, _ = store.add_document(TEXT, "one")
    second, created = store.add_document(TEXT, "two")
    assert not created and second.id == first.id and len(store.documents()) == 1


def test_undo_and_redo_walk_every_change(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "T")
    claim = store.add_claim(doc.id, 0, 5, "other", stance="none")
    store.update_claim(claim.id, stance="against")
    store.delete_claim(claim.id)
    assert store.claims() == []
    store.undo(doc.id)  # the delete
    assert store.claims()[0].stance == "against"
    store.undo(doc.id)  # the update
    assert store.claims()[0].stance == "none"
    store.undo(doc.id)  # the create
    assert store.claims() == []
    assert store.undo(doc.id) is None
    store.redo(doc.id)
    store.redo(doc.id)
    assert store.claims()[0].stance == "against"
    # a new change clears the redo stack
    store.update_claim(claim.id, note="checked")
    assert store.redo(doc.id) is None
    actions = [h["action"] for h in store.history(doc.id)]
    assert actions == [
        "create",
        "update",
        "delete",
        "undo",
        "undo",
        "undo",
        "redo",
        "redo",
        "update",
    ]


def test_undo_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    first = Store(path, annotator="ann")
    doc, _ = first.add_document(TEXT, "T")
    claim = first.add_claim(doc.id, 0, 5, "other")
    first.delete_claim(claim.id)
    first.close()
    again = Store(path, annotator="ann")
    again.undo(doc.id)
    assert [c.id for c in again.claims()] == [claim.id]
    again.close()


def test_undo_is_per_annotator(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    alice, bob = Store(path, annotator="alice"), Store(path, annotator="bob")
    doc, _ = alice.add_document(TEXT, "T")
    mine = alice.add_claim(doc.id, 0, 5, "other")
    bob.add_claim(doc.id, 6, 10, "other")
    bob.undo(doc.id)
    assert [c.id for c in alice.claims()] == [mine.id]
    alice.close(), bob.close()


def test_database_is_wal_and_fully_synchronous(tmp_path: Path) -> None:
    s = Store(tmp_path / "a.db")
    assert s.db.conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert s.db.conn.execute("pragma synchronous").fetchone()[0] == 2  # FULL
    s.close()


def test_corrupt_database_is_named_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    garbage = b"not a database at all" * 100
    path.write_bytes(garbage)
    with pytest.raises(InputError) as caught:
        Store(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == garbage


def test_reading_position_and_status_are_per_annotator(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    alice, bob = Store(path, annotator="alice"), Store(path, annotator="bob")
    doc, _ = alice.add_document(TEXT, "T")
    alice.set_position(doc.id, 12)
    alice.set_status(doc.id, "done")
    assert (alice.position(doc.id), alice.status(doc.id)) == (12, "done")
    assert (bob.position(doc.id), bob.status(doc.id)) == (0, "todo")
    with pytest.raises(StoreError):
        alice.set_status(doc.id, "finished")
    alice.close(), bob.close()


def test_many_processes_can_create_a_new_database_at_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "new.db"
    code = (
        "import sys; from annotations.store import Store; s = Store(sys.argv[1]);"
        " s.add_document('same text for all', 't'); print(len(s.documents()))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in results]
    assert [out.strip() for out, _ in results] == ["1"] * 6


def test_a_write_inside_a_write_fails_at_once_instead_of_waiting_for_itself(store: Store) -> None:
    with store.transaction(), pytest.raises(RuntimeError, match="inside another"):
        store.set_setting("k", "v")
    store.set_setting("k", "v")  # the store is fine afterwards
    assert store.setting("k") == "v"
