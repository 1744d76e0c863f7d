"""Undo and redo at 1,000,000 history rows, and what a save adds to the history.

The log is built with ``executemany`` (update rows, most by the annotator who undoes, some by
others, over 1,000 documents; their states are kept short so the build takes seconds, the sizes
of real rows are measured separately below). Undo and redo are timed
end to end (one durable transaction each, so the fsync is in the figure), and the part that
finds the step (``history.undo_top``/``redo_top``) on its own. A durable no-op write is printed
beside them: it is the floor that no undo can go below on this disk.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from annotations.store import Store, history
from bench.report import Report, median_ms

ROWS = 1_000_000
TEXT = "The economy grew by 3% last year, the ministry said. Critics disagree. " * 40


def build(store: Store, doc_id: str, rows: int) -> None:
    before, after = json.dumps({"note": ""}), json.dumps({"note": "edited"})

    def log(n: int):  # type: ignore[no-untyped-def]
        for i in range(n):
            who = "bob" if i % 5 == 0 else store.annotator
            yield (
                f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}",
                who,
                "update",
                "claim",
                f"c{i % 50_000}",
                f"d{i % 1000}",
                before,
                after,
                None,
                None,
            )

    store.db.conn.execute("pragma synchronous=OFF")  # building the fixture, not measuring
    with store.transaction() as conn:
        conn.executemany(
            "insert into history(at, annotator, action, kind, item_id, doc_id,"
            " before, after, ref, batch) values (?,?,?,?,?,?,?,?,?,?)",
            log(rows),
        )


def main() -> None:
    report = Report()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.db"
        store = Store(path, annotator="ann")
        doc, _ = store.add_document(TEXT, "bench")
        started = time.perf_counter()
        build(store, doc.id, ROWS)
        store.db.conn.execute("pragma synchronous=FULL")
        report.section(f"history of {ROWS:,} rows")
        report.add("build the log (executemany)", time.perf_counter() - started, "s")
        for i in range(30):
            claim = store.add_claim(doc.id, i, i + 10, "other", note=f"n{i}")
            store.update_claim(claim.id, stance="favor")
        conn = store.db.conn
        values = iter(range(10**9))

        def floor() -> float:
            t0 = time.perf_counter()
            store.set_setting("bench", str(next(values)))
            return (time.perf_counter() - t0) * 1000

        for scope, label in ((doc.id, "in the document"), (None, "everywhere")):
            for name, step in (("undo", store.undo), ("redo", store.redo)):
                took, above = [], []
                for _ in range(15):
                    t0 = time.perf_counter()
                    step(scope)
                    took.append((time.perf_counter() - t0) * 1000)
                    above.append(took[-1] - floor())  # paired: the disk's speed varies
                report.add(
                    f"{name} {label} (median, durable: fsync included)",
                    statistics.median(took),
                    "ms",
                )
                value = statistics.median(above)
                report.add(
                    f"{name} {label}: above one durable write (median)",
                    value,
                    "ms",
                    "<= 5 ms",
                    value <= 5,
                )
            for _ in range(5):
                store.undo(scope)
            find_undo = median_ms(lambda s=scope: history.undo_top(conn, "ann", s))
            find_redo = median_ms(lambda s=scope: history.redo_top(conn, "ann", s))
            report.add(
                f"find the undo step {label} (median)", find_undo, "ms", "<= 5 ms", find_undo <= 5
            )
            report.add(
                f"find the redo step {label} (median)", find_redo, "ms", "<= 5 ms", find_redo <= 5
            )
        report.add(
            "floor: one durable write of a setting (median)",
            statistics.median(floor() for _ in range(15)),
            "ms",
        )
        report.section("history size per save")
        for action in ("create", "update", "undo", "redo"):
            row = store.query(
                "select avg(coalesce(length(before), 0) + coalesce(length(after),"
                " 0)) as n from history where action = ? and seq > ?",
                [action, ROWS],
            )[0]
            report.add(f"{action} of a claim: before + after states", float(row["n"] or 0), "bytes")
        store.close()


if __name__ == "__main__":
    main()
