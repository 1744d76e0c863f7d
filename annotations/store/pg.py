"""The PostgreSQL backend's plumbing: a connection pool, the same SQL text as SQLite, one writer.

Why this shape: the store's SQL (about 150 statements) is written once, portable between SQLite
3.40 and PostgreSQL 15; what still differs is mechanical and translated here, once per statement
text (``translate``): ``?`` placeholders, SQLite's planner hints, ``group_concat``, ``is ?``,
``like`` (ASCII case-insensitive in SQLite). The schema gives ``documents`` and ``claims`` a real
``rowid`` column, so the queries that order or page by it run unchanged (``pg_schema``).

Each writing transaction takes an advisory lock named for its annotator: one person's writes
(two sessions of alice, or her app and her ``annotty import``) take turns, so undo's walk of
her stack and her history stay in order, while different people write at once (one global
lock, as SQLite has, collapsed 32 writers on 2 cores to ~100 commits/s: the lock holder was
descheduled). Writes that two people can make to one row (a review and an edit) lock that row
(``select ... for update``) and check the version its user saw (``conflicts``).
History ``seq`` is therefore assigned in commit order per annotator, not across annotators:
nothing tails the log by ``seq`` on PostgreSQL (the watcher listens for NOTIFY instead).

psycopg is imported only here, and only when a URL is opened: SQLite users pay nothing.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
import psycopg.errors
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from annotations.errors import DatabaseProblem, ReadOnlyDatabase, ServerUnavailable
from annotations.store.dialect import POSTGRESQL
from annotations.store.pg_url import redact

WRITER_LOCK = 0x616E6E6F  # "anno": first key of the per-annotator pg_advisory_xact_lock
CONNECT_TIMEOUT = 5  # seconds: an unreachable server is reported, not waited on
POOL_WAIT = 2.0  # seconds a read or save waits for a pooled connection: a server that went
# away is then said (the save kept as pending) within about two seconds, not five
POOL_SIZE = 4  # the app's UI thread, its workers and the watcher's reads


_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bnot\s+indexed\b", re.IGNORECASE), ""),
    (re.compile(r"\bindexed\s+by\s+\w+", re.IGNORECASE), ""),
    (
        re.compile(r"\bgroup_concat\(([^()]*)\)", re.IGNORECASE),
        r"string_agg(cast(\1 as text), ',')",
    ),
    (re.compile(r"\bis\s+(?=\?)", re.IGNORECASE), "is not distinct from "),
    (re.compile(r"\b(not\s+)?like\b", re.IGNORECASE), r"\1ilike"),
    (re.compile(r"\bas\s+real\b", re.IGNORECASE), "as double precision"),
    # SQLite takes an empty list (matches nothing); PostgreSQL needs a value: NULL equals none
    (re.compile(r"(?<!not)(\s)in\s*\(\s*\)", re.IGNORECASE), r"\1in (null)"),
)


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """SQLite's SQL text as PostgreSQL's: placeholders and the few spellings that differ.

    String literals and quoted names are left alone (a ``?`` or ``%`` in them stays itself).
    """
    for pattern, replacement in _REWRITES:
        sql = pattern.sub(replacement, sql)

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return token.replace("%", "%%")

    return _PLACEHOLDER.sub(swap, sql)


def _params(params: Iterable[Any]) -> list[Any]:
    """SQLite stores booleans as 0/1 and the schema's columns are integers: send ints."""
    return [int(p) if type(p) is bool else p for p in params]


class PgConnection:
    """A pooled connection that runs the store's SQLite-style SQL (what ``transaction()`` and
    ``reading()`` yield on PostgreSQL). Rows are tuples, as sqlite3 gives them."""

    dialect = POSTGRESQL

    def __init__(self, raw: psycopg.Connection[Any], where: str) -> None:
        self.raw = raw
        self.where = where

    def execute(self, sql: str, params: Iterable[Any] = ()) -> psycopg.Cursor[Any]:
        cur = self.raw.cursor()
        with translated_errors(self.where):
            cur.execute(translate(sql), _params(params))
        return cur

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> psycopg.Cursor[Any]:
        cur = self.raw.cursor()
        with translated_errors(self.where):
            cur.executemany(translate(sql), [_params(r) for r in rows])
        return cur

    def dicts(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        with self.raw.cursor(row_factory=dict_row) as cur, translated_errors(self.where):
            cur.execute(translate(sql), _params(params))
            return cur.fetchall()

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


@contextmanager
def translated_errors(where: str) -> Iterator[None]:
    """psycopg's errors as the store's: a lost server is retryable, a refused write read-only,
    a NUL character bad input; programming errors stay what they are (a bug)."""
    try:
        yield
    except (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege) as exc:
        raise ReadOnlyDatabase(where, _first(exc)) from exc
    except psycopg.DataError as exc:
        if "NUL" in str(exc):
            raise DatabaseProblem(
                where, f"{where}: text with a NUL character cannot be stored in PostgreSQL"
            ) from exc
        raise
    except PoolTimeout as exc:  # the pool keeps trying to connect; its own text names no cause
        raise ServerUnavailable(where, "no connection to the server") from exc
    except psycopg.OperationalError as exc:
        if "does not exist" in str(exc) and "database" in str(exc):
            raise DatabaseProblem(
                where,
                f"{where}: no such database on the server; create it first "
                "(`createdb -O USER NAME`, see the README's Team server section)",
            ) from exc
        raise ServerUnavailable(where, _first(exc)) from exc


def _first(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


class PgDatabase:
    """A pool of connections to one database, the writer lock, and the thread's transaction."""

    def __init__(self, url: str, session: str | None = None) -> None:
        """Connect (one clear line if the server cannot be reached), migrate, open the pool."""
        self.url = url
        self.where = redact(url)
        self.session = session or uuid.uuid4().hex[:12]
        self.commits = 0  # this store's committed writes (the watcher tells ours from others')
        self._local = threading.local()
        with translated_errors(self.where):
            first = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        try:
            from annotations.store.pg_schema import migrate

            migrate(PgConnection(first, self.where), self.where)
        finally:
            first.close()
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
            configure=self._configure,
            check=ConnectionPool.check_connection,
            timeout=POOL_WAIT,
            name=f"annotty-{self.session}",
            open=True,
        )

    def _configure(self, raw: psycopg.Connection[Any]) -> None:
        """Each pooled connection names this session: the notify triggers put it in their
        payload, so a watcher tells this store's commits from other people's."""
        raw.execute("select set_config('annotty.session', %s, false)", [self.session])

    @contextmanager
    def connection(self) -> Iterator[PgConnection]:
        """The thread's transaction connection if it has one (reads see its writes), else a
        pooled connection for this read."""
        bound: PgConnection | None = getattr(self._local, "conn", None)
        if bound is not None:
            yield bound
            return
        with translated_errors(self.where), self.pool.connection() as raw:
            yield PgConnection(raw, self.where)

    @contextmanager
    def pooled(self) -> Iterator[PgConnection]:
        """A pooled connection of its own, even inside a transaction: it sees only what was
        committed (a review list reading beside a long bulk write)."""
        with translated_errors(self.where), self.pool.connection() as raw:
            yield PgConnection(raw, self.where)

    @contextmanager
    def transaction(self, wait: float | None, annotator: str) -> Iterator[PgConnection]:
        """One atomic write under ``annotator``'s lock: commit on success, else roll back."""
        if getattr(self._local, "conn", None) is not None:
            raise RuntimeError("a write transaction inside another one on the same thread")
        timeout = POOL_WAIT if wait is None else max(wait, 0.1)
        with translated_errors(self.where), self.pool.connection(timeout=timeout) as raw:
            conn = PgConnection(raw, self.where)
            self._local.conn = conn
            try:
                with raw.transaction():
                    raw.execute(
                        "select pg_advisory_xact_lock(%s, hashtext(%s))", [WRITER_LOCK, annotator]
                    )
                    yield conn
                self.commits += 1
            finally:
                self._local.conn = None

    def rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self.connection() as conn:
            return conn.dicts(sql, params)

    def close(self) -> None:
        self.pool.close()


def server_schema_version(url: str) -> int:
    """The schema version of a server database, read without migrating it."""
    from annotations.store.pg_schema import check_version

    where = redact(url)
    with translated_errors(where):
        raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    try:
        return check_version(PgConnection(raw, where), where)
    finally:
        raw.close()
