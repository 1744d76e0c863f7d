"""The few facts about the database that differ between SQLite and PostgreSQL, asked of a
connection (``reading()``/``transaction()`` yield either a ``sqlite3.Connection`` or the
PostgreSQL backend's connection, which runs the same SQL text)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


def dialect(conn: Any) -> str:
    """``"postgresql"`` for the server backend's connection, else ``"sqlite"``."""
    return str(getattr(conn, "dialect", SQLITE))


def is_postgres(conn: Any) -> bool:
    return dialect(conn) == POSTGRESQL


def dicts(conn: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The rows of ``sql`` as dicts by column name, on a connection of either backend (inside
    a transaction, where the store's own ``_rows`` would read on another connection)."""
    cur = conn.execute(sql, params)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def table_names(conn: Any) -> set[str]:
    """The tables of the database (of the current schema on PostgreSQL)."""
    if is_postgres(conn):
        sql = "select tablename from pg_tables where schemaname = current_schema()"
    else:
        sql = "select name from sqlite_master where type = 'table'"
    return {str(row[0]) for row in conn.execute(sql).fetchall()}


def json_object(conn: Any, pairs: str) -> str:
    """SQL building a JSON object's text from ``pairs`` (``'key', value, ...``, keys written in
    code): SQLite's ``json_object``; PostgreSQL's ``json_build_object`` keeps the keys' order
    (``jsonb_build_object`` would sort them). Readers ``json.loads`` it, so the spacing, which
    differs, does not matter."""
    if is_postgres(conn):
        return f"cast(json_build_object({pairs}) as text)"
    return f"json_object({pairs})"


DERIVED = frozenset({"rowid", "search"})
"""Columns PostgreSQL's schema adds to ``documents``/``claims`` that hold no data of their own
(the import order, the full-text vector): never copied, compared or part of a state."""


def columns(conn: Any, table: str) -> list[str]:
    """The data columns of ``table`` (a name written in code, never from data), in order, not
    ``DERIVED`` ones: the portable form of ``pragma table_info``."""
    cur = conn.execute(f'select * from "{table}" limit 0')
    return [str(c[0]) for c in cur.description if str(c[0]) not in DERIVED]


@contextmanager
def snapshot(conn: Any) -> Iterator[None]:
    """One consistent, read-only view of the database on ``conn`` for as long as the block
    runs, whoever writes meanwhile (a merge's or copy's source: rows read at different moments
    could otherwise disagree with the history read beside them)."""
    if is_postgres(conn):
        with conn.raw.transaction():
            conn.raw.execute("set transaction isolation level repeatable read, read only")
            yield
        return
    conn.execute("begin")
    try:
        yield
    finally:
        conn.execute("rollback")
