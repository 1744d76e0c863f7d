"""Finding the tops of the undo and redo stacks through the history table's indexes.

The stacks are not stored: a row is *undone* when the newest row pointing at it (``ref``) is an
``undo`` (one lookup in a partial index on ``ref``). The undo stack of a scope (an annotator,
optionally one document) is its undoable rows that are not undone, newest on top; its top is
found by walking the scope's index down from the newest row, past the undo/redo rows and undone
rows at the top (a group written together is passed in one step). The redo stack is the undone
rows whose undo is newer than the scope's newest change, so a new change empties it.

``stacks`` replays the whole log instead: the reference definition, for checks and tests.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, NamedTuple

UNDOABLE = ("create", "update", "delete", "review")
STEPS = ("undo", "redo")
_PAGE = 64  # rows read per step of the walk down a scope


def stacks(
    conn: sqlite3.Connection, annotator: str, doc_id: str | None
) -> tuple[list[int], list[int]]:
    """Replay the whole log into (undo stack, redo stack) of history seqs, newest last.

    The reference semantics, for checks and tests: ``undo``/``redo`` find the same tops
    through the indexes without reading the log.
    """
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


# -- finding the tops of the stacks through the indexes --------------------------------------
class _Row(NamedTuple):
    seq: int
    action: str
    ref: int | None
    batch: str | None


def _scope(annotator: str, doc_id: str | None) -> tuple[str, list[Any]]:
    if doc_id is None:
        return "annotator = ?", [annotator]
    return "annotator = ? and doc_id = ?", [annotator, doc_id]


def _page(
    conn: sqlite3.Connection, annotator: str, doc_id: str | None, bound: int | None
) -> list[_Row]:
    """The scope's rows below ``bound``, newest first (index (annotator[, doc_id], seq))."""
    where, params = _scope(annotator, doc_id)
    if bound is not None:
        where += " and seq < ?"
        params.append(bound)
    sql = f"select seq, action, ref, batch from history where {where} order by seq desc limit ?"
    return [_Row(*r) for r in conn.execute(sql, [*params, _PAGE])]


def _find(
    conn: sqlite3.Connection,
    annotator: str,
    doc_id: str | None,
    verdict: Callable[[_Row], bool | None],
) -> int | None:
    """Walk the scope down from its newest row until ``verdict`` says True (found: its seq)
    or False (nothing to find); rows it passes (None) are skipped a whole group at a time."""
    bound: int | None = None
    while rows := _page(conn, annotator, doc_id, bound):
        bound = rows[-1].seq
        for row in rows:
            found = verdict(row)
            if found is not None:
                return row.seq if found else None
            floor = _group_floor(conn, annotator, doc_id, row)
            if floor < row.seq:
                bound = floor
                break
    return None


def _last_step(conn: sqlite3.Connection, seq: int) -> tuple[int, str, str | None] | None:
    """The newest undo/redo row pointing at ``seq``: (its seq, action, group), or None."""
    row = conn.execute(
        "select seq, action, batch from history where ref = ? order by seq desc limit 1", (seq,)
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]), row[2])


def _undone(conn: sqlite3.Connection, seq: int) -> bool:
    last = _last_step(conn, seq)
    return last is not None and last[1] == "undo"


def _group_floor(conn: sqlite3.Connection, annotator: str, doc_id: str | None, row: _Row) -> int:
    """Where to go on below ``row``: below its whole group when the group is an unbroken run
    of the scope (a group is written by one statement, so it is, unless merged in pieces)."""
    if not row.batch:
        return row.seq
    where, params = _scope(annotator, doc_id)
    low, members = conn.execute(
        f"select min(seq), count(*) from history where batch = ? and {where} and seq <= ?",
        [row.batch, *params, row.seq],
    ).fetchone()
    if low is None or members < 2:
        return row.seq
    (span,) = conn.execute(
        f"select count(*) from history where {where} and seq between ? and ?",
        [*params, low, row.seq],
    ).fetchone()
    return int(low) if span == members else row.seq


def undo_top(conn: sqlite3.Connection, annotator: str, doc_id: str | None) -> int | None:
    """The seq of the newest undoable row of the scope that is not undone, or None."""

    def verdict(row: _Row) -> bool | None:
        return True if row.action in UNDOABLE and not _undone(conn, row.seq) else None

    return _find(conn, annotator, doc_id, verdict)


def redo_top(conn: sqlite3.Connection, annotator: str, doc_id: str | None) -> int | None:
    """The seq of the newest ``undo`` row of the scope still standing (not redone since) and
    newer than the scope's newest change; None when there is nothing to redo."""

    def verdict(row: _Row) -> bool | None:
        if row.action in UNDOABLE:
            return False  # a change after the undos: they can no longer be redone
        if row.action == "undo" and row.ref is not None:
            last = _last_step(conn, row.ref)
            if last is not None and last[0] == row.seq:
                return True
        return None

    return _find(conn, annotator, doc_id, verdict)


def undo_members(conn: sqlite3.Connection, annotator: str, batch: str) -> list[int]:
    """Seqs of ``batch`` not undone, ascending (index on ``batch``, then on ``ref``).

    A batch can span documents; undo scoped to one document still takes the whole batch, since
    the reviewer made it as one decision.
    """
    rows = conn.execute(
        "select h.seq from history h where h.batch = ? and h.annotator = ? and h.action in"
        f" ({','.join('?' * len(UNDOABLE))}) and coalesce((select u.action from history u"
        " where u.ref = h.seq order by u.seq desc limit 1), '') != 'undo' order by h.seq",
        (batch, annotator, *UNDOABLE),
    )
    return [int(seq) for (seq,) in rows]


def redo_members(conn: sqlite3.Connection, annotator: str, group: str) -> list[int]:
    """The rows an undo group took back that are still undone by it, ascending."""
    rows = conn.execute(
        "select h.ref from history h where h.batch = ? and h.annotator = ? and h.action = 'undo'"
        " and h.ref is not null and h.seq = (select max(u.seq) from history u"
        " where u.ref = h.ref) order by h.ref",
        (group, annotator),
    )
    return [int(ref) for (ref,) in rows]
