"""Entity corrections: stored, in history, undoable, applied over the machine's cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.entities import builtin
from annotations.entities import corrections as ed
from annotations.model import Entity
from annotations.store import Store, StoreError

pytestmark = pytest.mark.both_backends

TEXT = "Guo Jiakun said China and Russia agree. Xinren Miao Township is in Guizhou."


@pytest.fixture
def doc_id(store: Store) -> str:
    doc, _ = store.add_document(TEXT, "t")
    return doc.id


def spans(store: Store, doc_id: str) -> list[tuple[str, str, str]]:
    found = ed.document_entities(store, doc_id, builtin()) or []
    return [(TEXT[e.start : e.end], e.label, e.source) for e in found]


def at(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def test_add_relabel_remove_change_what_the_annotator_sees(store: Store, doc_id: str) -> None:
    assert ("Russia", "GPE", "gazetteer") in spans(store, doc_id)
    ed.add_entity(store, doc_id, *at("Xinren Miao Township"), "gpe")
    ed.relabel_entity(store, doc_id, *at("China"), "ORG")
    ed.remove_entity(store, doc_id, *at("Russia"))
    shown = spans(store, doc_id)
    assert ("Xinren Miao Township", "GPE", "manual") in shown
    assert ("China", "ORG", "manual") in shown and ("China", "GPE", "gazetteer") not in shown
    assert not [s for s in shown if s[0] == "Russia"]
    assert {c.quote for c in ed.corrections(store, doc_id)} == {
        "Xinren Miao Township",
        "China",
        "Russia",
    }


def test_a_manual_span_hides_machine_entities_inside_it(store: Store, doc_id: str) -> None:
    ed.add_entity(store, doc_id, *at("China and Russia"), "EVENT")
    shown = spans(store, doc_id)
    assert ("China and Russia", "EVENT", "manual") in shown
    assert not [s for s in shown if s[0] in ("China", "Russia")]


def test_every_correction_is_undoable_and_redoable(store: Store, doc_id: str) -> None:
    ed.relabel_entity(store, doc_id, *at("China"), "ORG")
    ed.relabel_entity(store, doc_id, *at("China"), "LOC")
    ed.remove_entity(store, doc_id, *at("China"))
    assert not [s for s in spans(store, doc_id) if s[0] == "China"]
    assert store.undo(doc_id).kind == "entity_edit"
    assert ("China", "LOC", "manual") in spans(store, doc_id)
    store.undo(doc_id)
    assert ("China", "ORG", "manual") in spans(store, doc_id)
    store.undo(doc_id)
    assert ("China", "GPE", "gazetteer") in spans(store, doc_id)
    store.redo(doc_id)
    assert ("China", "ORG", "manual") in spans(store, doc_id)
    actions = [(h["action"], h["kind"]) for h in store.history(doc_id)]
    assert actions[:3] == [
        ("create", "entity_edit"),
        ("update", "entity_edit"),
        ("update", "entity_edit"),
    ]


def test_the_same_correction_twice_writes_nothing(store: Store, doc_id: str) -> None:
    ed.add_entity(store, doc_id, *at("China"), "ORG")
    ed.add_entity(store, doc_id, *at("China"), "ORG")
    assert len(store.history(doc_id)) == 1


@pytest.mark.parametrize(
    ("start", "end", "label", "problem"),
    [
        (5, 5, "ORG", "outside"),
        (-1, 3, "ORG", "outside"),
        (0, 10_000, "ORG", "outside"),
        (0, 3, "not a label", "bad entity label"),
    ],
)
def test_bad_corrections_are_refused(
    store: Store, doc_id: str, start: int, end: int, label: str, problem: str
) -> None:
    with pytest.raises(StoreError, match=problem):
        ed.add_entity(store, doc_id, start, end, label)
    with pytest.raises(StoreError, match="no document"):
        ed.add_entity(store, "nope", 0, 3, "ORG")


def test_corrections_outlive_a_new_recognizer(tmp_path: Path) -> None:
    """Changing the gazetteer recomputes machine entities; corrections stay on their spans."""
    gazetteer = tmp_path / "entities.yaml"
    store = Store(tmp_path / "a.db", annotator="me")
    doc, _ = store.add_document(TEXT, "t")
    ed.relabel_entity(store, doc.id, *at("China"), "ORG")
    assert ed.document_entities(store, doc.id, builtin(gazetteer)) is not None
    ed.apply_everywhere(store, gazetteer, "Xinren Miao Township", "GPE")
    store.close()
    store = Store(tmp_path / "a.db", annotator="me")
    changed = builtin(gazetteer)
    assert store.cached_entities(doc.id, changed.key) is None
    shown = {
        (TEXT[e.start : e.end], e.label, e.source)
        for e in ed.document_entities(store, doc.id, changed) or []
    }
    assert ("Xinren Miao Township", "GPE", "gazetteer") in shown
    assert ("China", "ORG", "manual") in shown
    assert store.cached_entities(doc.id, changed.key) is not None
    store.close()


def test_apply_everywhere_can_also_ignore_a_name(tmp_path: Path) -> None:
    gazetteer = tmp_path / "entities.yaml"
    project = ed.apply_everywhere(None, gazetteer, "Russia", None)
    assert project.ignore == ("Russia",)
    assert "Russia" not in {e.text for e in builtin(gazetteer).recognize(TEXT)}


def test_exporters_get_corrections_through_the_cache_key(store: Store, doc_id: str) -> None:
    rec = builtin()
    assert ed.document_entities(store, doc_id, rec.key) is None  # nothing cached, nothing edited
    ed.add_entity(store, doc_id, *at("Guizhou"), "GPE")
    assert [e.source for e in ed.document_entities(store, doc_id, rec.key) or []] == ["manual"]
    store.cache_entities(doc_id, rec.key, rec.recognize(TEXT))
    assert len(ed.document_entities(store, doc_id, rec.key) or []) > 3


def test_a_version_1_database_gains_the_corrections_table(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("drop table entity_edits")
    conn.execute("pragma user_version = 1")
    conn.commit()
    conn.close()
    store = Store(path, annotator="me")
    doc, _ = store.add_document(TEXT, "t")
    ed.add_entity(store, doc.id, *at("China"), "ORG")
    assert len(ed.corrections(store)) == 1
    store.close()


_SPAN = st.tuples(st.integers(0, 40), st.integers(1, 8)).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=200, deadline=None)
@given(
    machine=st.lists(st.tuples(_SPAN, st.sampled_from(["GPE", "ORG"])), max_size=12),
    edits=st.lists(
        st.tuples(_SPAN, st.sampled_from(["", "PERSON"])), max_size=6, unique_by=lambda e: e[0]
    ),
)
def test_apply_corrections_properties(machine: list, edits: list) -> None:
    entities = [Entity(s, e, label, "rules") for (s, e), label in machine]
    corrections = [
        ed.Correction(str(i), "d", s, e, label) for i, ((s, e), label) in enumerate(edits)
    ]
    out = ed.apply_corrections(entities, corrections)
    assert out == sorted(out, key=lambda x: (x.start, x.end))
    labelled = [(c.start, c.end) for c in corrections if c.label]
    hidden = {(c.start, c.end) for c in corrections if not c.label}
    for c in corrections:
        if c.label:
            assert Entity(c.start, c.end, c.label, "manual", "") in out
    for x in out:
        if x.source == "rules":
            assert (x.start, x.end) not in hidden
            assert not any(s < x.end and x.start < e for s, e in labelled)
    kept = [
        x
        for x in entities
        if (x.start, x.end) not in hidden
        and not any(s < x.end and x.start < e for s, e in labelled)
    ]
    assert len([x for x in out if x.source == "rules"]) == len(kept)
