"""The candidate queue: the corpus's claim candidates one at a time, by score or by uncertainty.

The queue walks the open candidates of every unfinished document (to do or in progress for this
annotator): by score (the likeliest claims first), or by uncertainty (the ones the suggester is
least sure of first, as active learning asks for: each decision there teaches the model most).

Scoring a corpus takes a while, so it is built to be fed: ``batches`` scores one document at a
time (a generator a worker drives and can stop), ``grouped`` hands them on in groups (the first
at once, then a few per fraction of a second), and ``CandidateQueue.merge`` takes each group in:
the candidate on screen stays, the ones not reached yet take their place in the order, so the
first candidates show before the corpus is scored and the order refines as scoring goes on.
A new model is taken in the same way: the documents are scored again and merged over the old.

``CandidateQueue`` is the walk itself (current candidate, skip, back, decide, undo, progress);
it holds no store and does no I/O: the screen saves the decisions.
"""

from __future__ import annotations

import heapq
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from annotations.entities import Recognizer
from annotations.entities.corrections import apply_corrections, corrections, document_entities
from annotations.errors import AnnottyError
from annotations.model import DocumentSummary, Entity
from annotations.store import Store, StoreError
from annotations.suggest.candidate import Candidate, open_candidates
from annotations.suggest.choice import Suggester
from annotations.suggest.feature_patterns import SPEAKER_LABELS
from annotations.suggest.learned import uncertainty
from annotations.suggest.units import units

Order = Literal["score", "uncertainty"]
ORDERS: tuple[Order, ...] = ("score", "uncertainty")
QUEUE_STATUSES = ("todo", "in_progress")
"""The documents the queue walks: not done, not skipped (a done document's unclaimed sentences
are already negatives, a skipped one is out of scope)."""
CONTEXT_CHARS = 400
"""At most this many characters of the paragraph are kept on each side of the sentence."""
GROUP_SECONDS = 0.25
PREPARED_DOCS = 2_000
"""At most this many documents' units and entities are kept for scoring again (memory)."""
Span = tuple[int, int]
Key = tuple[str, int, int]
FAILURES = (StoreError, AnnottyError, sqlite3.Error, OSError)


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One candidate of the queue, with what the screen shows around it. ``context`` is the
    paragraph (a window of it when long) and starts at ``context_start`` in the document, so
    ``context[candidate.start - context_start : candidate.end - context_start]`` is the
    sentence; ``rank`` is the document's place in the library, which orders ties."""

    doc_id: str
    title: str
    rank: int
    candidate: Candidate
    context: str
    context_start: int
    speakers: tuple[str, ...] = ()
    """The document's person, organization and group names (the claim form offers them)."""
    suggester: str = ""
    """The key of the suggester that scored it (its decision names it)."""
    clipped: tuple[bool, bool] = (False, False)
    """Whether the paragraph goes on before and after ``context`` (it was cut to a window)."""
    threshold: float = 0.5
    """The suggester's threshold: the uncertainty order puts scores nearest it first."""

    @property
    def key(self) -> Key:
        return (self.doc_id, self.candidate.start, self.candidate.end)

    @property
    def sentence(self) -> str:
        at = self.candidate.start - self.context_start
        return self.context[at : at + self.candidate.end - self.candidate.start]


@dataclass(frozen=True, slots=True)
class DocumentBatch:
    """One document's part of the queue: its open candidates (text order) and the spans of its
    candidates that are closed already (decided, or under one of this annotator's claims)."""

    doc_id: str
    title: str
    rank: int
    open: tuple[QueueItem, ...]
    closed: frozenset[Span]


def sort_key(order: Order) -> Callable[[QueueItem], tuple[float, float, int, int]]:
    """By score: highest first. By uncertainty: the score nearest the suggester's threshold
    first, ties by score (highest first). Then library order and text order, so the walk is
    reproducible."""
    if order == "uncertainty":
        return lambda i: (
            -uncertainty(i.candidate.score, i.threshold),
            -i.candidate.score,
            i.rank,
            i.candidate.start,
        )
    return lambda i: (-i.candidate.score, 0.0, i.rank, i.candidate.start)


def paragraph(text: str, start: int, end: int, limit: int = CONTEXT_CHARS) -> tuple[int, int]:
    """The line holding ``[start, end)`` (a unit never crosses one), cut to ``limit``
    characters either side of it, at a space where there is one near the cut."""
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi == -1 else hi
    if start - lo > limit:
        cut = text.find(" ", start - limit, start)
        lo = start - limit if cut == -1 else cut + 1
    if hi - end > limit:
        cut = text.rfind(" ", end, end + limit)
        hi = end + limit if cut == -1 else cut
    return lo, hi


def document_batch(
    store: Store,
    doc_id: str,
    title: str,
    rank: int,
    text: str,
    spans: Sequence[Span],
    entities: Sequence[Entity],
    suggester: Suggester,
    kept: set[Span] | None = None,
) -> DocumentBatch:
    """Score the units ``spans`` of a document and split its candidates into open and closed.

    A candidate is a unit scoring at least the suggester's threshold, or one decided already
    (whatever it scores now, so the decided count does not shrink when a model changes).
    ``kept``: spans decided but waiting for a retry to be saved (they count as decided)."""
    scored = suggester.score_units(text, spans, entities)
    decided = store.decided_spans(doc_id) | (kept or set())
    mine = sorted((c.start, c.end) for c in store.claims(doc_id) if c.annotator == store.annotator)
    candidates = [
        c for c in scored if c.score >= suggester.threshold or (c.start, c.end) in decided
    ]
    still = open_candidates(candidates, set(), mine, suggester.threshold)
    still = [c for c in still if (c.start, c.end) not in decided]
    names = tuple(
        dict.fromkeys(text[e.start : e.end] for e in entities if e.label in SPEAKER_LABELS)
    )
    items = []
    for c in still:
        lo, hi = paragraph(text, c.start, c.end)
        items.append(
            QueueItem(
                doc_id,
                title,
                rank,
                c,
                text[lo:hi],
                lo,
                names,
                suggester.key,
                (lo > 0 and text[lo - 1] != "\n", hi < len(text) and text[hi] != "\n"),
                suggester.threshold,
            )
        )
    shut = {(c.start, c.end) for c in candidates} - {(c.start, c.end) for c in still}
    return DocumentBatch(doc_id, title, rank, tuple(items), frozenset(shut))


def queue_documents(
    store: Store, statuses: Sequence[str] = QUEUE_STATUSES
) -> list[DocumentSummary]:
    """The documents the queue walks, in library (import) order."""
    return [d for d in store.documents() if d.status in statuses]


def entities_of(store: Store, doc_id: str, text: str, recognizer: Recognizer) -> list[Entity]:
    """What the reader shows: the recognizer's entities (cached, or found and cached now) with
    the annotators' corrections. A cache that cannot be written costs only the cache."""
    try:
        return list(document_entities(store, doc_id, recognizer) or [])
    except FAILURES:  # the cache write failed (busy, read-only): recognize without keeping
        return apply_corrections(recognizer.recognize(text), corrections(store, doc_id))


def batches(
    store: Store,
    suggester: Suggester,
    recognizer: Recognizer,
    documents: Sequence[DocumentSummary],
    prepared: dict[str, tuple[list[Span], list[Entity]]] | None = None,
    ranks: Mapping[str, int] | None = None,
    kept: Callable[[str], set[Span]] | None = None,
) -> Iterator[DocumentBatch]:
    """Score the documents one by one, in the order given. ``prepared`` (doc id -> units and
    entities) is filled and reused, so scoring again with a new model skips the splitting and
    the recognition; ``ranks`` gives each document's place in the library (default: its
    place in ``documents``); ``kept(doc_id)``: its decisions waiting to be saved. A document
    that vanished meanwhile is left out."""
    cache = {} if prepared is None else prepared
    for index, summary in enumerate(documents):
        rank = index if ranks is None else ranks.get(summary.id, index)
        doc = store.find_document(summary.id)
        if doc is None:
            continue
        ready = cache.get(summary.id)
        if ready is None:
            ready = (units(doc.text), entities_of(store, doc.id, doc.text, recognizer))
            if len(cache) < PREPARED_DOCS:
                cache[summary.id] = ready
        spans, entities = ready
        waiting = kept(doc.id) if kept is not None else None
        yield document_batch(
            store, doc.id, doc.title, rank, doc.text, spans, entities, suggester, waiting
        )


def grouped(
    items: Iterable[DocumentBatch],
    seconds: float = GROUP_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[list[DocumentBatch]]:
    """The batches in groups: the first alone (something to show at once), then what came in
    each ``seconds``, and the rest at the end; none empty."""
    group: list[DocumentBatch] = []
    first = True
    since = clock()
    for batch in items:
        group.append(batch)
        if first or clock() - since >= seconds:
            yield group
            group, first, since = [], False, clock()
    if group:
        yield group


class CandidateQueue:
    """The walk through the open candidates: one current item, the ones passed (skipped) and
    the ones still ahead, kept in ``order``; and how many of all candidates are decided.

    Decisions made here count at once, before the database has them: a group scored before a
    decision landed (or before an undo did) does not bring the candidate back (or take it away).
    """

    def __init__(self, order: Order = "score") -> None:
        self.order: Order = order
        self._items: list[QueueItem] = []
        self._pos = 0
        self._counts: dict[str, tuple[int, int]] = {}  # doc id -> (candidates, decided)
        self._session: dict[Key, bool] = {}  # decided here (True) or undone here (False)
        self._done: list[QueueItem] = []  # this session's decisions, newest last

    # -- what is shown ----------------------------------------------------------------------
    @property
    def current(self) -> QueueItem | None:
        return self._items[self._pos] if self._pos < len(self._items) else None

    @property
    def position(self) -> int:
        """How many open candidates are passed (skipped) before the current one."""
        return self._pos

    @property
    def remaining(self) -> int:
        """Open candidates, passed ones included."""
        return len(self._items)

    @property
    def total(self) -> int:
        return sum(total for total, _ in self._counts.values())

    @property
    def decided(self) -> int:
        return sum(done for _, done in self._counts.values())

    @property
    def items(self) -> list[QueueItem]:
        """The open candidates in walking order (a copy)."""
        return list(self._items)

    def can_undo(self) -> bool:
        return bool(self._done)

    # -- feeding ----------------------------------------------------------------------------
    def merge(self, group: Sequence[DocumentBatch]) -> None:
        """Take in freshly scored documents (new, or scored again): their candidates replace
        the ones held for them. The current candidate stays current while it is still open
        (with its new score); passed ones keep their place; the rest go ahead in order."""
        if not group:
            return
        docs = {b.doc_id for b in group}
        fresh: dict[Key, QueueItem] = {}
        for batch in group:
            for item in batch.open:
                if self._session.get(item.key) is not True:
                    fresh[item.key] = item
        for item in self._items:  # put back here by undo, not yet seen open by the scoring
            if item.doc_id in docs and self._session.get(item.key) is False:
                fresh.setdefault(item.key, item)
        for batch in group:
            self._count(batch)
        current = self.current
        passed: list[QueueItem] = []
        for item in self._items[: self._pos]:
            if item.doc_id not in docs:
                passed.append(item)
            elif item.key in fresh:
                passed.append(fresh.pop(item.key))
        keep: list[QueueItem] = []
        if current is not None:
            if current.doc_id not in docs:
                keep.append(current)
            elif current.key in fresh:
                keep.append(fresh.pop(current.key))
        key = sort_key(self.order)
        ahead = [i for i in self._items[self._pos + 1 :] if i.doc_id not in docs]
        added = sorted(fresh.values(), key=key)
        self._items = passed + keep + list(heapq.merge(ahead, added, key=key))
        self._pos = len(passed)

    def _count(self, batch: DocumentBatch) -> None:
        keys = {(batch.doc_id, s, e) for s, e in batch.closed}
        keys.update(i.key for i in batch.open)
        decided = sum(1 for k in keys if self._session.get(k, (k[1], k[2]) in batch.closed))
        self._counts[batch.doc_id] = (len(keys), decided)

    # -- walking ----------------------------------------------------------------------------
    def skip(self) -> QueueItem | None:
        """On to the next candidate (the current one stays open, passed); None at the end."""
        if self._pos < len(self._items):
            self._pos += 1
        return self.current

    def back(self) -> QueueItem | None:
        """Back to the candidate passed last; None when there is none (nothing moves)."""
        if self._pos == 0:
            return None
        self._pos -= 1
        return self.current

    def set_order(self, order: Order) -> None:
        """Walk in ``order`` from its start (passed candidates come back into the walk)."""
        self.order = order
        self._items.sort(key=sort_key(order))
        self._pos = 0

    def toggle_order(self) -> Order:
        self.set_order(ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)])
        return self.order

    def first(self) -> QueueItem | None:
        """Back to the start of the walk (the end reached: the passed ones again)."""
        self._pos = 0
        return self.current

    # -- deciding ---------------------------------------------------------------------------
    def decide(self, item: QueueItem | None = None) -> QueueItem | None:
        """``item`` (default: the current candidate) is decided: it leaves the walk, and when
        it was current the next one is. Returns it (None when there is nothing to decide)."""
        item = self.current if item is None else item
        if item is None:
            return None
        index = next((i for i, held in enumerate(self._items) if held.key == item.key), None)
        if index is not None:
            del self._items[index]
            if index < self._pos:
                self._pos -= 1
        if self._session.get(item.key) is not True:
            self._mark(item, True)
        self._done = [held for held in self._done if held.key != item.key] + [item]
        return item

    def undo(self) -> QueueItem | None:
        """Take back this session's latest decision: its candidate is open again and current.
        None when nothing was decided here."""
        return self.reopen(self._done[-1]) if self._done else None

    def reopen(self, item: QueueItem) -> QueueItem:
        """``item``'s decision is taken back (undone, or it could not be saved): the candidate
        is open again and current."""
        self._done = [held for held in self._done if held.key != item.key]
        if self._session.get(item.key) is not False and all(
            held.key != item.key for held in self._items
        ):
            self._items.insert(self._pos, item)
            self._mark(item, False)
        return item

    def _mark(self, item: QueueItem, decided: bool) -> None:
        self._session[item.key] = decided
        total, done = self._counts.get(item.doc_id, (0, 0))
        self._counts[item.doc_id] = (total, max(0, min(total, done + (1 if decided else -1))))


def describe_order(order: Order) -> str:
    return "by score" if order == "score" else "by uncertainty"


def suggester_label(key: str, version: int | None = None) -> str:
    """How the header names the suggester: "built-in", "learned model 3", or its key."""
    if key == "builtin":
        return "built-in"
    if key.startswith("learned"):
        return "learned model" + (f" {version}" if version else "")
    return key
