"""Export benchmarks: 100,000 claims in every format, time and memory.

    python -m bench export

The corpus is 1,000 documents of about 5,000 characters (seed paragraphs, with emoji so the
UTF-16 conversions do real work), 100 claims each and the built-in recognizer's entities. Each
format runs in its own process, so the peak RSS one export reaches is measured above that
process's own idle RSS (database open, modules loaded) and no format inherits another's peak.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from annotations.entities import builtin
from annotations.export import FORMATS, default_entity_source, export
from annotations.model import content_id, new_id, now_iso
from annotations.store import Store
from bench.child import run_child
from bench.corpus import seed_texts
from bench.report import Report, current_rss_mb

DOCUMENTS = 1_000
CLAIMS_PER_DOC = 100
DOC_CHARS = 5_000
TIME_TARGET = {"json": 3.0, "jsonl": 3.0}
RSS_TARGET_MB = 50.0
TYPES = ("statistical", "comparison", "causal", "prediction", "opinion", "other")
STANCES = ("favor", "against", "none")
EMOJI = ("😀", "🇨🇳", "👨\u200d👩\u200d👧", "e\u0301")


def build(
    path: Path,
    *,
    documents: int = DOCUMENTS,
    claims_per_doc: int = CLAIMS_PER_DOC,
    seed: int = 11,
    statuses: tuple[str, ...] = ("pending", "accepted"),
    reviewer: str = "",
) -> None:
    """The benchmark database, written with bulk inserts (the store's API commits per claim).
    ``bench_report`` builds its smaller corpus here too, with every review status and a
    ``reviewer`` on the decided claims."""
    rng = random.Random(seed)
    paragraphs = [p for t in seed_texts() for p in t.split("\n") if p.strip()]
    recognizer = builtin()
    store = Store(path, annotator="bench")
    stamp = now_iso()
    with store.transaction() as conn:
        for n in range(documents):
            parts: list[str] = []
            while sum(map(len, parts)) < DOC_CHARS:
                parts.append(rng.choice(paragraphs) + " " + rng.choice(EMOJI))
            text = f"{n} " + "\n".join(parts)
            doc_id = content_id(text)
            conn.execute(
                "insert into documents(id, title, source, text, meta, chars, words,"
                " imported_at) values (?, ?, ?, ?, '{}', ?, ?, ?)",
                (doc_id, f"doc {n}", "bench", text, len(text), len(text.split()), stamp),
            )
            entities = recognizer.recognize(text)
            conn.executemany(
                'insert into entities(doc_id, start, "end", label, source,'
                " recognizer) values (?, ?, ?, ?, ?, ?)",
                [(doc_id, e.start, e.end, e.label, e.source, recognizer.key) for e in entities],
            )
            conn.execute(
                "insert into entity_runs values (?, ?, ?, ?)",
                (doc_id, recognizer.key, len(entities), stamp),
            )
            rows = []
            for _ in range(claims_per_doc):
                start = rng.randrange(0, len(text) - 300)
                end = start + rng.randrange(20, 300)
                rows.append(
                    (
                        new_id(),
                        doc_id,
                        start,
                        end,
                        text[start:end],
                        rng.choice(TYPES),
                        rng.choice(STANCES),
                        "",
                        rng.choice(["", "China", "Beijing"]),
                        "",
                        "",
                        "",
                        rng.choice(["ann", "bob"]),
                        status := rng.choice(statuses),
                        reviewer if status != "pending" else "",
                        "",
                        "",
                        stamp,
                        stamp,
                    )
                )
            conn.executemany(f"insert into claims values ({', '.join('?' * 19)})", rows)
    store.close()


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). ``ru_maxrss`` would not do here: Linux carries it
    across exec, so a child started by a bigger parent reports the parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def one(db: str, fmt: str, out: str, repeat: int) -> None:
    """In a fresh process: export ``repeat`` times; print the median seconds and RSS growth."""
    store = Store(db, annotator="bench")
    key = builtin().key
    source = default_entity_source()  # as the CLI and the app: corrections applied
    idle = current_rss_mb()
    times, cpu = [], []
    for _ in range(repeat):
        target = Path(out)
        shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(
            missing_ok=True
        )
        t0, c0 = time.perf_counter(), time.process_time()
        tally = export(store, fmt, target, key, entity_source=source)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    assert tally.claims == DOCUMENTS * CLAIMS_PER_DOC, tally
    print(
        json.dumps(
            {
                "seconds": statistics.median(times),
                "cpu": statistics.median(cpu),
                "growth": peak_rss_mb() - idle,
                "bytes": _size(Path(out)),
            }
        )
    )


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir())
    return path.stat().st_size


def main() -> None:
    report = Report()
    folder = Path(tempfile.mkdtemp(prefix="annotty-bench-export-"))
    try:
        db = folder / "export.db"
        t0 = time.perf_counter()
        build(db)
        report.section(
            f"export of {DOCUMENTS * CLAIMS_PER_DOC:,} claims in {DOCUMENTS:,} "
            f"documents (built in {time.perf_counter() - t0:.1f} s)"
        )
        runs = [(name, form.suffix or "", name) for name, form in FORMATS.items()]
        try:
            import spacy  # noqa: F401

            runs.append(("spacy", ".spacy", "spacy (.spacy DocBin)"))
        except ImportError:
            pass
        for fmt, suffix, label in runs:
            out = folder / f"out-{fmt}{suffix}"
            repeat = 3 if fmt in TIME_TARGET else 1
            figures = run_child("bench.bench_export", str(db), fmt, str(out), str(repeat))
            target = TIME_TARGET.get(fmt)
            report.add(
                f"{label}: time ({figures['bytes'] / 1e6:,.0f} MB out)",
                figures["seconds"],
                "s",
                f"<= {target:.0f} s" if target else "",
                figures["seconds"] <= target if target else None,
            )
            report.add(f"{label}: CPU time (less sensitive to a busy machine)", figures["cpu"], "s")
            docbin = suffix == ".spacy"
            report.add(
                f"{label}: peak RSS growth above idle",
                figures["growth"],
                "MB",
                "(in memory)" if docbin else f"<= {RSS_TARGET_MB:.0f} MB",
                None if docbin else figures["growth"] <= RSS_TARGET_MB,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
