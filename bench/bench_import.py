"""Import benchmark: short JSONL documents with entity recognition, speed and memory.

    python -m bench import          (ANNOTTY_BENCH_IMPORT_DOCS=1000000 for the full million)

The corpus is ``DOCUMENTS`` (100,000 by default, to keep ``make bench`` short) generated
documents of one or two seed sentences (about 100-350 characters, some with emoji), one JSON
object per line, imported the way ``annotty import`` does it: streamed, stored in batches with
the built-in recognizer's entities, recognition in worker processes. Each run is a fresh process
with a fresh database. Reported: documents per second (median of the runs) against the target of
5,000/s, the time a million would take at that rate (an extrapolation: the rate is flat over a
run because every batch costs the same), and memory: the RSS the main process gains between 20 %
and 100 % of the file (constant memory means about zero) and its peak above idle. Worker
processes' memory is not in these figures (each holds one recognizer and one batch of texts).
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from annotations.bulk_entities import RecognizerSpec, worker_count
from annotations.entities import builtin
from annotations.imports.plain_files import import_paths
from annotations.store import Store
from bench.child import run_child
from bench.corpus import seed_texts
from bench.report import Report, current_rss_mb, rss_mb

DOCUMENTS = int(os.environ.get("ANNOTTY_BENCH_IMPORT_DOCS", "100000"))
REPEATS = int(os.environ.get("ANNOTTY_BENCH_IMPORT_RUNS", "3"))
RATE_TARGET = 5_000.0
GROWTH_TARGET_MB = 20.0
EMOJI = ("😀", "🇨🇳", "👨\u200d👩\u200d👧")


def build(path: Path, count: int) -> None:
    rng = random.Random(5)
    sentences = [
        s.strip() + "."
        for t in seed_texts()
        for s in t.replace("\n", " ").split(". ")
        if len(s.strip()) > 30
    ]
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            parts = [rng.choice(sentences) for _ in range(rng.choice((1, 1, 2)))]
            if n % 7 == 0:
                parts.append(rng.choice(EMOJI))
            out.write(
                json.dumps({"id": f"d{n}", "text": f"{n}. " + " ".join(parts)}, ensure_ascii=False)
                + "\n"
            )


def one(corpus: str, db: str) -> None:
    """In a fresh process: import ``corpus`` into a new database; print the figures as JSON."""
    recognizer = builtin()
    recognizer.recognize("Warm up in Paris.")
    store = Store(db, annotator="bench")
    size = Path(corpus).stat().st_size
    idle = current_rss_mb()
    marks: dict[str, float] = {}

    def progress(done: int) -> None:
        if "early" not in marks and done >= size * 0.2:
            marks["early"] = current_rss_mb()

    t0, cpu0, kids0 = time.perf_counter(), time.process_time(), _children_cpu()
    report = import_paths(
        store, [corpus], recognizer=recognizer, progress=progress, spec=RecognizerSpec(None, None)
    )
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0 + _children_cpu() - kids0  # workers have exited by now
    end = current_rss_mb()
    store.close()
    print(
        json.dumps(
            {
                "docs": report.n_added,
                "errors": report.n_errors,
                "seconds": seconds,
                "cpu": cpu,
                "growth": end - marks.get("early", idle),
                "peak": rss_mb() - idle,
            }
        )
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    report = Report()
    folder = Path(tempfile.mkdtemp(prefix="annotty-bench-import-"))
    try:
        corpus = folder / "corpus.jsonl"
        t0 = time.perf_counter()
        build(corpus, DOCUMENTS)
        report.section(
            f"import of {DOCUMENTS:,} short JSONL documents with entities "
            f"({corpus.stat().st_size / 1e6:,.0f} MB, built in "
            f"{time.perf_counter() - t0:.1f} s; {worker_count()} recognizer "
            f"worker(s); median of {REPEATS} runs)"
        )
        runs = []
        for n in range(REPEATS):
            runs.append(run_child("bench.bench_import", str(corpus), str(folder / f"run{n}.db")))
            assert runs[-1]["docs"] == DOCUMENTS and not runs[-1]["errors"], runs[-1]
        rate = statistics.median(r["docs"] / r["seconds"] for r in runs)
        report.add(
            "documents per second (entities included)",
            rate,
            "docs/s",
            f">= {RATE_TARGET:,.0f}",
            rate >= RATE_TARGET,
        )
        report.add(
            "documents per CPU second, all processes (busy-proof)",
            statistics.median(r["docs"] / r["cpu"] for r in runs),
            "docs/s",
        )
        report.add(f"load average after the runs ({os.cpu_count()} cores)", os.getloadavg()[0], "")
        report.add(
            "1,000,000 documents at that rate (extrapolated)",
            1_000_000 / rate,
            "s",
            f"<= {1_000_000 / RATE_TARGET:,.0f} s",
            rate >= RATE_TARGET,
        )
        growth = statistics.median(r["growth"] for r in runs)
        report.add(
            "RSS growth from 20 % to the end of the file",
            growth,
            "MB",
            f"<= {GROWTH_TARGET_MB:.0f} MB",
            growth <= GROWTH_TARGET_MB,
        )
        report.add(
            "peak RSS above idle (main process)", statistics.median(r["peak"] for r in runs), "MB"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2], sys.argv[3])
    else:
        main()
