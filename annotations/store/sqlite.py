"""Opening the SQLite file: pragmas for durability and sharing, read-only and damaged files.

The schema and its migrations are ``sqlite_schema``; checks of the file itself (header,
integrity, who has it open) are ``sqlite_check``.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from annotations.errors import (
    AnnottyError,
    DamagedDatabase,
    DatabaseProblem,
    InputError,
    MissingDatabase,
)
from annotations.store import sqlite_check as db_check
from annotations.store.sqlite_check import (
    FileState,
    IntegrityGate,
    inspect_file,
    read_only_connection,
)
from annotations.store.sqlite_schema import SCHEMA_VERSION, check_version, migrate, retry_busy

BUSY_TIMEOUT_MS = 10_000


URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")


def is_url(target: str) -> bool:
    """``postgresql://…`` and the like (also as ``Path`` leaves them, with one slash), unless
    a folder of that name really exists."""
    return bool(URL.match(target)) and not Path(target.split("/", 1)[0]).is_dir()


def refuse_url(target: str) -> None:
    """A URL that reached the file backend (as a ``Path``, which mangles it) would become
    folders named ``postgresql:``: refuse it; ``Store`` opens URLs given as ``str``."""
    if is_url(target):
        raise InputError(
            target,
            "a database URL cannot be opened as a file: give an SQLite file path "
            "or a postgresql:// URL",
        )


def decode_text(raw: bytes) -> str:
    """SQLite TEXT as str, even when another program stored bytes that are not UTF-8.

    Invalid bytes become U+FFFD rather than surrogate escapes: everything downstream (JSON,
    CSV, the terminal, writing a merged row back into SQLite) needs valid Unicode, and a lone
    surrogate would only move the failure there. The bytes stay as they were in the file.
    """
    return raw.decode("utf-8", "replace")


@dataclass
class Opened:
    """An open database and what the user may do with it."""

    db: sqlite_utils.Database
    readonly: str = ""  # why the file can only be read; "" when writable
    gate: IntegrityGate | None = None


def connect(path: str | Path | None, create: bool = True) -> sqlite_utils.Database:
    """Open (creating if allowed) and migrate the database; ``None`` means in memory. For
    reading another database (a merge's source): no integrity check unless it is written."""
    return open_database(path, create=create, background_check=False).db


def open_database(
    path: str | Path | None, create: bool = True, background_check: bool = True
) -> Opened:
    """Open a database without ever changing a file that is not an annotty database.

    Everything is checked through a connection that cannot write before any pragma that does:
    the header (not SQLite, cut short), the schema (another program's tables, a newer annotty).
    A file this user cannot write opens read-only (``Opened.readonly`` says why). A missing file
    is created only when ``create`` (``import``, ``merge -o``, the app's default database);
    otherwise ``MissingDatabase``. Raises ``InputError``/``DatabaseProblem`` naming the file.
    """
    if path is None:
        conn = _new_connection(":memory:")
        db = sqlite_utils.Database(conn)
        migrate(db, ":memory:")
        return Opened(db)
    target = str(path)
    refuse_url(target)
    file = Path(path)
    _OPENED.append(file)
    del _OPENED[:-50]
    state = inspect_file(file)
    if state is None:
        if not create and file.exists():
            raise InputError(
                file, "empty file, not an annotty database yet; `annotty import` creates one"
            )
        if not create:
            raise MissingDatabase(file)
        _make_room(file)
    elif not db_check.live(file):  # a file this process has open was checked when opened
        _probe(file, state)
    why = _why_readonly(file)
    if why and state is None:
        raise DatabaseProblem(file, f"{file}: cannot create a database here: {why}")
    if why:
        return Opened(sqlite_utils.Database(_open_read_only(file, state, why)), readonly=why)
    known_good = state is not None and db_check.known_ok(file)
    conn = _new_connection(target)
    try:
        retry_busy(lambda: conn.execute("PRAGMA journal_mode=WAL"))
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        db = sqlite_utils.Database(conn)
        migrate(db, target)
        gate = None if state is None else IntegrityGate(file, conn, background_check, known_good)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _problem(file, exc) from exc
    except (InputError, DatabaseProblem):
        conn.close()
        raise
    return Opened(db, gate=gate)


def _open_read_only(file: Path, state: FileState | None, why: str) -> sqlite3.Connection:
    try:
        conn = read_only_connection(file, state)
    except sqlite3.DatabaseError as exc:
        raise _problem(file, exc) from exc
    try:
        conn.isolation_level = None
        conn.text_factory = decode_text
        conn.execute("PRAGMA query_only=1")
        if check_version(conn, str(file)) != SCHEMA_VERSION:
            raise DatabaseProblem(
                file,
                f"{file}: made by an older annotty and read-only ({why}), so it cannot be upgraded",
            )
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _problem(file, exc) from exc
    except AnnottyError:
        conn.close()
        raise
    return conn


def read_connection(path: str | Path) -> sqlite3.Connection:
    """One more connection to a database already opened with ``open_database``, for reads only
    (an export's snapshot, a worker's long query): same decoding, works on read-only files."""
    file = Path(path)
    conn = read_only_connection(file, inspect_file(file))
    conn.isolation_level = None
    conn.text_factory = decode_text
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


_OPENED: list[Path] = []  # for error lines; the CLI clears it at the start of each command


def opened_files() -> list[Path]:
    """Database files opened since ``forget_opened``, oldest first (to name one in an error)."""
    return list(dict.fromkeys(_OPENED))


def forget_opened() -> None:
    _OPENED.clear()


def _new_connection(target: str) -> sqlite3.Connection:
    if target == ":memory:":
        conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
    else:
        conn = db_check.connect(
            target,
            Path(target),
            check_same_thread=False,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
    conn.text_factory = decode_text
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def _make_room(file: Path) -> None:
    """The folder of a new database (the default data folder may not exist yet)."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseProblem(
            file, f"{file}: cannot create the folder {file.parent} ({exc.strerror or exc})"
        ) from exc


def _why_readonly(file: Path) -> str:
    """Why this user cannot write the database (SQLite also writes files beside it), or ""."""
    folder = file.parent if str(file.parent) else Path(".")
    if file.exists() and not os.access(file, os.W_OK):
        return "the file is not writable"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    return ""


def compact(conn: sqlite3.Connection) -> None:
    """Rebuild the file without its free pages (``VACUUM``), then fold the WAL back into it:
    every row and all history kept. Other writers wait while it runs."""
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def check_file(path: str | Path) -> FileState:
    """An existing annotty database this annotty can read, else the error saying why; reads
    only (``annotty db check`` uses it before its own full check)."""
    refuse_url(str(path))
    file = Path(path)
    state = inspect_file(file)
    if state is None:
        if file.exists():
            raise InputError(
                file, "empty file, not an annotty database yet; `annotty import` creates one"
            )
        raise MissingDatabase(file)
    _probe(file, state)
    return state


def _probe(file: Path, state: FileState) -> None:
    """Refuse what annotty must not open, reading through a connection that cannot write."""
    try:
        conn = read_only_connection(file, state)
    except sqlite3.DatabaseError as exc:
        raise _problem(file, exc) from exc
    try:
        version = check_version(conn, str(file))
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    except sqlite3.DatabaseError as exc:
        raise _problem(file, exc) from exc
    finally:
        conn.close()
    if version == 0 and tables:
        raise InputError(file, "not an annotty database (it has other tables)")
    if version and "documents" not in tables:
        raise InputError(file, "not an annotty database (no documents table)")


def _problem(file: Path, exc: sqlite3.DatabaseError) -> AnnottyError:
    """A SQLite complaint about a file, as the error the user should see."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_NOTADB:
        return InputError(file, "not an annotty database (not an SQLite file)")
    if code == sqlite3.SQLITE_CORRUPT or "malformed" in str(exc):
        return DamagedDatabase(file, str(exc))
    return InputError(file, f"not a usable database ({exc})")
