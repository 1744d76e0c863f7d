"""Article versions in the store: a new text under the same id, claims and corrections carried
over (``Store.new_version``), the old text readable. Both backends; the texts are short."""

from __future__ import annotations

import pytest

from annotations.entities.corrections import add_entity
from annotations.model import Entity
from annotations.store import ConflictError, Store, StoreError
from annotations.store.versions import VERSION_AUTHOR

pytestmark = pytest.mark.both_backends

OLD = (
    "The mayor opened the bridge on Monday. It cost four million euros, the council said.\n\n"
    "Critics called the project a waste of money. Traffic fell by half within a week."
)
NEW = (
    "Updated: the council corrected the price.\n\n"
    "The mayor opened the bridge on Monday. It cost five million euros, the council said.\n\n"
    "Critics called the project a waste of money."
)


def _claim(store: Store, doc_id: str, quote: str, annotator: str = "tester") -> str:
    start = OLD.index(quote)
    store.annotator = annotator
    return store.add_claim(doc_id, start, start + len(quote), "fact").id


def test_new_version_carries_claims_and_keeps_the_old_text(store: Store) -> None:
    doc, _ = store.add_document(OLD, "Bridge", source="bridge.txt")
    exact = _claim(store, doc.id, "The mayor opened the bridge on Monday.")
    changed = _claim(store, doc.id, "It cost four million euros, the council said.", "other")
    lost = _claim(store, doc.id, "Traffic fell by half within a week.")
    add_entity(store, doc.id, OLD.index("Monday"), OLD.index("Monday") + 6, "DATE")
    add_entity(store, doc.id, OLD.index("Traffic"), OLD.index("Traffic") + 7, "ORG")

    result = store.new_version(
        doc.id, NEW, entities=[Entity(0, 7, "MISC", "rules")], recognizer="rules:1"
    )

    assert result is not None and result.version == 2
    assert result.counts == {"exact": 1, "moved": 0, "fuzzy": 1, "lost": 1}
    assert [c.kind for c in result.changed] == ["fuzzy", "lost"]
    claims = {c.id: c for c in store.claims(doc.id)}
    assert len(claims) == 3  # nothing lost for good
    for c in claims.values():
        assert NEW[c.start : c.end] == c.quote and c.end > c.start
    assert claims[exact].quote == "The mayor opened the bridge on Monday."
    assert claims[exact].start == NEW.index("The mayor")  # shifted by the new first paragraph
    assert claims[changed].quote == "It cost five million euros, the council said."
    assert claims[changed].annotator == "other"  # every annotator's claims follow
    anchors = store.claim_anchors(doc.id)
    assert set(anchors) == {changed, lost}
    assert anchors[changed].flag == "review" and anchors[changed].kind == "fuzzy"
    assert anchors[lost].flag == "lost" and anchors[lost].old_quote == (
        "Traffic fell by half within a week."
    )
    assert (anchors[lost].old_version, anchors[lost].doc_version) == (1, 2)
    # the document: new text, old one readable
    assert store.document(doc.id).text == NEW
    assert store.quote(doc.id, claims[exact].start, claims[exact].end) == claims[exact].quote
    assert [v.version for v in store.document_versions(doc.id)] == [1, 2]
    assert [v.chars for v in store.document_versions(doc.id)] == [len(OLD), len(NEW)]
    assert store.document_version(doc.id, 1).text == OLD
    assert store.document_version(doc.id, 2).text == NEW
    with pytest.raises(StoreError):
        store.document_version(doc.id, 3)
    # entity cache replaced; the correction on "Monday" moved, the one on "Traffic" dropped
    assert store.cached_entities(doc.id, "rules:1") == [Entity(0, 7, "MISC", "rules")]
    edits = store.entity_edits(doc.id)
    assert [(NEW[e["start"] : e["end"]], e["quote"]) for e in edits] == [("Monday", "Monday")]
    # history: one batch by no person, so no annotator's undo takes it back
    rows = [h for h in store.history(doc.id) if h["annotator"] == VERSION_AUTHOR]
    assert {(h["kind"], h["action"]) for h in rows} == {
        ("claim", "update"),
        ("entity_edit", "update"),
        ("entity_edit", "delete"),
    }
    assert len({h["batch"] for h in rows}) == 1


def test_same_text_again_is_no_version_and_a_third_keeps_the_first_flag(store: Store) -> None:
    doc, _ = store.add_document(OLD, "Bridge")
    lost = _claim(store, doc.id, "Traffic fell by half within a week.")
    assert store.new_version(doc.id, OLD) is None
    assert store.document_versions(doc.id) == store.document_versions(doc.id)[:1]
    assert store.new_version(doc.id, NEW) is not None
    third = NEW.replace("Critics", "Opponents")
    result = store.new_version(doc.id, third)
    assert result is not None and result.version == 3
    anchor = store.claim_anchors(doc.id)[lost]
    # still flagged, still showing the words its annotator chose on version 1
    assert (anchor.flag, anchor.old_version, anchor.old_quote) == (
        "lost",
        1,
        "Traffic fell by half within a week.",
    )
    claim = store.claim(lost)
    assert third[claim.start : claim.end] == claim.quote
    store.clear_anchor_flag(lost)
    assert store.claim_anchors(doc.id)[lost].flag == ""


def test_undo_cannot_put_old_offsets_on_the_new_text(store: Store) -> None:
    doc, _ = store.add_document(OLD, "Bridge")
    claim = _claim(store, doc.id, "Critics called the project a waste of money.")
    store.update_claim(claim, note="check the figure")
    store.new_version(doc.id, NEW)
    moved = store.claim(claim)
    with pytest.raises(ConflictError):
        store.undo(doc.id)  # the note's update: refused, the claim changed since
    after = store.claim(claim)
    assert NEW[after.start : after.end] == after.quote
    assert (after.start, after.end) == (moved.start, moved.end)


def test_unknown_document_and_bad_text_are_refused(store: Store) -> None:
    doc, _ = store.add_document(OLD, "Bridge")
    with pytest.raises(StoreError):
        store.new_version("nope", NEW)
    with pytest.raises(StoreError):
        store.new_version(doc.id, "a\x00b")
    assert store.document_versions(doc.id)[-1].version == 1


def test_a_deleted_claim_is_not_undone_onto_the_new_text(store: Store) -> None:
    doc, _ = store.add_document(OLD, "Bridge")
    claim = _claim(store, doc.id, "Traffic fell by half within a week.")
    store.delete_claim(claim)
    store.new_version(doc.id, NEW)  # the deleted claim's sentence is gone
    with pytest.raises(ConflictError, match="new version"):
        store.undo(doc.id)
    assert store.claims(doc.id) == []


def test_a_save_in_another_session_takes_the_new_text(db_target: str) -> None:
    """A second session (the running app) cached the old text; a version imported by the first
    must not give its next claim offsets or a quote from the old text."""
    first, other = Store(db_target, annotator="ann"), Store(db_target, annotator="bob")
    try:
        doc, _ = first.add_document(OLD, "Bridge")
        assert other.quote(doc.id, 0, 9) == OLD[:9]  # cached there
        first.new_version(doc.id, NEW)
        claim = other.add_claim(doc.id, 0, 8, "fact")
        assert claim.quote == NEW[:8] == "Updated:"
    finally:
        other.close()
        first.close()
