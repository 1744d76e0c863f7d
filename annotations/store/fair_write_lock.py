"""Fair turn-taking between processes that write to one database, with a limit on the wait.

SQLite's busy handler polls with sleeps of up to 100 ms, so under a burst of saves from several
processes one of them can wait seconds while the others take turns. Queuing first on an advisory
lock file beside the database (``<db>-writer``) hands the turn over at once (bench: worst save with
8 flat-out writers 1.7 s -> 0.16 s). Where the file cannot be made (read-only folder, no
``fcntl``, a symlink or other non-file in its place), SQLite's own locking alone still keeps every
write correct.

A writer stopped mid-transaction (Ctrl-Z, SIGSTOP) keeps its turn, so the wait has a limit
(``LOCK_WAIT_SECONDS``). The holder writes its pid and annotator into the lock file when it takes
its turn, so the one who gives up can say who holds it. Readers never queue here: SQLite in WAL
mode lets them read while a writer works (``Store.query`` and friends take no writer turn).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's locking alone
    fcntl = None  # type: ignore[assignment]

LOCK_WAIT_SECONDS = 15.0
"""How long a save waits for another writer before it gives up (read at each wait)."""
_OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_CREAT


class WriterBusy(sqlite3.OperationalError):
    """Another writer held the database longer than the limit; the message names it."""


def _printable(text: str, limit: int = 40) -> str:
    """Data from the lock file (written by another user, maybe) made safe to show."""
    return "".join(ch for ch in text if ch.isprintable())[:limit]


def holder_of(path: str) -> str:
    """Who the lock file says holds the turn: "pid 123 (annotator 'bob')", or ""."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        raw = os.pread(fd, 256, 0).decode("utf-8", "replace")
    finally:
        os.close(fd)
    pid, _, annotator = raw.strip().partition(" ")
    if not pid.isdigit():
        return ""
    return f"pid {int(pid)}" + (f" (annotator {_printable(annotator)!r})" if annotator else "")


class FairWriteLock:
    """One process's place in the queue: threads of this process first take turns among
    themselves, then the process queues on the lock file."""

    def __init__(self, database: Path | None, annotator: str = "") -> None:
        self._path = None if database is None or fcntl is None else f"{database}-writer"
        self._fd: int | None = None
        self._writable = False
        self._held: int | None = None  # the descriptor whose lock this turn holds, if any
        self._threads = threading.Lock()
        self._owner: int | None = None  # the thread whose turn it is
        self.annotator = annotator

    def _open(self) -> int | None:
        if self._fd is None and self._path is not None:
            self._fd, self._writable = self._open_file()
            if self._fd is None:
                self._path = None
        return self._fd

    def _open_file(self) -> tuple[int | None, bool]:
        """A descriptor of the lock file, never through a symlink and only a regular file."""
        assert self._path is not None
        for flags, writable in ((os.O_RDWR, True), (os.O_RDONLY, False)):
            try:  # read-only is enough to lock, so any user who can write the db can queue
                fd = os.open(self._path, flags | _OPEN_FLAGS, 0o666)
            except OSError:
                continue
            if stat.S_ISREG(os.fstat(fd).st_mode):
                return fd, writable
            os.close(fd)
            return None, False
        return None, False

    def acquire(self, timeout: float | None = None) -> None:
        """Wait for this process's turn, at most ``timeout`` (default ``LOCK_WAIT_SECONDS``)
        seconds; raise ``WriterBusy`` naming the holder when it is exceeded."""
        limit = LOCK_WAIT_SECONDS if timeout is None else timeout
        deadline = time.monotonic() + limit
        if self._owner == threading.get_ident():  # would wait for itself
            raise RuntimeError("a write transaction inside another one on the same thread")
        if not self._threads.acquire(timeout=limit):
            raise WriterBusy(
                f"database is locked: another save of this program has held it "
                f"for more than {limit:g} s"
            )
        try:
            fd = self._open()
            if fd is not None:
                self._held = self._flock(fd, deadline, limit)
                self._announce()
        except BaseException:
            self._threads.release()
            raise
        self._owner = threading.get_ident()

    def _flock(self, fd: int, deadline: float, limit: float) -> int | None:
        """The descriptor now holding the lock; None where the file cannot be used after all
        (SQLite's own locking still serialises the write)."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            pass
        # Contended: wait in the kernel's queue (a fair, instant hand-over) on a descriptor of
        # our own in a helper thread, which lets go at once if we stopped waiting meanwhile.
        assert self._path is not None
        waiter = _Waiter(self._path)
        got = waiter.wait(deadline - time.monotonic())
        if waiter.failed:
            return None
        if got is None:
            who = holder_of(self._path)
            raise WriterBusy(
                f"database is locked: {who or 'another process'} has been writing for more than"
                f" {limit:g} s (stopped with Ctrl-Z? resume it with fg, or end it)"
            )
        return got

    def _announce(self) -> None:
        """Write "pid annotator" into the lock file for whoever waits too long behind us."""
        if self._fd is None or not self._writable:
            return
        data = f"{os.getpid()} {_printable(self.annotator, 80)}\n".encode()
        try:
            os.pwrite(self._fd, data.ljust(128), 0)
        except OSError:
            self._writable = False

    def release(self) -> None:
        held, self._held, self._owner = self._held, None, None
        try:
            if held is not None:
                fcntl.flock(held, fcntl.LOCK_UN)
                if held != self._fd:
                    os.close(held)
        finally:
            self._threads.release()

    def __enter__(self) -> FairWriteLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class _Waiter:
    """A blocking ``flock`` in a daemon thread on a descriptor of its own, abandonable."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._state = threading.Lock()
        self._done = threading.Event()
        self._fd: int | None = None
        self._abandoned = False
        self.failed = False
        threading.Thread(target=self._run, daemon=True, name="annotty-writer-wait").start()

    def _run(self) -> None:
        try:
            fd = os.open(self._path, os.O_RDONLY | _OPEN_FLAGS, 0o666)
        except OSError:
            self.failed = True
            self._done.set()
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            os.close(fd)
            self.failed = True
            self._done.set()
            return
        with self._state:
            if self._abandoned:  # the waiter gave up: pass the turn on at once
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            else:
                self._fd = fd
        self._done.set()

    def wait(self, seconds: float) -> int | None:
        self._done.wait(max(0.0, seconds))
        with self._state:
            if self._fd is None:
                self._abandoned = True
            return self._fd
