"""Adjudication: where annotators disagree on a document, and the reviewer's gold version.

``compare`` lines up every annotator's claims in a document into *items* (overlapping claims,
at most one per annotator, best overlap first: the same matching as ``agreement``), and says
for each what differs: someone ``missing`` it, a different ``boundary``, or a different label
(``claim_type``, ``stance``, ``target``...). The UI shows an item's claims side by side.

The gold version is an ordinary claim layer under the reserved annotator name ``adjudicated``
(``GOLD``), so it needs no schema change, exports on its own by filtering on the annotator, and
can be compared with each annotator by ``annotty agreement --annotators alice,adjudicated``.
Who decided is kept twice: the gold claim's ``reviewer`` and the history rows' annotator (the
reviewer, so their undo covers it). Deciding also records a review on the annotators' claims
(``review`` history rows, as ``decisions.decide`` writes): ``accepted`` where the claim is the gold
one, ``rejected`` with the differing fields as the reason where it is not; rejecting an item
("no claim here") rejects them all. One decision's history rows share a ``batch`` id, so one
undo takes a whole decision back.

Two adjudicators on one item: a decision passes the item as its adjudicator saw it (``seen``);
inside the decision's transaction every claim of the item (the gold one, and one added since)
must still be as seen, or only changed by this adjudicator (``Store.check_claims``), else
``ConflictError`` and nothing is written: the second decision never silently replaces the first.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from annotations.agreement import GOLD, cluster
from annotations.assignments import counted
from annotations.model import (
    EDITABLE_CLAIM_FIELDS,
    NO_CLAIM,
    Claim,
    ReviewStatus,
    new_id,
    now_iso,
)
from annotations.store import Store, StoreError

LABELS = ("claim_type", "stance", "target", "speaker", "attribution", "checkworthy")
"""The fields whose disagreement counts (a different note is not a disagreement)."""
ItemStatus = Literal["agreed", "disputed", "resolved"]


@dataclass(frozen=True, slots=True)
class Item:
    """One place in the text where at least one annotator (or the gold layer) has a claim."""

    start: int
    end: int
    claims: dict[str, Claim]
    """Annotator -> their claim here (annotators' layers only, never the gold one)."""
    missing: tuple[str, ...]
    """Annotators who worked on the document but tagged nothing here."""
    differences: tuple[str, ...]
    """"missing", "boundary" and the label fields that differ, in that order."""
    gold: Claim | None
    """The adjudicated claim here, once decided."""
    rejected: bool
    """A reviewer rejected every claim here: decided as "no claim"."""

    @property
    def status(self) -> ItemStatus:
        if self.gold is not None or self.rejected:
            return "resolved"
        return "disputed" if self.differences else "agreed"


@dataclass(frozen=True, slots=True)
class Comparison:
    """A document's items in text order, for the side-by-side adjudication view."""

    doc_id: str
    annotators: tuple[str, ...]
    items: tuple[Item, ...]

    def count(self, status: ItemStatus) -> int:
        return sum(item.status == status for item in self.items)

    def item_at(self, offset: int) -> Item | None:
        """The first item covering ``offset`` (for "adjudicate what is under the cursor")."""
        return next((i for i in self.items if i.start <= offset < i.end), None)


def _covering(
    store: Store,
    doc_id: str,
    claims: Sequence[Claim],
    annotators: Sequence[str] | None,
    assigned: dict[str, list[str]] | None = None,
) -> tuple[str, ...]:
    """Who worked on the document: a claim in it, or marked it done (and did not skip it).

    Once documents are assigned (``assigned``: ``store.assignment_map()``, read when not
    given), an annotator with assignments counts only where assigned: the overlap."""
    status = store.statuses(doc_id)
    found = {c.annotator for c in claims} | {a for a, s in status.items() if s == "done"}
    found = {a for a in found if status.get(a) != "skipped"} - {GOLD}
    if annotators is not None:
        found &= set(annotators)
    if assigned is None:  # one document: two small reads, not the whole map
        anyone = store.assigned_annotators()
        on_doc: Sequence[str] = store.assignees(doc_id) if anyone else ()
    else:
        anyone = {a for who in assigned.values() for a in who}
        on_doc = assigned.get(doc_id, ())
    if anyone:
        found = counted(found, on_doc, anyone)
    return tuple(sorted(found))


def compare(store: Store, doc_id: str, annotators: Sequence[str] | None = None) -> Comparison:
    """Line up the annotators' claims (default: everyone who worked on it) and the gold layer."""
    claims = store.claims(doc_id)
    who = _covering(store, doc_id, claims, annotators)
    return build(doc_id, who, [c for c in claims if c.annotator in who or c.annotator == GOLD])


def build(doc_id: str, annotators: Sequence[str], claims: Sequence[Claim]) -> Comparison:
    """The comparison from already-loaded claims (annotators' and gold)."""
    items = []
    for group in cluster(list(claims)):
        gold = next((c for c in group if c.annotator == GOLD), None)
        mine = {c.annotator: c for c in group if c.annotator != GOLD}
        missing = tuple(a for a in annotators if a not in mine)
        differences: list[str] = ["missing"] if missing and mine else []
        if len({(c.start, c.end) for c in mine.values()}) > 1:
            differences.append("boundary")
        differences += [f for f in LABELS if len({getattr(c, f) for c in mine.values()}) > 1]
        rejected = bool(mine) and all(c.review_status == "rejected" for c in mine.values())
        items.append(
            Item(
                start=min(c.start for c in group),
                end=max(c.end for c in group),
                claims=mine,
                missing=missing if mine else (),
                differences=tuple(differences),
                gold=gold,
                rejected=rejected,
            )
        )
    return Comparison(doc_id=doc_id, annotators=tuple(annotators), items=tuple(items))


@dataclass(frozen=True, slots=True)
class DocumentOverview:
    """A document two or more annotators worked on, with its items counted by status."""

    doc_id: str
    title: str
    annotators: tuple[str, ...]
    disputed: int
    agreed: int
    resolved: int


def overview(store: Store, annotators: Sequence[str] | None = None) -> list[DocumentOverview]:
    """Per document worked on by two or more annotators: its counts of items by status.

    For the list the adjudication screen starts from; loads every claim once.
    """
    by_doc: dict[str, list[Claim]] = defaultdict(list)
    for c in store.claims():
        by_doc[c.doc_id].append(c)
    done = store.doc_ids_with_status("done")
    assigned = store.assignment_map()
    out = []
    for summary in store.documents():
        if summary.id not in by_doc and summary.id not in done:
            continue
        claims = by_doc.get(summary.id, [])
        who = _covering(store, summary.id, claims, annotators, assigned)
        if len(who) < 2:
            continue
        comparison = build(
            summary.id, who, [c for c in claims if c.annotator in who or c.annotator == GOLD]
        )
        out.append(
            DocumentOverview(
                doc_id=summary.id,
                title=summary.title,
                annotators=who,
                disputed=comparison.count("disputed"),
                agreed=comparison.count("agreed"),
                resolved=comparison.count("resolved"),
            )
        )
    return out


# -- decisions -------------------------------------------------------------------------------
def resolve(
    store: Store, item: Item, base: Claim | None = None, *, seen: Item | None = None, **changes: Any
) -> Claim:
    """Make the gold claim of ``item``: ``base`` (one annotator's claim) with ``changes``.

    Without ``base`` the item's current gold claim is edited, or ``changes`` must give at least
    ``start``, ``end`` and ``claim_type``. Returns the gold claim. ``seen``: the item as the
    adjudicator saw it; ``ConflictError`` if someone else has changed it since.
    """
    unknown = set(changes) - set(EDITABLE_CLAIM_FIELDS)
    if unknown:
        raise StoreError(f"unknown claim fields: {', '.join(sorted(unknown))}")
    source = base or item.gold
    anchor = source or next(iter(item.claims.values()), None)
    if anchor is None:
        raise StoreError("an empty item has no document: use add_gold")
    fields = {f: getattr(source, f) for f in EDITABLE_CLAIM_FIELDS} if source else {}
    fields.update(changes)
    if not {"start", "end", "claim_type"} <= set(fields):
        raise StoreError("a new gold claim needs start, end and claim_type")
    with _decision(store, [(seen, item)] if seen is not None else []) as d:
        gold = d.put_gold(
            anchor.doc_id,
            item.gold.id if item.gold else None,
            fields,
            note=f"from {base.annotator}" if base is not None else "",
        )
        for claim in item.claims.values():
            differ = [f for f in ("start", "end", *LABELS) if getattr(claim, f) != getattr(gold, f)]
            if differ:
                d.review(claim.id, "rejected", f"adjudication: gold differs in {_differs(differ)}")
            else:
                d.review(claim.id, "accepted", "adjudication: matches gold")
    return gold


def reject(store: Store, item: Item, *, seen: Item | None = None) -> None:
    """Decide "no claim here": reject every annotator's claim and drop any gold claim
    (``seen`` as for ``resolve``)."""
    with _decision(store, [(seen, item)] if seen is not None else []) as d:
        if item.gold is not None:
            d.drop(item.gold.id)
        for claim in item.claims.values():
            d.review(claim.id, "rejected", "adjudication: not a claim")


def accept_agreed(
    store: Store, comparison: Comparison, *, seen: Comparison | None = None
) -> list[Claim]:
    """Adopt every unanimous item as gold in one decision; returns the new gold claims.
    ``seen``: the document's items as the adjudicator saw them; ``ConflictError`` if someone
    else has changed one of the agreed ones since."""
    made = []
    views = []
    if seen is not None:  # the items agreed as seen or as now, each with its other self
        shown = {key: item for item in seen.items for key in _ids(item)}
        current = {key: item for item in comparison.items for key in _ids(item)}
        for item in seen.items:
            if item.status == "agreed":
                now = next((current[k] for k in _ids(item) if k in current), None)
                views.append((item, now or _unseen(item)))
        for item in comparison.items:
            if item.status == "agreed":
                before = next((shown[k] for k in _ids(item) if k in shown), None)
                views.append((before or _unseen(item), item))
    with _decision(store, views) as d:
        for item in comparison.items:
            if item.status == "agreed":
                base = item.claims[min(item.claims)]
                fields = {f: getattr(base, f) for f in EDITABLE_CLAIM_FIELDS}
                made.append(d.put_gold(comparison.doc_id, None, fields, note="agreed"))
                for claim in item.claims.values():
                    d.review(claim.id, "accepted", "adjudication: matches gold")
    return made


def add_gold(
    store: Store, doc_id: str, start: int, end: int, claim_type: str, **labels: Any
) -> Claim:
    """A gold claim where no annotator tagged one (the reviewer found it themselves)."""
    with _decision(store) as d:
        return d.put_gold(
            doc_id,
            None,
            {"start": start, "end": end, "claim_type": claim_type, **labels},
            note="added by reviewer",
        )


def gold_claims(store: Store, doc_id: str | None = None) -> list[Claim]:
    """The adjudicated layer alone (what an export of the gold standard contains)."""
    return [c for c in store.claims(doc_id) if c.annotator == GOLD]


def _differs(fields: list[str]) -> str:
    names = ["boundary" if f in ("start", "end") else f for f in fields]
    return ", ".join(dict.fromkeys(names))


def _ids(item: Item) -> set[str]:
    """The ids of an item's claims, the gold one included."""
    return {c.id for c in item.claims.values()} | ({item.gold.id} if item.gold else set())


def _unseen(item: Item) -> Item:
    """An item the adjudicator did not see at all: none of its claims was there for them."""
    return replace(item, claims={}, gold=None)


def _expected(store: Store, views: Sequence[tuple[Item, Item]]) -> dict[str, str]:
    """For each claim of the items seen and as they are now (read again inside the decision's
    transaction): the version seen, ``NO_CLAIM`` for one that was not there (so a gold claim
    someone else added since is a conflict)."""
    expected: dict[str, str] = {}
    stored: dict[str, list[Claim]] = {}
    for seen, now in views:
        shown = [*seen.claims.values(), *([seen.gold] if seen.gold else [])]
        expected.update({c.id: c.version for c in shown})
        anchor = next(iter([*now.claims.values(), *shown, *([now.gold] if now.gold else [])]), None)
        if anchor is None:
            continue
        if anchor.doc_id not in stored:
            stored[anchor.doc_id] = store.claims(anchor.doc_id)
        who = {*seen.claims, *now.claims, *seen.missing, *now.missing, GOLD}
        known = _ids(seen) | _ids(now)
        for group in cluster([c for c in stored[anchor.doc_id] if c.annotator in who]):
            if known & {c.id for c in group}:
                known |= {c.id for c in group}
        for claim_id in known:
            expected.setdefault(claim_id, NO_CLAIM)
    return expected


@contextmanager
def _decision(store: Store, views: Sequence[tuple[Item, Item]] = ()) -> Iterator[_Decision]:
    """One reviewer decision: one transaction; its history rows share a batch, so one undo
    takes the whole decision back. ``views``: (item as seen, item as now) pairs whose claims
    must not have been changed by anyone else meanwhile (checked first, under lock)."""
    with store.transaction() as conn:
        if views:
            store.check_claims(conn, _expected(store, views), "adjudicate")
        yield _Decision(store, conn)


class _Decision:
    """The writes of one decision; reads each claim afresh inside the transaction, so a change
    another annotator made since ``compare`` is neither lost nor misrecorded in history."""

    def __init__(self, store: Store, conn: sqlite3.Connection) -> None:
        self.store, self.conn = store, conn
        self.batch = new_id()
        self.stamp = now_iso()

    def current(self, claim_id: str) -> Claim | None:
        try:
            return self.store.claim(claim_id)  # inside the transaction: sees its writes
        except StoreError:
            return None

    def write(
        self, item_id: str, doc_id: str, before: Claim | None, after: Claim | None, action: str
    ) -> None:
        state = None if after is None else asdict(after)
        self.store.log_change(
            self.conn,
            action,
            "claim",
            item_id,
            doc_id,
            None if before is None else asdict(before),
            state,
            batch=self.batch,
        )

    def put_gold(
        self, doc_id: str, gold_id: str | None, fields: dict[str, Any], note: str
    ) -> Claim:
        quote = self.store.quote(doc_id, fields["start"], fields["end"])
        current = None if gold_id is None else self.current(gold_id)
        if current is not None:
            gold = replace(
                current,
                **fields,
                quote=quote,
                reviewer=self.store.annotator,
                reviewed_at=self.stamp,
                updated_at=self.stamp,
            )
            if gold != current:
                self.write(gold.id, doc_id, current, gold, "update")
            return gold
        gold = Claim(
            id=new_id(),
            doc_id=doc_id,
            quote=quote,
            annotator=GOLD,
            review_status="accepted",
            reviewer=self.store.annotator,
            review_note=note,
            reviewed_at=self.stamp,
            created_at=self.stamp,
            updated_at=self.stamp,
            **fields,
        )
        self.write(gold.id, doc_id, None, gold, "create")
        return gold

    def drop(self, claim_id: str) -> None:
        current = self.current(claim_id)
        if current is not None:
            self.write(claim_id, current.doc_id, current, None, "delete")

    def review(self, claim_id: str, status: ReviewStatus, reason: str) -> None:
        """Record the reviewer's verdict on an annotator's claim (as ``decisions.decide`` does),
        unless it already says so."""
        claim = self.current(claim_id)
        if claim is None or (claim.review_status, claim.reviewer, claim.review_note) == (
            status,
            self.store.annotator,
            reason,
        ):
            return
        after = replace(
            claim,
            review_status=status,
            reviewer=self.store.annotator,
            review_note=reason,
            reviewed_at=self.stamp,
        )
        self.write(claim.id, claim.doc_id, claim, after, "review")
