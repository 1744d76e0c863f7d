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
from typing import TYPE_CHECKING, Any

from annotations.errors import ReadOnlyDatabase
from annotations.store import fair_write_lock
from annotations.store import sqlite as dbmod
from annotations.store.fair_write_lock import FairWriteLock

if TYPE_CHECKING:
    from annotations.store.pg import PgDatabase

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
        A ``postgresql://`` URL (a ``str``) opens the server backend instead (``pg``).

        ``readonly`` is why the file can only be read ("" when writable); every write then
        raises ``ReadOnlyDatabase``. Writes also wait for the integrity check of an existing
        file (``background_check`` starts it now rather than at the first write) and are refused
        if it found damage.
        """
        self.annotator = annotator or default_annotator()
        self._lock = threading.RLock()
        self._texts: OrderedDict[str, tuple[str, str]] = OrderedDict()
        """doc id -> (text, imported_at): an article imported again (a new version, issue 16)
        gets a new ``imported_at``, so a text cached before it is never used after it."""
        self._pg: PgDatabase | None = None
        self.url: str | None = None
        if isinstance(path, str) and dbmod.is_url(path):
            from annotations.store.pg_url import check_scheme

            check_scheme(path)
            from annotations.store.pg import PgDatabase

            self.path = None
            self._pg = PgDatabase(path)
            self.url = path
            self.readonly = ""
            self._gate = None
            self._writers = FairWriteLock(None)
            return
        self.path = None if path is None else Path(path)
        opened = dbmod.open_database(path, create=create, background_check=background_check)
        self.db = opened.db
        self.readonly = opened.readonly
        self._gate = opened.gate
        self._writers = FairWriteLock(self.path)

    @property
    def location(self) -> str:
        """Where the data lives, fit to show: the file, the server URL without its password,
        or ":memory:"."""
        if self._pg is not None:
            return self._pg.where
        return str(self.path) if self.path is not None else ":memory:"

    @property
    def short_name(self) -> str:
        """A name for titles: the file's name, "db on host" for a server, or "in memory"."""
        if self._pg is not None:
            from urllib.parse import urlsplit

            parts = urlsplit(self._pg.where)
            return f"{parts.path.lstrip('/') or 'postgres'} on {parts.hostname or 'localhost'}"
        return self.path.name if self.path is not None else "in memory"

    @property
    def dialect(self) -> str:
        """ "postgresql" or "sqlite": ``dialect.is_postgres`` asks a store or a connection."""
        return "postgresql" if self._pg is not None else "sqlite"

    @property
    def session(self) -> str:
        """This store's id on a server (its notifications carry it: a watcher tells this
        store's commits from other people's); "" for SQLite."""
        return self._pg.session if self._pg is not None else ""

    @property
    def where(self) -> Path | str | None:
        """The file, or the server URL without its password, for messages; None in memory."""
        return self.path if self._pg is None else self._pg.where

    @property
    def local_base(self) -> Path | None:
        """Where this database's local files go (``<base>.recovery.jsonl``, the journal of
        saves not yet written): the file itself, or for a server database a name in the data
        folder made from its password-free URL (the same every session). None in memory."""
        if self._pg is None:
            return self.path
        import hashlib

        from annotations.paths import data_dir

        key = hashlib.sha256(self._pg.where.encode()).hexdigest()[:16]
        return data_dir() / "servers" / key

    def _remember(self, doc_id: str, text: str, imported_at: str) -> None:
        with self._lock:
            self._texts[doc_id] = (text, imported_at)
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
        if self._pg is not None:
            with self._pg.transaction(wait, self.annotator) as pg_conn:
                yield pg_conn  # type: ignore[misc]  # runs the same SQL text as sqlite3's
            return
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
        if self._pg is not None:
            with self._pg.connection() as pg_conn:
                yield pg_conn  # type: ignore[misc]
            return
        with self._lock:
            yield self.db.conn

    @contextmanager
    def separate_reading(self) -> Iterator[Any]:
        """On a server: a connection of its own from the pool, which sees only committed data
        and never waits for this store's writes (the review list, an export). For SQLite use
        ``sqlite.read_connection(path)`` (a file) or ``reading()`` (in memory)."""
        if self._pg is None:
            raise TypeError("separate_reading() is for server databases")
        with self._pg.pooled() as conn:
            yield conn

    def own_changes(self) -> int:
        """Rows changed through this store's connection since it opened (SQLite's
        ``total_changes``): beside ``pragma data_version`` it tells our commits from others'."""
        if self._pg is not None:
            return self._pg.commits
        return self.db.conn.total_changes

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        if self._pg is not None:
            return self._pg.rows(sql, list(params))
        with self._lock:
            return list(self.db.query(sql, list(params)))

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
            return
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
            raise ReadOnlyDatabase(self.location, self.readonly)
        if self._gate is not None:
            self._gate.require()
