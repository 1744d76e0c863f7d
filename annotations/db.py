"""Opening the SQLite file: pragmas for durability and sharing, and versioned migrations.

Every schema change is a numbered migration recorded in ``PRAGMA user_version``; a database made
by an older annotty is brought up to date when opened, a newer one is refused.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from annotations import db_check, history
from annotations.db_check import FileState, IntegrityGate, inspect_file, read_only_connection
from annotations.errors import (
    AnnottyError,
    DamagedDatabase,
    DatabaseProblem,
    InputError,
    MissingDatabase,
)

BUSY_TIMEOUT_MS = 10_000


def _m1_initial(db: sqlite_utils.Database) -> None:
    db["documents"].create(
        {
            "id": str,
            "title": str,
            "source": str,
            "text": str,
            "meta": str,
            "chars": int,
            "words": int,
            "imported_at": str,
        },
        pk="id",
    )
    db["doc_state"].create(
        {
            "doc_id": str,
            "annotator": str,
            "status": str,
            "position": int,
            "stance": str,
            "updated_at": str,
        },
        pk=("doc_id", "annotator"),
    )
    db["entities"].create(
        {
            "id": int,
            "doc_id": str,
            "start": int,
            "end": int,
            "label": str,
            "source": str,
            "recognizer": str,
        },
        pk="id",
    )
    db["entities"].create_index(["doc_id", "recognizer", "start"])
    db["entity_runs"].create(
        {"doc_id": str, "recognizer": str, "count": int, "computed_at": str},
        pk=("doc_id", "recognizer"),
    )
    db["claims"].create(
        {
            "id": str,
            "doc_id": str,
            "start": int,
            "end": int,
            "quote": str,
            "claim_type": str,
            "stance": str,
            "target": str,
            "speaker": str,
            "attribution": str,
            "checkworthy": str,
            "note": str,
            "annotator": str,
            "review_status": str,
            "reviewer": str,
            "review_note": str,
            "reviewed_at": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["claims"].create_index(["doc_id", "start"])
    db["claims"].create_index(["annotator"])
    db["claims"].enable_fts(["quote", "note"], create_triggers=True, tokenize="unicode61")
    # Re-index only when the indexed text changes: review decisions update other columns,
    # and re-indexing on every one made bulk decisions about twice as slow.
    db.execute("DROP TRIGGER claims_au")
    db.execute(
        'CREATE TRIGGER claims_au AFTER UPDATE OF "quote", "note" ON claims BEGIN\n'
        '  INSERT INTO claims_fts (claims_fts, rowid, "quote", "note")'
        ' VALUES(\'delete\', old.rowid, old."quote", old."note");\n'
        '  INSERT INTO claims_fts (rowid, "quote", "note")'
        ' VALUES (new.rowid, new."quote", new."note");\nEND'
    )
    db["history"].create(
        {
            "seq": int,
            "at": str,
            "annotator": str,
            "action": str,
            "kind": str,
            "item_id": str,
            "doc_id": str,
            "before": str,
            "after": str,
            "ref": int,
            "batch": str,
        },
        pk="seq",
    )
    db["history"].create_index(["annotator", "doc_id"])
    db["settings"].create({"key": str, "value": str}, pk="key")


def _m2_entity_edits(db: sqlite_utils.Database) -> None:
    """Annotators' entity corrections: one row per span; label "" suppresses a machine entity."""
    db["entity_edits"].create(
        {
            "id": str,
            "doc_id": str,
            "start": int,
            "end": int,
            "label": str,
            "quote": str,
            "annotator": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["entity_edits"].create_index(["doc_id", "start", "end"], unique=True)


# Entity corrections are undoable like claims (annotations.entities.corrections writes them).
history.register(
    "entity_edit",
    "entity_edits",
    "id",
    ("id", "doc_id", "start", "end", "label", "quote", "annotator", "created_at", "updated_at"),
)


def _m3_history_indexes(db: sqlite_utils.Database) -> None:
    """Undo and redo find the tops of their stacks through these instead of replaying the log:
    the annotator's rows newest first, the undo/redo rows pointing at a row, a batch's rows."""
    db.execute("create index if not exists history_annotator_seq on history(annotator, seq)")
    db.execute("create index if not exists history_ref on history(ref) where ref is not null")
    db.execute(
        "create index if not exists history_batch on history(batch, seq) where batch is not null"
    )


def _m4_doc_state_times(db: sqlite_utils.Database) -> None:
    """When status and stance were each set, so a merge keeps the newer of each separately."""
    have = set(db["doc_state"].columns_dict)
    for column in ("status_at", "stance_at"):
        if column not in have:
            db.execute(f"alter table doc_state add column {column} text")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m1_initial,
    _m2_entity_edits,
    _m3_history_indexes,
    _m4_doc_state_times,
]
SCHEMA_VERSION = len(MIGRATIONS)


URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")


def is_url(target: str) -> bool:
    """``postgresql://…`` and the like (also as ``Path`` leaves them, with one slash), unless
    a folder of that name really exists."""
    return bool(URL.match(target)) and not Path(target.split("/", 1)[0]).is_dir()


def refuse_url(target: str) -> None:
    """Until a server backend exists a URL would become folders named ``postgresql:``."""
    if is_url(target):
        raise InputError(
            target,
            "database URLs are not supported yet (annotty keeps its "
            "database in an SQLite file): give a file path",
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
        _migrate(db, ":memory:")
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
        _retry_busy(lambda: conn.execute("PRAGMA journal_mode=WAL"))
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        db = sqlite_utils.Database(conn)
        _migrate(db, target)
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
        if _check_version(conn, str(file)) != SCHEMA_VERSION:
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
        version = _check_version(conn, str(file))
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


def _check_version(conn: sqlite3.Connection, target: str) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise InputError(target, f"made by a newer annotty (schema {version}); upgrade annotty")
    return version


def _retry_busy(step: Callable[[], object], attempts: int = 50) -> None:
    for attempt in range(attempts):
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.02)


def _migrate(db: sqlite_utils.Database, target: str) -> None:
    conn = db.conn
    if _check_version(conn, target) == SCHEMA_VERSION:
        return
    _retry_busy(lambda: conn.execute("BEGIN IMMEDIATE"))
    try:
        version = _check_version(conn, target)  # another process may have migrated meanwhile
        if version == 0 and db.table_names():
            raise InputError(target, "not an annotty database (it has other tables)")
        if version and not db["documents"].exists():
            raise InputError(target, "not an annotty database (no documents table)")
        for number in range(version, SCHEMA_VERSION):
            MIGRATIONS[number](db)
            conn.execute(f"PRAGMA user_version={number + 1}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
