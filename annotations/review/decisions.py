"""Review decisions: accept, reject or reset claims one by one or all matching a filter.

Decisions are history rows with action ``review`` (who, when, decision and reason); a bulk
decision writes one row per claim sharing a batch id, so ``Store.undo()`` takes it back whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotations.model import REVIEW_STATUSES, Claim, now_iso
from annotations.review.filters import ReviewError, ReviewFilter, where
from annotations.store import ConflictError, Store, StoreError


@dataclass(frozen=True, slots=True)
class BulkResult:
    """What a bulk decision changed: how many claims, under which history batch."""

    count: int
    batch: str


def check_decision(decision: str) -> None:
    """Refuse (``ReviewError``) a decision that is not one of ``REVIEW_STATUSES``."""
    if decision not in REVIEW_STATUSES:
        raise ReviewError(f"unknown decision {decision!r}; use one of {', '.join(REVIEW_STATUSES)}")


def _reviewed(
    row: dict[str, Any], decision: str, reviewer: str, reason: str, stamp: str
) -> dict[str, Any]:
    if decision == "pending":  # back to undecided: forget who decided and why
        return {
            **row,
            "review_status": "pending",
            "reviewer": "",
            "review_note": "",
            "reviewed_at": "",
        }
    return {
        **row,
        "review_status": decision,
        "reviewer": reviewer,
        "review_note": reason,
        "reviewed_at": stamp,
    }


def decide(
    store: Store, claim_id: str, decision: str, reason: str = "", expected: str | None = None
) -> Claim:
    """Accept, reject (with an optional reason) or reset one claim; logged as ``review``.

    ``expected``: the version of the claim the reviewer saw (``Claim.version``); if someone
    else changed it since, ``ConflictError`` (with the claim as it is now) and nothing saved.
    """
    check_decision(decision)
    values = _reviewed({}, decision, store.annotator, reason.strip(), now_iso())
    try:
        return store.review_claim(claim_id, values, expected=expected)
    except ConflictError:
        raise
    except StoreError as exc:  # the claim is gone
        raise ReviewError(str(exc)) from None


def decide_matching(store: Store, f: ReviewFilter, decision: str, reason: str = "") -> BulkResult:
    """Give every claim matching ``f`` the same decision, as one undoable batch.

    Claims already in that state are left alone, so their reviewer and reason survive
    (``Store.review_where``).
    """
    check_decision(decision)
    cond, params = where(f, store)
    values = _reviewed({}, decision, store.annotator, reason.strip(), now_iso())
    count, batch = store.review_where(cond, params, values, values["reviewed_at"] or now_iso())
    return BulkResult(count, batch)


def count_matching(store: Store, f: ReviewFilter) -> int:
    cond, params = where(f, store)
    return store.count_claims_where(cond, params)
