"""Never losing a claim whose save fails: kept in memory, in a journal, and retried.

A save can fail for reasons that pass (the disk is full, another writer held the lock longer
than the limit, a network file system hiccups). The claim must not be lost nor the app crash:
``SaveQueue`` tries the save; on such a failure it appends the save to ``<db>.recovery.jsonl``
(one JSON object a line, ``O_APPEND`` and ``fsync``, never through a symlink, created
exclusively with mode 0600) and keeps it in memory; ``retry`` tries again (a UI worker calls it
every few seconds); ``recover`` on the next start replays what an earlier session could not
save. Replays are idempotent: a new claim carries its id, so a claim already in the database is
not added twice; an edit already applied is not applied again. A line records that a save went
through, and the file is removed once everything in it is saved.

Bad requests (a span outside the document, an unknown claim) are not retried: they raise
``StoreError`` at once, as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not on Windows: appends stay atomic, removal is not serialised
    fcntl = None  # type: ignore[assignment]

from annotations.model import Claim, new_id, now_iso
from annotations.store import Store, StoreError

MAX_JOURNAL_BYTES = 64 * 1024 * 1024
"""A journal bigger than this is not read (it is not ours, or something went badly wrong)."""
RETRYABLE: tuple[type[BaseException], ...] = (sqlite3.OperationalError, OSError)
"""Failures that pass: locked, disk full, I/O. ``WriterBusy`` is an OperationalError."""


@dataclass
class PendingSave:
    """One save not yet in the database: a new claim (``add``), an edit (``update``) or a
    deletion (``delete``)."""

    op: str
    claim_id: str
    annotator: str
    doc_id: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    at: str = field(default_factory=now_iso)
    error: str = ""

    def record(self) -> dict[str, Any]:
        return {"op": self.op, "claim_id": self.claim_id, "annotator": self.annotator,
                "doc_id": self.doc_id, "values": self.values, "at": self.at}

    @classmethod
    def from_record(cls, raw: Any) -> PendingSave | None:
        """A journal line back as a save, or None if it is not one of ours."""
        if not isinstance(raw, dict) or raw.get("op") not in ("add", "update", "delete"):
            return None
        texts = [raw.get(k) for k in ("claim_id", "annotator", "doc_id", "at")]
        if not all(isinstance(t, str) for t in texts) or not isinstance(raw.get("values"), dict):
            return None
        return cls(raw["op"], raw["claim_id"], raw["annotator"], raw["doc_id"],
                   raw["values"], raw["at"])


class Journal:
    """``<db>.recovery.jsonl``: appended durably, read back on start, removed when resolved."""

    def __init__(self, database: Path | None) -> None:
        self.path = None if database is None else Path(f"{database}.recovery.jsonl")

    def _open(self) -> int:
        """An append descriptor, new file created exclusively; never a symlink or non-file."""
        assert self.path is not None
        flags = os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        while True:
            try:
                fd = os.open(self.path, flags | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                try:
                    fd = os.open(self.path, flags)
                except FileNotFoundError:  # removed in between: create it again
                    continue
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                raise OSError(f"{self.path} is not a regular file")
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if not self._same(fd):  # removed while we waited: append to a fresh one
                    os.close(fd)
                    continue
            return fd

    def _same(self, fd: int) -> bool:
        assert self.path is not None
        try:
            here = os.lstat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)

    def append(self, *records: dict[str, Any]) -> None:
        """Write lines durably (raises OSError if even that fails: the caller keeps them)."""
        if self.path is None or not records:
            return
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        fd = self._open()
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)  # also lets go of the flock

    def read(self) -> tuple[list[dict[str, Any]], list[str]]:
        """Every record, and a line per one that could not be read (file and line number)."""
        if self.path is None:
            return [], []
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
        except FileNotFoundError:
            return [], []
        except OSError as exc:
            return [], [f"{self.path}: cannot read the recovery journal ({exc.strerror})"]
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_JOURNAL_BYTES:
                return [], [f"{self.path}: not a regular file or too big; not read"]
            raw = handle.read()
        records, problems = [], []
        for number, line in enumerate(raw.splitlines(), start=1):
            try:
                records.append(json.loads(line.decode("utf-8")))
            except (UnicodeDecodeError, ValueError, RecursionError):
                problems.append(f"{self.path}: line {number}: not a JSON record; skipped")
        return records, problems

    def remove_if_resolved(self) -> None:
        """Remove the file when every save in it is recorded as done (by any process)."""
        if self.path is None or not self.path.exists():
            return
        fd = self._open()  # holding the lock: nobody appends while we look
        try:
            records, problems = self.read()
            if not problems and not _outstanding(records):
                os.unlink(self.path)
        finally:
            os.close(fd)


def _outstanding(records: list[dict[str, Any]]) -> list[PendingSave]:
    """Saves in the journal with no "done" line after them, in order."""
    todo: dict[str, PendingSave] = {}
    for record in records:
        if isinstance(record, dict) and record.get("op") == "done":
            todo.pop(str(record.get("key")), None)
            continue
        save = PendingSave.from_record(record)
        if save is not None:
            todo[_key(save)] = save
    return list(todo.values())


def _key(save: PendingSave) -> str:
    return f"{save.op}:{save.claim_id}:{save.at}"


class SaveQueue:
    """Saves claims through the store; keeps and retries the ones that fail for a while.

    Thread-safe: the UI saves from worker threads and retries from a timer's worker.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.journal = Journal(store.path)
        self._pending: list[PendingSave] = []
        self._lock = threading.RLock()
        self.journal_error = ""
        """Why the journal could not be written (then the saves are in memory only)."""
        self.dropped: list[str] = []
        """A line per kept save that turned out impossible (the UI shows and clears them)."""

    @property
    def pending(self) -> list[PendingSave]:
        with self._lock:
            return list(self._pending)

    @property
    def unsaved(self) -> int:
        """How many saves are kept; lock-free, so a UI can ask while a retry waits."""
        return len(self._pending)

    @property
    def last_error(self) -> str:
        """Why the oldest kept save failed (lock-free, like ``unsaved``)."""
        try:
            return self._pending[0].error
        except IndexError:
            return ""

    def add_claim(self, doc_id: str, start: int, end: int, claim_type: str,
                  **labels: str) -> Claim | None:
        """The saved claim, or None when the save failed and is kept for a retry."""
        values = {"start": start, "end": end, "claim_type": claim_type, **labels}
        return self._save(PendingSave("add", new_id(), self.store.annotator, doc_id, values))[1]

    def update_claim(self, claim_id: str, **changes: Any) -> Claim | None:
        """The edited claim, or None when the edit failed and is kept for a retry."""
        return self._save(PendingSave("update", claim_id, self.store.annotator,
                                      values=changes))[1]

    def delete_claim(self, claim_id: str) -> bool:
        """True when the claim is gone now, False when the deletion is kept for a retry."""
        return self._save(PendingSave("delete", claim_id, self.store.annotator))[0]

    def _save(self, save: PendingSave) -> tuple[bool, Claim | None]:
        """(saved now, the claim as saved); a save that fails for a passing reason is kept."""
        with self._lock:
            if self._pending:  # keep the order: an edit must not overtake the claim's creation
                self._keep(save, "waiting for earlier saves")
                self.retry()
                if any(s is save for s in self._pending):
                    return False, None
                try:
                    return True, self.store.claim(save.claim_id)
                except StoreError:
                    return True, None  # deleted
            try:
                return True, self._apply(save)
            except RETRYABLE as exc:
                self._keep(save, str(exc))
                return False, None

    def _apply(self, save: PendingSave) -> Claim | None:
        """Do the save; idempotent, so a replay after a crash does not do it twice."""
        store, values = self.store, dict(save.values)
        if save.op == "add":
            start, end, kind = values.pop("start"), values.pop("end"), values.pop("claim_type")
            return store.add_claim(save.doc_id, start, end, kind, claim_id=save.claim_id,
                                   **values)
        if save.op == "delete":
            # already gone: deleted before a crash, or by an earlier replay
            with contextlib.suppress(StoreError):
                store.delete_claim(save.claim_id)
            return None
        current = store.claim(save.claim_id)
        if all(getattr(current, k, None) == v for k, v in values.items()):
            return current
        return store.update_claim(save.claim_id, **values)

    def _keep(self, save: PendingSave, why: str) -> None:
        save.error = why
        self._pending.append(save)
        try:
            self.journal.append(save.record())
            self.journal_error = ""
        except OSError as exc:
            self.journal_error = f"{self.journal.path}: {exc.strerror or exc}"

    def retry(self, blocking: bool = True) -> int:
        """Try the kept saves in order until one fails again; how many are still pending.

        ``blocking=False`` returns at once when a save or retry is under way (a timer must not
        pile up threads behind a save that waits for a stopped writer).
        """
        if not self._lock.acquire(blocking=blocking):
            return self.unsaved
        try:
            while self._pending:
                save = self._pending[0]
                try:
                    self._apply(save)
                except RETRYABLE as exc:
                    save.error = str(exc)
                    break
                except StoreError as exc:  # can never succeed (its document is gone): say so
                    self.dropped.append(f"{save.op} of claim {save.claim_id} given up: {exc}")
                self._pending.pop(0)
                self._done(save)
            if not self._pending:
                self._tidy()
            return len(self._pending)
        finally:
            self._lock.release()

    def _done(self, save: PendingSave) -> None:
        with contextlib.suppress(OSError):  # else the replay finds the claim saved (its id)
            self.journal.append({"op": "done", "key": _key(save)})

    def _tidy(self) -> None:
        with contextlib.suppress(OSError):
            self.journal.remove_if_resolved()

    def recover(self) -> tuple[int, int, list[str]]:
        """Replay this annotator's saves an earlier session left in the journal.

        Returns (saved now, still pending, problems). Other annotators' saves (a shared
        database) are left for their own sessions.
        """
        records, problems = self.journal.read()
        mine = [s for s in _outstanding(records) if s.annotator == self.store.annotator]
        with self._lock:
            known = {_key(s) for s in self._pending}
            for save in mine:
                if _key(save) not in known:
                    self._pending.append(save)
            before = len(self._pending)
            left = self.retry()
        return before - left, left, problems
