"""Adjudication's open document: its items in text order, the selected one's claims side by
side, and the decisions on them (pick a version, edit the gold one, no claim, accept agreed).

Decisions go through ``OrderedWrites`` in the order typed, and each one re-reads its item first
(``_fresh``), so two quick keys on one item edit one gold claim instead of making two. Each also
passes the item as shown (``seen``): if another adjudicator decided it (or an annotator changed
it) meanwhile, the decision is refused with a message saying who, and the item is shown afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from annotations import adjudication as adj
from annotations.model import EDITABLE_CLAIM_FIELDS, Claim
from annotations.store import ConflictError, StoreError
from annotations.terminal_safe import plural
from tui.screens.decisions import DecisionHistory
from tui.screens.worker_results import deliver
from tui.widgets.adjudication_tables import DocumentTable, ItemTable, cut
from tui.widgets.claim_form import ClaimForm
from tui.widgets.claim_table import one_line
from tui.widgets.save_state import PERSIST_SECONDS
from tui.widgets.side_by_side import SideBySide

if TYPE_CHECKING:
    from tui.app import AnnottyApp

STATUSES: tuple[adj.ItemStatus, ...] = ("disputed", "agreed", "resolved")


def item_key(item: adj.Item) -> frozenset[str]:
    """Which item this is across reloads: the ids of its claims (a decision adds the gold id,
    and may regroup items, but keeps the annotators' claims)."""
    ids = {c.id for c in item.claims.values()}
    return frozenset(ids | ({item.gold.id} if item.gold is not None else set()))


class OpenDocument(DecisionHistory, Screen[None]):
    """Part of ``AdjudicateScreen``: the open document's items and the decisions on them."""

    app: AnnottyApp
    docs: list[adj.DocumentOverview]
    doc_id: str | None
    text: str
    comparison: adj.Comparison | None
    message: str
    _away: bool
    _decided_items: set[frozenset[str]]
    doc_table: DocumentTable
    _say: Callable[[str], None]
    _show_status: Callable[[], None]

    @property
    def is_open(self) -> bool:
        return self.has_class("-open") and self.comparison is not None

    @property
    def item_table(self) -> ItemTable:
        return self.query_one(ItemTable)

    @property
    def side(self) -> SideBySide:
        return self.query_one(SideBySide)

    @property
    def current_item(self) -> adj.Item | None:
        if not self.is_open or self.comparison is None or not self.comparison.items:
            return None
        row = self.item_table.cursor_row
        return self.comparison.items[row] if 0 <= row < len(self.comparison.items) else None

    def reload(self) -> None:
        if self.doc_id is None:
            return
        item = self.current_item
        self.load_document(
            self.doc_id, item_key(item) if item else frozenset(), max(0, self.item_table.cursor_row)
        )

    @work(thread=True, exclusive=True, group="adjudicate-document")
    def load_document(self, doc_id: str, keep: frozenset[str], row: int) -> None:
        store = self.app.store
        try:
            text = self.text if self.text else store.document(doc_id).text
            comparison = adj.compare(store, doc_id)
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if not get_current_worker().is_cancelled:
            deliver(self, self._document_loaded, doc_id, text, comparison, keep, row)

    def _document_loaded(
        self, doc_id: str, text: str, comparison: adj.Comparison, keep: frozenset[str], row: int
    ) -> None:
        if doc_id != self.doc_id:
            return
        if self._write_done is None or self._write_done.is_set():
            self._decided_items.clear()  # every decision is saved: the comparison tells the truth
        self.text, self.comparison = text, comparison
        found = next((i for i, item in enumerate(comparison.items) if keep & item_key(item)), None)
        width = self.size.width - (
            self.doc_table.outer_size.width if self.has_class("-wide") else 0
        )
        self.item_table.show(comparison, text, width, row if found is None else found)
        self._show_item()
        self._title()
        self.refresh_bindings()
        # keep the list's counts in step without re-reading every claim
        for i, doc in enumerate(self.docs):
            if doc.doc_id == doc_id:
                self.docs[i] = replace(
                    doc,
                    disputed=comparison.count("disputed"),
                    agreed=comparison.count("agreed"),
                    resolved=comparison.count("resolved"),
                )
                self.doc_table.update_counts(self.docs[i])

    @on(DataTable.RowHighlighted, "ItemTable")
    def _item_highlighted(self) -> None:
        self._show_item()

    def _show_item(self) -> None:
        comparison = self.comparison
        if comparison is None:
            return
        item = self.current_item
        self.side.room = self.query_one("#adj-compare").content_region.height
        self.side.show(
            item,
            comparison.annotators,
            self.text,
            "" if comparison.items else "No claims in this document.",
        )
        self._show_status()

    def _title(self) -> None:
        line = Text("annotty · adjudicate")
        doc = next((d for d in self.docs if d.doc_id == self.doc_id), None)
        if self.is_open and doc is not None and self.comparison is not None:
            counts = " · ".join(f"{self.comparison.count(s)} {s}" for s in STATUSES)
            if self.size.width - len(line) - len(counts) - 7 < 16:  # narrow: the marks only
                counts = " ".join(
                    f"{mark}{self.comparison.count(s)}"
                    for mark, s in zip("≠=✓", STATUSES, strict=True)
                )
            room = self.size.width - len(line) - len(counts) - 7
            line.append(" · " + cut(one_line(doc.title) or self.doc_id or "", room))
            line.append("  " + counts, style="not bold")
        self.query_one("#adj-title", Static).update(line)

    @on(DataTable.RowSelected, "ItemTable")
    def _item_chosen(self) -> None:
        """``enter`` on an item: read it in its document (the reader shows every layer)."""
        item = self.current_item
        if item is not None and self.doc_id is not None:
            self._away = True
            self.app.open_document(self.doc_id, item.start)

    def _next_disputed_row(self) -> int | None:
        """The row of the next disputed item after the cursor (wrapping round), not counting
        items decided here whose save has not come back yet."""
        assert self.comparison is not None
        items, start = self.comparison.items, self.item_table.cursor_row
        for step in range(1, len(items) + 1):
            index = (start + step) % len(items)
            item = items[index]
            if item.status == "disputed" and item_key(item) not in self._decided_items:
                return index
        return None

    def _to_next_disputed(self) -> bool:
        """Move to the next disputed item; False when there is none."""
        row = self._next_disputed_row()
        if row is None or row == self.item_table.cursor_row:
            return False
        self.item_table.move_cursor(row=row)
        return True

    def _none_left(self) -> str:
        assert self.comparison is not None
        agreed = self.comparison.count("agreed")
        return "No disputed items left here" + (
            f"; A accepts the {plural(agreed, 'agreed one')}." if agreed else "."
        )

    def _decided_on(self, item: adj.Item) -> None:
        """After a decision on ``item`` the cursor moves on at once, as in review: to the next
        disputed item (the decision is saved meanwhile, in the order typed)."""
        self._decided_items.add(item_key(item))
        current = self.current_item
        if current is not None and item_key(current) == item_key(item):
            self._to_next_disputed()

    # -- deciding --------------------------------------------------------------------------------
    def _fresh(self, doc_id: str, key: frozenset[str]) -> adj.Item:
        """The item as it is now in the database (in a worker, just before deciding on it)."""
        for item in adj.compare(self.app.store, doc_id).items:
            if key & item_key(item):
                return item
        raise StoreError("This item changed meanwhile; please look at it again.")

    def _decide(self, message: str | Callable[[Any], str], job: Callable[[], Any]) -> None:
        """Run ``job`` (a decision) after the earlier ones; then say ``message`` (or what
        ``message(result)`` says) and reload the items."""
        self._write(job, lambda result, error: self._decided(message, result, error))

    def _decided(
        self, message: str | Callable[[Any], str], result: Any, error: Exception | None
    ) -> None:
        if isinstance(error, ConflictError):  # someone else changed it: show it as it is now
            self._decided_items.clear()
            self.notify(str(error), severity="warning", timeout=PERSIST_SECONDS, markup=False)
        elif error is not None:
            self._decided_items.clear()  # the item is undecided still: show it as it is
            self.notify(
                f"Could not save the decision: {one_line(str(error))}. The item stays "
                "undecided; decide again.",
                severity="error",
                timeout=PERSIST_SECONDS,
                markup=False,
            )
        else:
            self.message = message(result) if callable(message) else message
        self.reload()

    def action_pick(self, number: int) -> None:
        item, comparison = self.current_item, self.comparison
        if item is None or comparison is None or self.doc_id is None:
            return
        if number > len(comparison.annotators):
            self._say(f"There are {plural(len(comparison.annotators), 'annotator')} here.")
            return
        who = comparison.annotators[number - 1]
        if who not in item.claims:
            self._say(f"{one_line(who)} has no claim here (x decides “no claim”).")
            return
        doc_id, key = self.doc_id, item_key(item)

        def job() -> Claim:
            fresh = self._fresh(doc_id, key)
            if who not in fresh.claims:
                raise StoreError(f"{who} no longer has a claim here")
            return adj.resolve(self.app.store, fresh, base=fresh.claims[who], seen=item)

        self._decide(f"Gold: {one_line(who)}'s version.", job)
        self._decided_on(item)

    def action_reject(self) -> None:
        item = self.current_item
        if item is None or self.doc_id is None:
            return
        doc_id, key = self.doc_id, item_key(item)
        self._decide(
            "Decided: no claim here.",
            lambda: adj.reject(self.app.store, self._fresh(doc_id, key), seen=item),
        )
        self._decided_on(item)

    def action_accept_agreed(self) -> None:
        if self.comparison is None or self.doc_id is None:
            return
        if not self.comparison.count("agreed"):
            self._say("No agreed items left to accept.")
            return
        doc_id, store, seen = self.doc_id, self.app.store, self.comparison

        def job() -> list[Claim]:
            return adj.accept_agreed(store, adj.compare(store, doc_id), seen=seen)

        self._decide(lambda made: f"Accepted {plural(len(made), 'agreed item')} as gold.", job)

    async def action_edit(self) -> None:
        item, comparison = self.current_item, self.comparison
        if item is None or comparison is None or self.doc_id is None:
            raise SkipAction()
        source = item.gold or next(
            (item.claims[a] for a in comparison.annotators if a in item.claims), None
        )
        if source is None:
            raise SkipAction()
        title = "Gold claim" + ("" if item.gold else f" (from {one_line(source.annotator)})")
        speakers = [c.speaker for c in item.claims.values() if c.speaker]
        initial = {f: getattr(source, f) for f in EDITABLE_CLAIM_FIELDS}
        form = ClaimForm(
            self.app.schema, source.quote, initial=initial, speakers=speakers, title=title
        )
        base_who = None if item.gold else source.annotator
        doc_id, key = self.doc_id, item_key(item)
        await self.app.push_screen(
            form, lambda values: self._edited(item, doc_id, key, base_who, values)
        )

    def _edited(
        self,
        item: adj.Item,
        doc_id: str,
        key: frozenset[str],
        base_who: str | None,
        values: dict[str, Any] | None,
    ) -> None:
        if values is None:
            return
        changes = {k: v for k, v in values.items() if k in EDITABLE_CLAIM_FIELDS}

        def job() -> Claim:
            fresh = self._fresh(doc_id, key)
            if fresh.gold is not None:  # decided meanwhile (by us): edit that gold claim
                return adj.resolve(self.app.store, fresh, seen=item, **changes)
            base = fresh.claims.get(base_who or "")
            if base is None:
                raise StoreError(f"{base_who} no longer has a claim here")
            return adj.resolve(self.app.store, fresh, base=base, seen=item, **changes)

        self._decide("Saved the gold claim.", job)
        if self.doc_id == doc_id:
            self._decided_on(item)
