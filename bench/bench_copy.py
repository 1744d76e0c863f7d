"""``annotty copy`` at scale: 100,000 claims (with their history rows, 10,000 documents and
their entities) from an SQLite file into PostgreSQL on loopback.

    python -m bench copy

The server is a throwaway cluster with PostgreSQL's default, durable settings (fsync on, as a
team's server runs), so a commit waits for the disk as it would in use. Each run copies into a
fresh database; the figure is the median of three. The rerun (nothing left to copy) is timed too.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from annotations.model import now_iso
from annotations.store import Store
from annotations.store.project_copy import copy_project
from bench.bench_review import CLAIMS, DOCS, generate
from bench.report import Report

RUNS = 3
TARGET_S = 30.0


def add_history(store: Store) -> int:
    """One "add" history row per claim, as saving it through the app would have written."""
    stamp = now_iso()
    with store.reading() as conn:
        claims = conn.execute(
            'select id, doc_id, start, "end", quote, annotator from claims order by rowid'
        ).fetchall()
    rows = [
        (
            stamp,
            annotator,
            "add",
            "claim",
            claim_id,
            doc_id,
            None,
            json.dumps({"id": claim_id, "doc_id": doc_id, "start": s, "end": e, "quote": q}),
            None,
            None,
        )
        for claim_id, doc_id, s, e, q, annotator in claims
    ]
    with store.transaction() as conn:
        conn.executemany(
            "insert into history(at, annotator, action, kind, item_id, doc_id, before, after,"
            " ref, batch) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def main() -> int:
    try:
        from tests.pg_cluster import PgCluster, PgUnavailable
    except ImportError:  # run from outside the checkout
        print("  bench_copy needs the repository's tests/pg_cluster.py", file=sys.stderr)
        return 1
    report = Report()
    with tempfile.TemporaryDirectory() as tmp:
        source = Store(Path(tmp) / "copy.db", annotator="bench")
        generate(source)
        history = add_history(source)
        report.section(
            f"copy SQLite -> PostgreSQL (durable, loopback): {DOCS:,} documents, "
            f"{CLAIMS:,} claims, {history:,} history rows"
        )
        try:
            cluster = PgCluster(durable=True).start()
        except PgUnavailable as exc:
            print(f"  skipped: {exc}", flush=True)
            source.close()
            return 1
        try:
            seconds, rerun = [], 0.0
            for run in range(RUNS):
                dest = Store(cluster.create_database(f"copy_{run}"), annotator="bench")
                t = time.perf_counter()
                done = copy_project(source, dest)
                seconds.append(time.perf_counter() - t)
                if done.tables["claims"].copied != CLAIMS:
                    raise SystemExit(f"copied {done.tables['claims'].copied} claims, not {CLAIMS}")
                if run == RUNS - 1:
                    t = time.perf_counter()
                    again = copy_project(source, dest)
                    rerun = time.perf_counter() - t
                    if again.copied:
                        raise SystemExit(f"the rerun copied {again.copied} rows")
                dest.close()
            median = statistics.median(seconds)
            report.add(
                f"copy 100k claims, median of {RUNS}",
                median,
                "s",
                f"<= {TARGET_S:.0f} s",
                median <= TARGET_S,
            )
            report.add("rerun with everything already there", rerun, "s")
        finally:
            cluster.stop()
            source.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
