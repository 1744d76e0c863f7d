"""Team benchmarks: concurrent writers on one database, agreement, merge and change polling.

    python -m bench team

Writers are separate processes (as annotators over SSH would be), each saving claims in a
tight loop with ``Store.add_claim`` (one durable ``synchronous=FULL`` commit per claim).
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from annotations import agreement
from annotations.model import new_id, now_iso
from annotations.store import Store
from annotations.store.team_merge import merge_databases
from annotations.store.watcher import Watcher
from bench.corpus import seed_texts
from bench.report import Report

SECONDS = 2.0
TYPES = ("statistical", "comparison", "causal", "prediction", "opinion", "other")
STANCES = ("favor", "against", "none")


def worker(db: str, name: str, doc_id: str, seconds: float, start_at: float, pause: float) -> None:
    """One writer process: prints its commit count and its median, p99 and slowest save (ms).

    ``pause`` seconds between saves; 0 is flat out."""
    store = Store(db, annotator=name)
    length = len(store.document(doc_id).text)
    time.sleep(max(0.0, start_at - time.time()))
    stop = time.monotonic() + seconds
    n, waits = 0, []
    while time.monotonic() < stop:
        start = (n * 37) % (length - 100)
        t0 = time.perf_counter()
        store.add_claim(doc_id, start, start + 40, TYPES[n % len(TYPES)])
        waits.append((time.perf_counter() - t0) * 1000)
        n += 1
        time.sleep(pause)
    waits.sort()
    print(n, waits[len(waits) // 2], waits[int(len(waits) * 0.99)], waits[-1], flush=True)


def run_writers(folder: Path, count: int, pause: float) -> tuple[int, float, float, int]:
    """``count`` writer processes for SECONDS: (commits, p99 ms, worst ms, failures)."""
    return run_writers_on(str(folder / f"writers{count}-{pause}.db"), count, pause)


def run_writers_on(
    target: str, count: int, pause: float, seconds: float = SECONDS
) -> tuple[int, float, float, int]:
    """``count`` writer processes on ``target`` (a file or a server URL): (commits, p99 ms,
    worst ms, failed processes)."""
    store = Store(target, annotator="setup")
    doc, _ = store.add_document(seed_texts()[-1], f"shared by {count}")
    store.close()
    start_at = time.time() + 0.4 + 0.2 * count  # every interpreter is up before anyone writes
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.bench_team",
                "--worker",
                target,
                f"w{i}",
                doc.id,
                str(seconds),
                str(start_at),
                str(pause),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(count)
    ]
    outs = [p.communicate()[0].split() for p in procs]
    failed = sum(p.returncode != 0 for p in procs)
    done = [o for o in outs if o]
    if not done:
        return 0, 0.0, 0.0, failed
    return (
        sum(int(o[0]) for o in done),
        max(float(o[2]) for o in done),
        max(float(o[3]) for o in done),
        failed,
    )


def writers(report: Report, folder: Path) -> None:
    report.section(f"concurrent writer processes on one database, {SECONDS:.0f} s each")
    for count, pause in ((1, 0.0), (4, 0.0), (8, 0.0), (8, 0.05)):
        commits, p99, worst, failed = run_writers(folder, count, pause)
        how = "flat out" if not pause else f"{1 / pause:.0f} saves/s each"
        report.add(
            f"{count} writer(s), {how}: commits per second",
            commits / SECONDS,
            "commit/s",
            ">= 100" if not pause else "",
            (commits / SECONDS >= 100 if not pause else None),
        )
        report.add(
            f"{count} writer(s), {how}: p99 save latency", p99, "ms", f"worst {worst:,.0f} ms"
        )
        report.add(f"{count} writer(s), {how}: errors", failed, "", "0", failed == 0)


def team_db(path: Path, claims: int, annotators: int = 3, docs: int = 200) -> Store:
    """``claims`` claims by ``annotators`` people on ``docs`` documents, with noise; written
    straight into the tables (100k ``add_claim`` commits would time the disk, not agreement)."""
    rng = random.Random(11)
    store = Store(path, annotator="setup")
    texts = seed_texts()
    per_doc = claims // (annotators * docs)
    stamp = now_iso()
    with store.transaction() as conn:
        for d in range(docs):
            text = f"Document {d}.\n" + "\n".join(texts[(d + k) % len(texts)] for k in range(3))
            doc_id = f"bench{d:04d}"
            conn.execute(
                "insert into documents(id, title, source, text, meta, chars, words,"
                " imported_at) values (?, ?, '', ?, '{}', ?, ?, ?)",
                (doc_id, f"doc {d}", text, len(text), len(text.split()), stamp),
            )
            rows = []
            for a in range(annotators):
                for u in range(per_doc):
                    start = u * (len(text) // per_doc)
                    if rng.random() < 0.2:
                        start += rng.randint(1, 5)
                    ctype = TYPES[u % 6] if rng.random() < 0.8 else rng.choice(TYPES)
                    stance = STANCES[u % 3] if rng.random() < 0.8 else rng.choice(STANCES)
                    rows.append(
                        (
                            new_id(),
                            doc_id,
                            start,
                            start + 50,
                            text[start : start + 50],
                            ctype,
                            stance,
                            f"annotator{a}",
                            stamp,
                            stamp,
                        )
                    )
            conn.executemany(
                'insert into claims(id, doc_id, start, "end", quote, claim_type, stance,'
                " target, speaker, attribution, checkworthy, note, annotator, review_status,"
                " reviewer, review_note, reviewed_at, created_at, updated_at) values"
                " (?, ?, ?, ?, ?, ?, ?, '', '', '', '', '', ?, 'pending', '', '', '', ?, ?)",
                rows,
            )
    return store


def agreement_bench(report: Report, folder: Path) -> None:
    report.section("agreement")
    for annotators in (3, 8):
        store = team_db(folder / f"agree{annotators}.db", 100_000, annotators=annotators)
        n = store.stats()["claims"]
        t0 = time.perf_counter()
        result = agreement.compute(store)
        took = time.perf_counter() - t0
        report.add(
            f"{n:,} claims, {annotators} annotators ({len(result.pairs)} pairs)",
            took,
            "s",
            "<= 5 s",
            took <= 5,
        )
        store.close()


def merge_bench(report: Report, folder: Path) -> None:
    report.section("merge (claims with full history, via add_claim)")
    sources = []
    for name in ("alice", "bob"):
        path = folder / f"{name}.db"
        store = Store(path, annotator=name)
        docs = [store.add_document(t, f"seed {i}")[0] for i, t in enumerate(seed_texts())]
        store.db.conn.execute("pragma synchronous=OFF")  # setup only: time the merge, not this
        for i in range(2000):
            doc = docs[i % len(docs)]
            start = (i * 31) % (len(doc.text) - 60)
            store.add_claim(doc.id, start, start + 50, TYPES[i % 6])
        store.close()
        sources.append(path)
    team = folder / "team.db"
    t0 = time.perf_counter()
    merge_databases(sources, team)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    merge_databases(sources, team)
    again = time.perf_counter() - t0
    report.add("merge 2 x 2,000 claims into a new team database", first, "s")
    report.add("merge the same again (nothing changes)", again, "s")


def poll_bench(report: Report, folder: Path) -> None:
    report.section("change detection (Watcher.poll, what the app runs every second)")
    db = folder / "agree3.db"
    store = Store(db, annotator="watcher")
    watcher = Watcher(store)
    samples = []
    for _ in range(2000):
        t0 = time.perf_counter()
        watcher.poll()
        samples.append((time.perf_counter() - t0) * 1e6)
    report.add(
        "idle poll",
        statistics.median(samples),
        "µs",
        "<= 1,000 µs",
        statistics.median(samples) <= 1000,
    )
    other = Store(db, annotator="other")
    doc_id = other.documents()[0].id
    other.add_claim(doc_id, 0, 5, "other")
    t0 = time.perf_counter()
    changes = watcher.poll()
    took = (time.perf_counter() - t0) * 1e6
    report.add(
        "poll after another process saved a claim",
        took,
        "µs",
        "<= 10,000 µs",
        took <= 10_000 and doc_id in changes.doc_ids,
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        db, name, doc_id, seconds, start_at, pause = sys.argv[2:8]
        worker(db, name, doc_id, float(seconds), float(start_at), float(pause))
        return
    report = Report()
    folder = Path(tempfile.mkdtemp(prefix="annotty-bench-team-"))
    try:
        writers(report, folder)
        agreement_bench(report, folder)
        poll_bench(report, folder)
        merge_bench(report, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
