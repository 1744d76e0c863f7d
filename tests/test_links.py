"""Claim links ("same claim"): the store API on both backends, undo, the index kept in step,
and ``annotty similar``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from annotations.similar_claims import SimilarClaims
from annotations.store import Store, StoreError
from tests.test_cli_support import Ran

TWIN = "The minimum wage rose by 12 percent in 2023 across the northern region."
A_TEXT = f"Officials met on Monday. {TWIN} Nobody disputed it."
B_TEXT = f"A later report repeated it. {TWIN.replace('12', 'twelve')} Critics were silent."
C_TEXT = "Rainfall was unusually low this spring. Farmers asked for relief."


def _claim(store: Store, doc_id: str, text: str, quote: str) -> str:
    start = text.index(quote)
    return store.add_claim(doc_id, start, start + len(quote), "statistical").id


def _corpus(store: Store) -> tuple[str, str, str]:
    """Three claims in three documents: the first two say the same thing."""
    ids = []
    for title, text, quote in (
        ("A", A_TEXT, TWIN),
        ("B", B_TEXT, TWIN.replace("12", "twelve")),
        ("C", C_TEXT, "Rainfall was unusually low this spring."),
    ):
        doc, _ = store.add_document(text, title)
        ids.append(_claim(store, doc.id, text, quote))
    return ids[0], ids[1], ids[2]


@pytest.mark.both_backends
def test_link_unlink_and_clusters(store: Store) -> None:
    a, b, c = _corpus(store)
    assert store.claim_links() == [] and store.claim_clusters() == {}
    assert store.link_claims(b, a) is True
    assert store.link_claims(a, b) is False  # one pair, whichever order
    assert store.claim_links() == [tuple(sorted((a, b)))]
    assert store.linked_to(a) == {b} and store.linked_to(c) == set()
    store.link_claims(c, b)
    low = min(a, b, c)
    assert store.claim_clusters() == {a: low, b: low, c: low}  # transitive, smallest id
    assert store.unlink_claims(a, b) is True and store.unlink_claims(a, b) is False
    assert store.claim_clusters() == {b: min(b, c), c: min(b, c)}
    with pytest.raises(StoreError):
        store.link_claims(a, a)
    with pytest.raises(StoreError):
        store.link_claims(a, "no-such-claim")
    store.delete_claim(c)  # a deleted claim's link is not listed
    assert store.claim_links() == []


@pytest.mark.both_backends
def test_a_link_is_undone_and_redone_in_its_document(store: Store) -> None:
    a, b, _ = _corpus(store)
    doc_a = store.claim(a).doc_id
    store.link_claims(a, b)
    step = store.undo(doc_a)
    assert step is not None and step.kind == "claim_link" and step.action == "create"
    assert store.claim_links() == []
    assert store.redo(doc_a) is not None and store.linked_to(b) == {a}
    store.unlink_claims(a, b)
    assert store.undo(doc_a) is not None and store.linked_to(a) == {b}


def test_the_index_follows_saves_edits_and_deletes(store: Store) -> None:
    a, b, c = _corpus(store)
    index = SimilarClaims(store)
    found = index.similar(a)
    assert [s.claim.id for s in found][:1] == [b] and found[0].score > 0.8
    assert found[0].claim.title == "B" and not found[0].linked
    store.update_claim(c, start=0, end=len(C_TEXT))  # now quotes both sentences of C
    extra = store.add_document(f"Copied: {TWIN}", "D")[0]
    d = _claim(store, extra.id, f"Copied: {TWIN}", TWIN)
    assert [s.claim.id for s in index.similar(a)][:1] == [d]  # the exact copy wins
    assert index.similar(a)[0].score == 1.0
    store.delete_claim(d)
    assert d not in [s.claim.id for s in index.similar(a)]
    store.link_claims(a, b)
    first = index.similar(a)[0]
    assert first.claim.id == b and first.linked and first.cluster_id == min(a, b)
    assert all(s.claim.doc_id != store.claim(a).doc_id for s in index.similar(a))
    assert index.similar("no-such-claim") == []


def test_the_cli_lists_the_twin_first(tmp_path: Path, annotty: Callable[..., Ran]) -> None:
    db = tmp_path / "s.db"
    file_store = Store(db, annotator="alice")
    a, b, _ = _corpus(file_store)
    file_store.link_claims(a, b)
    file_store.close()
    ran = annotty("--db", str(db), "similar", a[:12], "--json", "--limit", "2")
    assert ran.returncode == 0, ran.stderr
    out = json.loads(ran.stdout)
    assert out["claim_id"] == a
    assert out["similar"][0]["claim_id"] == b and out["similar"][0]["linked"] is True
    assert out["similar"][0]["cluster_id"] == min(a, b) and out["similar"][0]["title"] == "B"
    text = annotty("--db", str(db), "similar", a)
    assert text.returncode == 0 and text.stdout.splitlines()[0].startswith("= ")
    assert b in text.stdout.splitlines()[0]
    missing = annotty("--db", str(db), "similar", "zzzz")
    assert missing.returncode != 0 and "no claim" in missing.stderr


@pytest.mark.both_backends
def test_review_groups_linked_claims(store: Store) -> None:
    from annotations.review.filters import ReviewFilter
    from annotations.review.listing import ReviewList, ReviewReader

    docs = [
        store.add_document(f"Claim one here. Claim two there. {i}", f"D{i}")[0] for i in range(3)
    ]
    c = [
        [_claim(store, d.id, d.text, q) for q in ("Claim one here.", "Claim two there.")]
        for d in docs
    ]
    store.link_claims(c[0][0], c[2][0])  # D0 one = D2 one
    store.link_claims(c[1][1], c[2][1])  # D1 two = D2 two
    store.link_claims(c[2][1], c[0][1])  # ... = D0 two
    reader = ReviewReader(store)
    try:

        def listed(f: ReviewFilter) -> list[str]:
            found = ReviewList.load(reader, f)
            return [row.id for i in range(len(found)) if (row := found.row(i)) is not None]

        # each group together, in display order, groups in the order of their first claim
        assert listed(ReviewFilter(cluster="linked")) == [
            c[0][0],
            c[2][0],
            c[0][1],
            c[1][1],
            c[2][1],
        ]
        assert listed(ReviewFilter(cluster=c[1][1])) == [c[0][1], c[1][1], c[2][1]]
        assert listed(ReviewFilter(cluster=c[0][0], document=docs[2].id)) == [c[2][0]]
    finally:
        reader.close()


def test_review_filter_takes_a_unique_start_of_a_claim_id(store: Store) -> None:
    from annotations.review.filters import ReviewError, ReviewFilter
    from annotations.schema import load

    a, b, _ = _corpus(store)
    assert ReviewFilter.parse([f"cluster={a[:10]}"]).validated(load(None), store).cluster == a
    with pytest.raises(ReviewError, match="no claim"):
        ReviewFilter(cluster="zzz").validated(load(None), store)


def test_export_gives_linked_claims_their_cluster(store: Store) -> None:
    import io

    import jsonschema

    from annotations.export import export
    from annotations.export.annotty_json import schema

    a, b, c = _corpus(store)
    store.link_claims(b, a)
    validator = jsonschema.Draft202012Validator(schema())
    out = io.StringIO()
    export(store, "json", out)
    data = json.loads(out.getvalue())
    validator.validate(data)
    got = {cl["id"]: cl["cluster_id"] for d in data["documents"] for cl in d["claims"]}
    assert got == {a: min(a, b), b: min(a, b), c: None}
    lines = io.StringIO()
    export(store, "jsonl", lines)
    for line in lines.getvalue().splitlines():
        validator.validate(json.loads(line))
    assert sum(f'"cluster_id":"{min(a, b)}"' in line for line in lines.getvalue().splitlines()) == 2


def test_an_encoder_finds_a_claim_in_other_words(store: Store) -> None:
    from tests.test_similar import SynonymEncoder

    texts = ("Car sales fell.", "Automobile sales fell.", "Banana prices rose.")
    ids = []
    for i, text in enumerate(texts):
        doc, _ = store.add_document(text, f"T{i}")
        ids.append(_claim(store, doc.id, text, text))
    plain = SimilarClaims(store).similar(ids[0])
    meant = SimilarClaims(store, SynonymEncoder()).similar(ids[0])
    assert meant[0].claim.id == ids[1]
    assert meant[0].score > next(s.score for s in plain if s.claim.id == ids[1])
