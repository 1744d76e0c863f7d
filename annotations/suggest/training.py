"""Teaching the learned suggester from what the team decided, as stored in the database.

Positives: every claim (any annotator's, manual or accepted) and every accepted candidate.
Negatives: every rejected candidate, and every unit of a document some annotator marked done
that touches no claim and no decision (the annotator read it and claimed nothing there). Each
example's features come from its document's text and the entities an annotator sees there: the
recognizer's (cached in the store per document) with the annotators' corrections applied.

The model is stored as plain JSON under ``MODEL_NAME`` with the history position its data was
read at, so ``decisions_since_model`` counts what it has not seen with one indexed query: the
app retrains after every ``RETRAIN_BATCH`` changes.

Stance and target heads are trained beside the score only once the claims hold enough of them
(``STANCE_RULE``, ``TARGET_RULE``): a head fitted on a handful of claims would suggest noise.
"""

from __future__ import annotations

import bisect
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from annotations.entities import Recognizer
from annotations.model import Entity
from annotations.store import Store
from annotations.suggest.learned import (
    MISSING_SKLEARN,
    Example,
    Head,
    LearnedSuggester,
    LearnerUnavailable,
    can_train,
    train,
    train_head,
    unit_examples,
)
from annotations.suggest.ngram_hashing import HashingSettings
from annotations.suggest.units import units

MODEL_NAME = "claims"
RETRAIN_BATCH = 10
"""Changes to claims and decisions after which the app retrains (in a worker)."""
MIN_EACH = 5
"""Positives and negatives each needed before a model is trained: fewer say nothing general."""
NO_STANCE = "none"
"""The stance a claim has until someone sets one: with no target, it labels nothing."""


@dataclass(frozen=True, slots=True)
class HeadRule:
    """When a head is trained: at least ``min_labelled`` labelled claims among the classes used
    at least ``min_per_class`` times (the ``max_classes`` most used of them), and two or more
    such classes."""

    min_labelled: int
    min_per_class: int
    max_classes: int = 20


STANCE_RULE = HeadRule(min_labelled=20, min_per_class=5)
TARGET_RULE = HeadRule(min_labelled=20, min_per_class=3)


class NotEnoughExamples(ValueError):
    """The store holds too few positives or negatives to train on; the message says how many."""


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """What the store teaches: scored examples, claim texts labelled with stance and target,
    and the history position it was read at."""

    examples: list[Example]
    stances: list[tuple[str, str]]
    targets: list[tuple[str, str]]
    history_seq: int

    @property
    def positives(self) -> int:
        return sum(1 for e in self.examples if e.label)

    @property
    def negatives(self) -> int:
        return len(self.examples) - self.positives


@dataclass(frozen=True, slots=True)
class Retrained:
    """A model ``retrain`` stored: its version, what it learned from, how long it took, which
    heads it has, and a suggester for it."""

    version: int
    positives: int
    negatives: int
    seconds: float
    heads: tuple[str, ...]
    suggester: LearnedSuggester

    def summary(self) -> str:
        """One line for the CLI and the app's notifications."""
        heads = f", suggests {' and '.join(self.heads)}" if self.heads else ""
        return (
            f"learned model version {self.version}: {self.positives} positives, "
            f"{self.negatives} negatives, {self.seconds:.2f} s{heads}"
        )


def gather(
    store: Store, recognizer: Recognizer, stances: Sequence[str] | None = None
) -> TrainingSet:
    """The examples the store holds (see the module's docstring); ``stances``, when given, are
    the schema's: claims with another stance teach the stance head nothing."""
    mark = store.history_mark()
    decided = store.suggestion_examples()
    done = store.done_documents()
    labelled: dict[str, list[tuple[int, int, bool]]] = defaultdict(list)
    for e in decided:
        labelled[e.doc_id].append((e.start, e.end, e.positive))
    texts = {d.doc_id: d.text for d in done}
    texts.update(store.document_texts([d for d in labelled if d not in texts]))
    for doc in done:
        touched = [(s, e) for s, e, _ in labelled.get(doc.doc_id, ())]
        labelled[doc.doc_id].extend((s, e, False) for s, e in _untouched(units(doc.text), touched))
    examples: list[Example] = []
    for doc_id, spans in labelled.items():
        text = texts.get(doc_id)
        if text is None:
            continue  # a decision on a document no longer stored
        kept = [(s, e, y) for s, e, y in spans if 0 <= s < e <= len(text)]
        if kept:
            found = _entities(store, doc_id, recognizer)
            examples.extend(unit_examples(text, kept, found, group=doc_id))
    stance_rows, target_rows = _claim_labels(store, stances)
    return TrainingSet(examples, stance_rows, target_rows, mark)


def retrain(
    store: Store,
    recognizer: Recognizer,
    claim_types: Sequence[str] | None = None,
    *,
    stances: Sequence[str] | None = None,
) -> Retrained:
    """Train on the store's examples and store the model as the next version of
    ``MODEL_NAME``. ``LearnerUnavailable`` without scikit-learn, ``NotEnoughExamples`` when
    either class has fewer than ``MIN_EACH`` examples (nothing is stored then)."""
    started = time.perf_counter()
    if not can_train():
        raise LearnerUnavailable(MISSING_SKLEARN)
    data = gather(store, recognizer, stances)
    check_enough(data.positives, data.negatives)
    memo: dict[str, dict[int, float]] = {}
    params = train(data.examples, memo=memo)
    heads = train_heads(data, params.hashing, memo)
    params = replace(params, heads=heads, history_seq=data.history_seq)
    stored = params.to_dict()
    version = store.save_model(MODEL_NAME, stored)
    return Retrained(
        version,
        params.positives,
        params.negatives,
        time.perf_counter() - started,
        tuple(sorted(heads)),
        LearnedSuggester(params, claim_types, stored=stored),
    )


def check_enough(positives: int, negatives: int) -> None:
    """``NotEnoughExamples`` saying what is missing, unless both classes have ``MIN_EACH``."""
    if positives >= MIN_EACH and negatives >= MIN_EACH:
        return
    raise NotEnoughExamples(
        f"the learned suggester needs at least {MIN_EACH} positives (claims, accepted "
        f"candidates) and {MIN_EACH} negatives (rejected candidates, unclaimed sentences of "
        f"documents marked done); there are {positives} and {negatives}"
    )


def train_heads(
    data: TrainingSet, hashing: HashingSettings, memo: dict[str, dict[int, float]] | None = None
) -> dict[str, Head]:
    """The stance and target heads the data has enough labelled claims for."""
    heads: dict[str, Head] = {}
    for name, rows, rule in (
        ("stance", data.stances, STANCE_RULE),
        ("target", data.targets, TARGET_RULE),
    ):
        kept = enough(rows, rule)
        if kept:
            heads[name] = train_head([t for t, _ in kept], [y for _, y in kept], hashing, memo=memo)
    return heads


def enough(rows: Sequence[tuple[str, str]], rule: HeadRule) -> list[tuple[str, str]]:
    """The rows of the classes used at least ``rule.min_per_class`` times (the
    ``rule.max_classes`` most used), when there are two or more such classes and
    ``rule.min_labelled`` rows among them; else none."""
    uses = Counter(label for _, label in rows)
    ranked = sorted(uses.items(), key=lambda kv: (-kv[1], kv[0]))[: rule.max_classes]
    frequent = {label for label, n in ranked if n >= rule.min_per_class}
    kept = [(text, label) for text, label in rows if label in frequent]
    return kept if len(frequent) >= 2 and len(kept) >= rule.min_labelled else []


def decisions_since_model(store: Store) -> int:
    """Changes to claims and candidate decisions since the stored model's data was read (all
    of them when there is no model, or one stored before models recorded it)."""
    mark = store.latest_model_mark(MODEL_NAME)
    return store.learning_changes_since(mark[1] if mark else 0)


def _claim_labels(
    store: Store, stances: Sequence[str] | None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(quote, stance) of the claims whose stance was set (a target, or a stance other than
    ``NO_STANCE``), (quote, target) of those with a target."""
    allowed = None if stances is None else set(stances)
    stance_rows: list[tuple[str, str]] = []
    target_rows: list[tuple[str, str]] = []
    for claim in store.claims():
        target = claim.target.strip()
        if target:
            target_rows.append((claim.quote, target))
        stance_set = bool(claim.stance) and (bool(target) or claim.stance != NO_STANCE)
        if stance_set and (allowed is None or claim.stance in allowed):
            stance_rows.append((claim.quote, claim.stance))
    return stance_rows, target_rows


def _entities(store: Store, doc_id: str, recognizer: Recognizer) -> list[Entity]:
    """What the annotators see (cached machine entities, corrections applied), as everywhere."""
    from annotations.entities.corrections import document_entities

    return list(document_entities(store, doc_id, recognizer) or [])


def _untouched(
    candidates: Iterable[tuple[int, int]], spans: Iterable[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """The ``candidates`` that overlap none of ``spans`` (by bisect: a done document may hold
    thousands of claims)."""
    ordered = sorted(spans)
    starts = [s for s, _ in ordered]
    longest = max((e - s for s, e in ordered), default=0)
    for start, end in candidates:
        lo = bisect.bisect_left(starts, start - longest)
        hi = bisect.bisect_left(starts, end)
        if not any(e > start for _, e in ordered[lo:hi]):
            yield start, end
