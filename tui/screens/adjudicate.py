"""Adjudication: where annotators disagree, side by side, and the reviewer's gold version.

The screen starts from the documents two or more people annotated (``adjudication.overview``);
``enter`` opens one: its items in text order above, the selected item's claims side by side
below, one column per annotator. ``1``..``9`` make annotator N's version gold, ``e`` edits the
gold version, ``x`` decides "no claim here". On a narrow terminal the document list and the open
document take turns; from 120 columns the list stays on the left.

Reads run in thread workers; decisions go through ``SerialWrites`` in the order typed, and each
one re-reads its item first (``_fresh``), so two quick keys on one item edit one gold claim
instead of making two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from annotations import adjudication as adj
from annotations.model import EDITABLE_CLAIM_FIELDS, Claim
from annotations.store import StoreError
from annotations.terminal_safe import plural, thing
from tui.screens.serial_writes import SerialWrites
from tui.widgets.adjudication_tables import DocumentTable, ItemTable, cut, describe
from tui.widgets.claim_form import ClaimForm
from tui.widgets.claim_table import one_line
from tui.widgets.save_state import PERSIST_SECONDS
from tui.widgets.side_by_side import SideBySide

if TYPE_CHECKING:
    from tui.app import AnnottyApp

WIDE = 120  # from this width the document list stays beside the open document
STATUSES: tuple[adj.ItemStatus, ...] = ("disputed", "agreed", "resolved")
DOC_ACTIONS = frozenset({"pick", "edit", "reject", "accept_agreed"})
"""Actions on the open document's items: hidden (and their keys free) while none is open."""


def item_key(item: adj.Item) -> frozenset[str]:
    """Which item this is across reloads: the ids of its claims (a decision adds the gold id,
    and may regroup items, but keeps the annotators' claims)."""
    ids = {c.id for c in item.claims.values()}
    return frozenset(ids | ({item.gold.id} if item.gold is not None else set()))


class AdjudicateScreen(SerialWrites, Screen[None]):
    """Documents with several annotators; per document, items side by side; decide gold."""

    app: AnnottyApp
    DEFAULT_CSS = """
    AdjudicateScreen #adj-title { height: 1; padding: 0 1; background: $primary-darken-2;
                                  color: $text; text-style: bold; }
    AdjudicateScreen #adj-body { height: 1fr; }
    AdjudicateScreen #adj-docs { width: 1fr; height: 1fr; }
    AdjudicateScreen #adj-doc { width: 1fr; height: 1fr; display: none; }
    AdjudicateScreen.-open #adj-docs { display: none; }
    AdjudicateScreen.-open #adj-doc { display: block; }
    AdjudicateScreen.-wide #adj-docs { display: block; width: 44;
                                       border-right: solid $panel-lighten-2; }
    AdjudicateScreen.-wide #adj-doc { display: block; }
    AdjudicateScreen #adj-items { height: 1fr; min-height: 4; max-height: 14; }
    AdjudicateScreen #adj-compare { height: 2fr; border-top: solid $panel-lighten-2; }
    AdjudicateScreen #adj-status { height: 1; padding: 0 1; background: $panel;
                                   color: $text-muted; }
    """
    BINDINGS = [
        Binding("j", "move(1)", "Down", show=False, id="adjudicate.down"),
        Binding("k", "move(-1)", "Up", show=False, id="adjudicate.up"),
        Binding("1", "pick(1)", "Pick", key_display="1-9", id="adjudicate.pick1",
                tooltip="Make annotator N's version the gold one"),
        *(Binding(str(n), f"pick({n})", f"Pick annotator {n}'s version", show=False,
                  id=f"adjudicate.pick{n}") for n in range(2, 10)),
        # priority: the keys typed at once after ``e`` go into the form it opens
        Binding("e", "edit", "Edit", priority=True, id="adjudicate.edit",
                tooltip="Edit the gold version's labels with the claim form"),
        Binding("x", "reject", "No claim", id="adjudicate.reject",
                tooltip="Decide that there is no claim here: reject every version"),
        Binding("A", "accept_agreed", "Accept agreed", id="adjudicate.accept_agreed",
                tooltip="Make every item the annotators agree on gold, in one decision"),
        Binding("n", "next_disputed", "Next disputed", id="adjudicate.next",
                tooltip="The next disputed item (in the list: the next document with some)"),
        Binding("u,ctrl+z", "undo", "Undo", id="adjudicate.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="adjudicate.redo"),
        Binding("q,escape", "back", "Back", id="adjudicate.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.docs: list[dict[str, Any]] = []
        self.doc_id: str | None = None
        self.text = ""  # the open document's text
        self.comparison: adj.Comparison | None = None
        self.message = ""  # the outcome of the last decision, shown in the status line
        self._away = False  # the reader is on top: claims may change there
        self._decided_items: set[frozenset[str]] = set()
        """Items decided here whose save the loaded comparison may not show yet: ``n`` and the
        move after a decision pass over them."""

    @property
    def is_open(self) -> bool:
        return self.has_class("-open") and self.comparison is not None

    @property
    def on_items(self) -> bool:
        """Whether moving keys go to the items (else to the document list)."""
        return self.is_open and not (self.has_class("-wide") and self.doc_table.has_focus)

    def compose(self) -> ComposeResult:
        yield Static(Text("annotty · adjudicate"), id="adj-title")
        with Horizontal(id="adj-body"):
            yield DocumentTable(id="adj-docs")
            with Vertical(id="adj-doc"):
                yield ItemTable(id="adj-items")
                with VerticalScroll(id="adj-compare"):
                    yield SideBySide(self.app.schema, id="adj-side")
        yield Static(Text("Loading documents…"), id="adj-status")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def doc_table(self) -> DocumentTable:
        return self.query_one(DocumentTable)

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

    def on_mount(self) -> None:
        self.doc_table.focus()
        self.load_overview()

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE
        self.set_class(wide, "-wide")
        self.doc_table.title_width = 26 if wide else max(20, self.size.width - 40)
        self.side.room = self.query_one("#adj-compare").content_region.height

    def on_screen_resume(self) -> None:
        if self._away:  # back from the reader
            self._away = False
            self.load_overview()
            if self.doc_id is not None:
                self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_open if action in DOC_ACTIONS else True

    # -- the document list ----------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="adjudicate-overview")
    def load_overview(self) -> None:
        docs = adj.overview(self.app.store)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._overview_loaded, docs)

    def _overview_loaded(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs
        self.doc_table.show(docs)
        if not self.is_open:
            self._show_status()

    @on(DataTable.RowSelected, "DocumentTable")
    def _doc_chosen(self, event: DataTable.RowSelected) -> None:
        self.show_document(str(event.row_key.value))

    def show_document(self, doc_id: str) -> None:
        """Show ``doc_id``'s items (loaded in a worker) and give them the keys."""
        if doc_id != self.doc_id:
            self.comparison, self.text = None, ""
            self._decided_items.clear()
            self.item_table.clear()
            self.side.show(None, (), "", "Loading…")
        self.doc_id = doc_id
        self.add_class("-open")
        self.item_table.focus()
        self.reload()

    def close_document(self) -> None:
        self.remove_class("-open")
        self.doc_table.focus()
        self.refresh_bindings()
        self._title()
        self.load_overview()

    # -- the open document -----------------------------------------------------------------------
    def reload(self) -> None:
        if self.doc_id is None:
            return
        item = self.current_item
        self.load_document(self.doc_id, item_key(item) if item else frozenset(),
                           max(0, self.item_table.cursor_row))

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
            self.app.call_from_thread(self._document_loaded, doc_id, text, comparison, keep, row)

    def _document_loaded(self, doc_id: str, text: str, comparison: adj.Comparison,
                         keep: frozenset[str], row: int) -> None:
        if doc_id != self.doc_id:
            return
        if self._write_done is None or self._write_done.is_set():
            self._decided_items.clear()  # every decision is saved: the comparison tells the truth
        self.text, self.comparison = text, comparison
        found = next((i for i, item in enumerate(comparison.items) if keep & item_key(item)),
                     None)
        width = self.size.width - (self.doc_table.outer_size.width if self.has_class(
            "-wide") else 0)
        self.item_table.show(comparison, text, width, row if found is None else found)
        self._show_item()
        self._title()
        self.refresh_bindings()
        for doc in self.docs:  # keep the list's counts in step without re-reading every claim
            if doc["doc_id"] == doc_id:
                doc.update({s: comparison.count(s) for s in STATUSES})
                self.doc_table.update_counts(doc)

    @on(DataTable.RowHighlighted, "ItemTable")
    def _item_highlighted(self) -> None:
        self._show_item()

    def _show_item(self) -> None:
        comparison = self.comparison
        if comparison is None:
            return
        item = self.current_item
        self.side.room = self.query_one("#adj-compare").content_region.height
        self.side.show(item, comparison.annotators, self.text,
                       "" if comparison.items else "No claims in this document.")
        self._show_status()

    def _title(self) -> None:
        line = Text("annotty · adjudicate")
        doc = next((d for d in self.docs if d["doc_id"] == self.doc_id), None)
        if self.is_open and doc is not None and self.comparison is not None:
            counts = " · ".join(f"{self.comparison.count(s)} {s}" for s in STATUSES)
            if self.size.width - len(line) - len(counts) - 7 < 16:  # narrow: the marks only
                counts = " ".join(f"{mark}{self.comparison.count(s)}"
                                  for mark, s in zip("≠=✓", STATUSES, strict=True))
            room = self.size.width - len(line) - len(counts) - 7
            line.append(" · " + cut(one_line(doc["title"]) or self.doc_id or "", room))
            line.append("  " + counts, style="not bold")
        self.query_one("#adj-title", Static).update(line)

    @on(DataTable.RowSelected, "ItemTable")
    def _item_chosen(self) -> None:
        """``enter`` on an item: read it in its document (the reader shows every layer)."""
        item = self.current_item
        if item is not None and self.doc_id is not None:
            self._away = True
            self.app.open_document(self.doc_id, item.start)

    # -- moving ----------------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        self.message = ""
        table = self.item_table if self.on_items else self.doc_table
        table.action_cursor_down() if step > 0 else table.action_cursor_up()

    def action_next_disputed(self) -> None:
        self.message = ""
        if not self.on_items:
            start = self.doc_table.cursor_row
            for step in range(1, len(self.docs) + 1):
                index = (start + step - (0 if self.is_open else 1)) % len(self.docs)
                if self.docs[index]["disputed"]:
                    self.doc_table.move_cursor(row=index)
                    self.show_document(self.docs[index]["doc_id"])
                    return
            self._say("No document has disputed items left.")
            return
        if not self._to_next_disputed():
            self._say(self._none_left())

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
            f"; A accepts the {plural(agreed, 'agreed one')}." if agreed else ".")

    def _decided_on(self, item: adj.Item) -> None:
        """After a decision on ``item`` the cursor moves on at once, as in review: to the next
        disputed item (the decision is saved meanwhile, in the order typed)."""
        self._decided_items.add(item_key(item))
        current = self.current_item
        if current is not None and item_key(current) == item_key(item):
            self._to_next_disputed()

    def action_back(self) -> None:
        if self.has_class("-open"):
            self.close_document()
        elif len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()

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

    def _decided(self, message: str | Callable[[Any], str], result: Any,
                 error: Exception | None) -> None:
        if error is not None:
            self._decided_items.clear()  # the item is undecided still: show it as it is
            self.notify(f"Could not save the decision: {one_line(str(error))}. The item stays "
                        "undecided; decide again.", severity="error",
                        timeout=PERSIST_SECONDS, markup=False)
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
            return adj.resolve(self.app.store, fresh, base=fresh.claims[who])

        self._decide(f"Gold: {one_line(who)}'s version.", job)
        self._decided_on(item)

    def action_reject(self) -> None:
        item = self.current_item
        if item is None or self.doc_id is None:
            return
        doc_id, key = self.doc_id, item_key(item)
        self._decide("Decided: no claim here.",
                     lambda: adj.reject(self.app.store, self._fresh(doc_id, key)))
        self._decided_on(item)

    def action_accept_agreed(self) -> None:
        if self.comparison is None or self.doc_id is None:
            return
        if not self.comparison.count("agreed"):
            self._say("No agreed items left to accept.")
            return
        doc_id, store = self.doc_id, self.app.store

        def job() -> list[Claim]:
            return adj.accept_agreed(store, adj.compare(store, doc_id))

        self._decide(lambda made: f"Accepted {plural(len(made), 'agreed item')} as gold.", job)

    async def action_edit(self) -> None:
        item, comparison = self.current_item, self.comparison
        if item is None or comparison is None or self.doc_id is None:
            raise SkipAction()
        source = item.gold or next((item.claims[a] for a in comparison.annotators
                                    if a in item.claims), None)
        if source is None:
            raise SkipAction()
        title = "Gold claim" + ("" if item.gold else f" (from {one_line(source.annotator)})")
        speakers = [c.speaker for c in item.claims.values() if c.speaker]
        initial = {f: getattr(source, f) for f in EDITABLE_CLAIM_FIELDS}
        form = ClaimForm(self.app.schema, source.quote, initial=initial, speakers=speakers,
                         title=title)
        base_who = None if item.gold else source.annotator
        doc_id, key = self.doc_id, item_key(item)
        await self.app.push_screen(
            form, lambda values: self._edited(item, doc_id, key, base_who, values))

    def _edited(self, item: adj.Item, doc_id: str, key: frozenset[str], base_who: str | None,
                values: dict[str, Any] | None) -> None:
        if values is None:
            return
        changes = {k: v for k, v in values.items() if k in EDITABLE_CLAIM_FIELDS}

        def job() -> Claim:
            fresh = self._fresh(doc_id, key)
            if fresh.gold is not None:  # decided meanwhile: edit that gold claim
                return adj.resolve(self.app.store, fresh, **changes)
            base = fresh.claims.get(base_who or "")
            if base is None:
                raise StoreError(f"{base_who} no longer has a claim here")
            return adj.resolve(self.app.store, fresh, base=base, **changes)

        self._decide("Saved the gold claim.", job)
        if self.doc_id == doc_id:
            self._decided_on(item)

    def action_undo(self) -> None:
        self._history_step(undo=True)

    def action_redo(self) -> None:
        self._history_step(undo=False)

    def _history_step(self, undo: bool) -> None:
        """Undo (redo) the reviewer's latest decision: in the open document if there is one."""
        store, doc_id = self.app.store, self.doc_id if self.is_open else None
        step = store.undo if undo else store.redo
        self._write(lambda: step(doc_id), lambda entry, error: self._stepped(undo, entry, error))

    def _stepped(self, undo: bool, entry: dict[str, Any] | None, error: Exception | None) -> None:
        word = "Undid" if undo else "Redid"
        self._decided_items.clear()  # an undone decision makes its item disputed again
        if error is not None:
            self.notify(f"{word[:-1]} failed: {error}", severity="error")
        elif entry is None:
            self.message = f"Nothing to {'undo' if undo else 'redo'}."
        else:
            count = entry.get("count")
            self.message = (f"{word} a decision ({plural(count, 'change')})." if count else
                            f"{word} {entry.get('action', 'a change')} of "
                            f"{thing(str(entry.get('kind') or 'item'))}.")
        if self.is_open:
            self.reload()
        else:
            self.load_overview()

    def _say(self, message: str) -> None:
        """A message in the status line, beside the item's summary, until the next move."""
        self.message = message
        self._show_status()

    def _show_status(self) -> None:
        line = Text()
        comparison, item = self.comparison, self.current_item
        if comparison is not None and item is not None:
            line.append(f"item {self.item_table.cursor_row + 1}/{len(comparison.items)} · ")
            line.append(describe(item))
        elif not self.is_open:
            disputed = sum(d["disputed"] for d in self.docs)
            line.append(f"{plural(len(self.docs), 'document')} to adjudicate · "
                        f"{plural(disputed, 'disputed item')} · enter opens" if self.docs else
                        "No document has two or more annotators yet.")
        if self.message:
            line.append("  " + self.message, style="bold")
        self.query_one("#adj-status", Static).update(line)
