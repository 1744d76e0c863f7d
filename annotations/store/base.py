"""The store's plumbing: one SQLite connection, its lock, and durable transactions.

This is the one module that knows how the database is opened and written; the record
modules beside it (documents, claims, ...) only use ``transaction()``, ``reading()`` and
``_rows()``. A second backend (PostgreSQL, issue 14) is a new module of this kind.
"""

from __future__ import annotations

import getpass
import random
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from annotations.errors import ReadOnlyDatabase
from annotations.store import fair_write_lock
from annotations.store import sqlite as dbmod
from annotations.store.fair_write_lock import FairWriteLock

TEXT_CACHE = 4  # document texts kept in memory for exact, fast quotes

Transaction = sqlite3.Connection
"""What ``transaction()`` yields: hand it back to the store's in-transaction methods
(``log_change``, ``claim_state``, ...); never run SQL on it outside the store package."""


class StoreError(ValueError):
    """A request the store refuses (bad offsets, unknown id): the message says why."""


def default_annotator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "annotator"


class StoreBase:
    """Connection, lock and transactions shared by the record mixins."""

    def __init__(
        self,
        path: str | Path | None = None,
        annotator: str | None = None,
        create: bool = True,
        background_check: bool = True,
    ) -> None:
        """Open ``path`` (see ``db.open_database``): ``create=False`` refuses a missing file.

        ``readonly`` is why the file can only be read ("" when writable); every write then
        raises ``ReadOnlyDatabase``. Writes also wait for the integrity check of an existing
        file (``background_check`` starts it now rather than at the first write) and are refused
        if it found damage.
        """
        self.path = None if path is None else Path(path)
        opened = dbmod.open_database(path, create=create, background_check=background_check)
        self.db = opened.db
        self.readonly = opened.readonly
        self._gate = opened.gate
        self.annotator = annotator or default_annotator()
        self._lock = threading.RLock()
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._writers = FairWriteLock(self.path)

    def _remember(self, doc_id: str, text: str) -> None:
        with self._lock:
            self._texts[doc_id] = text
            self._texts.move_to_end(doc_id)
            while len(self._texts) > TEXT_CACHE:
                self._texts.popitem(last=False)

    @contextmanager
    def transaction(self, wait: float | None = None) -> Iterator[Transaction]:
        """One atomic, durable write: commit on success, roll back on any error.

        Writers of all processes take turns through ``FairWriteLock``; ``BEGIN IMMEDIATE`` then
        takes SQLite's write lock up front (waiting up to the busy timeout), so the body never
        meets a lock. If another program held it even longer, BEGIN and COMMIT are retried with
        backoff, until ``fair_write_lock.LOCK_WAIT_SECONDS`` have passed. The turn is taken before
        the connection's lock, so reads from other threads never wait behind a blocked writer.
        ``wait`` shortens that limit for writes that may be dropped (a reading position).
        """

        def patiently(sql: str, attempts: int = 8) -> None:
            for attempt in range(attempts):
                try:
                    conn.execute(sql)
                    return
                except sqlite3.OperationalError as exc:
                    busy = "locked" in str(exc) or "busy" in str(exc)
                    if not busy or attempt == attempts - 1 or time.monotonic() > deadline:
                        raise
                    time.sleep(min(1.0, 0.01 * 2**attempt) * (0.5 + random.random()))

        self.check_writable()
        self._writers.annotator = self.annotator
        limit = fair_write_lock.LOCK_WAIT_SECONDS if wait is None else wait
        self._writers.acquire(limit)
        try:
            with self._lock:
                deadline = time.monotonic() + limit
                conn = self.db.conn
                patiently("BEGIN IMMEDIATE")
                try:
                    yield conn
                    patiently("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        finally:
            self._writers.release()

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """Run a read-only query; rows as dicts. For the store's query modules only (see the
        package docstring): everything else calls a method named for what it reads."""
        return self._rows(sql, params)

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The store's connection, held by this thread, for reads of plain tuples (no dicts).

        For the store's query modules (stats, agreement, review listing, export) whose reads
        are too many for ``query``. Inside ``transaction()`` it sees that transaction's
        uncommitted writes. Never write through it: writes go through ``transaction()``.
        """
        with self._lock:
            yield self.db.conn

    def own_changes(self) -> int:
        """Rows changed through this store's connection since it opened (SQLite's
        ``total_changes``): beside ``pragma data_version`` it tells our commits from others'."""
        return self.db.conn.total_changes

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.db.query(sql, list(params)))

    def close(self) -> None:
        with self._lock:
            if self._gate is not None:
                self._gate.close()
            trusted = self._gate is not None and self._gate.unchanged_by_others(self.db.conn)
            self.db.conn.close()
            self._writers.close()
            if trusted and self._gate is not None:
                self._gate.remember()  # only this session wrote since the check: still good

    def check_writable(self) -> None:
        """Raise ``ReadOnlyDatabase``/``DamagedDatabase`` unless a write may go ahead."""
        if self.readonly:
            raise ReadOnlyDatabase(self.path or ":memory:", self.readonly)
        if self._gate is not None:
            self._gate.require()
