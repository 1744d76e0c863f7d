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

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from annotations import adjudication as adj
from annotations.model import EDITABLE_CLAIM_FIELDS, Claim
from annotations.store import StoreError
from tui.screens.serial_writes import SerialWrites
from tui.widgets.claim_form import ClaimForm
from tui.widgets.claim_table import one_line
from tui.widgets.side_by_side import SideBySide

if TYPE_CHECKING:
    from tui.app import AnnottyApp

WIDE = 120  # from this width the document list stays beside the open document
STATUS = {"disputed": ("≠ disputed", "bold yellow"), "agreed": ("= agreed", "dim"),
          "resolved": ("✓ resolved", "green")}
FIELD_NAMES = {"claim_type": "type", "checkworthy": "check"}
DOC_ACTIONS = frozenset({"pick", "edit", "reject", "accept_agreed"})
"""Actions on the open document's items: hidden (and their keys free) while none is open."""


def item_key(item: adj.Item) -> frozenset[str]:
    """Which item this is across reloads: the ids of its claims (a decision adds the gold id,
    and may regroup items, but keeps the annotators' claims)."""
    ids = {c.id for c in item.claims.values()}
    return frozenset(ids | ({item.gold.id} if item.gold is not None else set()))


def describe(item: adj.Item) -> str:
    """What differs, for the item list: "missing bob · boundary · stance"."""
    parts = []
    for difference in item.differences:
        if difference == "missing":
            parts.append("missing " + ", ".join(one_line(a) for a in item.missing))
        else:
            parts.append(FIELD_NAMES.get(difference, difference))
    if item.rejected:
        parts.insert(0, "no claim")
    return " · ".join(parts) or "—"


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
        Binding("1", "pick(1)", "Pick version", key_display="1-9", id="adjudicate.pick1"),
        *(Binding(str(n), f"pick({n})", f"Pick annotator {n}'s version", show=False,
                  id=f"adjudicate.pick{n}") for n in range(2, 10)),
        Binding("e", "edit", "Edit gold", id="adjudicate.edit"),
        Binding("x", "reject", "No claim", id="adjudicate.reject"),
        Binding("A", "accept_agreed", "Accept agreed", id="adjudicate.accept_agreed"),
        Binding("n", "next_disputed", "Next disputed", id="adjudicate.next"),
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
        self._away = False  # the reader is on top: claims may change there

    @property
    def FORM_KEYS(self) -> frozenset[str]:  # noqa: N802 - the app reads this name
        """Keys that open a form (the app holds what is typed after them for the form)."""
        return frozenset({"e"}) if self.is_open else frozenset()

    @property
    def is_open(self) -> bool:
        return self.has_class("-open") and self.comparison is not None

    def compose(self) -> ComposeResult:
        yield Static(Text("annotty · adjudicate"), id="adj-title")
        with Horizontal(id="adj-body"):
            yield DataTable(id="adj-docs", cursor_type="row", zebra_stripes=True)
            with Vertical(id="adj-doc"):
                yield DataTable(id="adj-items", cursor_type="row")
                with VerticalScroll(id="adj-compare"):
                    yield SideBySide(self.app.schema, id="adj-side")
        yield Static(Text("Loading documents…"), id="adj-status")
        yield Footer()

    @property
    def doc_table(self) -> DataTable[Text]:
        return self.query_one("#adj-docs", DataTable)

    @property
    def item_table(self) -> DataTable[Text]:
        return self.query_one("#adj-items", DataTable)

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
        docs = self.doc_table
        docs.add_column("Document", key="title")
        docs.add_column(Text("≠", justify="right"), key="disputed")
        docs.add_column(Text("=", justify="right"), key="agreed")
        docs.add_column(Text("✓", justify="right"), key="resolved")
        docs.add_column("Annotators", key="annotators")
        items = self.item_table
        items.add_column("Status", key="status")
        items.add_column("Span", key="span")
        items.add_column("Differs", key="differs")
        items.add_column("Quote", key="quote")
        docs.focus()
        self.load_overview()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= WIDE, "-wide")
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
        table = self.doc_table
        row = table.cursor_row
        table.clear()
        for doc in docs:
            table.add_row(*self._doc_cells(doc), key=doc["doc_id"])
        if docs:
            table.move_cursor(row=min(max(row, 0), len(docs) - 1))
        if not self.is_open:
            disputed = sum(d["disputed"] for d in docs)
            self._status(f"{len(docs)} documents with two or more annotators · {disputed} "
                         "disputed items · enter opens" if docs else
                         "No document has two or more annotators yet.")

    def _doc_cells(self, doc: dict[str, Any]) -> list[Text]:
        title = one_line(doc["title"]) or doc["doc_id"]
        limit = 26 if self.has_class("-wide") else max(20, self.size.width - 40)
        if len(title) > limit:
            title = title[: limit - 1] + "…"
        return [Text(title, style="bold" if doc["disputed"] else ""),
                Text(str(doc["disputed"]), style="bold yellow" if doc["disputed"] else "dim",
                     justify="right"),
                Text(str(doc["agreed"]), justify="right"),
                Text(str(doc["resolved"]), style="green" if doc["resolved"] else "",
                     justify="right"),
                Text(", ".join(one_line(a) for a in doc["annotators"]), style="dim")]

    @on(DataTable.RowSelected, "#adj-docs")
    def _doc_chosen(self, event: DataTable.RowSelected) -> None:
        self.open(str(event.row_key.value))

    def open(self, doc_id: str) -> None:
        """Show ``doc_id``'s items (loaded in a worker) and give them the keys."""
        if doc_id != self.doc_id:
            self.comparison, self.text = None, ""
            self.item_table.clear()
            self.side.show(None, (), "", "Loading…")
        self.doc_id = doc_id
        self.add_class("-open")
        self.item_table.focus()
        self.reload()

    def close(self) -> None:
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
        self.text, self.comparison = text, comparison
        table = self.item_table
        table.clear()
        width = max(16, table.size.width - 50)
        for item in comparison.items:
            label, style = ("✗ no claim", "red") if item.rejected else STATUS[item.status]
            quote = one_line(text[item.start:item.end])
            table.add_row(Text(label, style=style), Text(f"{item.start:,}–{item.end:,}"),
                          Text(describe(item)[:28]),
                          Text(quote if len(quote) <= width else quote[: width - 1] + "…"))
        found = next((i for i, item in enumerate(comparison.items) if keep & item_key(item)),
                     None)
        if comparison.items:
            table.move_cursor(row=found if found is not None else min(row, len(
                comparison.items) - 1))
        self._show_item()
        self._title()
        self.refresh_bindings()
        for doc in self.docs:  # keep the list's counts in step without re-reading every claim
            if doc["doc_id"] == doc_id:
                doc.update({s: comparison.count(s) for s in ("disputed", "agreed", "resolved")})
                for column, cell in zip(("title", "disputed", "agreed", "resolved"),
                                        self._doc_cells(doc), strict=False):
                    self.doc_table.update_cell(doc_id, column, cell)

    @on(DataTable.RowHighlighted, "#adj-items")
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
        if item is not None:
            index = comparison.items.index(item) + 1
            self._status(f"item {index}/{len(comparison.items)} · {describe(item)}")

    def _title(self) -> None:
        line = Text("annotty · adjudicate")
        doc = next((d for d in self.docs if d["doc_id"] == self.doc_id), None)
        if self.is_open and doc is not None and self.comparison is not None:
            line.append(" · " + (one_line(doc["title"]) or self.doc_id or "")[:40])
            counts = " · ".join(f"{self.comparison.count(s)} {s}"  # type: ignore[arg-type]
                                for s in ("disputed", "agreed", "resolved"))
            line.append("  " + counts, style="not bold")
        self.query_one("#adj-title", Static).update(line)

    @on(DataTable.RowSelected, "#adj-items")
    def _item_chosen(self) -> None:
        """``enter`` on an item: read it in its document (the reader shows every layer)."""
        item = self.current_item
        if item is not None and self.doc_id is not None:
            self._away = True
            self.app.open_document(self.doc_id, item.start)

    # -- moving ----------------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        table = self.item_table if self.is_open and self.item_table.has_focus else self.doc_table
        table.action_cursor_down() if step > 0 else table.action_cursor_up()

    def action_next_disputed(self) -> None:
        if not self.is_open or not self.item_table.has_focus:
            start = self.doc_table.cursor_row
            for step in range(1, len(self.docs) + 1):
                index = (start + step - (0 if self.is_open else 1)) % len(self.docs)
                if self.docs[index]["disputed"]:
                    self.doc_table.move_cursor(row=index)
                    self.open(self.docs[index]["doc_id"])
                    return
            self._status("No document has disputed items left.")
            return
        assert self.comparison is not None
        items, start = self.comparison.items, self.item_table.cursor_row
        for step in range(1, len(items) + 1):
            index = (start + step) % len(items)
            if items[index].status == "disputed":
                self.item_table.move_cursor(row=index)
                return
        agreed = self.comparison.count("agreed")
        self._status("No disputed items left here" + (
            f"; A accepts the {agreed} agreed ones." if agreed else "."))

    def action_back(self) -> None:
        if self.has_class("-open"):
            self.close()
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

    def _decide(self, message: str, job: Any) -> None:
        self._write(job, lambda result, error: self._decided(message, error))

    def _decided(self, message: str, error: Exception | None) -> None:
        if error is not None:
            self.notify(f"Could not save the decision: {error}", severity="error")
        else:
            self.notify(message, timeout=2)
        self.reload()

    def action_pick(self, number: int) -> None:
        item, comparison = self.current_item, self.comparison
        if item is None or comparison is None or self.doc_id is None:
            return
        if number > len(comparison.annotators):
            self.notify(f"There are {len(comparison.annotators)} annotators here.",
                        severity="warning")
            return
        who = comparison.annotators[number - 1]
        if who not in item.claims:
            self.notify(f"{one_line(who)} has no claim here (x decides “no claim”).",
                        severity="warning")
            return
        doc_id, key = self.doc_id, item_key(item)

        def job() -> Claim:
            fresh = self._fresh(doc_id, key)
            if who not in fresh.claims:
                raise StoreError(f"{who} no longer has a claim here")
            return adj.resolve(self.app.store, fresh, base=fresh.claims[who])

        self._decide(f"Gold: {one_line(who)}'s version.", job)

    def action_reject(self) -> None:
        item = self.current_item
        if item is None or self.doc_id is None:
            return
        doc_id, key = self.doc_id, item_key(item)
        self._decide("Decided: no claim here.",
                     lambda: adj.reject(self.app.store, self._fresh(doc_id, key)))

    def action_accept_agreed(self) -> None:
        if self.comparison is None or self.doc_id is None:
            return
        if not self.comparison.count("agreed"):
            self._status("No agreed items left to accept.")
            return
        doc_id, store = self.doc_id, self.app.store

        def job() -> list[Claim]:
            return adj.accept_agreed(store, adj.compare(store, doc_id))

        self._decide(f"Accepted {self.comparison.count('agreed')} agreed items as gold.", job)

    def action_edit(self) -> None:
        item, comparison = self.current_item, self.comparison
        if item is None or comparison is None or self.doc_id is None:
            self._no_form()
            return
        source = item.gold or next((item.claims[a] for a in comparison.annotators
                                    if a in item.claims), None)
        if source is None:
            self._no_form()
            return
        title = "Gold claim" + ("" if item.gold else f" (from {one_line(source.annotator)})")
        speakers = [c.speaker for c in item.claims.values() if c.speaker]
        initial = {f: getattr(source, f) for f in EDITABLE_CLAIM_FIELDS}
        form = ClaimForm(self.app.schema, source.quote, initial=initial, speakers=speakers,
                         title=title)
        base_who = None if item.gold else source.annotator
        doc_id, key = self.doc_id, item_key(item)
        self.app_push(form, lambda values: self._edited(doc_id, key, base_who, values))

    def _edited(self, doc_id: str, key: frozenset[str], base_who: str | None,
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
        if error is not None:
            self.notify(f"{word[:-1]} failed: {error}", severity="error")
        elif entry is None:
            self.notify(f"Nothing to {'undo' if undo else 'redo'}.", timeout=2)
        else:
            count = entry.get("count")
            self.notify(f"{word} a decision ({count} changes)." if count else
                        f"{word} {entry.get('action', 'a change')}.", timeout=2)
        if self.is_open:
            self.reload()
        else:
            self.load_overview()

    def _status(self, message: str) -> None:
        self.query_one("#adj-status", Static).update(Text(message))
