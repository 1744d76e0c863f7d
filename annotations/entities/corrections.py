"""Entity corrections: annotators add, relabel and remove entities; the machine's stay a cache.

A correction is a row ``(doc_id, start, end, label)`` in ``entity_edits``, one per span:

- a label makes that span a manual entity, and hides machine entities overlapping it (adding and
  relabelling are the same operation: "this span is an X");
- an empty label hides the machine entity on exactly that span (removal).

Corrections are annotations like claims: each is one durable transaction with a history row, so
``Store.undo``/``redo`` restore them and exports carry them. Machine entities are recomputed when
the recognizer or the gazetteer changes (their cache key changes); corrections are kept by span
and applied on top, whatever recognizer produced the entities underneath.

"Apply everywhere" writes the name into the project gazetteer file instead, so every document
(and every future import) gets it from the recognizer.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from annotations.entities import Recognizer
from annotations.entities import project_gazetteer as pg
from annotations.model import Entity, new_id, now_iso
from annotations.store import Store, StoreError

KIND = "entity_edit"
MANUAL = "manual"
_LABEL = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Correction:
    """One stored correction; ``label == ""`` means "no entity on this span"."""

    id: str
    doc_id: str
    start: int
    end: int
    label: str
    quote: str = ""
    annotator: str = ""
    created_at: str = ""
    updated_at: str = ""

    @property
    def removes(self) -> bool:
        return not self.label

    def entity(self) -> Entity:
        return Entity(self.start, self.end, self.label, MANUAL, self.quote)


def add_entity(store: Store, doc_id: str, start: int, end: int, label: str) -> Correction:
    """Make ``[start, end)`` an entity of type ``label`` (a selection the machine missed)."""
    return _set(store, doc_id, start, end, check_label(label))


def relabel_entity(store: Store, doc_id: str, start: int, end: int, label: str) -> Correction:
    """Give the entity on ``[start, end)`` another type; the machine's label is overridden."""
    return _set(store, doc_id, start, end, check_label(label))


def remove_entity(store: Store, doc_id: str, start: int, end: int) -> Correction:
    """No entity on ``[start, end)``: a manual one goes, a machine one is suppressed."""
    return _set(store, doc_id, start, end, "")


def set_entity(store: Store, doc_id: str, start: int, end: int, label: str) -> Correction:
    """``[start, end)`` as an entity of type ``label``, or none when ``label`` is "": one entry
    point for a replayed save, which stores either. Saving the same label again changes nothing."""
    return _set(store, doc_id, start, end, check_label(label) if label else "")


def apply_everywhere(
    store: Store | None, gazetteer_path: str | Path, name: str, label: str | None
) -> pg.ProjectGazetteer:
    """Teach the project gazetteer ``name`` as ``label`` (None: never tag it) for every document.

    The recognizer key includes the gazetteer's digest, so the next time a document's entities
    are asked for, the cache misses and the name is found everywhere. ``store`` is accepted for
    symmetry with the other corrections (the change lives in the file, not the database).
    """
    del store
    if label is None or label == "":
        return pg.add_ignore(gazetteer_path, name)
    return pg.add_entry(gazetteer_path, name, check_label(label))


def everywhere_note(recognizer: Recognizer, file_name: str, name: str, label: str | None) -> str:
    """What "apply everywhere" did, checked against ``recognizer`` (the one after the change).

    The name is recognized on its own and inside a sentence: only when the recognizer then finds
    exactly that span with that label (or, for a removal, no entity on it) does the message say
    every document picks it up. Otherwise it says so, rather than promise what will not happen.
    """
    name = " ".join(name.split())  # as the gazetteer stores it (a selection may span lines)
    spans = []
    for before, after in (("", ""), ("We saw ", " there.")):
        text = f"{before}{name}{after}"
        spans.append(
            {
                (e.start - len(before), e.end - len(before), e.label)
                for e in recognizer.recognize(text)
            }
        )
    if label is None:
        if all(not any(s == 0 and e == len(name) for s, e, _ in found) for found in spans):
            return f"Added to {file_name}: no document tags it any more."
        return (
            f"Added to {file_name}, but the recognizer still tags {name!r}: other documents "
            "keep it."
        )
    if any((0, len(name), check_label(label)) in found for found in spans):
        return f"Added to {file_name}: every document picks it up."
    return (
        f"Added to {file_name}, but the recognizer does not find {name!r} as written: other "
        "documents do not pick it up (tag it where it occurs)."
    )


def corrections(store: Store, doc_id: str | None = None) -> list[Correction]:
    """A document's corrections (or every document's), in span order."""
    return [Correction(**row) for row in store.entity_edits(doc_id)]


def apply_corrections(machine: Iterable[Entity], edits: Sequence[Correction]) -> list[Entity]:
    """Machine entities with corrections applied, sorted by (start, end).

    A labelled correction replaces every machine entity overlapping its span; an empty one hides
    the machine entity on exactly its span.
    """
    labelled = sorted((e.start, e.end) for e in edits if e.label)
    hidden = {(e.start, e.end) for e in edits if not e.label}
    starts = [s for s, _ in labelled]
    longest = max((e - s for s, e in labelled), default=0)
    out: list[Entity] = []
    for entity in machine:
        if (entity.start, entity.end) in hidden:
            continue
        if labelled and _overlaps(entity, labelled, starts, longest):
            continue
        out.append(entity)
    out += [e.entity() for e in edits if e.label]
    out.sort(key=lambda e: (e.start, e.end))
    return out


def document_entities(
    store: Store, doc_id: str, recognizer: Recognizer | str
) -> list[Entity] | None:
    """What an annotator sees: the recognizer's entities with the corrections applied.

    With a recognizer object, entities missing from the cache are computed and cached first;
    with only a key (as exporters pass), the cache is used as it is. None when there is neither a
    cache nor a correction for the document.
    """
    key = recognizer if isinstance(recognizer, str) else recognizer.key
    machine = store.cached_entities(doc_id, key) if key else None
    if machine is None and not isinstance(recognizer, str):
        doc = store.find_document(doc_id)
        if doc is not None:
            machine = recognizer.recognize(doc.text)
            store.cache_entities(doc_id, key, machine)
    edits = corrections(store, doc_id)
    if machine is None and not edits:
        return None
    return apply_corrections(machine or [], edits)


def check_label(label: str) -> str:
    """``label`` as stored (upper case), or ``StoreError`` if it is no OntoNotes-style name."""
    label = label.strip().upper()
    if not _LABEL.match(label):
        raise StoreError(
            f"bad entity label {label!r}: use an OntoNotes name such as PERSON, ORG, GPE"
        )
    return label


# -- internals -------------------------------------------------------------------------------------
def _set(store: Store, doc_id: str, start: int, end: int, label: str) -> Correction:
    stamp = now_iso()
    with store.transaction() as conn:
        quote = store.quote(doc_id, start, end)
        before = store.entity_edit_at(conn, doc_id, start, end)
        if before is not None and before["label"] == label:
            return Correction(**before)
        after: dict[str, Any] = asdict(
            Correction(
                id=before["id"] if before else new_id(),
                doc_id=doc_id,
                start=start,
                end=end,
                label=label,
                quote=quote,
                annotator=store.annotator,
                created_at=before["created_at"] if before else stamp,
                updated_at=stamp,
            )
        )
        store.log_change(
            conn, "update" if before else "create", KIND, after["id"], doc_id, before, after
        )
    return Correction(**after)


def _overlaps(
    entity: Entity, spans: list[tuple[int, int]], starts: list[int], longest: int
) -> bool:
    """Does ``entity`` overlap a span? (``spans`` sorted; none is longer than ``longest``)."""
    i = bisect.bisect_left(starts, entity.end)
    j = bisect.bisect_left(starts, entity.start - longest)
    return any(s < entity.end and entity.start < e for s, e in spans[j:i])
