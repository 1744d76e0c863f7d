"""Many annotty processes on one PostgreSQL database: no errors, no lost claims, even under
SIGKILL. The same writing loop as the SQLite test (``tests/workers/writer.py``): a printed id
is a promise that the claim is durable. The writers are processes forked from this one (each
opens its own store and connections): 32 fresh interpreters would spend 10 s of CPU importing."""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from annotations.store import Store
from tests.test_concurrency import TEXT, Reader, expected, setup_db

sys.path.insert(0, str(Path(__file__).resolve().parent / "workers"))
from writer import write_flat_out  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class Writer:
    """A forked writer process: its pid, and its exit status once reaped."""

    def __init__(self, url: str, name: str, doc_id: str, start_at: float, seconds: float) -> None:
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: write, then leave without running pytest's exit code
            code = 1
            try:
                os.close(read)
                with os.fdopen(write, "w") as out:
                    store = Store(url, annotator=name)
                    write_flat_out(store, doc_id, start_at, seconds, out)
                    store.close()
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        os.close(write)
        self.stdout = os.fdopen(read)
        self.returncode: int | None = None

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif time.monotonic() > deadline:
                raise TimeoutError(f"writer {self.pid} still running")
            else:
                time.sleep(0.01)
        return self.returncode


def run_writers(
    url: str, names: list[str], doc_id: str, seconds: dict[str, float]
) -> tuple[dict[str, Writer], dict[str, Reader]]:
    start_at = time.time() + 0.5  # every writer has connected before anyone writes
    procs = {n: Writer(url, n, doc_id, start_at, seconds[n]) for n in names}
    readers = {}
    for name, proc in procs.items():
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
    procs, readers = run_writers(pg_url, names, doc_id, dict.fromkeys(names, 1.5))
    codes = {}
    for name, proc in procs.items():
        codes[name] = proc.wait(timeout=120)
        readers[name].join(timeout=10)
    assert set(codes.values()) == {0}, codes  # a failing writer printed its traceback
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
    procs, readers = run_writers(pg_url, names, doc_id, seconds)
    for victim, after in (("victim1", 100), ("victim2", 250)):
        deadline = time.monotonic() + 30
        while len(readers[victim].created) < after and time.monotonic() < deadline:
            time.sleep(0.002)
        os.kill(procs[victim].pid, signal.SIGKILL)  # in the middle of its burst of saves
    for name, proc in procs.items():
        code = proc.wait(timeout=60)
        readers[name].join(timeout=10)
        assert code == (0 if "steady" in name else -signal.SIGKILL), (name, code)
    claims, _ = check(pg_url, readers)
    promised = sum(len(r.created) for r in readers.values())
    # a killed process may have committed one claim it did not live to announce
    assert promised <= claims <= promised + 2
    store = Store(pg_url, annotator="after")  # the server released the dead sessions' locks
    store.add_claim(doc_id, 0, 7, "statistical")
    store.close()
