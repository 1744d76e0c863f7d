"""Review in the core: filters, the ordered list of matching claims, paging, decisions."""

from __future__ import annotations

import sqlite3

import pytest
from test_review_support import tag_corpus

from annotations.model import Claim
from annotations.review.decisions import count_matching, decide
from annotations.review.filters import (
    ReviewError,
    ReviewFilter,
    fts_query,
    save_filter,
    saved_filter,
)
from annotations.review.listing import ReviewList, ReviewReader, load_context, matching_rowids
from annotations.store import Store


@pytest.fixture
def tagged(seeded: Store) -> tuple[Store, list[Claim]]:
    return seeded, tag_corpus(seeded)


def ids(store: Store, f: ReviewFilter) -> list[str]:
    reader = ReviewReader(store)
    found = ReviewList.load(reader, f)
    out = [row.id for row in (found.row(i) for i in range(len(found))) if row is not None]
    reader.close()
    return out


def test_filter_parse_aliases_and_errors() -> None:
    f = ReviewFilter.parse(
        ["type=causal", "stance=against", "status=pending", "q=battery", "doc=Beijing"]
    )
    assert f == ReviewFilter(
        claim_type="causal",
        stance="against",
        review_status="pending",
        search="battery",
        document="Beijing",
    )
    assert f.describe() == (
        "claim_type=causal · stance=against · review_status=pending · "
        "document=Beijing · search=battery"
    )
    assert ReviewFilter.from_json(f.to_json()) == f
    assert ReviewFilter().describe() == "all claims" and ReviewFilter().is_empty()
    assert ReviewFilter.from_json("not json") == ReviewFilter()
    with pytest.raises(ReviewError, match="unknown filter 'colour'"):
        ReviewFilter.parse(["colour=red"])
    with pytest.raises(ReviewError, match="not KEY=VALUE"):
        ReviewFilter.parse(["stance"])
    with pytest.raises(ReviewError, match="unknown review status"):
        ReviewFilter.parse(["status=maybe"])


def test_fts_query_never_passes_syntax_through() -> None:
    assert fts_query("battery  tech") == '"battery"* "tech"*'
    assert fts_query('say "hi" NEAR( -x *') == '"say"* """hi"""* "NEAR("* "-x"*'
    assert fts_query(" - * ") == ""


def test_order_is_library_order_then_offset(tagged: tuple[Store, list[Claim]]) -> None:
    store, claims = tagged
    order = {d.id: i for i, d in enumerate(store.documents())}
    expected = sorted(claims, key=lambda c: (order[c.doc_id], c.start))
    assert ids(store, ReviewFilter()) == [c.id for c in expected]


@pytest.mark.parametrize(
    "field, value",
    [
        ("claim_type", "causal"),
        ("stance", "against"),
        ("annotator", "bob"),
        ("target", "China-Russia relations"),
        ("review_status", "pending"),
    ],
)
def test_each_label_filter(tagged: tuple[Store, list[Claim]], field: str, value: str) -> None:
    store, claims = tagged
    got = set(ids(store, ReviewFilter(**{field: value})))
    assert got == {c.id for c in claims if getattr(c, field) == value}
    assert got and count_matching(store, ReviewFilter(**{field: value})) == len(got)


@pytest.mark.both_backends
def test_search_is_full_text_over_quote_and_note_with_prefixes(
    tagged: tuple[Store, list[Claim]],
) -> None:
    store, claims = tagged
    got = set(ids(store, ReviewFilter(search="batter")))
    assert got == {c.id for c in claims if "batter" in c.quote.lower()}
    assert got
    noted = set(ids(store, ReviewFilter(search="checked")))
    assert noted == {c.id for c in claims if c.note == "checked"}
    assert ids(store, ReviewFilter(search='"unbalanced NEAR(')) == []


def test_document_filter_by_id_or_title_words(tagged: tuple[Store, list[Claim]]) -> None:
    store, claims = tagged
    doc = store.documents()[1]
    by_id = ids(store, ReviewFilter(document=doc.id))
    assert set(by_id) == {c.id for c in claims if c.doc_id == doc.id}
    by_title = ids(store, ReviewFilter(document="innovative tech"))
    assert by_title == by_id
    assert ids(store, ReviewFilter(document="100%_")) == []


def test_filters_combine(tagged: tuple[Store, list[Claim]]) -> None:
    store, claims = tagged
    f = ReviewFilter(stance="favor", annotator="ann", search="china")
    expected = {
        c.id
        for c in claims
        if c.stance == "favor" and c.annotator == "ann" and "china" in c.quote.lower()
    }
    assert set(ids(store, f)) == expected and expected


def test_pages_are_fetched_lazily_and_next_pending_skips_decided(
    tagged: tuple[Store, list[Claim]],
) -> None:
    store, _ = tagged
    reader = ReviewReader(store)
    found = ReviewList.load(reader, ReviewFilter())
    assert not found.cached(0)
    first = found.row(0)
    assert first is not None and found.cached(0)
    assert found.row(len(found)) is None and found.row(-1) is None
    decide(store, first.id, "accepted")
    second = found.row(1)
    assert second is not None
    decide(store, second.id, "rejected", "duplicate")
    assert found.next_pending(-1) == 2  # asks the database, not the cached page
    assert found.row(1).review_status == "pending"  # the cached page is stale...
    found.invalidate()
    assert found.row(1).review_status == "rejected"  # ...until it is read again
    found.status_override[found.rowids[2]] = "accepted"  # a decision on its way to the store
    assert found.next_pending(-1) == 3
    assert found.next_pending(3, step=-1) is None
    assert found.index_of(second.id) == 1
    reader.close()


def test_decisions_record_reviewer_time_reason_in_history(
    tagged: tuple[Store, list[Claim]],
) -> None:
    store, claims = tagged
    claim = claims[0]
    rejected = decide(store, claim.id, "rejected", "  not a claim ")
    assert (rejected.review_status, rejected.reviewer, rejected.review_note) == (
        "rejected",
        "tester",
        "not a claim",
    )
    assert rejected.reviewed_at and rejected.updated_at == claim.updated_at
    row = store.history()[-1]
    assert (row["action"], row["annotator"], row["item_id"]) == ("review", "tester", claim.id)
    assert '"review_status": "rejected"' in row["after"]
    assert '"review_status": "pending"' in row["before"]
    reset = decide(store, claim.id, "pending")
    assert (reset.review_status, reset.reviewer, reset.review_note) == ("pending", "", "")
    store.undo()
    assert store.claim(claim.id).review_status == "rejected"
    store.undo()
    assert store.claim(claim.id).review_status == "pending"
    with pytest.raises(ReviewError):
        decide(store, claim.id, "maybe")
    with pytest.raises(ReviewError):
        decide(store, "nope", "accepted")


def test_edits_keep_the_rowid_the_review_list_pages_by(tagged: tuple[Store, list[Claim]]) -> None:
    store, claims = tagged
    reader = ReviewReader(store)
    found = ReviewList.load(reader, ReviewFilter())
    before = list(found.rowids)
    store.update_claim(claims[0].id, stance="none")
    decide(store, claims[1].id, "accepted")
    store.undo()
    store.undo()
    with reader.fresh() as conn:
        assert list(matching_rowids(conn, ReviewFilter())) == before
    reader.close()


@pytest.mark.both_backends
def test_reader_reads_while_a_write_is_open(tagged: tuple[Store, list[Claim]]) -> None:
    """WAL: paging the table must not wait for a long bulk write in another thread."""
    store, _ = tagged
    reader = ReviewReader(store)
    with store.transaction() as conn:
        conn.execute("update claims set review_status = 'accepted'")
        found = ReviewList.load(reader, ReviewFilter(review_status="pending"))
        assert len(found) == len(store.claims()) and found.row(0) is not None
    reader.close()


def test_saved_filter_is_per_annotator(tagged: tuple[Store, list[Claim]]) -> None:
    store, _ = tagged
    assert saved_filter(store) == ReviewFilter()
    save_filter(store, ReviewFilter(stance="against"))
    assert saved_filter(store) == ReviewFilter(stance="against")
    store.annotator = "someone else"
    assert saved_filter(store) == ReviewFilter()


def test_context_is_the_paragraph_with_its_entities(tagged: tuple[Store, list[Claim]]) -> None:
    store, claims = tagged
    claim = claims[1]
    text = store.document(claim.doc_id).text
    with ReviewReader(store).fresh() as conn:
        ctx = load_context(conn, claim.id)
        assert load_context(conn, "nope") is None
    assert ctx is not None and ctx.claim == claim
    assert ctx.text == text[ctx.offset : ctx.offset + len(ctx.text)]
    assert ctx.offset <= claim.start and claim.end <= ctx.offset + len(ctx.text)
    assert "\n" not in ctx.text and (ctx.offset == 0 or text[ctx.offset - 1] == "\n")
    assert ctx.entities and all(e.text == text[e.start : e.end] for e in ctx.entities)
    assert ctx.title == store.document(claim.doc_id).title


def test_context_of_a_huge_paragraph_is_clipped(store: Store) -> None:
    text = "word " * 20_000
    doc, _ = store.add_document(text, "one long line")
    claim = store.add_claim(doc.id, 50_000, 50_020, "other")
    with ReviewReader(store).fresh() as conn:
        ctx = load_context(conn, claim.id, window=500)
    assert ctx is not None and ctx.clipped and len(ctx.text) <= 1020
    assert ctx.text[claim.start - ctx.offset : claim.end - ctx.offset] == claim.quote


def test_in_memory_store_shares_its_connection() -> None:
    store = Store(None)
    reader = ReviewReader(store)
    with reader.fresh() as conn:
        assert conn is store.db.conn
    with reader.shared() as conn:
        assert isinstance(conn, sqlite3.Connection)
    reader.close()
    store.close()
