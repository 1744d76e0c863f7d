"""Bulk decisions: one history row per claim under one batch id, undone and redone as one step."""

from __future__ import annotations

import time
from dataclasses import asdict

import pytest
from test_review_support import tag_corpus

from annotations.model import Claim
from annotations.review.decisions import decide, decide_matching
from annotations.review.filters import ReviewFilter
from annotations.store import Store, history


@pytest.fixture
def tagged(seeded: Store) -> tuple[Store, list[Claim]]:
    return seeded, tag_corpus(seeded)


def statuses(store: Store) -> dict[str, tuple[str, str, str]]:
    return {c.id: (c.review_status, c.reviewer, c.review_note) for c in store.claims()}


def test_bulk_accept_is_one_batch_and_one_undo(tagged: tuple[Store, list[Claim]]) -> None:
    store, claims = tagged
    decide(store, claims[0].id, "rejected", "off topic")  # a favor claim, decided before
    before = statuses(store)
    f = ReviewFilter(stance="favor")
    favor = {c.id for c in claims if c.stance == "favor"}
    result = decide_matching(store, f, "accepted", "looks right")
    assert result.count == len(favor)  # the rejected one is changed too: it matches
    rows = [r for r in store.history() if r["batch"] == result.batch]
    assert len(rows) == len(favor) and {r["item_id"] for r in rows} == favor
    assert {r["action"] for r in rows} == {"review"}
    after = statuses(store)
    assert all(after[i] == ("accepted", "tester", "looks right") for i in favor)
    assert all(after[i] == before[i] for i in after if i not in favor)

    undone = store.undo()
    assert undone is not None and undone.count == len(favor)
    assert statuses(store) == before  # one undo, the whole batch; the earlier reject is back
    redone = store.redo()
    assert redone is not None and redone.count == len(favor)
    assert statuses(store) == after
    store.undo()
    assert store.undo() is not None  # the single decision is its own, older step
    assert store.claim(claims[0].id).review_status == "pending"


def test_claims_already_decided_that_way_keep_their_reviewer(
    tagged: tuple[Store, list[Claim]],
) -> None:
    store, claims = tagged
    store.annotator = "first"
    decide(store, claims[0].id, "accepted", "mine")
    store.annotator = "tester"
    result = decide_matching(store, ReviewFilter(), "accepted")
    assert result.count == len(claims) - 1
    assert store.claim(claims[0].id).reviewer == "first"
    assert decide_matching(store, ReviewFilter(), "accepted").count == 0


def test_undo_in_one_document_takes_the_whole_batch(tagged: tuple[Store, list[Claim]]) -> None:
    store, claims = tagged
    decide_matching(store, ReviewFilter(), "rejected", "bulk")
    doc_id = claims[0].doc_id
    undone = store.undo(doc_id)
    assert undone is not None and undone.count == len(claims)
    assert {c.review_status for c in store.claims()} == {"pending"}
    assert store.redo(doc_id).count == len(claims)
    assert {c.review_status for c in store.claims()} == {"rejected"}


def test_single_changes_after_a_batch_undo_first(tagged: tuple[Store, list[Claim]]) -> None:
    store, claims = tagged
    decide_matching(store, ReviewFilter(annotator="ann"), "accepted")
    store.update_claim(claims[1].id, note="later edit")
    entry = store.undo()
    assert entry is not None and entry.batch == "" and entry.action == "update"
    assert store.claim(claims[1].id).note == ""
    assert store.undo().count == len([c for c in claims if c.annotator == "ann"])
    assert store.undo() is None  # the claims were created by ann and bob, not by tester


def test_batch_undo_of_many_claims_is_fast(store: Store) -> None:
    """A bulk decision over tens of thousands of claims must undo in seconds, not minutes."""
    doc, _ = store.add_document("x" * 30_000, "big")
    stamp = "2026-01-01T00:00:00+00:00"
    rows = [
        (
            f"c{i:05d}",
            doc.id,
            i,
            i + 1,
            "x",
            "other",
            "none",
            "",
            "",
            "",
            "",
            "",
            "tester",
            "pending",
            "",
            "",
            "",
            stamp,
            stamp,
        )
        for i in range(20_000)
    ]
    with store.transaction() as conn:
        conn.executemany(f"insert into claims values ({','.join('?' * 19)})", rows)
    started = time.perf_counter()
    assert decide_matching(store, ReviewFilter(), "accepted").count == 20_000
    assert store.undo().count == 20_000
    assert store.redo().count == 20_000
    assert time.perf_counter() - started < 30
    undo_stack, redo_stack = history.stacks(store.db.conn, "tester", None)
    assert len(undo_stack) == 20_000 and redo_stack == []


def test_record_keeps_its_single_item_signature(store: Store) -> None:
    doc, _ = store.add_document("Some text here.", "t")
    claim = store.add_claim(doc.id, 0, 4, "other")
    with store.transaction() as conn:
        seq = history.record(conn, "tester", "update", "claim", claim.id, doc.id, None, None)
    assert store.history()[-1]["seq"] == seq and store.history()[-1]["batch"] is None


def test_mixed_batches_undo_every_kind_of_change(store: Store) -> None:
    """A batch may create, update and delete, with different values, even twice on one item
    (adjudication writes such batches): undo restores all, redo replays all."""
    doc, _ = store.add_document("One claim here. Another claim there. A third one.", "t")
    a = store.add_claim(doc.id, 0, 15, "other", note="a")
    b = store.add_claim(doc.id, 16, 36, "causal", note="b")
    before = {c.id: c for c in store.claims()}
    batch = "mixed-1"
    with store.transaction() as conn:
        rows = {c.id: asdict(c) for c in store.claims()}
        new = {**rows[a.id], "id": "new-claim", "start": 37, "end": 48, "quote": "A third one"}
        changed_a = {**rows[a.id], "note": "edited a", "stance": "favor"}
        changed_b = {**rows[b.id], "note": "edited b"}
        for item, old, state in (
            (a.id, rows[a.id], changed_a),
            (b.id, rows[b.id], changed_b),
            ("new-claim", None, new),
            (b.id, changed_b, None),
        ):
            history.apply(conn, "claim", item, state)
            history.record(
                conn,
                "tester",
                "update" if old and state else "create" if state else "delete",
                "claim",
                item,
                doc.id,
                old,
                state,
                batch=batch,
            )
    after = {c.id: c for c in store.claims()}
    assert set(after) == {a.id, "new-claim"} and after[a.id].note == "edited a"
    assert store.undo().count == 4
    assert {c.id: c for c in store.claims()} == before
    assert store.redo().count == 4
    assert {c.id: c for c in store.claims()} == after


def test_different_values_in_one_batch(store: Store) -> None:
    doc, _ = store.add_document("abcdefghij", "t")
    claims = [store.add_claim(doc.id, i, i + 1, "other") for i in range(5)]
    with store.transaction() as conn:
        entries = []
        for i, c in enumerate(claims):
            old = asdict(store.claim(c.id))
            new = {**old, "note": f"note {i % 2}", "stance": ("favor", "against")[i % 3 == 0]}
            history.apply(conn, "claim", c.id, new)
            entries.append((c.id, doc.id, old, new))
        history.record_batch(conn, "tester", "update", "claim", entries)
    edited = {c.id: (c.note, c.stance) for c in store.claims()}
    store.undo()
    assert {(c.note, c.stance) for c in store.claims()} == {("", "none")}
    store.redo()
    assert {c.id: (c.note, c.stance) for c in store.claims()} == edited
