"""Decisions on claim candidates, the learned suggester's models, and its training data.

A candidate becomes a claim only through a decision. Accepting writes the claim and the
decision in one transaction under one history batch, so one undo takes both back and one redo
makes both again; rejecting writes the decision alone. One decision per span: deciding a span
again updates its row (undoable like any change). Deleting a claim an accept made leaves the
decision, and history says what happened.

Models are plain JSON (``strict_json`` rules: no NaN or infinity, 64-bit integers), numbered
per name; they are derived data, so they have no history: ``latest_model`` is the newest.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, NamedTuple

from annotations import strict_json
from annotations.model import (
    DECISION_FIELDS,
    EDITABLE_CLAIM_FIELDS,
    Claim,
    Decision,
    DecisionKind,
    new_id,
    now_iso,
)
from annotations.store import history
from annotations.store.base import StoreError, Transaction
from annotations.store.claims import Claims

_DECISION_COLUMNS = ", ".join(f'"{name}"' for name in DECISION_FIELDS)
ExampleSource = Literal["claim", "accepted", "rejected"]


@dataclass(frozen=True, slots=True)
class Example:
    """One span the learner trains on: ``positive`` for a claim or an accepted candidate,
    not for a rejected one. ``text`` is the span's quote (``document.text[start:end]``)."""

    doc_id: str
    start: int
    end: int
    text: str
    positive: bool
    claim_type: str
    source: ExampleSource


class DoneDocument(NamedTuple):
    """A document some annotator marked done: its unclaimed sentences are negatives."""

    doc_id: str
    text: str


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
    ) -> tuple[Claim, str]:
        """Save the candidate as a claim and record the decision, as one undoable step.

        The claim gets ``claim_type`` and ``speaker`` unless ``claim_fields`` (the form's
        labels: stance, target, note, a changed type...) says otherwise; the decision keeps
        what the suggester proposed. Returns the claim and the decision's id.
        """
        labels: dict[str, Any] = {"speaker": speaker, **(claim_fields or {})}
        unknown = set(labels) - (set(EDITABLE_CLAIM_FIELDS) - {"start", "end"})
        if unknown:
            raise StoreError(f"unknown claim fields: {', '.join(sorted(unknown))}")
        _check_proposal(score, claim_type, speaker, suggester)
        chosen_type = str(labels.pop("claim_type", claim_type))
        stamp = now_iso()
        claim = Claim(
            id=new_id(),
            doc_id=doc_id,
            start=start,
            end=end,
            quote="",
            claim_type=chosen_type,
            annotator=self.annotator,
            created_at=stamp,
            updated_at=stamp,
            **labels,
        )
        batch = new_id()
        with self.transaction() as conn:
            claim = replace(claim, quote=self.quote(doc_id, start, end))
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
        with self._lock:
            rows = self.db.conn.execute(
                f"select {_DECISION_COLUMNS} from suggestions {where}"
                ' order by doc_id, start, "end"',
                params,
            ).fetchall()
        return [Decision(*row) for row in rows]

    def decided_spans(self, doc_id: str) -> set[tuple[int, int]]:
        """The spans of ``doc_id`` with a decision: the reader no longer offers them."""
        with self._lock:
            rows = self.db.conn.execute(
                'select start, "end" from suggestions where doc_id = ?', (doc_id,)
            ).fetchall()
        return {(int(start), int(end)) for start, end in rows}

    # -- the learner's data ------------------------------------------------------------------
    def suggestion_examples(self) -> list[Example]:
        """Every claim (manual ones too) and accepted candidate as a positive, every rejected
        candidate as a negative; one example per span, in text order.

        A claim on a span outweighs a decision on it (the annotator claimed it after all); of
        several decisions on one span (from merged databases) the newest counts.
        """
        with self._lock:
            conn = self.db.conn
            claims = conn.execute(
                'select doc_id, start, "end", quote, claim_type from claims'
                ' order by doc_id, start, "end", created_at'
            ).fetchall()
            decided = conn.execute(
                'select doc_id, start, "end", quote, claim_type, decision from suggestions'
                " order by decided_at, id"
            ).fetchall()
        out: dict[tuple[str, int, int], Example] = {}
        for doc_id, start, end, quote, claim_type, verdict in decided:
            positive = verdict == "accepted"
            out[(doc_id, start, end)] = Example(
                doc_id, start, end, quote, positive, claim_type, _source(positive)
            )
        for doc_id, start, end, quote, claim_type in claims:
            key = (doc_id, start, end)
            if key not in out or out[key].source != "claim":
                out[key] = Example(doc_id, start, end, quote, True, claim_type, "claim")
        return [out[key] for key in sorted(out)]

    def done_documents(self) -> list[DoneDocument]:
        """Documents any annotator marked done, with their texts: the suggest package cuts
        them into units, and the units no example covers are negatives."""
        with self._lock:
            rows = self.db.conn.execute(
                "select d.id, d.text from documents d where exists (select 1 from doc_state s"
                " where s.doc_id = d.id and s.status = 'done') order by d.imported_at, d.rowid"
            ).fetchall()
        return [DoneDocument(str(doc_id), str(text)) for doc_id, text in rows]

    # -- models ------------------------------------------------------------------------------
    def save_model(self, name: str, params: dict[str, Any]) -> int:
        """Store ``params`` as the next version of model ``name``; that version.

        Plain JSON only (numbers finite, integers within 64 bits, keys strings): a ``StoreError``
        says what is not, and nothing is saved.
        """
        if not isinstance(name, str) or not name:
            raise StoreError("a model needs a name")
        raw = _model_json(params)
        with self.transaction() as conn:
            (latest,) = conn.execute(
                "select coalesce(max(version), 0) from suggest_models where name = ?", (name,)
            ).fetchone()
            version = int(latest) + 1
            conn.execute(
                "insert into suggest_models(name, version, created_at, params) values (?, ?, ?, ?)",
                (name, version, now_iso(), raw),
            )
        return version

    def latest_model(self, name: str) -> tuple[int, dict[str, Any]] | None:
        """The newest version of model ``name`` and its params; None when there is none.

        A stored row that is not strict JSON (a damaged or hand-edited file) is refused with a
        ``StoreError`` naming it, never half-read.
        """
        with self._lock:
            row = self.db.conn.execute(
                "select version, params from suggest_models where name = ?"
                " order by version desc limit 1",
                (name,),
            ).fetchone()
        if row is None:
            return None
        version, raw = int(row[0]), row[1]
        try:
            params = strict_json.loads(raw) if isinstance(raw, str) else None
        except ValueError as exc:
            raise StoreError(f"model {name!r} version {version}: {exc}") from None
        if not isinstance(params, dict):
            raise StoreError(f"model {name!r} version {version}: params are not a JSON object")
        return version, params


def _source(positive: bool) -> ExampleSource:
    return "accepted" if positive else "rejected"


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


def _model_json(params: dict[str, Any]) -> str:
    """``params`` as strict JSON text, or ``StoreError`` saying why it cannot be."""
    if not isinstance(params, dict):
        raise StoreError("model params must be a JSON object (a dict)")
    bad_key = _non_text_key(params)
    if bad_key is not None:
        raise StoreError(f"model params: key {bad_key} is not text")
    try:
        raw = json.dumps(params, allow_nan=False, sort_keys=True)
        strict_json.loads(raw)  # 64-bit integers, no lone surrogates
    except (TypeError, ValueError, RecursionError) as exc:
        raise StoreError(f"model params are not plain JSON: {exc}") from None
    return raw


def _non_text_key(value: Any) -> str | None:
    """The first dict key anywhere in ``value`` that is not a string, as repr (JSON would turn
    it into one, and the model read back would differ from the one saved)."""
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                if not isinstance(key, str):
                    return repr(key)
                stack.append(inner)
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return None
