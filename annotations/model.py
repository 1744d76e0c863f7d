"""The data annotty keeps: documents, entity spans and claims.

Offsets are Python ``str`` indices (code points) into ``Document.text``, half-open ``[start, end)``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

DocStatus = Literal["todo", "in_progress", "done", "skipped"]
DOC_STATUSES: tuple[DocStatus, ...] = ("todo", "in_progress", "done", "skipped")
ReviewStatus = Literal["pending", "accepted", "rejected"]
REVIEW_STATUSES: tuple[ReviewStatus, ...] = ("pending", "accepted", "rejected")
ENTITY_LABELS: tuple[str, ...] = (
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "TIME",
    "PERCENT",
    "MONEY",
    "QUANTITY",
    "ORDINAL",
    "CARDINAL",
)
"""The OntoNotes 5 entity types, which the recognizers emit: the project gazetteer suggests
them and the app styles each one. Other UPPER_CASE labels are allowed and drawn plainly."""
SPEAKER_LABELS: tuple[str, ...] = ("PERSON", "ORG", "NORP", "GPE")
"""Entity types that can say something: the claim form offers their mentions as speakers."""


def now_iso() -> str:
    """UTC timestamp with microseconds, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_id() -> str:
    """A globally unique id, so databases from different machines can be merged."""
    return uuid.uuid4().hex


def content_id(text: str) -> str:
    """A document's stable id: the same text always gets the same id, on any machine."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    title: str
    text: str
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    imported_at: str = ""

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """What the library lists, without loading the text."""

    id: str
    title: str
    source: str
    chars: int
    words: int
    entities: int
    claims: int
    status: DocStatus


@dataclass(frozen=True, slots=True)
class Entity:
    """A named-entity mention. ``source`` says who found it: a recognizer or ``manual``."""

    start: int
    end: int
    label: str
    source: str = "rules"
    text: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    """A tagged claim: a span plus its labels. ``quote`` is always ``text[start:end]``."""

    id: str
    doc_id: str
    start: int
    end: int
    quote: str
    claim_type: str
    stance: str = "none"
    target: str = ""
    speaker: str = ""
    attribution: str = ""
    checkworthy: str = ""
    note: str = ""
    annotator: str = ""
    review_status: ReviewStatus = "pending"
    reviewer: str = ""
    review_note: str = ""
    reviewed_at: str = ""
    created_at: str = ""
    updated_at: str = ""

    @property
    def version(self) -> str:
        """What the user saw of this claim, as a token: a write made on this view passes it as
        ``expected`` and is refused (``ConflictError``) if the claim has changed since."""
        return claim_version({name: getattr(self, name) for name in CLAIM_FIELDS})


CLAIM_FIELDS: tuple[str, ...] = tuple(Claim.__dataclass_fields__)
NO_CLAIM = ""
"""The version of a claim that does not exist (yet, or any more)."""


def claim_version(state: Mapping[str, Any] | None) -> str:
    """A claim state's version: a digest of every field, so any change anyone makes (an edit,
    a review, a merge, an undo) gives a new one, and an undo back to the very state seen gives
    that state's version again. ``NO_CLAIM`` for None."""
    if state is None:
        return NO_CLAIM
    fields = json.dumps([state.get(name) for name in CLAIM_FIELDS], ensure_ascii=False)
    return hashlib.sha256(fields.encode("utf-8", "surrogatepass")).hexdigest()[:16]


EDITABLE_CLAIM_FIELDS: tuple[str, ...] = (
    "start",
    "end",
    "claim_type",
    "stance",
    "target",
    "speaker",
    "attribution",
    "checkworthy",
    "note",
)


DecisionKind = Literal["accepted", "rejected"]
DECISION_KINDS: tuple[DecisionKind, ...] = ("accepted", "rejected")


@dataclass(frozen=True, slots=True)
class Decision:
    """An annotator's verdict on a claim candidate, kept so the reader hides decided candidates
    and the learned suggester trains on them. ``score``, ``claim_type`` and ``speaker`` are what
    the suggester proposed (the claim an accept made may have been adjusted in the form)."""

    id: str
    doc_id: str
    start: int
    end: int
    quote: str
    score: float
    claim_type: str
    speaker: str
    decision: DecisionKind
    claim_id: str
    """The claim an accept created ("" for a reject); it stays if that claim is deleted."""
    suggester: str
    """Which suggester (and model version) proposed the candidate."""
    annotator: str
    decided_at: str


DECISION_FIELDS: tuple[str, ...] = tuple(Decision.__dataclass_fields__)


MAX_TITLE = 120
"""A first line longer than this is no title: the file name is used instead."""


def title_for(text: str, fallback: str) -> str:
    """The first non-empty line if it is short enough to be a title, else the file name."""
    for line in text[:4096].splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= MAX_TITLE else fallback
    return fallback
