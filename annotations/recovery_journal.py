"""The recovery journal: saves the database could not take yet, one JSON line each.

``<db>.recovery.jsonl`` is appended with ``O_APPEND`` and ``fsync``, never through a symlink,
created exclusively with mode 0600; a "done" line records that a save went through, and the file
is removed once everything in it is saved. ``SaveQueue`` (``annotations.recovery``) writes it.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not on Windows: appends stay atomic, removal is not serialised
    fcntl = None  # type: ignore[assignment]

from annotations.model import now_iso

MAX_JOURNAL_BYTES = 64 * 1024 * 1024
"""A journal bigger than this is not read (it is not ours, or something went badly wrong)."""
OPS = ("add", "update", "delete", "status", "stance", "entity", "review", "accept", "reject")
"""What a journal line may ask for: claims, then document status and stance, entity
corrections (label "" removes), review decisions and decisions on claim candidates."""


@dataclass
class PendingSave:
    """One save not yet in the database: a new claim (``add``), an edit (``update``), a
    deletion (``delete``), or one of the other ``OPS``. ``claim_id`` names the item: the
    claim, or for a document's status or stance and an entity correction a fresh id."""

    op: str
    claim_id: str
    annotator: str
    doc_id: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    at: str = field(default_factory=now_iso)
    error: str = ""
    expected: str | None = None
    """The version of the claim the user acted on (``Claim.version``) for an ``update``,
    ``delete`` or ``review``: replayed late, it is still refused if someone else changed the
    claim meanwhile (``ConflictError``). None: no check (older journal lines, bulk work)."""

    def record(self) -> dict[str, Any]:
        line = {
            "op": self.op,
            "claim_id": self.claim_id,
            "annotator": self.annotator,
            "doc_id": self.doc_id,
            "values": self.values,
            "at": self.at,
        }
        if self.expected is not None:
            line["expected"] = self.expected
        return line

    @classmethod
    def from_record(cls, raw: Any) -> PendingSave | None:
        """A journal line back as a save, or None if it is not one of ours."""
        if not isinstance(raw, dict) or raw.get("op") not in OPS:
            return None
        texts = [raw.get(k) for k in ("claim_id", "annotator", "doc_id", "at")]
        if not all(isinstance(t, str) for t in texts) or not isinstance(raw.get("values"), dict):
            return None
        expected = raw.get("expected")
        return cls(
            raw["op"],
            raw["claim_id"],
            raw["annotator"],
            raw["doc_id"],
            raw["values"],
            raw["at"],
            expected=expected if isinstance(expected, str) else None,
        )

    def describe(self) -> str:
        """What the save was, for a line that says it was given up."""
        if self.op in ("status", "stance"):
            return f"{self.op} of document {self.doc_id}"
        if self.op == "entity":
            return f"entity correction in document {self.doc_id}"
        if self.op in ("accept", "reject"):
            return f"{self.op}ing a claim candidate in document {self.doc_id}"
        return f"{self.op} of claim {self.claim_id}"


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
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a server's folder
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
            if not problems and not outstanding(records):
                os.unlink(self.path)
        finally:
            os.close(fd)


def outstanding(records: list[dict[str, Any]]) -> list[PendingSave]:
    """Saves in the journal with no "done" line after them, in order."""
    todo: dict[str, PendingSave] = {}
    for record in records:
        if isinstance(record, dict) and record.get("op") == "done":
            todo.pop(str(record.get("key")), None)
            continue
        save = PendingSave.from_record(record)
        if save is not None:
            todo[key_of(save)] = save
    return list(todo.values())


def key_of(save: PendingSave) -> str:
    return f"{save.op}:{save.claim_id}:{save.at}"
