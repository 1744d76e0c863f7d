"""``Store.undo``/``redo`` say what they did as a typed ``UndoStep``, not a dict (issue 11)."""

from __future__ import annotations

import dataclasses

import pytest

from annotations.entities.corrections import add_entity
from annotations.review.decisions import decide_matching
from annotations.review.filters import ReviewFilter
from annotations.store import Store, UndoStep

pytestmark = pytest.mark.both_backends

TEXT = "Alice said batteries last. Bob said they do not."


def test_a_single_change_undone_and_redone(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    claim = store.add_claim(doc.id, 0, 5, "fact")
    store.update_claim(claim.id, stance="favor")
    undone = store.undo(doc.id)
    assert isinstance(undone, UndoStep)
    assert (undone.action, undone.kind, undone.item_id, undone.doc_id) == (
        "update",
        "claim",
        claim.id,
        doc.id,
    )
    assert (undone.count, undone.batch) == (1, "")
    assert undone.state is not None and undone.state["stance"] == claim.stance
    assert undone.seq == max(h["seq"] for h in store.history() if h["action"] == "update")
    with pytest.raises(dataclasses.FrozenInstanceError):
        undone.count = 2  # type: ignore[misc]
    redone = store.redo(doc.id)
    assert redone is not None and redone.action == "update" and redone.state is not None
    assert redone.state["stance"] == "favor" and redone.seq == undone.seq


def test_undoing_a_create_leaves_no_state(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    claim = store.add_claim(doc.id, 0, 5, "fact")
    undone = store.undo()
    assert undone is not None and undone.action == "create" and undone.item_id == claim.id
    assert undone.state is None and store.claims() == []
    assert store.undo() is None and store.redo() is not None and store.redo() is None


def test_a_batch_says_how_many_and_which_batch(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    ids = {store.add_claim(doc.id, s, s + 3, "fact").id for s in (0, 6, 11)}
    result = decide_matching(store, ReviewFilter(), "accepted")
    undone = store.undo()
    assert undone is not None
    assert (undone.action, undone.kind, undone.count, undone.batch) == (
        "review",
        "claim",
        3,
        result.batch,
    )
    assert undone.item_id in ids
    redone = store.redo()
    assert redone is not None and (redone.count, redone.batch) == (3, result.batch)


def test_an_entity_correction_is_its_own_kind(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    add_entity(store, doc.id, 0, 5, "PERSON")
    undone = store.undo(doc.id)
    assert undone is not None and (undone.kind, undone.action) == ("entity_edit", "create")
