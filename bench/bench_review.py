"""Review and stats at scale: 10,000 documents and 100,000 claims, generated into a temp DB.

Core figures (SQL through ``annotations.review.filters`` and ``annotations.stats``) come first, then
the screens run headless (``App.run_test``) with the same methods as ``bench_app``: a key is
simulated as a terminal would send it and timed until the table's visible rows are redrawn.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotations import stats
from annotations.model import now_iso
from annotations.review.decisions import decide_matching
from annotations.review.filters import ReviewFilter
from annotations.review.listing import ReviewList, ReviewReader, load_context, matching_rowids
from annotations.store import Store
from bench.corpus import seed_texts
from bench.report import Report, current_rss_mb, median_ms

DOCS = 10_000
CLAIMS = 100_000
SIZE = (120, 40)
TYPES = ("statistical", "comparison", "causal", "prediction", "rule_or_law", "opinion", "other")
STANCES = ("favor", "against", "none")
TARGETS = (
    "China's technological leadership",
    "China-Russia relations",
    "Western technology policy",
    "",
)
PEOPLE = ("ann", "bob", "cy", "dee")
SPEAKERS = ("Chen Kaixin", "Guo Jiakun", "Xi Jinping", "Vladimir Putin", "", "")


Row = tuple[Any, ...]


def corpus_rows(
    docs: int = DOCS, claims: int = CLAIMS, seed: int = 11
) -> tuple[list[Row], list[Row], list[Row], Iterator[Row]]:
    """The generated corpus as table rows: documents of 3–8 seed paragraphs (id, title,
    source, text, meta, chars, words, imported_at), 8 entities and an entity run each, and
    ``claims`` sentence-sized claims (every column of ``claims`` in table order), the claims
    made as they are read (a million would not fit comfortably in memory as a list)."""
    rng = random.Random(seed)
    paragraphs = [p for t in seed_texts() for p in t.split("\n") if len(p) > 80]
    stamp = now_iso()
    doc_rows, entities, runs = [], [], []
    for d in range(docs):
        text = "\n".join(rng.choice(paragraphs) for _ in range(rng.randint(3, 8)))
        doc_id = f"{d:016x}"
        doc_rows.append(
            (
                doc_id,
                f"Generated document {d:05d}",
                "bench",
                text,
                "{}",
                len(text),
                len(text.split()),
                stamp,
            )
        )
        for k in range(8):
            start = rng.randrange(0, len(text) - 10)
            entities.append(
                (
                    doc_id,
                    start,
                    start + 7,
                    ("PERSON", "ORG", "GPE", "DATE")[k % 4],
                    "rules",
                    "builtin@1",
                )
            )
        runs.append((doc_id, "builtin@1", 8, stamp))

    def claim_rows() -> Iterator[Row]:
        for c in range(claims):
            doc = doc_rows[rng.randrange(docs)] if c >= docs else doc_rows[c]
            text = doc[3]
            start = rng.randrange(0, max(1, len(text) - 200))
            end = min(len(text), start + rng.randint(40, 200))
            yield (
                f"{c:032x}",
                doc[0],
                start,
                end,
                text[start:end],
                rng.choice(TYPES),
                rng.choice(STANCES),
                rng.choice(TARGETS),
                rng.choice(SPEAKERS),
                "",
                "",
                "",
                rng.choice(PEOPLE),
                "pending",
                "",
                "",
                "",
                stamp,
                stamp,
            )

    return doc_rows, entities, runs, claim_rows()


def generate(store: Store, seed: int = 11) -> None:
    """Documents of 3–8 seed paragraphs; 10 claims each on average, sentence-sized."""
    docs, entities, runs, claims = corpus_rows(DOCS, CLAIMS, seed)
    with store.transaction() as conn:
        # The FTS triggers index row by row; one rebuild at the end is several times faster.
        triggers = conn.execute(
            "select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'claims'"
        ).fetchall()
        for name, _ in triggers:
            conn.execute(f'drop trigger "{name}"')
        conn.executemany(
            "insert into documents(id, title, source, text, meta, chars, words,"
            " imported_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            docs,
        )
        conn.executemany(
            'insert into entities(doc_id, start, "end", label, source, recognizer)'
            " values (?, ?, ?, ?, ?, ?)",
            entities,
        )
        conn.executemany(
            "insert into entity_runs(doc_id, recognizer, count, computed_at) values (?, ?, ?, ?)",
            runs,
        )
        conn.executemany(f"insert into claims values ({','.join('?' * 19)})", list(claims))
        conn.execute("insert into claims_fts(claims_fts) values ('rebuild')")
        for _, sql in triggers:
            conn.execute(sql)


FILTERS = {
    "no filter (all 100k)": ReviewFilter(),
    "review=pending (all 100k)": ReviewFilter(review_status="pending"),
    "stance=against": ReviewFilter(stance="against"),
    "search 'battery'": ReviewFilter(search="battery"),
    "type+stance+annotator+search": ReviewFilter(
        claim_type="causal", stance="favor", annotator="bob", search="china"
    ),
}


def core(report: Report, store: Store) -> None:
    reader = ReviewReader(store)
    report.section("core: the list of matching claims (rowids in display order)")
    with reader.fresh() as conn:
        ms = median_ms(lambda: matching_rowids(conn, ReviewFilter()), repeat=5, warmup=1)
    report.add("display order of all claims (sort-free, cached between filters)", ms, "ms")
    for name, f in FILTERS.items():
        n = len(ReviewList.load(reader, f))
        ms = median_ms(lambda f=f: ReviewList.load(reader, f), repeat=7, warmup=1)
        report.add(f"{name}: {n:,} claims", ms, "ms", "<= 200 ms", ms <= 200)
    found = ReviewList.load(reader, ReviewFilter())
    middle = len(found) // 2
    page = median_ms(lambda: (found.invalidate(), found.row(middle)), repeat=25)
    report.add("fetch one page of 100 rows", page, "ms", "<= 16 ms", page <= 16)
    nxt = median_ms(lambda: found.next_pending(middle), repeat=25)
    report.add("next pending claim (all pending)", nxt, "ms", "<= 16 ms", nxt <= 16)
    row = found.row(middle)
    assert row is not None
    with reader.fresh() as conn:
        ctx = median_ms(lambda: load_context(conn, row.id), repeat=25)
    report.add("paragraph + entities of a claim", ctx, "ms", "<= 16 ms", ctx <= 16)
    with reader.fresh() as conn:
        counted = median_ms(lambda: stats.compute(conn), repeat=3, warmup=1)
    report.add("stats.compute over 100k claims", counted, "ms", "<= 1000 ms", counted <= 1000)
    reader.close()


def bulk(report: Report, store: Store) -> None:
    report.section("bulk decisions (one history row per claim, one batch)")
    f = ReviewFilter(stance="against")
    t = time.perf_counter()
    result = decide_matching(store, f, "accepted", "bench")
    report.add(
        f"bulk accept {result.count:,} claims (stance=against)",
        (time.perf_counter() - t) * 1000,
        "ms",
    )
    t = time.perf_counter()
    undone = store.undo()
    assert undone is not None and undone.count == result.count
    report.add(f"undo that batch ({result.count:,} claims)", (time.perf_counter() - t) * 1000, "ms")


async def wait_until(predicate: Any, poll: float = 0.0, timeout: float = 60.0) -> None:
    """Spin the event loop until ``predicate`` holds. Waiting for a thread worker, poll every
    millisecond instead: a busy spin holds the GIL and slows the worker it waits for, which
    an idle app (asleep in ``select``) never does."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(poll)


async def workers_done(app: Any) -> None:
    """Wait for the workers; ones cancelled by a newer one (exclusive groups) are fine."""
    from textual.worker import WorkerCancelled

    while True:
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


def paint(widget: Any) -> None:
    for y in range(widget.scrollable_content_region.height):
        widget.render_line(y)


async def screens(report: Report, store: Store, moves: int = 60) -> None:
    from tui.app import make_app
    from tui.screens.review import ReviewScreen
    from tui.screens.stats import StatsScreen
    from tui.widgets.claim_context import ClaimContextView
    from tui.widgets.claim_table import ClaimTable

    report.section("screens (headless, 120×40)")
    app = make_app(store)  # the real app: the screens ask it for key names and saves
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        t = time.perf_counter()
        screen = ReviewScreen(ReviewFilter())
        app.push_screen(screen)
        await wait_until(lambda: screen.list is not None, poll=0.001)
        table = screen.query_one(ClaimTable)
        paint(table)
        opened = (time.perf_counter() - t) * 1000
        report.add(
            "review screen open to table painted", opened, "ms", "<= 1000 ms", opened <= 1000
        )
        report.add(
            "  widgets in the table (rows are drawn, not mounted)",
            len(list(table.walk_children())),
            "",
        )

        for name, f in FILTERS.items():
            samples = []
            for _ in range(3):
                before = screen.list
                t = time.perf_counter()
                screen.apply_filter(f)
                await wait_until(lambda before=before: screen.list is not before, poll=0.001)
                paint(table)
                samples.append((time.perf_counter() - t) * 1000)
                await pilot.pause()
            med = statistics.median(samples)
            report.add(f"filter → table repainted: {name}", med, "ms", "<= 200 ms", med <= 200)

        screen.apply_filter(ReviewFilter())
        await wait_until(
            lambda: screen.list is not None and screen.list.filter.is_empty(), poll=0.001
        )
        await workers_done(app)
        context = screen.query_one(ClaimContextView)
        samples, shown = [], []
        for i in range(moves):
            if i and i % 20 == 0:
                table.move_to(table.cursor + 5_000)  # jump to rows not cached yet (not timed)
                await workers_done(app)
                await pilot.pause()
            before = table.cursor
            t = time.perf_counter()
            app.simulate_key("j")
            await wait_until(lambda before=before: table.cursor != before)
            paint(table)
            samples.append((time.perf_counter() - t) * 1000)
            target = table.current.id if table.current else ""
            await wait_until(
                lambda target=target: (
                    context.context is not None and context.context.claim.id == target
                ),
                poll=0.001,
            )
            shown.append((time.perf_counter() - t) * 1000)
        med = statistics.median(samples)
        report.add(
            f"next claim (j), key to table repaint (median of {moves})",
            med,
            "ms",
            "<= 16 ms",
            med <= 16,
        )
        report.add("  … and to its paragraph shown below (median)", statistics.median(shown), "ms")
        report.add("RSS with the review screen open", current_rss_mb(), "MB")

        t = time.perf_counter()
        stats_screen = StatsScreen()
        app.push_screen(stats_screen)
        await wait_until(lambda: stats_screen.numbers is not None, poll=0.001)
        await pilot.pause()  # layout and paint of the charts
        shown_ms = (time.perf_counter() - t) * 1000
        report.add(
            "stats screen open to charts drawn", shown_ms, "ms", "<= 1000 ms", shown_ms <= 1000
        )


def main() -> None:
    report = Report()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "review.db", annotator="bench")
        t = time.perf_counter()
        generate(store)
        report.section(f"generated corpus: {DOCS:,} documents, {CLAIMS:,} claims")
        report.add("generate (executemany into a temp DB)", (time.perf_counter() - t) * 1000, "ms")
        core(report, store)
        asyncio.run(screens(report, store))
        bulk(report, store)
        store.close()


if __name__ == "__main__":
    main()
