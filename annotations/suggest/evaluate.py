"""Scoring a claim suggester against a gold file: P/R/F1 for "claim" and the ranking's AP.

Gold files are JSON lines, one text each::

    {"text": "...", "spans": [[start, end, "claim" | "not_claim"], ...]}

Spans are code-point offsets (half-open), normally the units of ``units(text)`` labelled by hand;
other keys ("file", "classes", ...) are allowed and ignored. A bad line stops the reading with
one ``InputError`` naming the file and line: a gold file is small and written by hand, and a
score over part of it would mislead.

A suggestion matches a gold span when they overlap by more than half of the shorter one. At the
threshold, a gold claim is found when some suggestion at or above it matches it (recall), and a
suggestion at or above it is right when it matches a gold claim (precision). Average precision
ranks every unit by score, a unit being positive when it matches a gold claim, and follows
scikit-learn's ``average_precision_score`` (the sum over score thresholds of precision times the
gain in recall; tied scores form one threshold), without needing scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotations import strict_json
from annotations.errors import InputError
from annotations.suggest.builtin import DEFAULT_THRESHOLD
from annotations.suggest.candidate import Candidate

LABELS = ("claim", "not_claim")


@dataclass(frozen=True, slots=True)
class GoldText:
    """One gold record: where it came from (file and line, for messages), its text and spans."""

    name: str
    line: int
    text: str
    spans: tuple[tuple[int, int, str], ...]


@dataclass(frozen=True, slots=True)
class ClaimScores:
    """The figures ``eval-claims`` prints."""

    threshold: float
    texts: int
    units: int
    gold_claims: int
    gold_not_claims: int
    suggested: int  # units at or above the threshold
    correct: int  # of those, the ones matching a gold claim
    found: int  # gold claims matched by a suggestion at or above the threshold
    average_precision: float

    @property
    def precision(self) -> float:
        return self.correct / self.suggested if self.suggested else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold_claims if self.gold_claims else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "average_precision": round(self.average_precision, 4),
            "texts": self.texts,
            "units": self.units,
            "gold_claims": self.gold_claims,
            "gold_not_claims": self.gold_not_claims,
            "suggested": self.suggested,
            "correct": self.correct,
            "found": self.found,
        }


def load_gold(path: str | Path) -> list[GoldText]:
    """Read a gold file; ``InputError`` naming file, line and field at the first bad record."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(p, f"cannot read gold file ({exc.strerror or exc})") from exc
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(p, "not UTF-8 text", bad_line) from None
    out: list[GoldText] = []
    for number, line in enumerate(content.splitlines(), 1):
        if line.strip():
            out.append(_record(p, number, line))
    if not out:
        raise InputError(p, "no gold records (one JSON object per line)")
    return out


def _record(path: Path, line: int, raw: str) -> GoldText:
    try:
        record = strict_json.loads(raw)
    except ValueError as exc:
        raise InputError(path, str(exc), line) from None
    if not isinstance(record, dict):
        raise InputError(path, "a record must be a JSON object", line)
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(path, "missing or not a string", line, "text")
    spans = record.get("spans")
    if not isinstance(spans, list):
        raise InputError(path, "missing or not a list", line, "spans")
    out: list[tuple[int, int, str]] = []
    for n, span in enumerate(spans):
        field = f"spans[{n}]"
        if not (isinstance(span, list) and len(span) == 3):
            raise InputError(path, "must be [start, end, label]", line, field)
        start, end, label = span
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise InputError(path, "start and end must be integers", line, field)
        if not 0 <= start < end <= len(text):
            raise InputError(
                path,
                f"[{start}, {end}) is not a span of the {len(text)}-character text",
                line,
                field,
            )
        if label not in LABELS:
            raise InputError(
                path, f"label must be 'claim' or 'not_claim', not {label!r}", line, field
            )
        out.append((start, end, label))
    name = record.get("file")
    return GoldText(
        name if isinstance(name, str) else f"{path.name}:{line}", line, text, tuple(out)
    )


def matches(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Overlap by more than half of the shorter span (so a span matches at most one of a run of
    disjoint spans longer than it)."""
    overlap = min(a_end, b_end) - max(a_start, b_start)
    shorter = min(a_end - a_start, b_end - b_start)
    return overlap > 0 and 2 * overlap > shorter


def average_precision(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """scikit-learn's average precision: sum over distinct score thresholds (high to low) of
    (recall gained) x (precision there). 0.0 when there is no positive."""
    positives = sum(1 for y in labels if y)
    if not positives:
        return 0.0
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    ap = 0.0
    tp = fp = 0
    last_recall = 0.0
    for rank, i in enumerate(order):
        if labels[i]:
            tp += 1
        else:
            fp += 1
        following = order[rank + 1] if rank + 1 < len(order) else None
        if following is not None and scores[following] == scores[i]:
            continue  # one threshold for the whole run of equal scores
        recall = tp / positives
        ap += (recall - last_recall) * (tp / (tp + fp))
        last_recall = recall
    return ap


Suggest = Callable[[str], Sequence[Candidate]]


def evaluate(
    suggest: Suggest, gold: Sequence[GoldText], threshold: float = DEFAULT_THRESHOLD
) -> ClaimScores:
    """Score ``suggest(text)`` (every unit, scored) against the gold records."""
    labels: list[bool] = []
    scores: list[float] = []
    claims = not_claims = suggested = correct = found = 0
    for record in gold:
        gold_claims = [(s, e) for s, e, label in record.spans if label == "claim"]
        claims += len(gold_claims)
        not_claims += len(record.spans) - len(gold_claims)
        hit: set[int] = set()
        for c in suggest(record.text):
            matched = [n for n, (s, e) in enumerate(gold_claims) if matches(c.start, c.end, s, e)]
            labels.append(bool(matched))
            scores.append(c.score)
            if c.score >= threshold:
                suggested += 1
                correct += bool(matched)
                hit.update(matched)
        found += len(hit)
    return ClaimScores(
        threshold=threshold,
        texts=len(gold),
        units=len(labels),
        gold_claims=claims,
        gold_not_claims=not_claims,
        suggested=suggested,
        correct=correct,
        found=found,
        average_precision=average_precision(labels, scores),
    )
