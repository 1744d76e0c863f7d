"""The team server: PostgreSQL on loopback beside SQLite in the same run.

    python -m bench pg

- Commits per second and p99 save latency with 1, 8 and 32 writer processes on each backend
  (``Store.add_claim`` flat out: one durable commit per claim; the server keeps PostgreSQL's
  default durability, ``fsync`` and ``synchronous_commit`` on, as SQLite runs ``synchronous=FULL``).
- Review at 1,000,000 claims on PostgreSQL is in ``bench_pg_review``.
- ``annotty copy`` of 100,000 claims is in ``bench_copy``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.bench_team import SECONDS, run_writers_on
from bench.report import Report
from tests.pg_cluster import PgCluster, PgUnavailable


def writers(report: Report, targets: dict[str, str]) -> None:
    report.section(f"writer processes saving claims flat out, {SECONDS:.0f} s, each backend")
    for count in (1, 8, 32):
        for backend, target in targets.items():
            commits, p99, worst, failed = run_writers_on(target, count, 0.0)
            label = f"{backend}, {count} writer(s)"
            report.add(f"{label}: commits per second", commits / SECONDS, "commit/s")
            report.add(f"{label}: p99 save latency", p99, "ms", f"worst {worst:,.0f} ms")
            report.add(f"{label}: errors", failed, "", "0", failed == 0)


def main() -> None:
    report = Report()
    try:
        cluster = PgCluster(durable=True).start()
    except PgUnavailable as exc:
        print(f"PostgreSQL unavailable: {exc}", file=sys.stderr)
        sys.exit(1)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            targets = {
                "sqlite": str(Path(tmp) / "writers.db"),
                "postgresql": cluster.create_database(),
            }
            writers(report, targets)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
