"""Candidate decisions kept by ``SaveQueue``: what a journal line records, read back checked.

A kept ``accept`` or ``reject`` records the candidate's span and what the suggester proposed
(and for an accept the form's labels and an adjusted span); the journal is a file, so reading
one back checks every field and refuses a malformed line (``StoreError``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotations.recovery_journal import PendingSave
from annotations.store import StoreError
from annotations.suggest.candidate import Candidate


def decision_values(candidate: Candidate, suggester: str) -> dict[str, Any]:
    """What a kept decision on ``candidate`` records: its span and the suggester's proposal."""
    return {
        "start": candidate.start,
        "end": candidate.end,
        "proposal": {
            "score": candidate.score,
            "claim_type": candidate.claim_type,
            "speaker": candidate.speaker,
            "suggester": suggester,
        },
    }


@dataclass(frozen=True)
class KeptDecision:
    """A kept ``accept`` or ``reject``, checked: journal lines are data from a file."""

    start: int
    end: int
    proposal: dict[str, Any]
    fields: dict[str, str]
    span: tuple[int, int] | None

    def claim_labels(self) -> dict[str, Any]:
        """The claim's labels as ``Store.accept_candidate`` gives them."""
        labels: dict[str, Any] = {"speaker": self.proposal["speaker"], **self.fields}
        labels.setdefault("claim_type", self.proposal["claim_type"])
        return labels


def kept_decision(save: PendingSave) -> KeptDecision:
    """The decision a kept ``accept``/``reject`` asks for; ``StoreError`` when malformed (the
    save is then given up with a line saying so)."""
    values = save.values
    proposal = values.get("proposal")
    fields = values.get("fields") or {}
    span = values.get("span")
    texts = ("claim_type", "speaker", "suggester")
    well_formed = (
        all(_is_int(values.get(k)) for k in ("start", "end"))
        and isinstance(proposal, dict)
        and set(proposal) == {"score", *texts}
        and isinstance(proposal["score"], (int, float))
        and all(isinstance(proposal[k], str) for k in texts)
        and isinstance(fields, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items())
        and (
            span is None or (isinstance(span, list) and len(span) == 2 and all(map(_is_int, span)))
        )
    )
    if not well_formed:
        raise StoreError("the kept decision is malformed")
    assert isinstance(proposal, dict)
    return KeptDecision(
        int(values["start"]),
        int(values["end"]),
        dict(proposal),
        dict(fields),
        None if span is None else (int(span[0]), int(span[1])),
    )


def _is_span(value: object) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(map(_is_int, value))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
