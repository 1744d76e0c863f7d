"""Many annotty processes on one PostgreSQL database: no errors, no lost claims, even under
SIGKILL. The same workers as the SQLite test (``tests/workers/writer.py``): a printed id is a
promise that the claim is durable."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from annotations.store import Store
from tests.test_concurrency import TEXT, Reader, expected, setup_db, start

ROOT = Path(__file__).resolve().parent.parent


def run_writers(
    url: str, logs: Path, names: list[str], doc_id: str, seconds: dict[str, float]
) -> tuple[dict[str, subprocess.Popen[str]], dict[str, Reader]]:
    start_at = time.time() + 0.5 + 0.12 * len(names)  # every interpreter is up before anyone writes
    procs = {n: start(url, n, doc_id, start_at, seconds[n], logs / f"{n}.err") for n in names}
    readers = {}
    for name, proc in procs.items():
        assert proc.stdout is not None
        readers[name] = Reader(proc.stdout)
        readers[name].start()
    return procs, readers


def check(url: str, readers: dict[str, Reader]) -> tuple[int, int]:
    """Every promised claim is there as its worker meant it; history matches the claims."""
    store = Store(url, annotator="checker")
    try:
        claims = {c.id: c for c in store.claims()}
        history = store.history()
    finally:
        store.close()
    actions = Counter((h["item_id"], h["action"]) for h in history)
    seqs = [h["seq"] for h in history]
    assert len(seqs) == len(set(seqs))
    for name, reader in readers.items():
        for claim_id, n in reader.created.items():
            assert claim_id in claims, f"{name}'s claim {n} was promised but is missing"
            want = expected(name, n, len(TEXT))
            assert {k: getattr(claims[claim_id], k) for k in want} == want
            assert claims[claim_id].quote == TEXT[want["start"] : want["end"]]
        for claim_id in reader.updated:
            assert claims[claim_id].stance == "against"
            assert actions[(claim_id, "update")] == 1
    # every stored claim has exactly one create row: nothing half-written
    assert all(actions[(claim_id, "create")] == 1 for claim_id in claims)
    return len(claims), len(history)


def test_thirty_two_writers_no_errors_no_lost_claims(pg_url: str, tmp_path: Path) -> None:
    doc_id = setup_db(pg_url)
    names = [f"annotator{i:02d}" for i in range(32)]
    procs, readers = run_writers(pg_url, tmp_path, names, doc_id, dict.fromkeys(names, 1.0))
    errors = {}
    for name, proc in procs.items():
        code = proc.wait(timeout=120)
        readers[name].join(timeout=10)
        err = (tmp_path / f"{name}.err").read_text()
        if code or err.strip():
            errors[name] = (code, err[-500:])
    assert errors == {}
    claims, history = check(pg_url, readers)
    promised = sum(len(r.created) for r in readers.values())
    updates = sum(len(r.updated) for r in readers.values())
    assert claims == promised and history == promised + updates
    counts = sorted(len(r.created) for r in readers.values())
    assert counts[0] > 5, counts  # everyone got to write


def test_sigkill_mid_burst_loses_nothing_that_was_promised(pg_url: str, tmp_path: Path) -> None:
    doc_id = setup_db(pg_url)
    names = ["victim1", "victim2", "steady1", "steady2"]
    seconds = {n: 2.5 if "steady" in n else 30.0 for n in names}
    procs, readers = run_writers(pg_url, tmp_path, names, doc_id, seconds)
    for victim, after in (("victim1", 100), ("victim2", 250)):
        deadline = time.monotonic() + 30
        while len(readers[victim].created) < after and time.monotonic() < deadline:
            time.sleep(0.002)
        os.kill(procs[victim].pid, signal.SIGKILL)  # in the middle of its burst of saves
    for name, proc in procs.items():
        code = proc.wait(timeout=60)
        readers[name].join(timeout=10)
        err = (tmp_path / f"{name}.err").read_text()
        if "steady" in name:
            assert code == 0 and not err.strip(), err
        else:
            assert code == -signal.SIGKILL
    claims, _ = check(pg_url, readers)
    promised = sum(len(r.created) for r in readers.values())
    # a killed process may have committed one claim it did not live to announce
    assert promised <= claims <= promised + 2
    store = Store(pg_url, annotator="after")  # the server released the dead sessions' locks
    store.add_claim(doc_id, 0, 7, "statistical")
    store.close()
