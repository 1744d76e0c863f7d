"""The reader: one document, its entities and claims; tag, edit, delete, undo.

Loading, recognizing and saving run in thread workers; results come back to the event loop
with ``call_from_thread``, so a 10 MB document shows at once and entities paint in as they come.
Annotation work (claims, the document's status and stance, entity corrections) is saved through
the app's ``SaveQueue``: a save that fails is kept, journaled and retried, never lost. The
entity cache and the reading position are not work: their writes fail quietly.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from annotations import entity_edits
from annotations.entities import recognize_in_chunks
from annotations.errors import AnnottyError
from annotations.model import Claim, Document, Entity
from annotations.search import find_all, goto_offset
from annotations.store import StoreError
from annotations.terminal_safe import thing
from annotations.text import Layout, display
from tui.messages import StoreChanged
from tui.styles import ClaimStyles
from tui.widgets.claim_form import ClaimForm
from tui.widgets.document_view import DocumentView
from tui.widgets.entity_form import EntityForm
from tui.widgets.prompt import Prompt
from tui.widgets.save_state import SaveState
from tui.widgets.side_lists import ClaimList, EntityLegend, EntityList, snippet

if TYPE_CHECKING:
    from tui.app import AnnottyApp

SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")
FIRST_LAYOUT_CHARS = 200_000  # wrapped before the first paint; the rest right after
UNFINISHED = ("todo", "in_progress")
NARROW = 80  # below this many columns the side panel hides itself (p still shows it)
LABELS_SETTING = "inline_labels:"  # + annotator: "on" when entity labels show in the text
CACHE_WAIT_SECONDS = 1.0  # the entity cache is only a cache: never wait long to write it
NOT_SAVED = "Not saved yet: kept, retrying."
NOT_SAVABLE = "Not saved: the database takes no changes now; kept in the recovery journal."
log = logging.getLogger(__name__)


class ReaderScreen(Screen[None]):
    app: AnnottyApp

    # priority: a reader key acts when Textual routes it, before the keys typed after it;
    # so ``s c 3 a`` in one burst selects, opens the form, and the form gets ``3 a``
    BINDINGS = [
        Binding("c", "tag_claim", "Claim", tooltip="Tag the selection as a claim",
                priority=True, id="reader.claim"),
        Binding("e", "edit_claim", "Edit", tooltip="Edit the claim under the cursor",
                priority=True, id="reader.edit"),
        Binding("d", "delete_claim", "Delete", tooltip="Delete the claim under the cursor",
                priority=True, id="reader.delete"),
        Binding("right_square_bracket", "next_claim", "Next claim", show=False,
                priority=True, id="reader.next_claim"),
        Binding("left_square_bracket", "prev_claim", "Previous claim", show=False,
                priority=True, id="reader.prev_claim"),
        Binding("u,ctrl+z", "undo", "Undo", priority=True, id="reader.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, priority=True, id="reader.redo"),
        Binding("slash", "ask('search')", "Search", show=False,
                priority=True, id="reader.search"),
        Binding("n", "find(1)", "Next match", show=False, priority=True, id="reader.next_match"),
        Binding("N", "find(-1)", "Previous match", show=False,
                priority=True, id="reader.prev_match"),
        Binding("colon", "ask('goto')", "Go to line or %", show=False,
                priority=True, id="reader.goto"),
        Binding("x", "set_status('done')", "Mark done", show=False,
                priority=True, id="reader.done"),
        Binding("X", "set_status('skipped')", "Mark skipped", show=False,
                priority=True, id="reader.skipped"),
        Binding("i", "set_status('in_progress')", "Mark in progress", show=False,
                priority=True, id="reader.in_progress"),
        Binding("t", "set_status('todo')", "Mark to do", show=False,
                priority=True, id="reader.todo"),
        Binding("v", "cycle_doc_stance", "Document stance", show=False,
                priority=True, id="reader.doc_stance"),
        Binding("ctrl+n", "next_document", "Next unfinished document", show=False,
                priority=True, id="reader.next_document"),
        Binding("p", "toggle_side", "Side panel", show=False, priority=True, id="reader.side"),
        Binding("o", "toggle_others", "Others' claims", show=False,
                priority=True, id="reader.others"),
        Binding("l", "label_entity", "Entity", tooltip="Add, relabel or remove an entity",
                priority=True, id="reader.entity"),
        Binding("L", "remove_entity", "Remove entity", show=False,
                priority=True, id="reader.remove_entity"),
        Binding("E", "toggle_labels", "Entity labels", show=False,
                tooltip="Show / hide each entity's type after it in the text",
                priority=True, id="reader.labels"),
        Binding("r", "respan_claim", "Adjust claim span", show=False,
                tooltip="Select the claim's span; change it with shift+arrows, r again applies",
                priority=True, id="reader.respan"),
        Binding("m", "mention(1)", "Next mention", show=False,
                priority=True, id="reader.next_mention"),
        Binding("M", "mention(-1)", "Previous mention", show=False,
                priority=True, id="reader.prev_mention"),
        Binding("tab", "focus_side", "Claims list", show=False,
                priority=True, id="reader.focus_side"),
        Binding("q", "back", "Back", priority=True, id="reader.back"),
    ]

    def __init__(self, doc_id: str, offset: int | None = None) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.start_offset = offset
        self.document: Document | None = None
        self.claims: list[Claim] = []
        self.entities: list[Entity] = []
        self._highlighted_claim: str | None = None
        self.view = DocumentView(ClaimStyles(self.app.schema), self.app.store.annotator, id="doc")
        self.matches: list[tuple[int, int]] = []
        self.search_query = ""
        self.doc_stance = ""
        self.all_claims: list[Claim] = []
        self.show_others = False
        self.side_wanted: bool | None = None  # None: automatic, by terminal width (p decides)
        self.doc_status = ""
        self.queue = (0, 0)  # position in the library order and its length
        self.unfinished = 0  # documents to do or in progress, this one included
        self._mentions: dict[str, list[int]] = {}
        self._note = ""  # a one-off message shown in the status line until the cursor moves
        self._note_at: int | None = None
        self.respan: Claim | None = None  # the claim whose span is being adjusted (r)
        store = self.app.store
        self.view.show_labels = store.setting(LABELS_SETTING + store.annotator) == "on"

    def compose(self) -> ComposeResult:
        yield Static("", id="reader-header")
        with Horizontal():
            yield self.view
            with Vertical(id="side"):
                yield Static("Claims", id="claims-title", classes="side-title")
                yield ClaimList(id="claims")
                yield Static("Entities", id="entities-title", classes="side-title")
                yield EntityLegend(id="legend")
                yield EntityList(id="entities")
        yield SaveState(id="save-state")
        yield Static("Loading…", id="status")
        yield Footer()


    def on_mount(self) -> None:
        self.view.focus()
        self._fit_side(self.app.size.width)
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_side(event.size.width)

    def _fit_side(self, width: int) -> None:
        """Hide the side panel on narrow terminals unless ``p`` asked for it."""
        side = self.query_one("#side")
        side.display = self.side_wanted if self.side_wanted is not None else width >= NARROW

    # -- loading ----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        store = self.app.store
        doc = store.document(self.doc_id)
        claims = self.app.saves.shown_claims(doc.id, store.claims(doc.id), doc.text)
        position = store.position(doc.id)
        self._read_queue()
        kept = self.app.saves.kept_state(doc.id)  # set here earlier, waiting for a retry
        self.doc_stance = kept.get("stance", store.doc_stance(doc.id))
        if "status" in kept:
            self.unfinished += (kept["status"] in UNFINISHED) - (self.doc_status in UNFINISHED)
            self.doc_status = kept["status"]
        for _ in range(200):  # the view gets its size on the first layout, within a frame or two
            if self.view.text_width:
                break
            time.sleep(0.005)
        width = self.view.text_width
        start = self.start_offset if self.start_offset is not None else position
        # A long text shows its first screens at once and is wrapped in full just after.
        quick = start < FIRST_LAYOUT_CHARS < len(doc.text)
        prepared = DocumentView.prepare(doc.text, width, FIRST_LAYOUT_CHARS if quick else None)
        self.app.call_from_thread(self._loaded, doc, claims, position, prepared)
        if quick:
            full = Layout(prepared[0], width)
            self.app.call_from_thread(self.view.complete_layout, full)
        cached = store.cached_entities(doc.id, self.app.recognizer.key)
        edits = self._corrections(doc.id, doc.text)
        if cached is not None:
            shown = entity_edits.apply_corrections(cached, edits)
            self.app.call_from_thread(self._entities_arrived, shown, True)
        else:
            found: list[Entity] = []
            for batch in recognize_in_chunks(self.app.recognizer, doc.text):
                found.extend(batch)
                shown = entity_edits.apply_corrections(found, edits)
                self.app.call_from_thread(self._entities_arrived, shown, False)
            self._cache(doc.id, found)
            shown = entity_edits.apply_corrections(found, edits)
            self.app.call_from_thread(self._entities_arrived, shown, True)

    def _corrections(self, doc_id: str, text: str) -> list[entity_edits.Correction]:
        """The stored entity corrections, and over them those still waiting for a retry."""
        edits = {(c.start, c.end): c for c in entity_edits.corrections(self.app.store, doc_id)}
        for start, end, label in self.app.saves.kept_entity_edits(doc_id):
            edits[start, end] = entity_edits.Correction("", doc_id, start, end, label,
                                                        text[start:end])
        return list(edits.values())

    def _cache(self, doc_id: str, found: list[Entity]) -> None:
        """Keep the recognized entities for next time; a failed write only costs that."""
        try:
            self.app.store.cache_entities(doc_id, self.app.recognizer.key, found,
                                          wait=CACHE_WAIT_SECONDS)
        except (sqlite3.Error, AnnottyError, OSError) as exc:
            log.info("entity cache for %s not written: %s", doc_id, exc)

    def _read_queue(self) -> None:
        """This document's status and place in the library order (worker thread, on open)."""
        docs = self.app.store.documents()
        ids = [d.id for d in docs]
        here = ids.index(self.doc_id) + 1 if self.doc_id in ids else 0
        self.unfinished = sum(1 for d in docs if d.status in UNFINISHED)
        self.doc_status = next((d.status for d in docs if d.id == self.doc_id), "todo")
        self.queue = (here, len(docs))

    def _read_status(self) -> None:
        """After a change: this document's status again; the unfinished count follows it
        (one row read, not the whole library)."""
        status = self.app.store.status(self.doc_id)
        self.unfinished += (status in UNFINISHED) - (self.doc_status in UNFINISHED)
        self.doc_status = status

    def _update_header(self) -> None:
        if self.document is None:
            return
        header = Text(no_wrap=True, overflow="ellipsis", end="")
        header.append(display(self.document.title) or self.doc_id, style="bold")
        here, total = self.queue
        header.append(f"  {self.doc_status.replace('_', ' ')}  {here}/{total} · "
                      f"{self.unfinished} unfinished")
        self.query_one("#reader-header", Static).update(header)

    def _loaded(self, doc: Document, claims: list[Claim], position: int,
                prepared: tuple[str, Layout | None]) -> None:
        self.document = doc
        self.title = doc.title
        self._update_header()
        view = self.view
        view.load(doc.text, self.start_offset if self.start_offset is not None else position,
                  prepared)
        self._show_claims(claims)
        self._update_status()

    def _entities_arrived(self, entities: list[Entity], done: bool) -> None:
        self.entities = entities
        self.view.set_entities(entities)
        if done and self.document is not None:
            text = self.document.text
            mentions: dict[str, list[int]] = {}
            for entity in sorted(entities, key=lambda e: e.start):
                mentions.setdefault(text[entity.start:entity.end], []).append(entity.start)
            self._mentions = mentions
            self.query_one(EntityList).show(text, entities)
            self.query_one(EntityLegend).show(entities)
            self.query_one("#entities-title", Static).update(f"Entities ({len(entities)})")
            self._update_status()

    def _show_claims(self, claims: list[Claim]) -> None:
        """Show this annotator's claims, and with ``o`` everyone's (others' drawn apart)."""
        self.all_claims = claims
        me = self.app.store.annotator
        shown = [c for c in claims if self.show_others or c.annotator == me]
        self.claims = sorted(shown, key=lambda c: (c.start, c.end))
        self.view.set_claims(self.claims)
        colours = {lab.name: lab.colour for lab in self.app.schema.stances}
        self.query_one(ClaimList).show(self.claims, colours)
        others = len(claims) - sum(1 for c in claims if c.annotator == me)
        title = f"Claims ({len(self.claims)})"
        if others and not self.show_others:
            title += f" · {others} by others (o)"
        self.query_one("#claims-title", Static).update(title)
        self._update_status()  # the claim under the cursor may have changed or gone

    # -- status line ------------------------------------------------------------------------
    def claim_at_cursor(self) -> Claim | None:
        """The innermost claim under the cursor, this annotator's before others'."""
        here = self.view.claims.at(self.view.cursor)
        me = self.app.store.annotator
        return min(here, key=lambda c: (c.annotator != me, c.end - c.start),  # type: ignore
                   default=None)

    def own_claim_at_cursor(self) -> Claim | None:
        claim = self.claim_at_cursor()
        if claim is not None and claim.annotator != self.app.store.annotator:
            self.notify(f"That claim is {claim.annotator}'s; you can only change your own.",
                        severity="warning")
            return None
        return claim

    @on(DocumentView.CursorMoved)
    def _cursor_moved(self, event: DocumentView.CursorMoved) -> None:
        if self._note_at is not None and event.offset != self._note_at:
            self._note, self._note_at = "", None
        if self.respan is not None and self.view.selection is None:  # now, not when posted
            self.respan = None
            self._note = "Span adjustment cancelled."
        self._update_status()
        claim = self.claim_at_cursor()
        if claim is not None and claim.id != self._highlighted_claim:
            self._highlighted_claim = claim.id
            self.query_one(ClaimList).highlight_id(claim.id)

    def _update_status(self) -> None:
        view = self.view
        if self.document is None:
            return
        parts = Text()
        total = max(1, len(view.text))
        line, column = view.line_column(view.cursor)
        parts.append(f"{line}:{column} ({100 * view.cursor // total}%)")
        if self.respan is not None:
            parts.append("  new span: shift+arrows/W/B, ^x other end, r applies, esc cancels",
                         style="bold")
        if view.selection:
            start, end = view.selection
            parts.append(f"  selected {end - start} chars: “{snippet(view.text[start:end], 40)}”",
                         style="reverse")
        claim = self.claim_at_cursor()
        if claim is not None:
            who = "" if claim.annotator == self.app.store.annotator else f" ({claim.annotator})"
            parts.append(f"  claim{who}: {claim.claim_type}, {claim.stance}")
            if claim.target:
                parts.append(f" → {snippet(claim.target, 30)}")
            if claim.speaker:
                parts.append(f", said by {snippet(claim.speaker, 20)}")
        if self.matches:
            count = len(self.matches)
            parts.append(f"  /{snippet(self.search_query, 20)}: {count} "
                         f"{'match' if count == 1 else 'matches'}")
        if self.doc_stance:
            parts.append(f"  document stance: {self.doc_stance}")
        entity = self.entity_at_cursor()
        if entity is not None:
            parts.append(f"  [{entity.label}]", style="bold")
            starts = self._mentions.get(view.text[entity.start:entity.end], [])
            if len(starts) > 1 and entity.start in starts:
                parts.append(f" mention {starts.index(entity.start) + 1} of {len(starts)}"
                             " (m/M)")
        if self._note:
            parts.append(f"  {self._note}", style="italic")
        self.query_one("#status", Static).update(parts)

    # -- claims -----------------------------------------------------------------------------
    def speakers(self) -> list[str]:
        if self.document is None:
            return []
        text = self.document.text
        return [text[e.start:e.end] for e in self.entities if e.label in SPEAKER_LABELS]

    async def action_tag_claim(self) -> None:
        span = self.view.selection
        if span is None or self.document is None:
            self.notify("Select text first: s selects the sentence, shift+arrows extend.",
                        severity="warning")
            raise SkipAction()  # nothing to tag: the key falls through
        start, end = span
        quote = self.document.text[start:end]

        def saved(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.save_claim(None, start, end, values)

        # awaited: the keys typed after ``c`` are routed once the form is mounted and focused
        await self.app.push_screen(ClaimForm(self.app.schema, quote, speakers=self.speakers()),
                                   saved)

    async def action_edit_claim(self) -> None:
        claim = self.own_claim_at_cursor()
        if claim is None:
            self.notify("No claim under the cursor ( ] jumps to the next one).")
            raise SkipAction()
        fields = ("claim_type", "stance", "target", "speaker", "attribution", "checkworthy",
                  "note")
        initial = {f: getattr(claim, f) for f in fields}

        def saved(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.save_claim(claim.id, claim.start, claim.end, values)

        await self.app.push_screen(ClaimForm(self.app.schema, claim.quote, initial,
                                             self.speakers(), title="Edit claim"), saved)

    @work(thread=True, group="save")
    def save_claim(self, claim_id: str | None, start: int, end: int,
                   values: dict[str, Any]) -> None:
        store, saves = self.app.store, self.app.saves  # saves: kept and retried if they fail
        if claim_id is None:
            labels = {k: v for k, v in values.items() if k != "claim_type"}
            saved = saves.add_claim(self.doc_id, start, end, values["claim_type"], **labels)
            if self.doc_status == "todo" and store.status(self.doc_id) == "todo":
                # after the claim, in the same queue: kept with it if the save fails
                saves.set_status(self.doc_id, "in_progress")
                self.doc_status = "in_progress"
        else:
            saved = saves.update_claim(claim_id, **values)
        message = "Claim saved." if saved is not None else self._not_saved()
        self.app.call_from_thread(self._after_change, message, True)

    def action_respan_claim(self) -> None:
        """First ``r``: select the claim's span to adjust; ``r`` again: give it the selection."""
        if self.respan is None:
            claim = self.own_claim_at_cursor()
            if claim is None:
                self.notify("No claim of yours under the cursor ( ] jumps to the next one).")
                return
            self.view.select(claim.start, claim.end)
            self.respan = claim  # set after select: moving the cursor cancels a pending one
            self._update_status()
            return
        claim, span = self.respan, self.view.selection
        self.respan = None
        if span is None:
            self.notify("Nothing selected: the claim keeps its span.", severity="warning")
        elif span == (claim.start, claim.end):
            self.notify("The span is unchanged.")
        else:
            self.save_span(claim.id, *span)
        self._update_status()

    @work(thread=True, group="save")
    def save_span(self, claim_id: str, start: int, end: int) -> None:
        saved = self.app.saves.update_claim(claim_id, start=start, end=end)  # kept if it fails
        message = "Claim span changed (u to undo)." if saved else self._not_saved()
        self.app.call_from_thread(self._after_change, message, True)

    def action_delete_claim(self) -> None:
        claim = self.own_claim_at_cursor()
        if claim is None:
            self.notify("No claim under the cursor.")
            return
        self.delete_claim(claim.id)

    @work(thread=True, group="save")
    def delete_claim(self, claim_id: str) -> None:
        done = self.app.saves.delete_claim(claim_id)  # kept and retried if it fails
        message = "Claim deleted (u to undo)." if done else self._not_saved()
        self.app.call_from_thread(self._after_change, message, False)

    @work(thread=True, group="save")
    def reload_claims(self, message: str = "") -> None:
        claims = self.app.store.claims(self.doc_id)
        if self.document is not None:  # with the work still waiting for a retry
            claims = self.app.saves.shown_claims(self.doc_id, claims, self.document.text)
        if not self.app.saves.unsaved:  # else the status shown may be one still kept
            self._read_status()
        self.app.call_from_thread(self._show_claims, claims)
        self.app.call_from_thread(self._update_header)
        if message:
            self.app.call_from_thread(self.notify, message)

    def _not_saved(self) -> str:
        """What a toast says of a save that was kept rather than saved."""
        return NOT_SAVABLE if self.app.saves.blocked else NOT_SAVED

    def _after_change(self, message: str, clear_selection: bool) -> None:
        if clear_selection:
            self.view.action_clear_selection()
        self.reload_claims(message)

    @work(thread=True, group="save")
    def action_undo(self) -> None:
        self._history_step(self.app.store.undo, "Undid", "Nothing to undo.")

    @work(thread=True, group="save")
    def action_redo(self) -> None:
        self._history_step(self.app.store.redo, "Redid", "Nothing to redo.")

    def _history_step(self, step: Any, verb: str, nothing: str) -> None:
        try:
            entry = step(self.doc_id)
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        except (sqlite3.OperationalError, AnnottyError) as exc:  # locked, full, read-only
            said = f"{verb.replace('did', 'do')} not done, nothing changed: {exc}"
            self.app.call_from_thread(self.notify, display(said), severity="error",
                                      markup=False)
            return
        message = (nothing if entry is None
                   else f"{verb} {entry['action']} of {thing(entry['kind'])}.")
        self.app.call_from_thread(self._after_change, message, False)
        if entry is not None and entry["kind"] != "claim":
            self.reload_entities()

    def _jump(self, forward: bool) -> None:
        pos = self.view.cursor
        starts = sorted({c.start for c in self.claims})
        target = next((s for s in starts if s > pos), None) if forward else next(
            (s for s in reversed(starts) if s < pos), None)
        if target is None:
            self.notify("No more claims that way.")
            return
        self.view.anchor = None
        self.view.cursor = target
        self.view.scroll_to_cursor(center=True)

    def action_next_claim(self) -> None:
        self._jump(True)

    def action_prev_claim(self) -> None:
        self._jump(False)

    @on(ClaimList.Chosen)
    def _claim_chosen(self, event: ClaimList.Chosen) -> None:
        self.view.anchor = None
        self.view.cursor = event.claim.start
        self.view.scroll_to_cursor(center=True)
        self.view.focus()

    # -- entity corrections ---------------------------------------------------------------------
    def entity_at_cursor(self) -> Entity | None:
        here = self.view.entities.at(self.view.cursor)
        return min(here, key=lambda e: e.end - e.start) if here else None  # type: ignore

    async def action_label_entity(self) -> None:
        """On a selection: add an entity. On an entity: relabel or remove it."""
        span = self.view.selection
        entity = None if span else self.entity_at_cursor()
        if span is None and entity is None:
            self.notify("Select the name first (w/W, shift+arrows), or put the cursor on an "
                        "entity.", severity="warning")
            raise SkipAction()
        start, end = span if span else (entity.start, entity.end)  # type: ignore[union-attr]
        quote = self.view.text[start:end]

        def chosen(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.correct_entity(start, end, values)

        await self.app.push_screen(EntityForm(quote, entity.label if entity else "",
                                              can_remove=entity is not None), chosen)

    def action_remove_entity(self) -> None:
        entity = self.entity_at_cursor()
        if entity is None:
            self.notify("No entity under the cursor.")
            return
        self.correct_entity(entity.start, entity.end, {"remove": True, "scope": "here"})

    @work(thread=True, group="save")
    def correct_entity(self, start: int, end: int, values: dict[str, Any]) -> None:
        store, app = self.app.store, self.app
        name = self.view.text[start:end]
        label = None if values.get("remove") else values["label"]
        try:  # kept and retried if the save fails, like a claim
            saved = app.saves.correct_entity(self.doc_id, start, end, label or "")
        except StoreError as exc:  # a bad label: nothing to keep
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        what = "removed" if label is None else label
        message = (f"{name!r}: {what} (u to undo)." if saved
                   else f"{name!r}: {what}. {self._not_saved()}")
        if values.get("scope") == "everywhere":
            if app.gazetteer is None:
                message += " No project gazetteer for an in-memory database."
            else:
                try:
                    entity_edits.apply_everywhere(store, app.gazetteer, name, label)
                    app.reload_recognizer()
                    message += " " + entity_edits.everywhere_note(
                        app.recognizer, app.gazetteer.name, name, label)
                except (OSError, AnnottyError) as exc:  # the gazetteer file, not the database
                    message += (f" Not added to {app.gazetteer.name}: "
                                f"{getattr(exc, 'strerror', None) or exc}")
        self.app.call_from_thread(self.notify, display(message), markup=False)
        self.reload_entities()  # a kept correction shows too; the database gets it later

    @work(thread=True, exclusive=True, group="entities")
    def reload_entities(self) -> None:
        doc = self.document
        if doc is None:
            return
        key = self.app.recognizer.key  # a new one after "apply everywhere": recognize again
        machine = self.app.store.cached_entities(doc.id, key)
        if machine is None:
            machine = self.app.recognizer.recognize(doc.text)
            self._cache(doc.id, machine)
        shown = entity_edits.apply_corrections(machine, self._corrections(doc.id, doc.text))
        self.app.call_from_thread(self._entities_arrived, shown, True)

    def action_mention(self, step: int) -> None:
        """Jump to the next (or previous) mention of the entity under the cursor."""
        entity = self.entity_at_cursor()
        if entity is None:
            self.notify("Put the cursor on an entity first.")
            return
        name = self.view.text[entity.start:entity.end]
        starts = self._mentions.get(name, [entity.start])
        if len(starts) < 2:
            # in the status line, not a toast: toasts pile up over the text when repeated
            self._note = f"“{snippet(name, 30)}” is mentioned once."
            self._note_at = self.view.cursor
            self._update_status()
            return
        later = [s for s in starts if s > entity.start]
        earlier = [s for s in starts if s < entity.start]
        target = (later or starts)[0] if step > 0 else (earlier or starts)[-1]
        self.view.anchor = None
        self.view.cursor = target  # the status line shows "mention i of n"
        self.view.scroll_to_cursor(center=True)

    # -- finding ----------------------------------------------------------------------------
    async def action_ask(self, mode: str) -> None:
        # awaited: the keys typed after ``/`` are routed once the prompt is mounted and focused
        if mode == "search":
            last = f" (enter alone: {self.search_query})" if self.search_query else ""
            await self.app.push_screen(
                Prompt("search", f"search this document{last}; escape cancels"),
                lambda value: self._answered("search", value or ""))
        else:
            await self.app.push_screen(
                Prompt("goto", "go to line number, or percentage like 50%"),
                lambda value: self._answered("goto", value or ""))

    def _answered(self, mode: str, value: str) -> None:
        self.view.focus()
        if mode == "search" and (value or self.search_query):
            self.search_query = value or self.search_query
            self.matches = find_all(self.view.text, self.search_query)
            self.view.set_matches([Entity(s, e, "MATCH") for s, e in self.matches])
            if not self.matches:
                self.notify(f"Not found: {self.search_query}", severity="warning")
            else:
                self.action_find(1, inclusive=True)
        elif mode == "goto" and value:
            offset = goto_offset(self.view.text, value)
            if offset is None:
                self.notify("Type a line number or a percentage such as 50%.")
                return
            self.view.anchor = None
            self.view.cursor = offset
            self.view.scroll_to_cursor(center=True)
        self._update_status()

    def action_find(self, step: int, inclusive: bool = False) -> None:
        if not self.matches:
            self.notify("Nothing to repeat: / searches.")
            return
        pos = self.view.cursor
        starts = [s for s, _ in self.matches]
        if step > 0:
            target = next((s for s in starts if s > pos or (inclusive and s == pos)), starts[0])
        else:
            target = next((s for s in reversed(starts) if s < pos), starts[-1])
        self.view.anchor = None
        self.view.cursor = target
        self.view.scroll_to_cursor(center=True)

    # -- document -----------------------------------------------------------------------------
    @work(thread=True, group="save")
    def action_set_status(self, status: str) -> None:
        saved = self.app.saves.set_status(self.doc_id, status)  # kept and retried if it fails
        self.unfinished += (status in UNFINISHED) - (self.doc_status in UNFINISHED)
        self.doc_status = status
        self.app.call_from_thread(self._update_header)
        said = f"Document marked {status.replace('_', ' ')}."
        self.app.call_from_thread(self.notify, said if saved else f"{said} {self._not_saved()}")

    @work(thread=True, group="save")
    def action_cycle_doc_stance(self) -> None:
        names = ["", *(lab.name for lab in self.app.schema.stances)]
        current = self.doc_stance  # as last set here, even while that save is kept
        following = names[(names.index(current) + 1) % len(names)] if current in names else ""
        self.doc_stance = following
        saved = self.app.saves.set_doc_stance(self.doc_id, following)
        self.app.call_from_thread(self._update_status)
        said = f"Document stance: {following or 'not set'} (v cycles)."
        self.app.call_from_thread(self.notify, said if saved else f"{said} {self._not_saved()}")

    def action_next_document(self) -> None:
        self.app.open_next_unfinished(after=self.doc_id, replace=True)  # unmount saves position

    def action_toggle_labels(self) -> None:
        """Inline entity labels on or off, remembered per annotator (written in a thread)."""
        on = not self.view.show_labels
        self.view.set_labels(on)
        key, store = LABELS_SETTING + self.app.store.annotator, self.app.store
        self.run_worker(lambda: store.set_setting(key, "on" if on else "off"), thread=True,
                        group="labels-setting", exit_on_error=False)

    def action_toggle_others(self) -> None:
        self.show_others = not self.show_others
        self._show_claims(self.all_claims)
        self.notify("Showing everyone's claims (others' in dim italics)." if self.show_others
                    else "Showing only your claims.")

    def on_store_changed(self, message: StoreChanged) -> None:
        if self.doc_id in message.changes.doc_ids:
            self.reload_claims()
            others = message.changes.annotators - {self.app.store.annotator}
            if others:
                self.notify(f"{', '.join(sorted(others))} changed claims in this document.")

    def action_toggle_side(self) -> None:
        side = self.query_one("#side")
        self.side_wanted = not side.display
        side.display = self.side_wanted

    def action_focus_side(self) -> None:
        claims = self.query_one(ClaimList)
        if claims.has_focus:
            self.view.focus()
        else:
            self.side_wanted = True
            self.query_one("#side").display = True
            claims.focus()

    def on_unmount(self) -> None:
        """Remember where the reader was, off the event loop (a stopped writer must not freeze
        the app, and a failure only loses the position)."""
        if self.document is not None:
            self.app.save_position(self.doc_id, self.view.cursor)

    def action_back(self) -> None:
        self.dismiss(None)
