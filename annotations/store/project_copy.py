"""``annotty copy``: a whole project from one database to another, SQLite or PostgreSQL.

Why this shape: moving a team's project onto a server (or back onto a laptop) must lose nothing
and be safe to run twice. Every table is copied row for row with its primary keys (history
``seq``, entity ids), so undo stacks and references stay valid; documents and claims go in the
source's ``rowid`` order so the destination's import order is the same.

It runs in two passes over one consistent snapshot of the source, inside one write transaction
on the destination: the first compares every source row with the destination row under the
same key (missing: to copy; equal: already there; different: a different project, refused
before anything is written) and refuses text PostgreSQL cannot hold; the second writes the
missing rows (PostgreSQL's ``COPY``, else ``executemany``). A failure rolls the whole copy back
and a rerun finishes it; a rerun after success copies nothing. Table and column names are
written here (or read from the schema and checked), never taken from data.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from annotations.errors import DatabaseProblem, InputError
from annotations.store.dialect import columns, is_postgres, snapshot, table_names
from annotations.terminal_safe import clean

if TYPE_CHECKING:
    from annotations.store import Store

BATCH = 5000  # rows fetched or inserted at a time


@dataclass(frozen=True)
class Table:
    """A table copied: its primary key and whether it goes in ``rowid`` (import) order."""

    name: str
    key: tuple[str, ...]
    by_rowid: bool = False
    optional: bool = False  # present since a later migration: copied when both sides have it


TABLES: tuple[Table, ...] = (
    Table("settings", ("key",)),
    Table("documents", ("id",), by_rowid=True),
    Table("doc_state", ("doc_id", "annotator")),
    Table("entity_runs", ("doc_id", "recognizer")),
    Table("entities", ("id",)),
    Table("entity_edits", ("id",)),
    Table("claims", ("id",), by_rowid=True),
    Table("history", ("seq",)),
    Table("suggestions", ("id",)),
    Table("suggest_models", ("name", "version")),
    Table("assignments", ("doc_id", "annotator"), optional=True),
    Table("comments", ("id",), optional=True),
    Table("claim_time", ("claim_id",), optional=True),
    Table("doc_time", ("doc_id", "annotator"), optional=True),
    Table("doc_versions", ("doc_id", "version"), optional=True),
    Table("claim_anchors", ("claim_id",), optional=True),
    Table("claim_links", ("a", "b"), optional=True),
)
"""Every table of a project, in the order they are written (documents before claims)."""

DERIVED = re.compile(r"schema_version|claims_fts(_\w+)?|claims_order_changes|sqlite_\w+")
"""Tables rebuilt by the destination itself (search index, schema record, the review's
change counter): never copied."""

SKIP_COLUMNS = frozenset({"rowid", "search"})
"""PostgreSQL's import-order identity and generated search column: the destination fills them."""

SEQUENCES = (("history", "seq"), ("entities", "id"), ("documents", "rowid"), ("claims", "rowid"))
"""PostgreSQL identity columns moved past the copied rows so later inserts do not collide."""

_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

Row = tuple[Any, ...]


@dataclass
class TableCount:
    copied: int = 0
    present: int = 0  # equal rows the destination already had


@dataclass
class CopyReport:
    """What a copy did, per table (in copy order)."""

    source: str
    dest: str
    tables: dict[str, TableCount] = field(default_factory=dict)

    @property
    def copied(self) -> int:
        return sum(t.copied for t in self.tables.values())

    @property
    def present(self) -> int:
        return sum(t.present for t in self.tables.values())


def copy_project(source: Store, dest: Store) -> CopyReport:
    """Copy every row of ``source`` that ``dest`` lacks; refuse (``DatabaseProblem``, nothing
    written) if ``dest`` holds different rows under the same keys, and (``InputError``) text
    with a NUL character bound for PostgreSQL. Safe to run again: it then copies nothing."""
    _refuse_same(source, dest)
    report = CopyReport(source.location, dest.location)
    with dest.transaction() as txn, source.reading() as src, snapshot(src):
        tables = _tables(source, dest, src, txn)
        to_pg = is_postgres(txn)
        plans: list[tuple[Table, list[str], set[Any]]] = []
        for table in tables:
            cols = _columns(source, dest, src, txn, table.name)
            have = _existing(txn, table, cols)
            count = report.tables[table.name] = TableCount()
            present: set[Any] = set()
            key_of = _key_of(table, cols)
            for row in _source_rows(src, table, cols):
                key = key_of(row)
                if to_pg:
                    _check_for_postgres(source, table, key, row)
                theirs = have.get(key)
                if theirs is None:
                    count.copied += 1
                elif _same(row, theirs):
                    present.add(key)
                    count.present += 1
                else:
                    raise DatabaseProblem(
                        dest.location,
                        f"{dest.location} already holds a different project "
                        f"({_describe(table, key)} differs): use `annotty merge`",
                    )
            plans.append((table, cols, present))
        for table, cols, present in plans:
            if not report.tables[table.name].copied:
                continue
            key_of = _key_of(table, cols)
            rows = (row for row in _source_rows(src, table, cols) if key_of(row) not in present)
            if to_pg:
                _copy_into_postgres(dest, txn, table.name, cols, rows)
            else:
                _insert_into_sqlite(txn, table.name, cols, rows)
        if to_pg:
            _move_sequences(txn)
    return report


def _refuse_same(source: Store, dest: Store) -> None:
    same = (
        source.url is not None and source.url == dest.url
        if source.path is None or dest.path is None
        else source.path.resolve() == dest.path.resolve()
    )
    if same:
        raise InputError(dest.location, "SRC and DEST are the same database")


def _tables(source: Store, dest: Store, src: Any, txn: Any) -> list[Table]:
    """The tables to copy; a source table this program does not know is refused rather than
    silently left behind (a newer annotty's data)."""
    theirs, ours = table_names(src), table_names(txn)
    known = {t.name for t in TABLES}
    unknown = sorted(n for n in theirs - known if not DERIVED.fullmatch(n))
    if unknown:
        raise InputError(
            source.location,
            f"table {clean(unknown[0])!r} is not one annotty knows how to copy "
            "(made by a newer annotty?)",
        )
    chosen = []
    for table in TABLES:
        if table.name in theirs and table.name in ours:
            chosen.append(table)
        elif table.name in theirs:  # the destination's schema lacks it: nothing may be lost
            raise InputError(dest.location, f"has no {table.name} table to copy into")
        elif not table.optional:
            raise InputError(source.location, f"not an annotty database (no {table.name} table)")
    return chosen


def _columns(source: Store, dest: Store, src: Any, txn: Any, table: str) -> list[str]:
    """The source's columns (less the ones the destination fills), all present on both sides."""
    cols = [c for c in columns(src, table) if c not in SKIP_COLUMNS]
    theirs = set(columns(txn, table))
    for col in cols:
        if not _NAME.fullmatch(col):
            raise InputError(source.location, f"{table}: unexpected column {clean(col)!r}")
        if col not in theirs:
            raise InputError(dest.location, f"{table}: no column {col!r} to copy into")
    return cols


def _names(cols: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in cols)


def _source_rows(conn: Any, table: Table, cols: list[str]) -> Iterator[Row]:
    """The source table's rows, in import order for documents and claims, else by key."""
    order = "rowid" if table.by_rowid else _names(list(table.key))
    sql = f"select {_names(cols)} from {table.name} order by {order}"
    if is_postgres(conn):
        with conn.raw.cursor(name=f"annotty_copy_{table.name}") as cur:
            cur.itersize = BATCH
            cur.execute(sql)
            yield from cur
        return
    cur = conn.execute(sql)
    while batch := cur.fetchmany(BATCH):
        yield from batch


def _key_of(table: Table, cols: list[str]) -> Callable[[Row], Any]:
    """A row's primary key: the value itself for a one-column key, else a tuple."""
    if len(table.key) == 1:
        return operator.itemgetter(cols.index(table.key[0]))
    return operator.itemgetter(*(cols.index(k) for k in table.key))


def _existing(txn: Any, table: Table, cols: list[str]) -> dict[Any, Row]:
    """The destination's rows of ``table`` by key (none for a new project)."""
    key_of = _key_of(table, cols)
    rows = txn.execute(f"select {_names(cols)} from {table.name}").fetchall()
    return {key_of(r): tuple(r) for r in rows}


def _same(ours: Row, theirs: Row) -> bool:
    """Equal rows; a NaN score equals a NaN score (it would never equal itself)."""
    return all(a == b or (a != a and b != b) for a, b in zip(ours, theirs, strict=True))


def _describe(table: Table, key: Any) -> str:
    parts = key if isinstance(key, tuple) else (key,)
    return f"{table.name} {'/'.join(clean(p) for p in parts)}"


def _check_for_postgres(source: Store, table: Table, key: Any, row: Row) -> None:
    """Refuse what PostgreSQL cannot store before anything is written: text with a NUL
    character (its text type cannot hold U+0000), bytes in a text column, an empty key."""
    parts = key if isinstance(key, tuple) else (key,)
    if any(p is None for p in parts):
        raise InputError(source.location, f"{_describe(table, key)}: a row without its key")
    for value in row:
        if isinstance(value, str):
            if "\x00" in value:
                raise InputError(
                    source.location,
                    f"{_describe(table, key)}: text with a NUL character cannot be stored in "
                    "PostgreSQL; nothing was copied",
                )
        elif isinstance(value, bytes | bytearray | memoryview):
            raise InputError(
                source.location, f"{_describe(table, key)}: binary data where text belongs"
            )


def _copy_into_postgres(
    dest: Store, txn: Any, table: str, cols: list[str], rows: Iterator[Row]
) -> None:
    """``COPY`` the rows in: several times faster than even pipelined inserts."""
    from annotations.store.pg import translated_errors

    sql = f"copy {table} ({_names(cols)}) from stdin"
    with translated_errors(dest.location), txn.raw.cursor() as cur, cur.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_into_sqlite(txn: Any, table: str, cols: list[str], rows: Iterator[Row]) -> None:
    sql = f"insert into {table} ({_names(cols)}) values ({', '.join('?' * len(cols))})"
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            txn.executemany(sql, batch)
            batch.clear()
    if batch:
        txn.executemany(sql, batch)


def _move_sequences(txn: Any) -> None:
    """Set each identity column's next value just past the highest copied one: rows given
    explicit ids do not advance it, and the next claim or history row would collide."""
    for table, col in SEQUENCES:
        txn.execute(
            f"select setval(pg_get_serial_sequence('{table}', '{col}'),"
            f' coalesce(max("{col}"), 0) + 1, false) from {table}'
        )
