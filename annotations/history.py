"""The append-only history log and undo/redo derived from it.

Every change writes a row ``(action, kind, item_id, before, after)`` in the same transaction as
the change. Undo never deletes history: it writes an ``undo`` row that sets the item back to the
undone row's ``before`` state and points at it (``ref``); ``redo`` does the reverse. The undo and
redo stacks are therefore rebuilt from the log, so they survive restarts.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from annotations.model import now_iso

# kind -> (table, primary key column); manual entities and document state join later.
TABLES: dict[str, tuple[str, str]] = {"claim": ("claims", "id")}
UNDOABLE = ("create", "update", "delete")


def register(kind: str, table: str, pk: str) -> None:
    TABLES[kind] = (table, pk)


def apply(conn: sqlite3.Connection, kind: str, item_id: str, state: dict[str, Any] | None) -> None:
    """Make the stored item equal ``state`` (None deletes it)."""
    table, pk = TABLES[kind]
    conn.execute(f'delete from "{table}" where "{pk}" = ?', (item_id,))
    if state is not None:
        cols = ", ".join(f'"{c}"' for c in state)
        marks = ", ".join("?" for _ in state)
        conn.execute(f'insert into "{table}"({cols}) values ({marks})', tuple(state.values()))


def record(conn: sqlite3.Connection, annotator: str, action: str, kind: str, item_id: str,
           doc_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
           ref: int | None = None) -> int:
    cur = conn.execute(
        "insert into history(at, annotator, action, kind, item_id, doc_id, before, after, ref)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (now_iso(), annotator, action, kind, item_id, doc_id, _dump(before), _dump(after), ref),
    )
    return int(cur.lastrowid or 0)


def _dump(state: dict[str, Any] | None) -> str | None:
    return None if state is None else json.dumps(state, ensure_ascii=False)


def _load(raw: str | None) -> dict[str, Any] | None:
    return None if raw is None else json.loads(raw)


def stacks(
    conn: sqlite3.Connection, annotator: str, doc_id: str | None
) -> tuple[list[int], list[int]]:
    """Replay the log into (undo stack, redo stack) of history seqs, newest last."""
    sql = "select seq, action, ref from history where annotator = ?"
    params: list[Any] = [annotator]
    if doc_id is not None:
        sql += " and doc_id = ?"
        params.append(doc_id)
    undo: list[int] = []
    redo: list[int] = []
    for seq, action, ref in conn.execute(sql + " order by seq", params):
        if action in UNDOABLE:
            undo.append(seq)
            redo.clear()
        elif action == "undo" and ref in undo:
            undo.remove(ref)
            redo.append(ref)
        elif action == "redo" and ref in redo:
            redo.remove(ref)
            undo.append(ref)
    return undo, redo


def _entry(conn: sqlite3.Connection, seq: int) -> dict[str, Any]:
    cur = conn.execute("select * from history where seq = ?", (seq,))
    return dict(zip([c[0] for c in cur.description], cur.fetchone(), strict=True))


def _current(conn: sqlite3.Connection, kind: str, item_id: str) -> dict[str, Any] | None:
    table, pk = TABLES[kind]
    cur = conn.execute(f'select * from "{table}" where "{pk}" = ?', (item_id,))
    row = cur.fetchone()
    return None if row is None else dict(zip([c[0] for c in cur.description], row, strict=True))


def _restore(conn: sqlite3.Connection, annotator: str, entry: dict[str, Any], action: str,
             field: str) -> dict[str, Any]:
    """Set the entry's item back to its ``before`` (undo) or ``after`` (redo) state, logged."""
    state = _load(entry[field])
    current = _current(conn, entry["kind"], entry["item_id"])
    apply(conn, entry["kind"], entry["item_id"], state)
    record(conn, annotator, action, entry["kind"], entry["item_id"], entry["doc_id"], current,
           state, ref=entry["seq"])
    return {**entry, "state": state}


def undo(conn: sqlite3.Connection, annotator: str, doc_id: str | None) -> dict[str, Any] | None:
    undo_stack, _ = stacks(conn, annotator, doc_id)
    if not undo_stack:
        return None
    return _restore(conn, annotator, _entry(conn, undo_stack[-1]), "undo", "before")


def redo(conn: sqlite3.Connection, annotator: str, doc_id: str | None) -> dict[str, Any] | None:
    _, redo_stack = stacks(conn, annotator, doc_id)
    if not redo_stack:
        return None
    return _restore(conn, annotator, _entry(conn, redo_stack[-1]), "redo", "after")
