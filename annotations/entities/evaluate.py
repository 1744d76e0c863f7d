"""Scoring a recognizer against a gold file: precision, recall and F1 per label and overall.

Gold files are JSON lines, one document each::

    {"file": "000_b55a600b4d798c19.txt", "doc_id": "f3da6f14a3fed494", "sha256": "...",
     "entities": [{"start": 0, "end": 22, "label": "ORG", "text": "Reference News Network"}]}

The text comes from a ``text`` field if present, else from ``file`` (beside the gold file, or in
the seed corpus), else from the store by ``doc_id``; ``sha256`` (when given) must match, so a gold
file never silently scores against an edited text. Two scorings: *exact* (span and label must
match) and *boundary* (span only, whatever the label).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotations import paths
from annotations.errors import InputError
from annotations.model import Entity

Span = tuple[int, int, str]


@dataclass(frozen=True)
class GoldDoc:
    name: str
    text: str
    entities: tuple[Span, ...]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Scores:
    """Counts per label plus the overall (micro-averaged) counts."""

    labels: dict[str, Counts] = field(default_factory=dict)
    overall: Counts = field(default_factory=Counts)

    def label(self, name: str) -> Counts:
        return self.labels.setdefault(name, Counts())

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "labels": {k: v.as_dict() for k, v in sorted(self.labels.items())},
        }


def score(gold: Iterable[Span], predicted: Iterable[Span], exact: Scores, boundary: Scores) -> None:
    """Add one document's counts to both scorings."""
    gold_set, pred_set = set(gold), set(predicted)
    for spans, attr in (
        (gold_set & pred_set, "tp"),
        (gold_set - pred_set, "fn"),
        (pred_set - gold_set, "fp"),
    ):
        for span in spans:
            counts = exact.label(span[2])
            setattr(counts, attr, getattr(counts, attr) + 1)
        setattr(exact.overall, attr, getattr(exact.overall, attr) + len(spans))
    gold_bounds = {(s, e) for s, e, _ in gold_set}
    pred_bounds = {(s, e) for s, e, _ in pred_set}
    for s, e, label in gold_set:  # recall by the gold label, precision by the predicted label
        counts = boundary.label(label)
        if (s, e) in pred_bounds:
            counts.tp += 1
        else:
            counts.fn += 1
    for s, e, label in pred_set:
        if (s, e) not in gold_bounds:
            boundary.label(label).fp += 1
    boundary.overall.tp += len(gold_bounds & pred_bounds)
    boundary.overall.fp += len(pred_bounds - gold_bounds)
    boundary.overall.fn += len(gold_bounds - pred_bounds)


def evaluate(
    recognize: Callable[[str], list[Entity]], docs: Iterable[GoldDoc]
) -> tuple[Scores, Scores]:
    """(exact, boundary) scores of ``recognize`` over the gold documents."""
    exact, boundary = Scores(), Scores()
    for doc in docs:
        predicted = [(e.start, e.end, e.label) for e in recognize(doc.text)]
        score(doc.entities, predicted, exact, boundary)
    return exact, boundary


def load_gold(path: str | Path, lookup: Callable[[str], str | None] | None = None) -> list[GoldDoc]:
    """Read a gold file; ``lookup(doc_id)`` finds texts the file does not carry (the store)."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(p, f"cannot read gold file ({exc.strerror or exc})") from exc
    docs = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(p, f"not JSON ({exc.msg})", line=number) from exc
        if not isinstance(record, dict):
            raise InputError(p, "each line must be a JSON object", line=number)
        docs.append(_doc(record, p, number, lookup))
    return docs


def _doc(
    record: dict[str, Any], path: Path, line: int, lookup: Callable[[str], str | None] | None
) -> GoldDoc:
    name = str(record.get("file") or record.get("doc_id") or f"line {line}")
    text = record.get("text")
    if text is None and record.get("file"):
        text = _read_beside(path, str(record["file"]), line)
    if text is None and record.get("doc_id") and lookup is not None:
        text = lookup(str(record["doc_id"]))
    if not isinstance(text, str):
        raise InputError(
            path,
            f"no text for {name}: give 'text', a findable 'file' or a 'doc_id' in the database",
            line=line,
        )
    digest = record.get("sha256")
    if digest and hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() != digest:
        raise InputError(
            path,
            f"the text of {name} is not the one the gold file was made for (sha256 differs)",
            line=line,
            field="sha256",
        )
    spans = []
    for i, item in enumerate(record.get("entities") or []):
        try:
            start, end, label = int(item["start"]), int(item["end"]), str(item["label"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(path, "needs start, end and label", line, f"entities[{i}]") from exc
        if not 0 <= start < end <= len(text):
            raise InputError(
                path, f"span [{start}, {end}) is outside the text", line, f"entities[{i}]"
            )
        if "text" in item and text[start:end] != item["text"]:
            raise InputError(
                path,
                f"text {item['text']!r} is not what [{start}, {end}) holds",
                line,
                f"entities[{i}].text",
            )
        spans.append((start, end, label))
    return GoldDoc(name, text, tuple(spans))


def _read_beside(gold: Path, name: str, line: int) -> str | None:
    """The text of ``name``, found beside the gold file or in the seed corpus, never elsewhere.

    A gold file is data (it may come from a shared folder), and ``--errors`` prints pieces of the
    texts, so ``../secret.txt``, absolute paths and symlinks that lead out of those folders are
    refused rather than read.
    """
    found_outside = False
    for folder in (gold.parent, paths.seeds_dir()):
        if folder is None:
            continue
        candidate = folder / name
        try:
            inside = candidate.resolve().is_relative_to(folder.resolve())
            exists = candidate.is_file()
        except (OSError, ValueError):  # a NUL or an unreadable path: not a file here
            continue
        if exists and not inside:
            found_outside = True
        elif exists:
            try:
                return candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(gold, f"cannot read {name!r} ({exc})", line, "file") from exc
    if found_outside or Path(name).is_absolute() or ".." in Path(name).parts:
        raise InputError(
            gold,
            f"file {name!r} is outside the gold file's folder; texts are read "
            "only from there (or the seed corpus)",
            line,
            "file",
        )
    return None


def table(exact: Scores, boundary: Scores, title: str = "") -> list[str]:
    """Rows for people: label, support, exact P/R/F1, boundary F1."""
    rows = [f"{title or 'label':<14} {'gold':>5} {'P':>6} {'R':>6} {'F1':>6}   {'span F1':>7}"]
    for label in sorted(set(exact.labels) | set(boundary.labels)):
        e, b = exact.label(label), boundary.label(label)
        rows.append(
            f"{label:<14} {e.tp + e.fn:>5} {e.precision:>6.3f} {e.recall:>6.3f} "
            f"{e.f1:>6.3f}   {b.f1:>7.3f}"
        )
    o, ob = exact.overall, boundary.overall
    rows.append(
        f"{'overall':<14} {o.tp + o.fn:>5} {o.precision:>6.3f} {o.recall:>6.3f} "
        f"{o.f1:>6.3f}   {ob.f1:>7.3f}"
    )
    return rows
