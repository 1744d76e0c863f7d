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


@db_group.command("check")
@pass_settings
def check_cmd(settings: Settings) -> None:
    """Read every page and index (SQLite's integrity_check) and say whether the file is sound.

    Reads only, so it is safe while others annotate; takes about a second per GB when the file
    is in the page cache, longer from a cold disk.
    """
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
