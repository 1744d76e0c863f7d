"""Decisions on claim candidates: accepted (a claim and its decision) or rejected, undoable.

A candidate becomes a claim only through a decision. Accepting writes the claim and the
decision in one transaction under one history batch, so one undo takes both back and one redo
makes both again; rejecting writes the decision alone. One decision per span: deciding a span
again updates its row (undoable like any change). Deleting a claim an accept made leaves the
decision, and history says what happened.

The learner's data and models are in ``learner_data``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, replace
from typing import Any

from annotations.model import (
    DECISION_FIELDS,
    EDITABLE_CLAIM_FIELDS,
    Claim,
    Decision,
    DecisionKind,
    new_id,
    now_iso,
)
from annotations.store import history, undo_stack
from annotations.store.base import StoreError, Transaction
from annotations.store.changes import UndoStep
from annotations.store.claims import Claims

_DECISION_COLUMNS = ", ".join(f'"{name}"' for name in DECISION_FIELDS)


class Suggestions(Claims):
    """Candidate decisions (undoable), suggester models and the learner's examples."""

    def accept_candidate(
        self,
        doc_id: str,
        start: int,
        end: int,
        *,
        score: float,
        claim_type: str,
        speaker: str,
        suggester: str,
        claim_fields: dict[str, Any] | None = None,
        claim_id: str | None = None,
        claim_span: tuple[int, int] | None = None,
    ) -> tuple[Claim, str]:
        """Save the candidate as a claim and record the decision, as one undoable step.

        The claim gets ``claim_type`` and ``speaker`` unless ``claim_fields`` (the form's
        labels: stance, target, note, a changed type...) says otherwise, and the candidate's
        span unless ``claim_span`` (the annotator adjusted it); the decision keeps what the
        suggester proposed, on the candidate's span. ``claim_id`` makes a replay idempotent: a
        claim with that id already saved is returned as it is. Returns the claim and the
        decision's id.
        """
        if claim_id is not None:
            done = self._accepted_as(doc_id, start, end, claim_id)
            if done is not None:
                return done
        labels: dict[str, Any] = {"speaker": speaker, **(claim_fields or {})}
        unknown = set(labels) - (set(EDITABLE_CLAIM_FIELDS) - {"start", "end"})
        if unknown:
            raise StoreError(f"unknown claim fields: {', '.join(sorted(unknown))}")
        _check_proposal(score, claim_type, speaker, suggester)
        chosen_type = str(labels.pop("claim_type", claim_type))
        stamp = now_iso()
        claim_start, claim_end = claim_span or (start, end)
        claim = Claim(
            id=claim_id or new_id(),
            doc_id=doc_id,
            start=claim_start,
            end=claim_end,
            quote="",
            claim_type=chosen_type,
            annotator=self.annotator,
            created_at=stamp,
            updated_at=stamp,
            **labels,
        )
        batch = new_id()
        with self.transaction() as conn:
            claim = replace(claim, quote=self.quote(doc_id, claim_start, claim_end))
            history.apply(conn, "claim", claim.id, asdict(claim))
            history.record(
                conn,
                self.annotator,
                "create",
                "claim",
                claim.id,
                doc_id,
                None,
                asdict(claim),
                batch=batch,
            )
            proposal = (score, claim_type, speaker, suggester)
            decision_id = self._decide(
                conn, doc_id, start, end, proposal, "accepted", claim.id, batch
            )
        return claim, decision_id

    def _accepted_as(
        self, doc_id: str, start: int, end: int, claim_id: str
    ) -> tuple[Claim, str] | None:
        """The claim ``claim_id`` and the span's decision, when an earlier accept saved them."""
        try:
            claim = self.claim(claim_id)
        except StoreError:
            return None
        with self.reading() as conn:
            decision = self._decision_at(conn, doc_id, start, end)
        if claim.doc_id != doc_id or decision is None or decision["claim_id"] != claim_id:
            raise StoreError(f"claim {claim_id} exists and is not this candidate's")
        return claim, str(decision["id"])

    def reject_candidate(
        self,
        doc_id: str,
        start: int,
        end: int,
        *,
        score: float,
        claim_type: str,
        speaker: str,
        suggester: str,
    ) -> str:
        """Record that the candidate holds no claim (one undoable change); its id."""
        _check_proposal(score, claim_type, speaker, suggester)
        with self.transaction() as conn:
            proposal = (score, claim_type, speaker, suggester)
            return self._decide(conn, doc_id, start, end, proposal, "rejected", "", None)

    def _decide(
        self,
        conn: Transaction,
        doc_id: str,
        start: int,
        end: int,
        proposal: tuple[float, str, str, str],
        verdict: DecisionKind,
        claim_id: str,
        batch: str | None,
    ) -> str:
        """Inside ``transaction()``: write the span's decision (replacing an earlier one)."""
        score, claim_type, speaker, suggester = proposal
        earlier = self._decision_at(conn, doc_id, start, end)
        decision = Decision(
            id=new_id() if earlier is None else str(earlier["id"]),
            doc_id=doc_id,
            start=start,
            end=end,
            quote=self.quote(doc_id, start, end),
            score=float(score),
            claim_type=claim_type,
            speaker=speaker,
            decision=verdict,
            claim_id=claim_id,
            suggester=suggester,
            annotator=self.annotator,
            decided_at=now_iso(),
        )
        after = asdict(decision)
        history.apply(conn, "suggestion", decision.id, after)
        if earlier is None:
            history.record(
                conn,
                self.annotator,
                "create",
                "suggestion",
                decision.id,
                doc_id,
                None,
                after,
                batch=batch,
            )
        else:
            logged = history.changed_fields(earlier, after, *history.SPAN)
            history.record(
                conn,
                self.annotator,
                "update",
                "suggestion",
                decision.id,
                doc_id,
                earlier,
                logged,
                batch=batch,
            )
        return decision.id

    @staticmethod
    def _decision_at(conn: Transaction, doc_id: str, start: int, end: int) -> dict[str, Any] | None:
        cur = conn.execute(
            f"select {_DECISION_COLUMNS} from suggestions where doc_id = ? and start = ?"
            ' and "end" = ? order by decided_at desc, id limit 1',
            (doc_id, start, end),
        )
        row = cur.fetchone()
        return None if row is None else dict(zip(DECISION_FIELDS, row, strict=True))

    def decisions(self, doc_id: str | None = None) -> list[Decision]:
        """Decided candidates (of one document, or all) in text order."""
        where, params = ("where doc_id = ?", [doc_id]) if doc_id else ("", [])
        with self.reading() as conn:
            rows = conn.execute(
                f"select {_DECISION_COLUMNS} from suggestions {where}"
                ' order by doc_id, start, "end"',
                params,
            ).fetchall()
        return [Decision(*row) for row in rows]

    def undo_decision(self, doc_id: str, start: int, end: int) -> UndoStep | None:
        """Undo this annotator's latest change in ``doc_id`` only if it is the decision on
        ``[start, end)`` (with an accept's claim); None, changing nothing, when it is not: a
        queue's undo must never take back another change."""
        with self.transaction() as conn:
            seq = undo_stack.undo_top(conn, self.annotator, doc_id)
            row = (
                None
                if seq is None
                else conn.execute(
                    "select kind, after from history where seq = ?", (seq,)
                ).fetchone()
            )
            if row is None or row[0] != "suggestion":
                return None
            try:
                after = json.loads(row[1] or "{}")
            except ValueError:
                return None
            if not isinstance(after, dict) or (after.get("start"), after.get("end")) != (
                start,
                end,
            ):
                return None
            try:
                entry = history.undo(conn, self.annotator, doc_id)
            except history.HistoryError as exc:
                raise StoreError(f"cannot undo: {exc}") from None
        return None if entry is None else UndoStep.of(entry)

    def has_decision(
        self, doc_id: str, start: int, end: int, decision: DecisionKind, annotator: str
    ) -> bool:
        """Whether the span's newest decision is ``decision`` by ``annotator`` (a replayed
        save checks it was not done already)."""
        with self.reading() as conn:
            row = self._decision_at(conn, doc_id, start, end)
        return row is not None and (row["decision"], row["annotator"]) == (decision, annotator)

    def decided_spans(self, doc_id: str) -> set[tuple[int, int]]:
        """The spans of ``doc_id`` with a decision: the reader no longer offers them."""
        with self.reading() as conn:
            rows = conn.execute(
                'select start, "end" from suggestions where doc_id = ?', (doc_id,)
            ).fetchall()
        return {(int(start), int(end)) for start, end in rows}


def _check_proposal(score: float, claim_type: str, speaker: str, suggester: str) -> None:
    """Refuse what would store nonsense: a score outside 0..1 (or NaN), non-text labels."""
    if (
        isinstance(score, bool)
        or not isinstance(score, int | float)
        or not math.isfinite(score)
        or not 0 <= score <= 1
    ):
        raise StoreError(f"a candidate's score must be a number in 0..1, not {score!r}")
    for field, value in (("claim_type", claim_type), ("speaker", speaker)):
        if not isinstance(value, str):
            raise StoreError(f"a candidate's {field} must be text")
    if not isinstance(suggester, str) or not suggester:
        raise StoreError("a decision must name the suggester that proposed the candidate")
