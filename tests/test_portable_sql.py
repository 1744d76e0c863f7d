"""The record modules' SQL runs the same on SQLite and PostgreSQL (issue 14).

Each test drives one construct that was SQLite-only before (``insert or replace``/``or ignore``,
``lastrowid``, ``total_changes``, ``json_extract``, ``json_object``, ``select *`` on a table whose
PostgreSQL form has extra ``rowid``/``search`` columns, ``where 1``, ``sqlite_master``) through
the store's public face, on both backends.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotations.export.bundles import Filters, count_documents
from annotations.model import CLAIM_FIELDS, Document, Entity, content_id, now_iso
from annotations.review.decisions import count_matching, decide_matching
from annotations.review.filters import ReviewFilter
from annotations.store import Store
from annotations.store.team_merge import DatabaseMerger

pytestmark = pytest.mark.both_backends

TEXT = "The economy grew by 3% last year. Critics say the figure is wrong. Tariffs rose."


def _doc(text: str, title: str) -> Document:
    return Document(content_id(text), title, text, imported_at=now_iso())


def test_settings_and_entity_runs_are_upserts(store: Store) -> None:
    store.set_setting("k", "one")
    store.set_setting("k", "two")
    assert store.setting("k") == "two"
    doc, _ = store.add_document(TEXT, "t")
    store.cache_entities(doc.id, "rules", [Entity(0, 3, "X")])
    store.cache_entities(doc.id, "rules", [Entity(0, 3, "X"), Entity(4, 11, "Y")])
    assert store.cached_entities(doc.id, "rules") == [Entity(0, 3, "X"), Entity(4, 11, "Y")]
    entities = store.stats()["entities"]
    assert entities == 2 and type(entities) is int  # not PostgreSQL's numeric sum


def test_add_documents_returns_only_the_new_ones(store: Store) -> None:
    first, second, third = (_doc(f"{TEXT} {n}", f"doc {n}") for n in range(3))
    assert [d.id for d in store.add_documents([first])] == [first.id]
    entities = {d.id: [Entity(0, 3, "X")] for d in (first, second, third)}
    new = store.add_documents([first, second, third, second], entities, "rules")
    assert [d.id for d in new] == [second.id, third.id, second.id]
    assert store.cached_entities(first.id, "rules") is None  # not new: its entities untouched
    assert store.cached_entities(third.id, "rules") == [Entity(0, 3, "X")]
    assert [d.id for d in store.documents()] == [first.id, second.id, third.id]
    again, fresh = store.add_document(first.text, "again")
    assert (again.id, fresh) == (first.id, False)


def test_claim_states_hold_only_the_claims_fields(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    claim = store.add_claim(doc.id, 0, 11, "causal")
    store.update_claim(claim.id, stance="favor")
    assert list(json.loads(store.history()[-1]["before"])) == list(CLAIM_FIELDS)
    seqs = [row["seq"] for row in store.history()]
    assert seqs == sorted(seqs) and len(set(seqs)) == 2
    step = store.undo()
    assert step is not None and step.state is not None
    assert set(step.state) == set(CLAIM_FIELDS)
    assert store.claim(claim.id).stance == claim.stance
    redone = store.redo()
    assert redone is not None and store.claim(claim.id).stance == "favor"


def test_bulk_review_writes_json_history_and_undoes(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    ids = [store.add_claim(doc.id, s, e, "causal").id for s, e in ((0, 11), (34, 41))]
    assert count_matching(store, ReviewFilter()) == 2  # the empty filter: "where true"
    result = decide_matching(store, ReviewFilter(), "accepted", "fine")
    assert result.count == 2
    rows = [r for r in store.history() if r["action"] == "review"]
    assert [r["item_id"] for r in rows] == ids
    for row in rows:
        before, after = json.loads(row["before"]), json.loads(row["after"])
        assert list(before) == list(after) == list(CLAIM_FIELDS)
        assert (before["review_status"], after["review_status"]) == ("pending", "accepted")
        assert after["review_note"] == "fine" and after["start"] == before["start"]
    store.undo()
    assert {store.claim(i).review_status for i in ids} == {"pending"}
    found = decide_matching(store, ReviewFilter(search="critic"), "rejected")
    assert found.count == 1 and store.claim(ids[1]).review_status == "rejected"


def test_model_marks_are_read_without_sql_json(store: Store) -> None:
    assert store.latest_model_mark("m") is None
    store.save_model("m", {"trained_at": {"history_seq": 7}, "w": [1.5]})
    assert store.latest_model_mark("m") == (1, 7)
    store.save_model("m", {"w": []})
    assert store.latest_model_mark("m") == (2, 0)
    with store.transaction() as conn:  # a damaged row reads as "seen nothing"
        conn.execute("update suggest_models set params = '{not json' where version = 2")
    assert store.latest_model_mark("m") == (2, 0)
    doc, _ = store.add_document(TEXT, "t")
    mark = store.history_mark()
    store.add_claim(doc.id, 0, 11, "causal")
    store.reject_candidate(
        doc.id, 34, 41, score=0.5, claim_type="causal", speaker="", suggester="s"
    )
    assert store.learning_changes_since(mark) == 2


def test_export_counts_documents(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    store.add_document(TEXT + " more", "u")
    store.add_claim(doc.id, 0, 11, "causal")
    assert count_documents(store) == 2
    assert count_documents(store, Filters(claim_type=("causal",), skip_empty=True)) == 1
    assert count_documents(store, Filters(suggestions=True)) == 2


def test_merge_into_the_store_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    source = Store(tmp_path / "laptop.db", annotator="alice")
    try:
        doc, _ = source.add_document(TEXT, "t")
        claim = source.add_claim(doc.id, 0, 11, "causal", stance="favor")
        source.update_claim(claim.id, note="checked")
        source.cache_entities(doc.id, "rules", [Entity(0, 3, "X")])
    finally:
        source.close()
    merger = DatabaseMerger(store)
    first = merger.merge_from(tmp_path / "laptop.db")
    assert (first.documents_added, first.claims_added, first.history_added) == (1, 1, 2)
    assert store.claim(claim.id).note == "checked"
    assert store.cached_entities(doc.id, "rules") == [Entity(0, 3, "X")]
    second = DatabaseMerger(store).merge_from(tmp_path / "laptop.db")
    assert not second.changed, second
    store.annotator = "alice"
    assert store.undo() is not None and store.claim(claim.id).note == ""


def test_record_reads_run_on_both(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "Tariffs", source="feeds/50%_off.txt")
    assert [n.id for n in store.documents_by_id_prefix(doc.id[:3], 5)] == [doc.id]
    assert [n.id for n in store.documents_named("nope", "50%_OFF")] == [doc.id]  # literal %, _
    assert store.documents_named("nope", "50x_off") == []
    assert dict(store.all_texts()) == store.document_texts([doc.id, "missing"]) == {doc.id: TEXT}
    store.add_claim(doc.id, 0, 11, "causal")
    store.accept_candidate(
        doc.id, 34, 41, score=0.9, claim_type="causal", speaker="", suggester="s"
    )
    store.reject_candidate(
        doc.id, 66, 73, score=0.2, claim_type="causal", speaker="", suggester="s"
    )
    assert store.decided_spans(doc.id) == {(34, 41), (66, 73)}
    assert [d.decision for d in store.decisions(doc.id)] == ["accepted", "rejected"]
    assert store.has_decision(doc.id, 66, 73, "rejected", "tester")
    assert [(e.start, e.source) for e in store.suggestion_examples()] == [
        (0, "claim"),
        (34, "claim"),
        (66, "rejected"),
    ]
    assert store.undo_decision(doc.id, 66, 73) is not None
    assert store.decided_spans(doc.id) == {(34, 41)}
    store.set_status(doc.id, "done")
    assert [d.doc_id for d in store.done_documents()] == [doc.id]
    assert (
        store.merge_doc_states(
            [
                {
                    "doc_id": doc.id,
                    "annotator": "bob",
                    "status": "done",
                    "stance": "",
                    "updated_at": "z",
                }
            ]
        )
        == 1
    )
    assert store.statuses(doc.id) == {"tester": "done", "bob": "done"}
    counts = store.stats()
    assert (counts["documents"], counts["claims"]) == (1, 2)
    assert counts["claims_by"]["claim_type"] == {"causal": 2}
