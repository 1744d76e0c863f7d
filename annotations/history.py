"""The append-only history log and undo/redo derived from it.

Every change writes a row ``(action, kind, item_id, before, after)`` in the same transaction as
the change. Undo never deletes history: it writes an ``undo`` row that sets the item back to the
undone row's ``before`` state and points at it (``ref``); ``redo`` does the reverse. The undo and
redo stacks are therefore rebuilt from the log, so they survive restarts.

Grouped changes (a bulk review decision) write one row per item sharing a ``batch`` id. Undo and
redo treat a batch as one step: when the newest undoable row belongs to a batch, every row of
that batch still on the annotator's stack is undone together, in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from annotations.model import new_id, now_iso

# kind -> (table, primary key column); manual entities and document state join later.
TABLES: dict[str, tuple[str, str]] = {"claim": ("claims", "id")}
UNDOABLE = ("create", "update", "delete", "review")
_CHUNK = 500  # ids per "in (...)" query: well under SQLite's variable limit

BatchEntry = tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]
"""One item of a batch: (item_id, doc_id, before, after)."""


def register(kind: str, table: str, pk: str) -> None:
    TABLES[kind] = (table, pk)


def apply(conn: sqlite3.Connection, kind: str, item_id: str, state: dict[str, Any] | None) -> None:
    """Make the stored item equal ``state`` (None deletes it).

    An existing row is updated in place rather than deleted and re-inserted, so its SQLite rowid
    stays the same: the review table pages by rowid and must not lose rows when one is edited.
    """
    table, pk = TABLES[kind]
    if state is None:
        conn.execute(f'delete from "{table}" where "{pk}" = ?', (item_id,))
        return
    sets = ", ".join(f'"{c}" = ?' for c in state)
    cur = conn.execute(f'update "{table}" set {sets} where "{pk}" = ?',
                       (*state.values(), item_id))
    if cur.rowcount == 0:
        cols = ", ".join(f'"{c}"' for c in state)
        marks = ", ".join("?" for _ in state)
        conn.execute(f'insert into "{table}"({cols}) values ({marks})', tuple(state.values()))


_INSERT = ("insert into history(at, annotator, action, kind, item_id, doc_id, before, after, ref,"
           " batch) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def record(conn: sqlite3.Connection, annotator: str, action: str, kind: str, item_id: str,
           doc_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
           ref: int | None = None, batch: str | None = None) -> int:
    cur = conn.execute(_INSERT, (now_iso(), annotator, action, kind, item_id, doc_id,
                                 _dump(before), _dump(after), ref, batch))
    return int(cur.lastrowid or 0)


def record_batch(conn: sqlite3.Connection, annotator: str, action: str, kind: str,
                 entries: Iterable[BatchEntry], batch: str | None = None) -> str:
    """Log many changes as one undoable step; returns the batch id they share.

    The caller has already applied the changes in the same transaction (usually with one
    set-based UPDATE, which is what makes bulk decisions on 100,000 claims take seconds).
    """
    batch = batch or new_id()
    at = now_iso()
    conn.executemany(_INSERT, ((at, annotator, action, kind, item_id, doc_id, _dump(before),
                                _dump(after), None, batch)
                               for item_id, doc_id, before, after in entries))
    return batch


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
    # Insertion-ordered dicts as ordered sets: a bulk undo replays 100,000 removals, and a
    # list's O(n) remove made that quadratic.
    undo: dict[int, None] = {}
    redo: dict[int, None] = {}
    for seq, action, ref in conn.execute(sql + " order by seq", params):
        if action in UNDOABLE:
            undo[seq] = None
            redo.clear()
        elif action == "undo" and ref in undo:
            del undo[ref]
            redo[ref] = None
        elif action == "redo" and ref in redo:
            del redo[ref]
            undo[ref] = None
    return list(undo), list(redo)


def _entry(conn: sqlite3.Connection, seq: int) -> dict[str, Any]:
    cur = conn.execute("select * from history where seq = ?", (seq,))
    return dict(zip([c[0] for c in cur.description], cur.fetchone(), strict=True))


def _entries(conn: sqlite3.Connection, seqs: Sequence[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(seqs), _CHUNK):
        chunk = seqs[i:i + _CHUNK]
        cur = conn.execute(f"select * from history where seq in ({','.join('?' * len(chunk))})",
                           chunk)
        names = [c[0] for c in cur.description]
        for row in cur:
            entry = dict(zip(names, row, strict=True))
            out[entry["seq"]] = entry
    return out


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


def _batch_members(conn: sqlite3.Connection, annotator: str, batch: str,
                   on_stack: Sequence[int]) -> list[int]:
    """Seqs of ``batch`` that are on the (unscoped) stack, ascending.

    A batch can span documents; undo scoped to one document still takes the whole batch, since
    the reviewer made it as one decision.
    """
    stacked = set(on_stack)
    rows = conn.execute("select seq from history where batch = ? and annotator = ? order by seq",
                        (batch, annotator))
    return [seq for (seq,) in rows if seq in stacked]


def _currents(conn: sqlite3.Connection, kind: str,
              item_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    table, pk = TABLES[kind]
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(item_ids), _CHUNK):
        chunk = item_ids[i:i + _CHUNK]
        cur = conn.execute(f'select * from "{table}" where "{pk}" in'
                           f" ({','.join('?' * len(chunk))})", chunk)
        names = [c[0] for c in cur.description]
        for row in cur:
            state = dict(zip(names, row, strict=True))
            out[state[pk]] = state
    return out


def _restore_batch(conn: sqlite3.Connection, annotator: str, seqs: Sequence[int], action: str,
                   field: str) -> tuple[dict[str, Any], int]:
    """Restore every entry in ``seqs`` in the order given; log them as one new batch.

    Items are read in chunks and only the columns that differ are updated, grouped by the
    values they get: a bulk review of 100,000 claims changes the same four columns to the same
    values everywhere.
    """
    entries = _entries(conn, seqs)
    keys = [(entries[s]["kind"], entries[s]["item_id"]) for s in seqs]
    if len(set(keys)) < len(keys):  # an item twice in one batch: replay strictly in order
        logged_one: dict[str, Any] = {}
        for seq in seqs:
            logged_one = _restore(conn, annotator, entries[seq], action, field)
        return logged_one, len(seqs)
    currents: dict[tuple[str, str], dict[str, Any]] = {}
    for kind in {k for k, _ in keys}:
        ids = [item for k, item in keys if k == kind]
        currents.update({(kind, i): state for i, state in _currents(conn, kind, ids).items()})
    updates: dict[tuple[str, tuple[str, ...], tuple[Any, ...]], list[str]] = {}
    logged: list[tuple[Any, ...]] = []
    at, group = now_iso(), new_id()
    last: dict[str, Any] = {}
    for seq in seqs:
        entry = entries[seq]
        kind, item_id = entry["kind"], entry["item_id"]
        state = _load(entry[field])
        current = currents.get((kind, item_id))
        if state is None or current is None:
            apply(conn, kind, item_id, state)
        else:
            changed = tuple(c for c in state if c not in current or current[c] != state[c])
            if changed:
                values = tuple(state[c] for c in changed)
                try:
                    updates.setdefault((kind, changed, values), []).append(item_id)
                except TypeError:  # a value that cannot be grouped (a list): update alone
                    apply(conn, kind, item_id, state)
        logged.append((at, annotator, action, kind, item_id, entry["doc_id"], _dump(current),
                       _dump(state), seq, group))
        last = {**entry, "state": state}
    # Items given the same values (undoing a bulk decision sets every claim back to
    # "pending", no reviewer) are updated by one statement per chunk of ids: FTS5 triggers
    # then cost far less than one statement per row.
    for (kind, columns, values), ids in updates.items():
        table, pk = TABLES[kind]
        sets = ", ".join(f'"{c}" = ?' for c in columns)
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            conn.execute(f'update "{table}" set {sets} where "{pk}" in'
                         f" ({','.join('?' * len(chunk))})", (*values, *chunk))
    conn.executemany(_INSERT, logged)
    return last, len(seqs)


def _step(conn: sqlite3.Connection, annotator: str, doc_id: str | None,
          undoing: bool) -> dict[str, Any] | None:
    undo_stack, redo_stack = stacks(conn, annotator, doc_id)
    stack = undo_stack if undoing else redo_stack
    action, field = ("undo", "before") if undoing else ("redo", "after")
    if not stack:
        return None
    top = _entry(conn, stack[-1])
    if not top.get("batch"):
        return _restore(conn, annotator, top, action, field)
    if doc_id is not None:
        whole = stacks(conn, annotator, None)
        stack = whole[0] if undoing else whole[1]
    members = _batch_members(conn, annotator, top["batch"], stack)
    if undoing:
        members.reverse()  # newest first, so an item changed twice ends at its oldest state
    last, count = _restore_batch(conn, annotator, members, action, field)
    return {**last, "count": count}


def undo(conn: sqlite3.Connection, annotator: str, doc_id: str | None) -> dict[str, Any] | None:
    """Undo the newest step: one row, or a whole batch (the result then has ``count``)."""
    return _step(conn, annotator, doc_id, undoing=True)


def redo(conn: sqlite3.Connection, annotator: str, doc_id: str | None) -> dict[str, Any] | None:
    """Redo the newest undone step: one row, or a whole batch (the result then has ``count``)."""
    return _step(conn, annotator, doc_id, undoing=False)
