"""Review at 1,000,000 claims on PostgreSQL (loopback): open, filter, search, page, next claim.

    python -m bench pg_review

The corpus (20,000 documents, 1,000,000 claims, the same shape as ``bench_review``'s) is loaded
with ``COPY`` into a fresh database of a throwaway cluster that keeps PostgreSQL's default
settings (``PgCluster(durable=True)``); the full-text index is built once after the load and
the tables are vacuumed and analysed, as autovacuum would leave them. Then the review runs
through ``annotations.review.listing`` exactly as the review screen calls it.
"""

from __future__ import annotations

import time
from functools import partial

import psycopg

from annotations.review.filters import ReviewFilter
from annotations.review.listing import ReviewList, ReviewReader, load_context
from annotations.store import Store
from bench.bench_review import corpus_rows
from bench.report import Report, median_ms
from tests.pg_cluster import PgCluster, PgUnavailable

DOCS = 20_000
CLAIMS = 1_000_000
OPEN_MS = 1000
FILTER_MS = 300
NEXT_MS = 16

FILTERS = {
    "review=pending (all 1M)": ReviewFilter(review_status="pending"),
    "stance=against": ReviewFilter(stance="against"),
    "annotator=bob + type=causal": ReviewFilter(annotator="bob", claim_type="causal"),
    "search 'battery'": ReviewFilter(search="battery"),
    "type+stance+annotator+search": ReviewFilter(
        claim_type="causal", stance="favor", annotator="bob", search="china"
    ),
}

_CLAIM_COLUMNS = (
    'rowid, id, doc_id, start, "end", quote, claim_type, stance, target, speaker, attribution,'
    " checkworthy, note, annotator, review_status, reviewer, review_note, reviewed_at,"
    " created_at, updated_at"
)


def generate(url: str, seed: int = 11) -> None:
    """Documents of 3–8 seed paragraphs, 50 claims each on average, copied in with ``COPY``.

    The GIN index over the claims' search vector is dropped for the load and built after it
    (what a bulk load into PostgreSQL does; the store's own inserts keep it up to date)."""
    docs, entities, runs, claims = corpus_rows(DOCS, CLAIMS, seed)  # bench_review's shapes
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set maintenance_work_mem = '512MB'")
        conn.execute("drop index if exists claims_search")
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy(
                "copy documents (rowid, id, title, source, text, meta, chars, words,"
                " imported_at) from stdin"
            ) as copy:
                for rowid, row in enumerate(docs, 1):
                    copy.write_row((rowid, *row))
            with cur.copy(
                'copy entities (doc_id, start, "end", label, source, recognizer) from stdin'
            ) as copy:
                for row in entities:
                    copy.write_row(row)
            with cur.copy(
                "copy entity_runs (doc_id, recognizer, count, computed_at) from stdin"
            ) as copy:
                for row in runs:
                    copy.write_row(row)
            with cur.copy(f"copy claims ({_CLAIM_COLUMNS}) from stdin") as copy:
                for rowid, row in enumerate(claims, 1):
                    copy.write_row((rowid, *row))
            # the identity columns go on after the rows copied in with their own rowids
            for table in ("documents", "claims"):
                cur.execute(
                    f"select setval(pg_get_serial_sequence('{table}', 'rowid'),"
                    f" (select max(rowid) from {table}))"
                )
        conn.execute("create index if not exists claims_search on claims using gin (search)")
        conn.execute("vacuum (analyze) documents, claims, entities, entity_runs")


def measure(report: Report, store: Store) -> None:
    reader = ReviewReader(store)
    every_claim = ReviewFilter()

    def load(f: ReviewFilter, with_reader: ReviewReader | None = None) -> ReviewList:
        return ReviewList.load(with_reader or reader, f)

    report.section("open the review list (all claims, display order)")
    t = time.perf_counter()
    every = load(every_claim)
    cold = (time.perf_counter() - t) * 1000
    report.add(
        f"open, cold (order computed): {len(every):,} claims",
        cold,
        "ms",
        f"<= {OPEN_MS} ms",
        cold <= OPEN_MS,
    )
    warm = median_ms(lambda: load(every_claim), repeat=7, warmup=1)
    report.add("open, warm (order cached)", warm, "ms", f"<= {OPEN_MS} ms", warm <= OPEN_MS)
    fresh = median_ms(lambda: load(every_claim, ReviewReader(store)), repeat=3, warmup=0)
    report.add(
        "open, new reader each time (order read again)",
        fresh,
        "ms",
        f"<= {OPEN_MS} ms",
        fresh <= OPEN_MS,
    )

    report.section("filters and search (ReviewList.load, order cached)")
    for name, f in FILTERS.items():
        n = len(load(f))
        ms = median_ms(partial(load, f), repeat=7, warmup=1)
        report.add(f"{name}: {n:,} claims", ms, "ms", f"<= {FILTER_MS} ms", ms <= FILTER_MS)

    report.section("moving through the list")
    middle = len(every) // 2

    def page_read() -> None:
        every.invalidate()
        every.row(middle)

    page = median_ms(page_read, repeat=25)
    report.add("fetch one page of 100 rows", page, "ms", f"<= {NEXT_MS} ms", page <= NEXT_MS)
    nxt = median_ms(lambda: every.next_pending(middle), repeat=25)
    report.add("next pending claim (all pending)", nxt, "ms", f"<= {NEXT_MS} ms", nxt <= NEXT_MS)
    row = every.row(middle)
    assert row is not None
    with reader.fresh() as conn:
        ctx = median_ms(lambda: load_context(conn, row.id), repeat=25)
    report.add("paragraph + entities of a claim", ctx, "ms", f"<= {NEXT_MS} ms", ctx <= NEXT_MS)

    report.section("after a reviewer's run of decisions")
    decided = _decided_run(store, every, middle)
    far = median_ms(lambda: every.next_pending(middle), repeat=9)
    report.add(
        f"next pending claim past {decided:,} decided ones",
        far,
        "ms",
        f"<= {NEXT_MS} ms",
        far <= NEXT_MS,
    )
    pending = ReviewFilter(review_status="pending")
    n = len(load(pending))
    ms = median_ms(partial(load, pending), repeat=7, warmup=1)
    report.add(
        f"review=pending: {n:,} claims (mask path)", ms, "ms", f"<= {FILTER_MS} ms", ms <= FILTER_MS
    )
    reader.close()


def _decided_run(store: Store, found: ReviewList, index: int, count: int = 2000) -> int:
    """Mark the ``count`` claims after ``index`` decided, as a reviewer's run of decisions
    leaves them (one UPDATE: their history does not matter here), so finding the next pending
    claim has to skip them all and review=pending no longer matches every claim."""
    ids = found.rowids[index + 1 : index + 1 + count].tolist()
    assert store.url is not None
    with psycopg.connect(store.url, autocommit=True) as conn:
        conn.execute("update claims set review_status = 'accepted' where rowid = any(%s)", [ids])
    return len(ids)


def main() -> None:
    report = Report()
    try:
        cluster = PgCluster(durable=True).start()
    except PgUnavailable as exc:
        print(f"  skipped: {exc}")
        return
    try:
        url = cluster.create_database()
        Store(url, annotator="bench").close()  # the schema, by the store's own migrations
        t = time.perf_counter()
        generate(url)
        report.section(f"generated corpus: {DOCS:,} documents, {CLAIMS:,} claims")
        report.add("generate (COPY, index build, vacuum)", (time.perf_counter() - t) * 1000, "ms")
        store = Store(url, annotator="bench")
        try:
            measure(report, store)
        finally:
            store.close()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
