"""Opening the SQLite file: pragmas for durability and sharing, and versioned migrations.

Every schema change is a numbered migration recorded in ``PRAGMA user_version``; a database made
by an older annotty is brought up to date when opened, a newer one is refused.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from annotations import history
from annotations.errors import InputError

BUSY_TIMEOUT_MS = 10_000


def _m1_initial(db: sqlite_utils.Database) -> None:
    db["documents"].create(
        {"id": str, "title": str, "source": str, "text": str, "meta": str, "chars": int,
         "words": int, "imported_at": str},
        pk="id",
    )
    db["doc_state"].create(
        {"doc_id": str, "annotator": str, "status": str, "position": int, "stance": str,
         "updated_at": str},
        pk=("doc_id", "annotator"),
    )
    db["entities"].create(
        {"id": int, "doc_id": str, "start": int, "end": int, "label": str, "source": str,
         "recognizer": str},
        pk="id",
    )
    db["entities"].create_index(["doc_id", "recognizer", "start"])
    db["entity_runs"].create(
        {"doc_id": str, "recognizer": str, "count": int, "computed_at": str},
        pk=("doc_id", "recognizer"),
    )
    db["claims"].create(
        {"id": str, "doc_id": str, "start": int, "end": int, "quote": str, "claim_type": str,
         "stance": str, "target": str, "speaker": str, "attribution": str, "checkworthy": str,
         "note": str, "annotator": str, "review_status": str, "reviewer": str,
         "review_note": str, "reviewed_at": str, "created_at": str, "updated_at": str},
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
        " VALUES('delete', old.rowid, old.\"quote\", old.\"note\");\n"
        '  INSERT INTO claims_fts (rowid, "quote", "note")'
        ' VALUES (new.rowid, new."quote", new."note");\nEND'
    )
    db["history"].create(
        {"seq": int, "at": str, "annotator": str, "action": str, "kind": str, "item_id": str,
         "doc_id": str, "before": str, "after": str, "ref": int, "batch": str},
        pk="seq",
    )
    db["history"].create_index(["annotator", "doc_id"])
    db["settings"].create({"key": str, "value": str}, pk="key")


def _m2_entity_edits(db: sqlite_utils.Database) -> None:
    """Annotators' entity corrections: one row per span; label "" suppresses a machine entity."""
    db["entity_edits"].create(
        {"id": str, "doc_id": str, "start": int, "end": int, "label": str, "quote": str,
         "annotator": str, "created_at": str, "updated_at": str},
        pk="id",
    )
    db["entity_edits"].create_index(["doc_id", "start", "end"], unique=True)


# Entity corrections are undoable like claims (annotations.entity_edits writes them).
history.register("entity_edit", "entity_edits", "id")

MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_m1_initial, _m2_entity_edits]
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: str | Path | None) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database; ``None`` means in memory.

    A file that is not an annotty database raises ``InputError`` naming it, untouched. Several
    processes may open a new file at once: the migration runs under the write lock and
    re-reads the version there, so exactly one of them creates the tables.
    """
    target = ":memory:" if path is None else str(path)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _check_version(conn, target)
        if path is not None:
            _retry_busy(lambda: conn.execute("PRAGMA journal_mode=WAL"))
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        db = sqlite_utils.Database(conn)
        _migrate(db, target)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise InputError(target, f"not a usable database ({exc})") from exc
    except InputError:
        conn.close()
        raise
    return db


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
