"""One claim type: ``model.Claim``. The two lighter rows kept for speed (``ClaimRow`` for exports,
``Mark`` for agreement) must keep ``Claim``'s fields, and the review list hands out ``Claim``s.
One list of entity labels (``model.ENTITY_LABELS``) that the gazetteer, styles and form follow."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import get_type_hints

from annotations.agreement import Mark
from annotations.agreement import load as load_marks
from annotations.export.bundles import ClaimRow, bundles
from annotations.model import CLAIM_FIELDS, ENTITY_LABELS, SPEAKER_LABELS, Claim
from annotations.review.filters import ReviewFilter
from annotations.review.listing import ReviewList, ReviewReader
from annotations.store import Store

CLAIM_HINTS = get_type_hints(Claim)


def test_claim_row_has_exactly_the_claims_fields_types_and_defaults() -> None:
    fields = dataclasses.fields(Claim)
    assert ClaimRow._fields == tuple(f.name for f in fields) == CLAIM_FIELDS
    assert get_type_hints(ClaimRow) == CLAIM_HINTS
    assert ClaimRow._field_defaults == {
        f.name: f.default for f in fields if f.default is not dataclasses.MISSING
    }


def test_mark_is_a_part_of_claim_with_the_same_types() -> None:
    hints = get_type_hints(Mark)
    assert set(Mark._fields) <= set(CLAIM_FIELDS)
    assert hints == {name: CLAIM_HINTS[name] for name in Mark._fields}


TEXT = "Alpha said the sky is green. Beta denied that the sky is green at all.\n"


def _store_with_claims(path: Path, annotator: str = "ann") -> tuple[Store, list[Claim]]:
    store = Store(path, annotator=annotator)
    doc, _ = store.add_document(TEXT, "A title")
    made = [
        store.add_claim(doc.id, 0, 28, "factual", stance="favor", target="sky"),
        store.add_claim(doc.id, 29, 70, "opinion", stance="against", note="a note"),
    ]
    return store, made


def test_an_exported_claim_row_equals_the_stored_claim(tmp_path: Path) -> None:
    store, made = _store_with_claims(tmp_path / "a.db")
    (bundle,) = bundles(store)
    assert [Claim(*row) for row in bundle.claims] == [store.claim(c.id) for c in made]


def test_marks_carry_the_stored_claims_values(tmp_path: Path) -> None:
    _, ann = _store_with_claims(tmp_path / "a.db", "ann")
    store, bob = _store_with_claims(tmp_path / "a.db", "bob")
    chosen, covered = load_marks(store)
    assert chosen == ["ann", "bob"]
    doc_id = ann[0].doc_id
    for name, made in (("ann", ann), ("bob", bob)):
        expected = [Mark(*(getattr(c, f) for f in Mark._fields)) for c in made]
        assert sorted(covered[doc_id][name]) == sorted(expected)


def test_review_rows_are_the_stored_claims_with_their_documents_title(tmp_path: Path) -> None:
    store, made = _store_with_claims(tmp_path / "a.db")
    found = ReviewList.load(ReviewReader(store), ReviewFilter())
    rows = [found.row(i) for i in range(len(found))]
    assert rows == [store.claim(c.id) for c in made]
    assert all(isinstance(row, Claim) for row in rows)
    assert found.title(made[0].doc_id) == "A title"
    found.status_override[found.rowids[1]] = "accepted"
    row = found.row(1)
    assert row is not None and row.review_status == "accepted" and row.note == "a note"


def test_one_list_of_entity_labels() -> None:
    from tui.styles import ENTITY_COLOURS, ENTITY_LOOKS
    from tui.widgets.entity_form import ENTITY_KEYS

    assert len(set(ENTITY_LABELS)) == len(ENTITY_LABELS) == 18
    assert set(SPEAKER_LABELS) <= set(ENTITY_LABELS)
    assert set(ENTITY_LOOKS) == set(ENTITY_LABELS) <= set(ENTITY_COLOURS)
    assert {label for label, _key in ENTITY_KEYS} == set(ENTITY_LABELS)
