"""Explicit conflicts: a write made on what its user saw is refused if someone else changed it.

A reviewer accepts a claim its annotator is editing; two adjudicators decide one item. Each
write that acts on a view passes the version of the claim it showed (``Claim.version``, a digest
of every field; ``NO_CLAIM`` for "there was none") as ``expected``. Inside the write's
transaction the row is read (locked ``for update`` on PostgreSQL, where two people's
transactions run at once; SQLite serialises writers anyway) and its version compared:

- the same: the write goes ahead;
- different, but every change since that version is the same person's own (a second key
  pressed before the first save came back, kept saves replayed in order): it goes ahead too;
- else ``ConflictError``: nothing is written, the history keeps the other person's change, and
  the message says who changed the claim and when, with the claim as it is now (``fresh``).

The walk back through the claim's history uses the ``history(item_id, seq)`` index.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

from annotations.model import CLAIM_FIELDS, Claim, claim_version
from annotations.store import dialect
from annotations.store.base import StoreError, Transaction
from annotations.terminal_safe import clean

Doing = Literal["edit", "review", "delete", "adjudicate"]
_DOING: dict[str, tuple[str, str]] = {
    "edit": ("editing", "edit"),
    "review": ("reviewing", "decision"),
    "delete": ("looking at", "deletion"),
    "adjudicate": ("adjudicating", "decision"),
}
OWN_STEPS = 200
"""How far back a claim's history is searched for the version seen among one's own changes."""
_COLUMNS = ", ".join(f'"{name}"' for name in CLAIM_FIELDS)


class ConflictError(StoreError):
    """Someone else changed the claim since its user saw it: nothing was written.

    ``fresh`` is the claim as it is now (None when it was deleted), ``by`` and ``at`` who made
    the change that stands in the way and when (empty when the history does not say)."""

    def __init__(self, message: str, fresh: Claim | None, by: str = "", at: str = "") -> None:
        super().__init__(message)
        self.fresh = fresh
        self.by = by
        self.at = at


def locked_row(conn: Transaction, claim_id: str) -> dict[str, Any] | None:
    """Inside ``transaction()``: the claim's row, locked until commit on PostgreSQL (so two
    people's writes to it take turns and the second sees the first's), or None."""
    sql = f"select {_COLUMNS} from claims where id = ?"
    if dialect.is_postgres(conn):
        sql += " for update"
    cur = conn.execute(sql, (claim_id,))
    row = cur.fetchone()
    return None if row is None else dict(zip([c[0] for c in cur.description], row, strict=True))


def lock_rows(conn: Transaction, claim_ids: list[str]) -> None:
    """Lock several claims in one order (by id), so two writers locking overlapping sets
    never deadlock (PostgreSQL; nothing to do on SQLite)."""
    if claim_ids and dialect.is_postgres(conn):
        ids = sorted(set(claim_ids))
        marks = ", ".join("?" for _ in ids)
        conn.execute(f"select id from claims where id in ({marks}) order by id for update", ids)


def check(
    conn: Transaction,
    annotator: str,
    claim_id: str,
    current: dict[str, Any] | None,
    expected: str,
    doing: Doing,
) -> None:
    """Raise ``ConflictError`` unless the claim (``current``, its row as read in this
    transaction, None if absent) is at version ``expected``, or only ``annotator`` changed it
    since. Reads nothing when the versions match."""
    if claim_version(current) == expected:
        return
    rows = conn.execute(
        "select annotator, action, at, before, after from history"
        " where item_id = ? and kind = 'claim' order by seq desc limit ?",
        (claim_id, OWN_STEPS),
    ).fetchall()
    if not rows and current is None:
        raise StoreError(f"no claim {claim_id!r}")
    culprit = rows[0] if rows else None
    for row in rows:
        if row[0] != annotator:
            culprit = row
            break
        if claim_version(_state(row[3])) == expected:
            return  # only our own changes since the version seen
    fresh = None if current is None else Claim(**current)
    by, at = (str(culprit[0]), str(culprit[2])) if culprit is not None else ("", "")
    raise ConflictError(_message(culprit, fresh, doing), fresh, by, at)


def _state(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        state = json.loads(raw)
    except (TypeError, ValueError, RecursionError):
        return None
    return state if isinstance(state, dict) else None


def _message(culprit: Any, fresh: Claim | None, doing: Doing) -> str:
    """ "bob accepted this claim at 12:04 while you were editing it: your edit was not saved;
    showing the current version" (names are data: made harmless)."""
    verb, what = _DOING[doing]
    if culprit is None:
        who = "Someone else changed this claim"
    else:
        name = clean(culprit[0])[:40] or "someone"
        did = _changed(str(culprit[1]), _state(culprit[4]))
        who = f"{name} {did} this claim at {_when(culprit[2])}"
    now = "it no longer exists" if fresh is None else "showing the current version"
    return f"{who} while you were {verb} it: your {what} was not saved; {now}"


def _changed(action: str, after: dict[str, Any] | None) -> str:
    if action == "review":
        status = (after or {}).get("review_status")
        return {"accepted": "accepted", "rejected": "rejected", "pending": "reset"}.get(
            str(status), "reviewed"
        )
    return {
        "create": "created",
        "update": "edited",
        "delete": "deleted",
        "undo": "undid a change to",
        "redo": "redid a change to",
    }.get(action, "changed")


def _when(at: Any) -> str:
    """A history time (UTC, ISO) as the local clock shows it: HH:MM today, else with the date."""
    try:
        stamp = datetime.fromisoformat(str(at))
    except ValueError:
        return clean(at)[:32]
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    local = stamp.astimezone()
    today = datetime.now(UTC).astimezone().date()
    return local.strftime("%H:%M" if local.date() == today else "%Y-%m-%d %H:%M")


_KINDS = {
    "claim": "claim",
    "entity_edit": "entity correction",
    "suggestion": "candidate decision",
    "assignment": "assignment",
}


def undo_refused(
    conn: Transaction, entry: dict[str, Any], current: dict[str, Any] | None, doing: str
) -> tuple[str, Claim | None]:
    """Why an undo (or redo) of ``entry`` is refused: someone changed its item afterwards
    ("bob accepted this claim at 12:04 after your change: undo would overwrite it; nothing was
    undone"), and the claim as it is now when the item is one."""
    kind = str(entry.get("kind", ""))
    culprit = conn.execute(
        "select annotator, action, at, before, after from history"
        " where item_id = ? and kind = ? order by seq desc limit 1",
        (entry.get("item_id"), kind),
    ).fetchone()
    what = _KINDS.get(kind, "item")
    if culprit is None:
        who = f"Someone else changed this {what}"
    else:
        name = clean(culprit[0])[:40] or "someone"
        did = _changed(str(culprit[1]), _state(culprit[4]))
        who = f"{name} {did} this {what} at {_when(culprit[2])}"
    fresh = Claim(**current) if kind == "claim" and current is not None else None
    done = "undone" if doing == "undo" else "redone"
    return f"{who} after your change: {doing} would overwrite it; nothing was {done}", fresh
