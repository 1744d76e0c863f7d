"""Many annotty processes on one SQLite file: no lock errors, no lost claims, even under SIGKILL.

The workers (``tests/workers/writer.py``) save claims in a tight loop, far faster than anyone
types, and print each claim's id only after ``add_claim`` returned: a printed id is a promise
that the claim is durable.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import IO, Any

from annotations.store import Store
from tests.stopped_writer import stopped_writer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "workers"))
from writer import expected  # noqa: E402

TEXT = ("Exports rose 12% in 2023, the ministry said, while imports fell. " * 60).strip()


def setup_db(path: Path | str) -> str:
    """Create the database before the workers start (so no two processes race to migrate)."""
    store = Store(path, annotator="setup")
    doc, _ = store.add_document(TEXT, "shared")
    store.close()
    return doc.id


def start(
    db: Path | str,
    name: str,
    doc_id: str,
    start_at: float,
    seconds: float,
    err_path: Path | None = None,
) -> subprocess.Popen[str]:
    """One worker on a file or a server URL; its stderr goes to ``err_path``, by default
    ``<db>.<name>.err`` (read by ``finish``)."""
    with open(err_path or f"{db}.{name}.err", "w") as err:
        return subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "workers" / "writer.py"),
                str(db),
                name,
                doc_id,
                "--start-at",
                str(start_at),
                "--seconds",
                str(seconds),
            ],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            cwd=ROOT,
        )


def finish(db: Path, name: str, proc: subprocess.Popen[str], reader: Reader) -> tuple[int, str]:
    """Wait for a worker and its reader; its exit status and whatever it wrote to stderr."""
    code = proc.wait(timeout=60)
    reader.join(timeout=10)
    return code, Path(f"{db}.{name}.err").read_text()


class Reader(threading.Thread):
    """Collects a worker's promises as they arrive, so the test can kill it mid-burst."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.created: dict[str, int] = {}
        self.updated: set[str] = set()

    def run(self) -> None:
        for line in self.stream:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "c":
                self.created[parts[1]] = int(parts[2])
            elif len(parts) == 2 and parts[0] == "u":
                self.updated.add(parts[1])


def check_promises(db: Path, promised: dict[str, tuple[str, Reader]]) -> dict[str, Any]:
    """Every promised claim is in the database with the content its worker meant."""
    store = Store(db, annotator="checker")
    try:
        claims = {c.id: c for c in store.claims()}
        history = store.history()
        conn = store.db.conn
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()
    creates = {h["item_id"] for h in history if h["action"] == "create"}
    updates = defaultdict(int)
    for h in history:
        if h["action"] == "update":
            updates[h["item_id"]] += 1
    for name, reader in promised.values():
        for claim_id, n in reader.created.items():
            assert claim_id in claims, f"{name}'s claim {n} was promised but is missing"
            claim = claims[claim_id]
            want = expected(name, n, len(TEXT))
            got = {k: getattr(claim, k) for k in want}
            assert got == want
            assert claim.quote == TEXT[want["start"] : want["end"]]
            assert claim_id in creates
        for claim_id in reader.updated:
            assert claims[claim_id].stance == "against"
            assert updates[claim_id] == 1
    return {"claims": claims, "history": history}


def test_eight_writers_no_errors_no_lost_claims(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    doc_id = setup_db(db)
    start_at = time.time() + 1.5  # let all eight interpreters start before anyone writes
    names = [f"annotator{i}" for i in range(8)]
    procs = {name: start(db, name, doc_id, start_at, seconds=2.0) for name in names}
    readers = {}
    for name, proc in procs.items():
        assert proc.stdout is not None
        readers[name] = (name, Reader(proc.stdout))
        readers[name][1].start()
    errors = {}
    for name, proc in procs.items():
        code, err = finish(db, name, proc, readers[name][1])
        if code or err.strip():
            errors[name] = (code, err)
    assert errors == {}
    state = check_promises(db, readers)
    total = sum(len(r.created) for _, r in readers.values())
    updates = sum(len(r.updated) for _, r in readers.values())
    # nothing lost and nothing extra: the database holds exactly the promised claims
    assert len(state["claims"]) == total
    assert len(state["history"]) == total + updates  # history complete
    assert all(len(r.created) > 20 for _, r in readers.values())  # everyone got to write
    print(
        f"\n8 writers: {total} claims + {updates} edits in 2 s "
        f"({(total + updates) / 2:.0f} commits/s)"
    )


def test_sigkill_mid_burst_loses_nothing_that_was_promised(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    doc_id = setup_db(db)
    start_at = time.time() + 1.0
    names = ["victim1", "victim2", "steady1", "steady2"]
    procs = {
        name: start(db, name, doc_id, start_at, seconds=2.5 if "steady" in name else 30)
        for name in names
    }
    readers = {}
    for name, proc in procs.items():
        assert proc.stdout is not None
        readers[name] = (name, Reader(proc.stdout))
        readers[name][1].start()
    for victim, after in (("victim1", 150), ("victim2", 400)):
        deadline = time.monotonic() + 20
        while len(readers[victim][1].created) < after and time.monotonic() < deadline:
            time.sleep(0.002)
        os.kill(procs[victim].pid, signal.SIGKILL)  # in the middle of its burst of saves
    for name, proc in procs.items():
        code, err = finish(db, name, proc, readers[name][1])
        if "steady" in name:
            assert code == 0 and not err.strip(), err
        else:
            assert code == -signal.SIGKILL
    state = check_promises(db, readers)
    assert len(readers["victim2"][1].created) >= 400
    # the killed processes may have committed one claim they did not live to announce
    promised = sum(len(r.created) for _, r in readers.values())
    assert promised <= len(state["claims"]) <= promised + 2
    # and the database is fully usable afterwards
    store = Store(db, annotator="after")
    store.add_claim(doc_id, 0, 7, "statistical")
    store.close()


def test_a_stopped_writer_blocks_others_only_up_to_the_limit(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-Z in the middle of a save (SIGSTOP here) used to block every other writer forever.
    Now they give up after ``LOCK_WAIT_SECONDS`` naming the holder, and reading never waits."""
    from annotations.store import fair_write_lock

    db = tmp_path / "team.db"
    doc_id = setup_db(db)
    with stopped_writer(db, doc_id) as pid:
        monkeypatch.setattr(fair_write_lock, "LOCK_WAIT_SECONDS", 1.0)
        store = Store(db, annotator="me")
        outcome: dict[str, Any] = {}

        def save() -> None:
            started = time.monotonic()
            try:
                store.add_claim(doc_id, 0, 7, "other")
            except fair_write_lock.WriterBusy as exc:
                outcome["message"] = str(exc)
            outcome["waited"] = time.monotonic() - started

        saving = threading.Thread(target=save, daemon=True)
        saving.start()
        # reads go on while that save waits: this store (another thread) and its queries
        seen: list[Any] = []

        def read() -> None:
            seen.extend(
                [
                    store.claims(),
                    len(store.documents()),
                    store.query("select count(*) as n from history")[0]["n"],
                ]
            )

        reading = threading.Thread(target=read, daemon=True)  # daemon: a hang must not stick
        reading.start()
        reading.join(timeout=0.5)
        assert seen == [[], 1, 0] and saving.is_alive()
        saving.join(timeout=10)
        assert "message" in outcome, "the save should have given up"
        assert 0.9 <= outcome["waited"] < 5, outcome
        assert f"pid {pid}" in outcome["message"] and "'zoe'" in outcome["message"]
        store.close()
    after = Store(db, annotator="me")  # the lock is free again: saving works at once
    assert after.add_claim(doc_id, 0, 7, "other").quote == TEXT[:7]
    after.close()


def test_the_writer_lock_file_is_never_followed_through_a_symlink(tmp_path: Path) -> None:
    """The lock file now holds the writer's pid and name; a symlink planted in its place (a
    shared folder) must not make a save write into the file it points to."""
    db = tmp_path / "team.db"
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    os.symlink(victim, f"{db}-writer")
    store = Store(db, annotator="me")
    doc, _ = store.add_document(TEXT, "t")
    assert store.add_claim(doc.id, 0, 7, "other").quote == TEXT[:7]
    store.close()
    assert victim.read_text() == "precious\n"


def test_the_holder_named_in_the_lock_file_is_made_safe_to_print(tmp_path: Path) -> None:
    from annotations.store.fair_write_lock import holder_of

    lock = tmp_path / "db-writer"
    lock.write_bytes(b"4242 bob\x1b]52;c;aGk=\x07\n")
    assert holder_of(str(lock)) == "pid 4242 (annotator 'bob]52;c;aGk=')"
    lock.write_bytes(b"not a pid\n")
    assert holder_of(str(lock)) == ""
