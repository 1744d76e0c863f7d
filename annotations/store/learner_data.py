"""What the learned claim suggester trains on, and the models it stores.

Examples: every claim and accepted candidate is a positive, every rejected candidate a negative;
documents marked done give their unclaimed sentences as negatives (``done_documents``). Models
are plain JSON (``strict_json`` rules: no NaN or infinity, 64-bit integers), numbered per name;
they are derived data, so they have no history: ``latest_model`` is the newest, and the history
position a model was trained at tells how much it has not seen (``learning_changes_since``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from annotations import strict_json
from annotations.model import now_iso
from annotations.store.base import StoreBase, StoreError

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


class LearnerData(StoreBase):
    """The learner's examples, its stored models, and what it has not seen yet."""

    # -- the learner's data ------------------------------------------------------------------
    def suggestion_examples(self) -> list[Example]:
        """Every claim (manual ones too) and accepted candidate as a positive, every rejected
        candidate as a negative; one example per span, in text order.

        A claim on a span outweighs a decision on it (the annotator claimed it after all); of
        several decisions on one span (from merged databases) the newest counts.
        """
        with self.reading() as conn:
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
        with self.reading() as conn:
            rows = conn.execute(
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
        row = self._newest_model(name)
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

    def _newest_model(self, name: str) -> tuple[Any, Any] | None:
        """(version, params as stored) of model ``name``'s newest version, or None."""
        with self.reading() as conn:
            row = conn.execute(
                "select version, params from suggest_models where name = ?"
                " order by version desc limit 1",
                (name,),
            ).fetchone()
        return None if row is None else (row[0], row[1])

    # -- what the learner has not seen yet ------------------------------------------------------
    def history_mark(self) -> int:
        """The newest history position (0 when there is none): a model trained now records it,
        so later changes can be counted (``learning_changes_since``)."""
        with self.reading() as conn:
            (seq,) = conn.execute("select coalesce(max(seq), 0) from history").fetchone()
        return int(seq)

    def learning_changes_since(self, seq: int) -> int:
        """How many steps changed claims or candidate decisions after history position ``seq``
        (undo and redo included; an accept, claim and decision in one batch, is one step): a
        range of the primary key, cheap after every decision."""
        with self.reading() as conn:
            (count,) = conn.execute(
                "select count(distinct coalesce(batch, '#' || cast(seq as text))) from history"
                " where seq > ? and kind in ('claim', 'suggestion')",
                (int(seq),),
            ).fetchone()
        return int(count)

    def latest_model_mark(self, name: str) -> tuple[int, int] | None:
        """The newest version of model ``name`` and the history position it was trained at
        (its params' ``trained_at.history_seq``; 0 when it has none or is not JSON); None when
        there is no model."""
        row = self._newest_model(name)
        if row is None:
            return None
        seq = _trained_at(row[1])
        return int(row[0]), seq if seq >= 0 else 0


def _trained_at(raw: object) -> int:
    """A model's ``trained_at.history_seq`` (parsed here, not by SQL JSON functions, which
    differ between backends); 0 when the row is not JSON (damaged: "seen nothing") or has none.
    A JSON ``true`` reads as 1, as SQLite's ``json_extract`` read it."""
    try:
        params = json.loads(raw) if isinstance(raw, str | bytes) else None
    except (ValueError, RecursionError):
        return 0
    trained = params.get("trained_at") if isinstance(params, dict) else None
    seq = trained.get("history_seq") if isinstance(trained, dict) else None
    return int(seq) if isinstance(seq, int) else 0


def _source(positive: bool) -> ExampleSource:
    return "accepted" if positive else "rejected"


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
