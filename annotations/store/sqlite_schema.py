"""The database's schema as numbered migrations, recorded in ``PRAGMA user_version``.

A database made by an older annotty is brought up to date when opened (``migrate``); one made
by a newer annotty is refused. Every schema change is a new migration appended to the list.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

import sqlite_utils

from annotations.errors import InputError
from annotations.model import DECISION_FIELDS
from annotations.store import history


def _m1_initial(db: sqlite_utils.Database) -> None:
    db.table("documents").create(
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
    db.table("doc_state").create(
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
    db.table("entities").create(
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
    db.table("entities").create_index(["doc_id", "recognizer", "start"])
    db.table("entity_runs").create(
        {"doc_id": str, "recognizer": str, "count": int, "computed_at": str},
        pk=("doc_id", "recognizer"),
    )
    db.table("claims").create(
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
    db.table("claims").create_index(["doc_id", "start"])
    db.table("claims").create_index(["annotator"])
    db.table("claims").enable_fts(["quote", "note"], create_triggers=True, tokenize="unicode61")
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
    db.table("history").create(
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
    db.table("history").create_index(["annotator", "doc_id"])
    db.table("settings").create({"key": str, "value": str}, pk="key")


def _m2_entity_edits(db: sqlite_utils.Database) -> None:
    """Annotators' entity corrections: one row per span; label "" suppresses a machine entity."""
    db.table("entity_edits").create(
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
    db.table("entity_edits").create_index(["doc_id", "start", "end"], unique=True)


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


def _m5_suggestions(db: sqlite_utils.Database) -> None:
    """Decided claim candidates (one row per span, undoable) and the learned suggester's
    models as plain JSON (coefficients, hashing settings: never a pickle, which runs code).
    Written to be run again safely, like the migrations before it."""
    db.table("suggestions").create(
        {
            "id": str,
            "doc_id": str,
            "start": int,
            "end": int,
            "quote": str,
            "score": float,
            "claim_type": str,
            "speaker": str,
            "decision": str,
            "claim_id": str,
            "suggester": str,
            "annotator": str,
            "decided_at": str,
        },
        pk="id",
        if_not_exists=True,
    )
    db.table("suggestions").create_index(["doc_id", "start"], if_not_exists=True)
    db.table("suggest_models").create(
        {"name": str, "version": int, "created_at": str, "params": str},
        pk=("name", "version"),
        if_not_exists=True,
    )


# Candidate decisions are undoable like claims (annotations.store.suggestions writes them).
history.register("suggestion", "suggestions", "id", DECISION_FIELDS)


def _m6_assignments(db: sqlite_utils.Database) -> None:
    """Who is to annotate which document (``annotty assign``): one row per (document,
    annotator), undoable (kind ``assignment``, registered by ``annotations.store.assignments``);
    the index serves "my documents". Written to be run again safely, like the ones before."""
    db.execute(
        "create table if not exists assignments (doc_id text not null, annotator text not null,"
        " assigned_at text, assigned_by text, primary key (doc_id, annotator))"
    )
    db.execute("create index if not exists assignments_annotator on assignments(annotator, doc_id)")


def _m7_history_item(db: sqlite_utils.Database) -> None:
    """One item's history newest first: a write refused as a conflict says who changed the
    claim, and one's own changes since the version seen are told from others' (``conflicts``)."""
    db.execute("create index if not exists history_item_seq on history(item_id, seq)")


def _m8_team_day_to_day(db: sqlite_utils.Database) -> None:
    """What a team needs day to day (issue 16), one table per kind of record:

    - ``comments``: a thread per claim, document or adjudication item (``kind``, ``item_id``),
      resolved or not; undoable (kind ``comment`` in history).
    - ``claim_time`` / ``doc_time``: seconds an annotator spent on a claim (selection to save,
      summed over edits) and with a document open (idle minutes left out). Not history: they
      are measurements, not annotations.
    - ``doc_versions``: every earlier text of a document whose article was edited and imported
      again; ``documents`` keeps the current one (version = earlier versions + 1).
    - ``claim_anchors``: how a claim was carried onto a document's newer version when it was not
      found exactly where the edit mapped it (moved, fuzzy or lost), with its old place and
      text, and whether it still needs a look (``flag``).
    - ``claim_links``: two claims a reviewer linked as the same claim (``a < b``), undoable.
    """
    db.execute(
        "create table if not exists comments (id text primary key, kind text not null,"
        " item_id text not null, doc_id text not null, author text not null,"
        " body text not null, created_at text not null, resolved_at text not null default '',"
        " resolved_by text not null default '')"
    )
    db.execute("create index if not exists comments_item on comments(kind, item_id, created_at)")
    db.execute("create index if not exists comments_doc on comments(doc_id)")
    db.execute(
        "create table if not exists claim_time (claim_id text primary key,"
        " annotator text not null, seconds real not null default 0, updated_at text)"
    )
    db.execute(
        "create table if not exists doc_time (doc_id text not null, annotator text not null,"
        " seconds real not null default 0, updated_at text, primary key (doc_id, annotator))"
    )
    db.execute(
        "create table if not exists doc_versions (doc_id text not null, version integer not null,"
        " text text not null, source text, chars integer, words integer, imported_at text,"
        " primary key (doc_id, version))"
    )
    db.execute(
        "create table if not exists claim_anchors (claim_id text primary key,"
        " doc_version integer not null, kind text not null, confidence real not null,"
        " old_version integer not null, old_start integer not null, old_end integer not null,"
        " old_quote text not null, flag text not null default '', placed_at text)"
    )
    db.execute(
        "create table if not exists claim_links (a text not null, b text not null,"
        " linked_by text, linked_at text, primary key (a, b))"
    )
    db.execute("create index if not exists claim_links_b on claim_links(b, a)")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m1_initial,
    _m2_entity_edits,
    _m3_history_indexes,
    _m4_doc_state_times,
    _m5_suggestions,
    _m6_assignments,
    _m7_history_item,
    _m8_team_day_to_day,
]
SCHEMA_VERSION = len(MIGRATIONS)


def check_version(conn: sqlite3.Connection, target: str) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise InputError(target, f"made by a newer annotty (schema {version}); upgrade annotty")
    return version


def retry_busy(step: Callable[[], object], attempts: int = 50) -> None:
    for attempt in range(attempts):
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.02)


def migrate(db: sqlite_utils.Database, target: str) -> None:
    conn = db.conn
    if check_version(conn, target) == SCHEMA_VERSION:
        return
    retry_busy(lambda: conn.execute("BEGIN IMMEDIATE"))
    try:
        version = check_version(conn, target)  # another process may have migrated meanwhile
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
