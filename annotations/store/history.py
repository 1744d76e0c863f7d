"""The append-only history log and undo/redo derived from it.

Every change writes a row ``(action, kind, item_id, before, after)`` in the same transaction as
the change. Undo never deletes history: it writes an ``undo`` row that sets the item back to the
undone row's ``before`` state and points at it (``ref``); ``redo`` does the reverse. The undo and
redo stacks are therefore derived from the log, so they survive restarts.

Grouped changes (a bulk review decision) write one row per item sharing a ``batch`` id. Undo and
redo treat a batch as one step: when the newest undoable row belongs to a batch, every row of
that batch still on the annotator's stack is undone together, in one transaction.

Undo does not replay the log (that cost 110-264 ms at 100,000 rows): ``undo_stack`` finds the
top of each stack through the table's indexes, storing nothing but the append-only log, so the
stacks survive restarts and merges and need no compaction (bench: ``python -m bench history``).

Rows are data: a merged database may carry forged ones. Column names therefore come from a fixed
list per kind, never from a row; a state with an unknown key or a non-scalar value is refused
(``HistoryError``), and ``history_check`` checks rows from another database before a merge.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from annotations.model import CLAIM_FIELDS, new_id, now_iso
from annotations.store.undo_stack import (  # noqa: F401  (stacks, STEPS: part of this module's API)
    STEPS,
    UNDOABLE,
    redo_members,
    redo_top,
    stacks,
    undo_members,
    undo_top,
)


class Table(NamedTuple):
    """Where a kind of item lives: its table, primary key and the only columns history may set."""

    name: str
    pk: str
    columns: tuple[str, ...]
    key: tuple[str, ...] = ()
    """A composite primary key's columns (assignments: document, annotator); the item id is
    then their values joined by ``KEY_SEP``, and ``pk`` names no column."""


KEY_SEP = "\x1f"
"""Between the parts of a composite item id (a unit separator: never in a name typed)."""


class HistoryError(ValueError):
    """A history row that cannot be applied safely (forged, damaged): the message says which."""


# kind -> table; entity corrections and candidate decisions (``suggestion``) register
# themselves in annotations.store.sqlite_schema.
TABLES: dict[str, Table] = {"claim": Table("claims", "id", CLAIM_FIELDS)}
_CHUNK = 500  # ids per "in (...)" query: well under SQLite's variable limit

BatchEntry = tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]
"""One item of a batch: (item_id, doc_id, before, after)."""


def register(
    kind: str, name: str, pk: str, columns: Sequence[str], key: Sequence[str] = ()
) -> None:
    """Make ``kind`` undoable; ``columns`` is the fixed list of what its history may set
    (``key``: the columns of a composite primary key, ``pk`` then "")."""
    TABLES[kind] = Table(name, pk, tuple(columns), tuple(key))


def table(kind: str) -> Table:
    try:
        return TABLES[kind]
    except (KeyError, TypeError):
        raise HistoryError(f"unknown kind of item {str(kind)[:40]!r}") from None


def item_where(kind: str, item_id: str) -> tuple[str, list[Any]]:
    """The condition selecting one item (column names from the fixed list) and its values."""
    t = table(kind)
    if not t.key:
        return f'"{t.pk}" = ?', [item_id]
    parts = str(item_id).rsplit(KEY_SEP, len(t.key) - 1)  # only the first part may hold one
    if len(parts) != len(t.key):
        raise HistoryError(f"{kind} id {str(item_id)[:40]!r} does not name one item")
    return " and ".join(f'"{c}" = ?' for c in t.key), parts


def item_id_of(kind: str, state: dict[str, Any]) -> str:
    """The item id of a stored row of ``kind``."""
    t = table(kind)
    return KEY_SEP.join(str(state[c]) for c in t.key) if t.key else str(state[t.pk])


def columns_of(kind: str, state: dict[str, Any]) -> list[str]:
    """The known columns ``state`` sets, in the table's order (strings from the fixed list,
    never from the row); any other key, or a value SQLite cannot store as it is, is refused."""
    known = table(kind).columns
    unknown = [k for k in state if k not in known]
    if unknown:
        raise HistoryError(f"{kind} state has unknown field {str(unknown[0])[:40]!r}")
    for key, value in state.items():
        if value is not None and not isinstance(value, str | int | float):
            raise HistoryError(f"{kind} field {key!r} holds a {type(value).__name__}")
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise HistoryError(f"{kind} field {key!r} holds an integer beyond 64 bits")
    return [c for c in known if c in state]


def apply(conn: sqlite3.Connection, kind: str, item_id: str, state: dict[str, Any] | None) -> None:
    """Make the stored item equal ``state`` (None deletes it).

    An existing row is updated in place rather than deleted and re-inserted, so its SQLite rowid
    stays the same: the review table pages by rowid and must not lose rows when one is edited.
    """
    name, pk, _, key = table(kind)
    where, keys = item_where(kind, item_id)
    if state is None:
        conn.execute(f'delete from "{name}" where {where}', keys)
        return
    cols = columns_of(kind, state)
    if not cols:
        raise HistoryError(f"{kind} state is empty")
    if not key and pk in state and state[pk] != item_id:
        raise HistoryError(f"{kind} state belongs to another item ({str(state[pk])[:40]!r})")
    if key and any(c in state and str(state[c]) != v for c, v in zip(key, keys, strict=True)):
        raise HistoryError(f"{kind} state belongs to another item")
    values = [state[c] for c in cols]
    sets = ", ".join(f'"{c}" = ?' for c in cols)
    cur = conn.execute(f'update "{name}" set {sets} where {where}', (*values, *keys))
    if cur.rowcount == 0:
        names = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        conn.execute(f'insert into "{name}"({names}) values ({marks})', values)


_INSERT = (
    "insert into history(at, annotator, action, kind, item_id, doc_id, before, after, ref,"
    " batch) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def record(
    conn: sqlite3.Connection,
    annotator: str,
    action: str,
    kind: str,
    item_id: str,
    doc_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    ref: int | None = None,
    batch: str | None = None,
) -> int:
    cur = conn.execute(
        _INSERT + " returning seq",
        (
            now_iso(),
            annotator,
            action,
            kind,
            item_id,
            doc_id,
            _dump(before),
            _dump(after),
            ref,
            batch,
        ),
    )
    return int(cur.fetchone()[0])


def record_batch(
    conn: sqlite3.Connection,
    annotator: str,
    action: str,
    kind: str,
    entries: Iterable[BatchEntry],
    batch: str | None = None,
) -> str:
    """Log many changes as one undoable step; returns the batch id they share.

    The caller has already applied the changes in the same transaction (usually with one
    set-based UPDATE, which is what makes bulk decisions on 100,000 claims take seconds).
    """
    batch = batch or new_id()
    at = now_iso()
    conn.executemany(
        _INSERT,
        (
            (at, annotator, action, kind, item_id, doc_id, _dump(before), _dump(after), None, batch)
            for item_id, doc_id, before, after in entries
        ),
    )
    return batch


def _dump(state: dict[str, Any] | None) -> str | None:
    return None if state is None else json.dumps(state, ensure_ascii=False)


def _load(raw: str | None, seq: int | None = None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        state = json.loads(raw)
    except (TypeError, ValueError, RecursionError):
        state = raw
    if not isinstance(state, dict):
        raise HistoryError(f"history row {seq}: a state that is not a JSON object")
    return state


def state_of(entry: dict[str, Any], field: str) -> dict[str, Any] | None:
    """The item's whole state before or after a logged change.

    An update (and an undo or redo that changed an existing item) logs only the fields it
    changed in ``after``, and the span (``SPAN``): a save adds ~0.6 KB to the log instead of
    ~0.9 KB. The whole state is its ``before`` with those applied.
    """
    state = _load(entry[field], entry.get("seq"))
    if field == "after" and state is not None and entry.get("action") in _PARTIAL:
        before = _load(entry.get("before"), entry.get("seq"))
        if before is not None:
            state = {**before, **state}
    return state


_PARTIAL = ("update", "review", "undo", "redo")
SPAN = ("id", "doc_id", "start", "end", "quote")
"""Kept in every partial ``after``: which item, and which text it is about."""


def _logged(current: dict[str, Any] | None, state: dict[str, Any] | None) -> dict[str, Any] | None:
    """An undo/redo row's ``after``: only what it changed when the item existed before."""
    if current is None or state is None:
        return state
    return changed_fields(current, state, *(k for k in SPAN if k in state))


def changed_fields(before: dict[str, Any], after: dict[str, Any], *keep: str) -> dict[str, Any]:
    """What an update logs as ``after``: the fields that differ, and ``keep`` (ids)."""
    return {k: v for k, v in after.items() if k in keep or before.get(k) != v}


# -- restoring ----------------------------------------------------------------------------
def _entry(conn: sqlite3.Connection, seq: int) -> dict[str, Any]:
    cur = conn.execute("select * from history where seq = ?", (seq,))
    return dict(zip([c[0] for c in cur.description], cur.fetchone(), strict=True))


def _entries(conn: sqlite3.Connection, seqs: Sequence[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(seqs), _CHUNK):
        chunk = seqs[i : i + _CHUNK]
        cur = conn.execute(
            f"select * from history where seq in ({','.join('?' * len(chunk))})", chunk
        )
        names = [c[0] for c in cur.description]
        for row in cur:
            entry = dict(zip(names, row, strict=True))
            out[entry["seq"]] = entry
    return out


def _select(kind: str) -> str:
    """``select <the kind's columns> from <its table>``, the columns by name from the fixed
    list: PostgreSQL's claims table also has a ``rowid`` column, which is no part of a state."""
    t = table(kind)
    names = ", ".join(f'"{c}"' for c in t.columns)
    return f'select {names} from "{t.name}"'


def current(conn: sqlite3.Connection, kind: str, item_id: str) -> dict[str, Any] | None:
    """The item as stored now (None when there is none)."""
    where, keys = item_where(kind, item_id)
    cur = conn.execute(f"{_select(kind)} where {where}", keys)
    row = cur.fetchone()
    return None if row is None else dict(zip([c[0] for c in cur.description], row, strict=True))


def _restore(
    conn: sqlite3.Connection,
    annotator: str,
    entry: dict[str, Any],
    action: str,
    field: str,
    group: str | None = None,
) -> dict[str, Any]:
    """Set the entry's item back to its ``before`` (undo) or ``after`` (redo) state, logged."""
    state = state_of(entry, field)
    _refuse_old_text(conn, [entry], field)
    now = current(conn, entry["kind"], entry["item_id"])
    apply(conn, entry["kind"], entry["item_id"], state)  # refuses a forged state first
    _refuse_overwrite(conn, entry, now, field)  # then rolls the transaction back
    record(
        conn,
        annotator,
        action,
        entry["kind"],
        entry["item_id"],
        entry["doc_id"],
        now,
        _logged(now, state),
        ref=entry["seq"],
        batch=group,
    )
    return {**entry, "state": state}


SPAN_KINDS = frozenset({"claim", "entity_edit", "suggestion"})
"""Kinds whose state holds offsets into their document's text."""


def _refuse_old_text(
    conn: sqlite3.Connection, entries: Sequence[dict[str, Any]], field: str
) -> None:
    """A step made before its document was imported again as a new version (issue 16) is not
    undone: its offsets point into the old text (claims still open were carried onto the new
    one; this would put a deleted claim back where its words no longer are). ``ConflictError``
    says so; nothing is undone. One key lookup per document."""
    touched: dict[str, str] = {}
    for entry in entries:
        if entry["kind"] in SPAN_KINDS and state_of(entry, field) is not None:
            doc_id = str(entry["doc_id"])
            touched[doc_id] = min(touched.get(doc_id, entry["at"]), entry["at"])
    for doc_id, at in touched.items():
        row = conn.execute("select imported_at from documents where id = ?", (doc_id,)).fetchone()
        if row is not None and (row[0] or "") > at:
            from annotations.store.conflicts import ConflictError

            doing = "undo" if field == "before" else "redo"
            raise ConflictError(
                f"the document was imported again as a new version at {str(row[0])[11:16]},"
                f" after this change: {doing} would put old offsets on the new text;"
                f" nothing was {doing}ne",
                None,
            )


def _refuse_overwrite(
    conn: sqlite3.Connection, entry: dict[str, Any], current: dict[str, Any] | None, field: str
) -> None:
    """An undo (redo) puts back an item's state from before (after) a step only while the item
    is still as that step left it: someone else's later change (a reviewer's decision on the
    claim, a correction merged in) is not silently overwritten. ``ConflictError`` says who;
    nothing of the step is undone (the transaction rolls back)."""
    seen = state_of(entry, "after" if field == "before" else "before")
    if seen is None or current is None:
        moved = (seen is None) != (current is None)
    else:
        moved = any(current[k] != v for k, v in seen.items() if k in current)
    if not moved:
        return
    from annotations.store.conflicts import ConflictError, undo_refused

    message, fresh = undo_refused(conn, entry, current, "undo" if field == "before" else "redo")
    raise ConflictError(message, fresh)


def _currents(
    conn: sqlite3.Connection, kind: str, item_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    name, pk, _, key = table(kind)
    out: dict[str, dict[str, Any]] = {}
    if key:  # a composite key: one lookup per item, through the primary key
        for item_id in item_ids:
            found = current(conn, kind, item_id)
            if found is not None:
                out[item_id] = found
        return out
    for i in range(0, len(item_ids), _CHUNK):
        chunk = item_ids[i : i + _CHUNK]
        cur = conn.execute(f'{_select(kind)} where "{pk}" in ({",".join("?" * len(chunk))})', chunk)
        names = [c[0] for c in cur.description]
        for row in cur:
            state = dict(zip(names, row, strict=True))
            out[state[pk]] = state
    return out


def _restore_batch(
    conn: sqlite3.Connection, annotator: str, seqs: Sequence[int], action: str, field: str
) -> tuple[dict[str, Any], int]:
    """Restore every entry in ``seqs`` in the order given; log them as one new batch.

    Items are read in chunks and only the columns that differ are updated, grouped by the
    values they get: a bulk review of 100,000 claims changes the same four columns to the same
    values everywhere.
    """
    entries = _entries(conn, seqs)
    _refuse_old_text(conn, list(entries.values()), field)
    keys = [(entries[s]["kind"], entries[s]["item_id"]) for s in seqs]
    if len(set(keys)) < len(keys):  # an item twice in one batch: replay strictly in order
        logged_one: dict[str, Any] = {}
        group = new_id()
        for seq in seqs:
            logged_one = _restore(conn, annotator, entries[seq], action, field, group)
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
        state = state_of(entry, field)
        now = currents.get((kind, item_id))
        if state is None or now is None:
            apply(conn, kind, item_id, state)
        else:
            known = columns_of(kind, state)  # names from the fixed list, never from the row
            changed = tuple(c for c in known if c not in now or now[c] != state[c])
            if changed:
                values = tuple(state[c] for c in changed)
                updates.setdefault((kind, changed, values), []).append(item_id)
        _refuse_overwrite(conn, entry, now, field)
        logged.append(
            (
                at,
                annotator,
                action,
                kind,
                item_id,
                entry["doc_id"],
                _dump(now),
                _dump(_logged(now, state)),
                seq,
                group,
            )
        )
        last = {**entry, "state": state}
    # Items given the same values (undoing a bulk decision sets every claim back to
    # "pending", no reviewer) are updated by one statement per chunk of ids: FTS5 triggers
    # then cost far less than one statement per row.
    for (kind, columns, values), ids in updates.items():
        name, pk, _, key = table(kind)
        sets = ", ".join(f'"{c}" = ?' for c in columns)
        if key:
            for item_id in ids:
                where, keys = item_where(kind, item_id)
                conn.execute(f'update "{name}" set {sets} where {where}', (*values, *keys))
            continue
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            conn.execute(
                f'update "{name}" set {sets} where "{pk}" in ({",".join("?" * len(chunk))})',
                (*values, *chunk),
            )
    conn.executemany(_INSERT, logged)
    return last, len(seqs)


def _step(
    conn: sqlite3.Connection, annotator: str, doc_id: str | None, undoing: bool
) -> dict[str, Any] | None:
    if undoing:
        top = undo_top(conn, annotator, doc_id)
        if top is None:
            return None
        entry = _entry(conn, top)
        if not entry.get("batch"):
            return _restore(conn, annotator, entry, "undo", "before")
        members = undo_members(conn, annotator, entry["batch"])
        members.reverse()  # newest first, so an item changed twice ends at its oldest state
        last, count = _restore_batch(conn, annotator, members, "undo", "before")
        return {**last, "count": count}
    top = redo_top(conn, annotator, doc_id)
    if top is None:
        return None
    step = _entry(conn, top)
    original = _entry(conn, int(step["ref"]))
    if not step.get("batch"):
        return _restore(conn, annotator, original, "redo", "after")
    members = redo_members(conn, annotator, step["batch"])
    last, count = _restore_batch(conn, annotator, members, "redo", "after")
    return {**last, "count": count}


def undo(conn: sqlite3.Connection, annotator: str, doc_id: str | None) -> dict[str, Any] | None:
    """Undo the newest step: one row, or a whole batch (the result then has ``count``)."""
    return _step(conn, annotator, doc_id, undoing=True)


def redo(conn: sqlite3.Connection, annotator: str, doc_id: str | None) -> dict[str, Any] | None:
    """Redo the newest undone step: one row, or a whole batch (the result then has ``count``)."""
    return _step(conn, annotator, doc_id, undoing=False)
