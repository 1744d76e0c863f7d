"""The review list's PostgreSQL path (built for 1,000,000 claims) against SQLite's.

On PostgreSQL the display order comes from one array per document, the cached order lives until
an exact change counter moves, and a filter's rowids are kept in order through a byte mask
(``annotations.review.listing``). These tests pin that the answers are SQLite's: the order
(documents as imported, then offset, then rowid), every filter and search, and that adding,
moving or deleting a claim (from this store or another one) is seen by the next load.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.model import Claim
from annotations.review.filters import ReviewFilter
from annotations.review.listing import ReviewList, ReviewReader, matching_rowids
from annotations.store import Store
from tests.pg_cluster import PgCluster

pytestmark = pytest.mark.both_backends

WORDS = ("battery", "batteries", "China", "chip", "café", "Cafe", "policy", "tariffs", "Über")
TYPES = ("causal", "statistical", "opinion")
STANCES = ("favor", "against", "none")
PEOPLE = ("ann", "bob")


EVERY = ReviewFilter()


def listed(store: Store, f: ReviewFilter = EVERY, reader: ReviewReader | None = None) -> list[str]:
    """The claim ids the review shows for ``f``, in display order."""
    own = reader or ReviewReader(store)
    found = ReviewList.load(own, f)
    rows = [found.row(i) for i in range(len(found))]
    if reader is None:
        own.close()
    return [row.id for row in rows if row is not None]


def build(store: Store, seed: int, docs: int = 4, claims: int = 30) -> list[Claim]:
    """A small corpus: documents of random words, claims at random offsets (with ties on
    ``start`` in one document), labels and reviews at random. Claims go to documents at
    random, so rowid order is not display order."""
    rng = random.Random(seed)
    ids = []
    for d in range(docs):
        text = " ".join(rng.choice(WORDS) for _ in range(40))
        doc, _ = store.add_document(text, f"Doc {d}", doc_id=f"doc{d}")
        ids.append((doc.id, len(text)))
    made = []
    for _ in range(claims):
        doc_id, size = rng.choice(ids)
        start = 0 if doc_id == "doc1" and rng.random() < 0.5 else rng.randrange(0, size - 20)
        claim = store.add_claim(
            doc_id,
            start,
            start + rng.randint(5, 20),
            rng.choice(TYPES),
            stance=rng.choice(STANCES),
            note=rng.choice(("", "battery", "the café chip")),
        )
        made.append(claim)
    for claim in made:
        if rng.random() < 0.3:
            store.update_claim(claim.id, review_status=rng.choice(("accepted", "rejected")))
    return made


def expected_order(store: Store, claims: list[Claim]) -> list[str]:
    """Documents in import order, then start, then insertion (rowid) order."""
    rank = {d.id: i for i, d in enumerate(store.documents())}
    added = {c.id: i for i, c in enumerate(claims)}
    live = {c.id: c for c in store.claims()}
    return sorted(live, key=lambda cid: (rank[live[cid].doc_id], live[cid].start, added[cid]))


def test_order_is_documents_then_start_then_rowid(store: Store) -> None:
    claims = build(store, seed=3)
    assert listed(store) == expected_order(store, claims)


def test_claims_at_one_offset_keep_the_order_they_were_added_in(store: Store) -> None:
    store.add_document("Tariffs rose and batteries fell.", "Ties", doc_id="t")
    made = [store.add_claim("t", 0, 7, TYPES[i % 3]) for i in range(5)]
    assert listed(store) == [c.id for c in made]


FILTERS = [
    ReviewFilter(stance="against"),
    ReviewFilter(claim_type="causal", stance="favor"),
    ReviewFilter(claim_type="opinion", annotator="tester", review_status="pending"),
    ReviewFilter(review_status="pending"),
    ReviewFilter(search="batt"),
    ReviewFilter(search="cafe"),
    ReviewFilter(search="china chip"),
    ReviewFilter(search="battery", stance="none", claim_type="causal"),
    ReviewFilter(document="doc2"),
    ReviewFilter(document="doc2", stance="favor"),
]


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: f.describe())
def test_filters_keep_display_order_and_match_the_fields(store: Store, f: ReviewFilter) -> None:
    claims = build(store, seed=5, claims=40)
    order = expected_order(store, claims)
    shown = listed(store, f)
    assert shown == [cid for cid in order if cid in set(shown)]  # a subsequence, in order
    fits = {
        c.id
        for c in store.claims()
        if all(getattr(c, k) == v for k, v in f.active() if k not in ("search", "document"))
        and (not f.document or c.doc_id == f.document)
    }
    if f.search:
        assert set(shown) <= fits and shown
    else:
        assert shown == [cid for cid in order if cid in fits]


@pytest.fixture
def twin(backend: str, tmp_path: object, request: pytest.FixtureRequest) -> Iterator[Store]:
    """The other backend's store, for comparing answers: PostgreSQL when the test runs on
    SQLite and SQLite when it runs on PostgreSQL."""
    if backend == "sqlite":
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(template=request.getfixturevalue("pg_template"))
        other = Store(url, annotator="tester")
        yield other
        other.close()
        cluster.drop_database(url.rsplit("/", 1)[1])
    else:
        other = Store(None, annotator="tester")
        yield other
        other.close()


def clear(store: Store) -> None:
    """Empty the store for the next example (through history, as a user's deletes would)."""
    for claim in store.claims():
        store.delete_claim(claim.id)
    with store.transaction() as conn:
        conn.execute("delete from documents")


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    fields=st.fixed_dictionaries(
        {},
        optional={
            "claim_type": st.sampled_from(TYPES),
            "stance": st.sampled_from(STANCES),
            "review_status": st.sampled_from(("pending", "accepted", "rejected")),
            "search": st.sampled_from(("batt", "café", "CAFE", "chi", "über", "policy tar")),
            "document": st.sampled_from(("doc0", "doc3")),
        },
    ),
)
def test_both_backends_give_the_same_ids_in_the_same_order(
    store: Store, twin: Store, seed: int, fields: dict[str, str]
) -> None:
    clear(store)
    clear(twin)
    made = build(store, seed)
    build(twin, seed)  # the same random corpus, made the same way
    f = ReviewFilter(**fields)
    # claim ids are random per store: compare by (document, offsets, labels) instead
    key = {
        s.location: {c.id: (c.doc_id, c.start, c.end, c.claim_type, c.stance) for c in s.claims()}
        for s in (store, twin)
    }
    ours = [key[store.location][cid] for cid in listed(store, f)]
    theirs = [key[twin.location][cid] for cid in listed(twin, f)]
    assert ours == theirs
    assert len(listed(store)) == len(made)


def test_a_claim_added_moved_or_deleted_is_seen_by_the_next_load(store: Store) -> None:
    claims = build(store, seed=7, claims=12)
    reader = ReviewReader(store)
    assert listed(store, reader=reader) == expected_order(store, claims)
    added = store.add_claim("doc0", 0, 5, "causal")
    claims.append(added)
    assert listed(store, reader=reader) == expected_order(store, claims)
    assert listed(store, reader=reader)[0] == added.id or store.documents()[0].id != "doc0"
    moved = claims[3]
    store.update_claim(moved.id, start=moved.start + 1 if moved.start == 0 else 0)
    assert listed(store, reader=reader) == expected_order(store, claims)
    store.delete_claim(claims[5].id)
    assert claims[5].id not in listed(store, reader=reader)
    assert listed(store, reader=reader) == expected_order(store, claims)
    reader.close()


def test_an_edit_that_keeps_the_offsets_keeps_the_cached_order(store: Store) -> None:
    build(store, seed=9, claims=10)
    reader = ReviewReader(store)
    with reader.fresh() as conn:
        first = reader.display_order(conn)
    claim = store.claims()[0]
    store.update_claim(claim.id, note="an edit", claim_type="opinion")
    store.update_claim(claim.id, review_status="accepted")
    with reader.fresh() as conn:
        assert reader.display_order(conn) is first  # not read again
    store.update_claim(claim.id, start=claim.start + 1)
    with reader.fresh() as conn:
        assert reader.display_order(conn) is not first
    reader.close()


def test_another_writer_is_seen_too(db_target: str) -> None:
    """Two stores on one database (two people): the reviewer's cached order follows the
    other's saves (on PostgreSQL, the other connection bumps its own counter row)."""
    mine, theirs = Store(db_target, annotator="rev"), Store(db_target, annotator="ann")
    try:
        claims = build(theirs, seed=11, claims=8)
        reader = ReviewReader(mine)
        assert listed(mine, reader=reader) == expected_order(mine, claims)
        claims.append(theirs.add_claim("doc2", 3, 9, "causal"))
        assert listed(mine, reader=reader) == expected_order(mine, claims)
        theirs.delete_claim(claims[0].id)
        assert claims[0].id not in listed(mine, reader=reader)
        reader.close()
    finally:
        mine.close()
        theirs.close()


def test_a_stale_order_is_filtered_not_extended(store: Store) -> None:
    """``matching_rowids`` keeps the order it is given: a claim newer than that order (a
    rowid past its end, which the byte mask has no room for) is left out, not an error."""
    build(store, seed=13, claims=10)
    reader = ReviewReader(store)
    with reader.fresh() as conn:
        stale = reader.display_order(conn)
    store.add_claim("doc1", 2, 8, "causal", stance="against")
    with reader.fresh() as conn:
        found = matching_rowids(conn, ReviewFilter(stance="against"), stale)
        fresh = matching_rowids(conn, ReviewFilter(stance="against"))
    assert list(found) == [r for r in fresh if r in set(stale)]
    assert len(fresh) == len(found) + 1
    reader.close()


def test_a_claim_without_its_document_never_stands_in_for_another(store: Store) -> None:
    """The order lists claims with a document. Pending claims (one decided, one orphaned)
    number as many as the listed claims: they are still not all of them, so the decided
    claim must not be shown (PostgreSQL counts the claims before trusting the count)."""
    store.add_document("Tariffs rose and batteries fell.", "Kept", doc_id="kept")
    store.add_document("A document about to vanish.", "Gone", doc_id="gone")
    kept = [store.add_claim("kept", i, i + 5, "causal") for i in range(4)]
    store.add_claim("gone", 0, 5, "causal")
    store.update_claim(kept[1].id, review_status="accepted")
    with store.transaction() as conn:
        conn.execute("delete from documents where id = 'gone'")
    assert listed(store) == [c.id for c in kept]
    pending = listed(store, ReviewFilter(review_status="pending"))
    assert pending == [kept[0].id, kept[2].id, kept[3].id]
