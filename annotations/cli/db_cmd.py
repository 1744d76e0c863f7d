"""``annotty db check`` and ``annotty db vacuum``: looking after the database file itself."""

from __future__ import annotations

import time
from pathlib import Path

import click

from annotations.cli import Settings, cli, pass_settings
from annotations.errors import DamagedDatabase, ReadOnlyDatabase
from annotations.store import sqlite as dbmod
from annotations.store import sqlite_check as db_check
from annotations.terminal_safe import clean


def _size(path: Path) -> int:
    """Bytes on disk: the file and its write-ahead log."""
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


@cli.group("db")
def db_group() -> None:
    """Look after the database file: check it for damage, reclaim free space."""


@db_group.command("upgrade")
@pass_settings
def upgrade_cmd(settings: Settings) -> None:
    """Bring the database's schema up to this annotty's (opening it does the same; this does it
    explicitly, e.g. before a team starts). A database made by a newer annotty is refused."""
    from annotations.store.sqlite_schema import SCHEMA_VERSION

    was = schema_version(settings)
    settings.store(create=settings.url is not None)
    if was == SCHEMA_VERSION:
        click.echo(f"{clean(settings.location)}: schema {SCHEMA_VERSION}, up to date")
    else:
        click.echo(f"{clean(settings.location)}: schema {was} -> {SCHEMA_VERSION}")


def schema_version(settings: Settings) -> int:
    """The version the database has now, read without changing it (0: a new database)."""
    if settings.url is None:
        if not settings.db.exists():
            return 0
        state = dbmod.check_file(settings.db)
        conn = db_check.read_only_connection(settings.db, state)
        try:
            from annotations.store.sqlite_schema import check_version

            return check_version(conn, str(settings.db))
        finally:
            conn.close()
    from annotations.store.pg import server_schema_version

    return server_schema_version(settings.url)


@db_group.command("check")
@pass_settings
def check_cmd(settings: Settings) -> None:
    """Read every page and index (SQLite's integrity_check) and say whether the file is sound.

    Reads only, so it is safe while others annotate; takes about a second per GB when the file
    is in the page cache, longer from a cold disk. On a server database: that it can be
    reached and its schema is this annotty's (the server keeps its own pages sound).
    """
    if settings.url is not None:
        from annotations.store.sqlite_schema import SCHEMA_VERSION

        found = schema_version(settings)
        state = "up to date" if found == SCHEMA_VERSION else "older: `annotty db upgrade`"
        click.echo(f"{clean(settings.location)}: ok (schema {found}, {state})")
        return
    path = settings.db
    dbmod.check_file(path)  # an annotty database, not another program's file
    started, before = time.monotonic(), db_check.state_key(path)
    verdict = db_check.quick_check(path, full=True)
    took = time.monotonic() - started
    if verdict != "ok":
        raise DamagedDatabase(path, verdict)
    if before is not None and before == db_check.state_key(path):
        db_check.remember_ok(path)
    click.echo(f"{clean(path)}: ok ({_mb(_size(path))} checked in {took:.1f} s)")


@db_group.command("vacuum")
@pass_settings
def vacuum_cmd(settings: Settings) -> None:
    """Reclaim the space of deleted rows: rebuild the file (VACUUM) and empty the WAL.

    Every row stays as it was, history included. Other writers wait while it runs (seconds
    per GB), and it needs free disk space about the size of the database.
    """
    if settings.url is not None:
        schema_version(settings)  # reachable, and an annotty database
        click.echo(
            f"{clean(settings.location)}: nothing to do: the PostgreSQL server reclaims space "
            "itself (autovacuum)"
        )
        return
    path = settings.db
    opened = dbmod.open_database(path, create=False, background_check=False)
    conn = opened.db.conn
    try:
        if opened.readonly:
            raise ReadOnlyDatabase(path, opened.readonly)
        if opened.gate is not None:
            opened.gate.require()  # never rebuild a damaged file: .recover first
        before = _size(path)
        dbmod.compact(conn)
        after = _size(path)
    finally:
        conn.close()
    click.echo(
        f"{clean(path)}: {_mb(before)} -> {_mb(after)} ({_mb(max(0, before - after))} "
        "reclaimed); every row and all history kept"
    )
