"""Checking history rows that come from another database before they are merged.

A database handed over for ``annotty merge`` is untrusted: its history rows are later replayed
by undo and redo in the team database. Each row must be of a known kind and action, carry
before/after states that parse as JSON objects of that kind's known fields, belong to its own
item and document, have the states its action implies, and (undo/redo) point at an earlier valid
row of the same item. A row that fails is reported with its seq and left out; nothing else is
affected.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from annotations.store import history, undo_stack


def _state(raw: Any, kind: str, item_id: str, doc_id: str) -> dict[str, Any] | None:
    """The parsed state; raises ``history.HistoryError`` saying what is wrong with it."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise history.HistoryError("a state that is not JSON text")
    try:
        state = json.loads(raw)
    except (ValueError, RecursionError):
        raise history.HistoryError("a state that is not valid JSON") from None
    if not isinstance(state, dict):
        raise history.HistoryError("a state that is not a JSON object")
    history.columns_of(kind, state)  # unknown fields and non-scalar values are refused
    pk = history.table(kind).pk
    if pk in state and state[pk] != item_id:
        raise history.HistoryError("a state of another item")
    if "doc_id" in state and state["doc_id"] != doc_id:
        raise history.HistoryError("a state of another document")
    return state


def problem(row: dict[str, Any], doc_id: str, valid: dict[int, dict[str, Any]]) -> str | None:
    """What is wrong with ``row`` (None if nothing); ``valid`` holds the earlier good rows."""
    try:
        kind, action, item_id = row.get("kind"), row.get("action"), row.get("item_id")
        if not isinstance(kind, str):
            raise history.HistoryError("no kind")
        history.table(kind)
        if action not in undo_stack.UNDOABLE + undo_stack.STEPS:
            raise history.HistoryError(f"unknown action {str(action)[:40]!r}")
        if not isinstance(item_id, str) or not item_id:
            raise history.HistoryError("no item id")
        if not isinstance(row.get("annotator"), str) or not row["annotator"]:
            raise history.HistoryError("no annotator")
        if row.get("doc_id") != doc_id:
            raise history.HistoryError("a row of another document")
        before = _state(row.get("before"), kind, item_id, doc_id)
        after = _state(row.get("after"), kind, item_id, doc_id)
        if action == "create" and (before is not None or after is None):
            raise history.HistoryError("a create needs an after state and no before state")
        if action == "delete" and (after is not None or before is None):
            raise history.HistoryError("a delete needs a before state and no after state")
        if action in ("update", "review") and (before is None or after is None):
            raise history.HistoryError(f"an {action} needs both states")
        if action in undo_stack.STEPS:
            ref = row.get("ref")
            target = valid.get(ref) if isinstance(ref, int) else None
            if target is None or ref >= row["seq"]:
                raise history.HistoryError(f"an {action} of a missing or invalid row")
            if (target["kind"], target["item_id"]) != (kind, item_id) or target[
                "action"
            ] not in undo_stack.UNDOABLE:
                raise history.HistoryError(f"an {action} pointing at another item's row")
            if target["annotator"] != row["annotator"]:  # undo is per annotator
                raise history.HistoryError(f"an {action} of another annotator's change")
    except history.HistoryError as exc:
        return str(exc)
    return None


def check(
    rows: Iterable[dict[str, Any]], doc_id: str
) -> tuple[list[dict[str, Any]], list[tuple[Any, str]]]:
    """Split a document's history (in seq order) into good rows and (seq, reason) problems."""
    valid: dict[int, dict[str, Any]] = {}
    problems: list[tuple[Any, str]] = []
    for row in rows:
        reason = problem(row, doc_id, valid)
        if reason is None:
            valid[row["seq"]] = row
        else:
            problems.append((row.get("seq"), reason))
    return list(valid.values()), problems
