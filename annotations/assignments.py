"""Assignments: which annotators are to annotate which document (``annotty assign``).

``plan`` is pure (no database): given the documents in library order, the annotators, how many
annotators each document needs (``k``) and what is already assigned, it gives each document
that has fewer than ``k`` assignees the missing ones. Each document is handed, in library order,
to the ``k`` distinct annotators with the fewest documents so far (existing ones counted), ties
broken by the order the annotators were named in: no randomness, so the same input always gives
the same plan, and loads never differ by more than one among the named annotators once they
start out level. Documents that already have ``k`` or more assignees are left alone.

The rest of the module is the small rules the library, the reader, agreement and adjudication
share: "assigned to me first", the next unfinished assigned document, and who counts for a
document once assignments exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

UNFINISHED = ("todo", "in_progress")


class AssignmentError(ValueError):
    """A plan that cannot be made (k larger than the annotators given, ...): one line."""


@dataclass(frozen=True, slots=True)
class Plan:
    """New (doc_id, annotator) pairs in library order, and each annotator's resulting load."""

    pairs: tuple[tuple[str, str], ...]
    loads: dict[str, int]
    """Documents assigned to each named annotator after the plan (existing ones counted)."""
    untouched: int
    """Documents that already had ``k`` or more assignees."""


def annotator_names(raw: str) -> list[str]:
    """``a,b,c`` as a list of distinct names in the order given (blank parts dropped)."""
    return list(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))


def plan(
    doc_ids: Sequence[str],
    annotators: Sequence[str],
    k: int,
    existing: Mapping[str, Iterable[str]] | None = None,
) -> Plan:
    """Give each document ``k`` distinct annotators, balancing loads (see the module doc).

    ``existing`` maps doc_id to its present assignees (any annotators, named here or not);
    a document's missing assignees are chosen among ``annotators`` not already on it.
    """
    names = list(dict.fromkeys(annotators))
    if k < 1:
        raise AssignmentError(f"--per-document must be at least 1 (got {k})")
    if not names:
        raise AssignmentError("no annotators given")
    odd = next((n for n in names if any(ch < " " or ch == "\x7f" for ch in n)), None)
    if odd is not None:
        raise AssignmentError(f"annotator name {odd!r} holds a control character")
    if k > len(names):
        raise AssignmentError(f"cannot give each document {k} annotators: only {len(names)} named")
    present = {doc: set(who) for doc, who in (existing or {}).items()}
    rank = {name: i for i, name in enumerate(names)}
    loads = {name: 0 for name in names}
    for who in present.values():
        for name in who:
            if name in loads:
                loads[name] += 1
    pairs: list[tuple[str, str]] = []
    untouched = 0
    for doc in dict.fromkeys(doc_ids):
        have = present.get(doc, set())
        need = k - len(have)
        if need <= 0:
            untouched += 1
            continue
        free = sorted((n for n in names if n not in have), key=lambda n: (loads[n], rank[n]))
        for name in free[:need]:  # never short: k <= len(names) leaves enough free
            loads[name] += 1
            pairs.append((doc, name))
    return Plan(tuple(pairs), loads, untouched)


def mine_first(doc_ids: Sequence[str], mine: Iterable[str]) -> list[str]:
    """``doc_ids`` with those in ``mine`` first, each part in its present order."""
    chosen = set(mine)
    return [d for d in doc_ids if d in chosen] + [d for d in doc_ids if d not in chosen]


def next_assigned(
    docs: Sequence[tuple[str, str]], after: str | None, mine: Iterable[str]
) -> str | None:
    """The first unfinished document of ``mine`` after ``after`` in library order (wrapping
    round, never ``after`` itself); ``docs`` are (doc_id, status). None when none is left."""
    chosen = set(mine)
    ids = [d for d, _ in docs]
    begin = ids.index(after) + 1 if after in ids else 0
    for doc_id, status in [*docs[begin:], *docs[:begin]]:
        if doc_id in chosen and doc_id != after and status in UNFINISHED:
            return doc_id
    return None


def counted(
    found: Iterable[str], doc_assignees: Iterable[str], assigned: Iterable[str]
) -> set[str]:
    """Of the annotators ``found`` working on a document, those agreement and adjudication
    count once assignments exist: anyone assigned to it, and anyone with no assignment at all
    (the adjudicated layer, a volunteer), so without assignments nothing changes."""
    on_doc, anyone = set(doc_assignees), set(assigned)
    return {a for a in found if a in on_doc or a not in anyone}
