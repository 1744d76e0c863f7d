"""Agreement and adjudication once documents are assigned: only the overlap counts, i.e. each
annotator with assignments counts on their assigned documents; nothing changes without any."""

from __future__ import annotations

import pytest

from annotations import adjudication, agreement
from annotations.agreement import GOLD
from annotations.store import Store

pytestmark = pytest.mark.both_backends

TEXT = "The tariff will hurt farmers. Prices rose again. Nobody expected that."


def _claim(store: Store, doc_id: str, who: str, stance: str = "favor") -> None:
    store.annotator = who
    store.add_claim(doc_id, 0, 29, "opinion", stance=stance)


def _corpus(store: Store) -> list[str]:
    """Three documents that alice and bob both annotated (they disagree on the third)."""
    ids = [store.add_document(f"{TEXT} ({i})", f"D{i}")[0].id for i in range(3)]
    for doc in ids:
        _claim(store, doc, "alice")
        _claim(store, doc, "bob", "against" if doc == ids[2] else "favor")
    return ids


def test_agreement_uses_only_the_documents_assigned_to_both(store: Store) -> None:
    d1, d2, d3 = _corpus(store)
    before = agreement.compute(store, ["alice", "bob"])
    assert before.documents == 3 and before.pairs[0]["kappa_stance"] is not None

    store.assign([(d1, "alice"), (d1, "bob"), (d2, "alice"), (d2, "carol"), (d3, "bob")])
    after = agreement.compute(store, ["alice", "bob"])
    assert after.documents == 1 and after.pairs[0]["documents"] == 1
    assert after.overall["f1_exact"] == 1.0  # d3, where they disagree, is no longer compared

    default = agreement.compute(store)  # everyone: carol has no claims, so still one document
    assert default.documents == 1


def test_annotators_without_assignments_still_count_everywhere(store: Store) -> None:
    d1, d2, _ = _corpus(store)
    for doc in (d1, d2):
        _claim(store, doc, GOLD)
    store.assign([(d1, "alice"), (d1, "bob")])
    gold = agreement.compute(store, ["alice", GOLD])  # the gold layer is never assigned
    assert gold.documents == 1  # alice counts on d1 only


def test_adjudication_lists_and_compares_the_overlap(store: Store) -> None:
    d1, d2, d3 = _corpus(store)
    assert [o.doc_id for o in adjudication.overview(store)] == [d1, d2, d3]
    store.assign([(d1, "alice"), (d1, "bob"), (d2, "alice"), (d2, "carol"), (d3, "bob")])
    shown = adjudication.overview(store)
    assert [(o.doc_id, o.annotators) for o in shown] == [(d1, ("alice", "bob"))]
    assert adjudication.compare(store, d2).annotators == ("alice",)
    assert adjudication.compare(store, d1).annotators == ("alice", "bob")
