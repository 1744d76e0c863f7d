"""Decided claim candidates in exports (``--include-suggestions``), and reading them back.

A decided candidate is what a suggester proposed (span, score, claim type, speaker) and what an
annotator made of it (accepted or rejected, by whom, when, and the claim an accept made): the
examples a team needs to train its own claim detector. Every format that can hold them writes
the same fields (``SUGGESTION_FIELDS``) in its own place for machine output, converting offsets
to what its tools count; ``quote`` is always ``text[start:end]``. The readers here take them back
out of annotty JSON, Label Studio and doccano records, so a round trip can be checked (and a
script can use them): each returns the decisions it could read and one line per one it could not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, cast

from annotations.export.bundles import CONTEXT
from annotations.export.utf16 import Utf16Index
from annotations.model import Decision, DecisionKind

SUGGESTION_FIELDS = (
    "score",
    "claim_type",
    "speaker",
    "decision",
    "claim_id",
    "suggester",
    "annotator",
    "decided_at",
)
"""What a decided candidate carries besides its id and span, in every format."""
DECISIONS: tuple[DecisionKind, ...] = ("accepted", "rejected")
_TEXT_FIELDS = ("claim_type", "speaker", "claim_id", "suggester", "annotator", "decided_at")


def decision_fields(decision: Decision) -> dict[str, Any]:
    """The proposal and the verdict, without the span."""
    return {name: getattr(decision, name) for name in SUGGESTION_FIELDS}


def decision_record(text: str, decision: Decision) -> dict[str, Any]:
    """annotty's JSON shape: id, span with quote and context, then ``SUGGESTION_FIELDS``."""
    start, end = decision.start, decision.end
    return {
        "id": decision.id,
        "start": start,
        "end": end,
        "quote": text[start:end],
        "prefix": text[max(0, start - CONTEXT) : start],
        "suffix": text[end : end + CONTEXT],
        **decision_fields(decision),
    }


Read = tuple[list[Decision], list[str]]


def read_decision(
    item: Any, doc_id: str, text: str, start: int | None, end: int | None, where: str
) -> Decision | str:
    """A ``Decision`` from one exported entry (``start``/``end`` already in code points), or
    the line saying why it cannot be one; a value of the wrong type is refused, never
    turned into text."""
    if not isinstance(item, dict):
        return f"{where}: not an object"
    if start is None or end is None or not 0 <= start < end <= len(text):
        return f"{where}: span [{start}, {end}) is not inside the text"
    quote = item.get("quote")
    if quote is not None and quote != text[start:end]:
        return f"{where}: quote does not match the text at [{start}, {end})"
    score = item.get("score")
    if (
        isinstance(score, bool)
        or not isinstance(score, int | float)
        or not math.isfinite(score)
        or not 0 <= score <= 1
    ):
        return f"{where}: score must be a number in 0..1"
    verdict = item.get("decision")
    if verdict not in DECISIONS:
        return f"{where}: decision must be accepted or rejected"
    fields: dict[str, str] = {}
    for name in _TEXT_FIELDS:
        value = item.get(name, "")
        if not isinstance(value, str):
            return f"{where}: {name} must be text"
        fields[name] = value
    ident = item.get("id")
    if not isinstance(ident, str) or not ident:
        return f"{where}: missing an id"
    return Decision(
        id=ident,
        doc_id=doc_id,
        start=start,
        end=end,
        quote=text[start:end],
        score=float(score),
        decision=cast(DecisionKind, verdict),
        **fields,
    )


def _collect(results: Sequence[Decision | str]) -> Read:
    decided = [r for r in results if isinstance(r, Decision)]
    return decided, [r for r in results if isinstance(r, str)]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def annotty_decisions(record: dict[str, Any]) -> Read:
    """From an annotty JSON(L) document record's ``suggestions``."""
    text, doc_id = str(record.get("text", "")), str(record.get("id", ""))
    out: list[Decision | str] = []
    for n, item in enumerate(_list(record.get("suggestions")), start=1):
        got = item if isinstance(item, dict) else {}
        start, end = _int(got.get("start")), _int(got.get("end"))
        out.append(read_decision(item, doc_id, text, start, end, f"suggestion {n}"))
    return _collect(out)


def doccano_decisions(record: dict[str, Any]) -> Read:
    """From a doccano record's ``annotty.suggestions`` (offsets in UTF-16 units)."""
    text = str(record.get("text", ""))
    kept = record.get("annotty")
    kept = kept if isinstance(kept, dict) else {}
    doc_id = str(kept.get("doc_id", ""))
    index = Utf16Index(text)
    out: list[Decision | str] = []
    for n, item in enumerate(_list(kept.get("suggestions")), start=1):
        got = item if isinstance(item, dict) else {}
        start, end = _int(got.get("start")), _int(got.get("end"))
        out.append(
            read_decision(
                item,
                doc_id,
                text,
                None if start is None else index.from_utf16(start),
                None if end is None else index.from_utf16(end),
                f"suggestion {n}",
            )
        )
    return _collect(out)


def label_studio_decisions(task: dict[str, Any]) -> Read:
    """From a Label Studio task's ``predictions``: the ``claim`` regions that carry an
    ``annotty`` decision (entity predictions and others are not candidates)."""
    data = task.get("data")
    data = data if isinstance(data, dict) else {}
    text, doc_id = str(data.get("text", "")), str(data.get("doc_id", ""))
    out: list[Decision | str] = []
    for prediction in _list(task.get("predictions")):
        if not isinstance(prediction, dict):
            continue
        for region in _list(prediction.get("result")):
            if not isinstance(region, dict) or region.get("from_name") != CANDIDATE_FROM:
                continue
            kept = region.get("annotty")
            value = region.get("value")
            if not isinstance(kept, dict) or not isinstance(value, dict):
                continue
            item = {**kept, "id": region.get("id"), "score": region.get("score")}
            where = f"prediction region {region.get('id')!r}"
            start, end = _int(value.get("start")), _int(value.get("end"))
            out.append(read_decision(item, doc_id, text, start, end, where))
    return _collect(out)


CANDIDATE_FROM = "claim"
"""Label Studio control a candidate region belongs to: the one claims are drawn with."""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
