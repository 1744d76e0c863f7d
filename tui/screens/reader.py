"""The reader: one document, its entities and claims; tag, edit, delete, undo.

Loading, recognizing and saving run in thread workers; results come back to the event loop
with ``call_from_thread``, so a 10 MB document shows at once and entities paint in as they come.
Annotation work (claims, the document's status and stance, entity corrections) is saved through
the app's ``SaveQueue``: a save that fails is kept, journaled and retried, never lost. The
entity cache and the reading position are not work: their writes fail quietly.

The screen is one class made of parts, one module each: ``reader_claims`` (claim actions,
undo/redo), ``reader_candidates`` (suggested claims: accept, reject), ``reader_entities``
(entity corrections, mentions), ``reader_find`` (the ``/`` and ``:`` prompts) and
``reader_status`` (header and status line). Every jump goes through
``jump_to``. This module holds the keys, the layout, loading and the document's own state.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from annotations.entities import corrections, recognize_in_chunks
from annotations.model import Claim, Document, Entity
from annotations.screen_text import WrappedText
from annotations.suggest.builtin import DEFAULT_THRESHOLD, BuiltinSuggester
from annotations.suggest.candidate import Candidate
from tui.messages import StoreChanged
from tui.screens.comments import claim_marks, open_in_reader
from tui.screens.reader_candidates import CandidateActions
from tui.screens.reader_claims import ClaimActions
from tui.screens.reader_entities import LABELS_SETTING, EntityActions
from tui.screens.reader_find import FindPrompt
from tui.screens.reader_status import StatusLine
from tui.screens.reader_timing import TimeKeeping
from tui.screens.reader_versions import anchor_marks, merged
from tui.screens.worker_results import deliver
from tui.styles import ClaimStyles
from tui.widgets.document_view import DocumentView
from tui.widgets.save_state import SaveState
from tui.widgets.side_lists import CandidateList, ClaimList, EntityLegend, EntityList

if TYPE_CHECKING:
    from tui.app import AnnottyApp

FIRST_LAYOUT_CHARS = 200_000  # wrapped before the first paint; the rest right after
UNFINISHED = ("todo", "in_progress")
NARROW = 80  # below this many columns the side panel hides itself (p still shows it)
log = logging.getLogger(__name__)


class ReaderScreen(
    ClaimActions, CandidateActions, FindPrompt, EntityActions, StatusLine, TimeKeeping
):
    app: AnnottyApp

    # priority: a reader key acts when Textual routes it, before the keys typed after it;
    # so ``s c 3 a`` in one burst selects, opens the form, and the form gets ``3 a``
    BINDINGS = [
        Binding(
            "c",
            "tag_claim",
            "Claim",
            tooltip="Tag the selection as a claim",
            priority=True,
            id="reader.claim",
        ),
        Binding(
            "e",
            "edit_claim",
            "Edit",
            tooltip="Edit the claim under the cursor",
            priority=True,
            id="reader.edit",
        ),
        Binding(
            "d",
            "delete_claim",
            "Delete",
            tooltip="Delete the claim under the cursor",
            priority=True,
            id="reader.delete",
        ),
        Binding(
            "right_square_bracket",
            "next_claim",
            "Next claim",
            show=False,
            priority=True,
            id="reader.next_claim",
        ),
        Binding(
            "left_square_bracket",
            "prev_claim",
            "Previous claim",
            show=False,
            priority=True,
            id="reader.prev_claim",
        ),
        Binding(
            "right_curly_bracket",
            "next_candidate",
            "Next candidate",
            show=False,
            priority=True,
            id="reader.next_candidate",
        ),
        Binding(
            "left_curly_bracket",
            "prev_candidate",
            "Previous candidate",
            show=False,
            priority=True,
            id="reader.prev_candidate",
        ),
        Binding(
            "y",
            "accept_candidate",
            "Accept",
            tooltip="Save the candidate under the cursor as a claim, as suggested",
            priority=True,
            id="reader.accept_candidate",
        ),
        Binding(
            "Y",
            "accept_candidate_form",
            "Accept with form",
            show=False,
            tooltip="Accept the candidate under the cursor through the claim form, pre-filled",
            priority=True,
            id="reader.accept_candidate_form",
        ),
        Binding(
            "z",
            "reject_candidate",
            "Reject candidate",
            show=False,
            tooltip="Record that the candidate under the cursor holds no claim",
            priority=True,
            id="reader.reject_candidate",
        ),
        Binding("u,ctrl+z", "undo", "Undo", priority=True, id="reader.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, priority=True, id="reader.redo"),
        Binding("slash", "ask('search')", "Search", show=False, priority=True, id="reader.search"),
        Binding("n", "find(1)", "Next match", show=False, priority=True, id="reader.next_match"),
        Binding(
            "N", "find(-1)", "Previous match", show=False, priority=True, id="reader.prev_match"
        ),
        Binding(
            "colon", "ask('goto')", "Go to line or %", show=False, priority=True, id="reader.goto"
        ),
        Binding(
            "x", "set_status('done')", "Mark done", show=False, priority=True, id="reader.done"
        ),
        Binding(
            "X",
            "set_status('skipped')",
            "Mark skipped",
            show=False,
            priority=True,
            id="reader.skipped",
        ),
        Binding(
            "i",
            "set_status('in_progress')",
            "Mark in progress",
            show=False,
            priority=True,
            id="reader.in_progress",
        ),
        Binding(
            "t", "set_status('todo')", "Mark to do", show=False, priority=True, id="reader.todo"
        ),
        Binding(
            "v",
            "cycle_doc_stance",
            "Document stance",
            show=False,
            priority=True,
            id="reader.doc_stance",
        ),
        Binding(
            "ctrl+n",
            "next_document",
            "Next unfinished document",
            show=False,
            priority=True,
            id="reader.next_document",
        ),
        Binding("p", "toggle_side", "Side panel", show=False, priority=True, id="reader.side"),
        Binding(
            "o", "toggle_others", "Others' claims", show=False, priority=True, id="reader.others"
        ),
        Binding(
            "l",
            "label_entity",
            "Entity",
            tooltip="Add, relabel or remove an entity",
            priority=True,
            id="reader.entity",
        ),
        Binding(
            "L",
            "remove_entity",
            "Remove entity",
            show=False,
            priority=True,
            id="reader.remove_entity",
        ),
        Binding(
            "E",
            "toggle_labels",
            "Entity labels",
            show=False,
            tooltip="Show / hide each entity's type after it in the text",
            priority=True,
            id="reader.labels",
        ),
        Binding(
            "r",
            "respan_claim",
            "Adjust span",
            show=False,
            tooltip="Select the span of the claim (or candidate) under the cursor; change it with "
            "shift+arrows, r again applies (accepts a candidate)",
            priority=True,
            id="reader.respan",
        ),
        Binding(
            "m", "mention(1)", "Next mention", show=False, priority=True, id="reader.next_mention"
        ),
        Binding(
            "M",
            "mention(-1)",
            "Previous mention",
            show=False,
            priority=True,
            id="reader.prev_mention",
        ),
        Binding(
            "tab", "focus_side", "Claims list", show=False, priority=True, id="reader.focus_side"
        ),
        Binding(
            "C",
            "comments",
            "Comments",
            show=False,
            tooltip="The comment thread of the claim under the cursor (else of the document), "
            "and what others changed in it",
            priority=True,
            id="reader.comments",
        ),
        Binding(
            "equals_sign",
            "similar_claims",
            "Similar claims",
            show=False,
            tooltip="The claims most like the one under the cursor in other documents; link "
            "them as the same claim",
            priority=True,
            id="reader.similar",
        ),
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
        self.respan: Claim | Candidate | None = None  # what ``r`` is adjusting the span of
        self.candidates = []  # open claim candidates, in text order (``reader_candidates``)
        self._scored = None  # every unit over the threshold, scored for ``_scored_for``
        self._scored_for = ([], "")
        self._threshold = DEFAULT_THRESHOLD
        self._suggester_key = BuiltinSuggester.key
        self._entities_ready = False
        store = self.app.store
        self.view.show_labels = store.setting(LABELS_SETTING + store.annotator) == "on"

    def compose(self) -> ComposeResult:
        yield Static("", id="reader-header")
        with Horizontal():
            yield self.view
            with Vertical(id="side"):
                yield Static("Claims", id="claims-title", classes="side-title")
                yield ClaimList(id="claims")
                yield Static("Candidates", id="candidates-title", classes="side-title")
                yield CandidateList(id="candidates")
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
        self.start_timing()

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
        deliver(self, self._loaded, doc, claims, position, prepared)
        if quick:
            full = WrappedText(prepared[0], width)
            deliver(self, self.view.complete_layout, full)
        cached = store.cached_entities(doc.id, self.app.recognizer.key)
        edits = self._corrections(doc.id, doc.text)
        if cached is not None:
            shown = corrections.apply_corrections(cached, edits)
            deliver(self, self._entities_arrived, shown, True)
        else:
            found: list[Entity] = []
            for batch in recognize_in_chunks(self.app.recognizer, doc.text):
                found.extend(batch)
                shown = corrections.apply_corrections(found, edits)
                deliver(self, self._entities_arrived, shown, False)
            self._cache(doc.id, found)
            shown = corrections.apply_corrections(found, edits)
            deliver(self, self._entities_arrived, shown, True)

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

    def _loaded(
        self,
        doc: Document,
        claims: list[Claim],
        position: int,
        prepared: tuple[str, WrappedText | None],
    ) -> None:
        self.document = doc
        self.title = doc.title
        self._update_header()
        view = self.view
        view.load(
            doc.text, self.start_offset if self.start_offset is not None else position, prepared
        )
        self._show_claims(claims)
        self._update_status()

    def _entities_arrived(self, entities: list[Entity], done: bool) -> None:
        self.entities = entities
        self.view.set_entities(entities)
        if done and self.document is not None:
            text = self.document.text
            mentions: dict[str, list[int]] = {}
            for entity in sorted(entities, key=lambda e: e.start):
                mentions.setdefault(text[entity.start : entity.end], []).append(entity.start)
            self._mentions = mentions
            self.query_one(EntityList).show(text, entities)
            self.query_one(EntityLegend).show(entities)
            self.query_one("#entities-title", Static).update(f"Entities ({len(entities)})")
            self._update_status()
            self.candidates_ready()

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
            title += f" · {others} by others ({self.app.key('reader.others')})"
        self.query_one("#claims-title", Static).update(title)
        self._update_status()  # the claim under the cursor may have changed or gone
        self.refresh_candidates()  # a claim made, deleted or undone changes which stay open
        self.read_marks()

    @work(thread=True, exclusive=True, group="marks")
    def read_marks(self) -> None:
        """Which claims have comments, which of mine others changed, and which a new version
        of the article flagged (the list's marks)."""
        marks = merged(
            claim_marks(self.app.store, self.doc_id), anchor_marks(self.app.store, self.doc_id)
        )
        if not get_current_worker().is_cancelled:
            deliver(self, self._show_marks, marks)

    def _show_marks(self, marks: dict[str, Text]) -> None:
        """(On the app's thread: the DOM is not read from a worker.)"""
        self.query_one(ClaimList).set_marks(marks)

    def action_comments(self) -> None:
        open_in_reader(self)

    @on(DocumentView.CursorMoved)
    def _cursor_moved(self, event: DocumentView.CursorMoved) -> None:
        self.activity()
        self.selection_seen(self.view.selection)
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

    def jump_to(self, offset: int) -> None:
        """Put the cursor on ``offset`` (no selection) in the middle of the screen: every jump
        (claims, mentions, matches, go-to) goes through here."""
        self.view.selection_anchor = None
        self.view.cursor = offset
        self.view.scroll_to_cursor(center=True)

    @on(ClaimList.Chosen)
    def _claim_chosen(self, event: ClaimList.Chosen) -> None:
        self.jump_to(event.claim.start)
        self.view.focus()

    # -- document -----------------------------------------------------------------------------
    @work(thread=True, group="save")
    def action_set_status(self, status: str) -> None:
        saved = self.app.saves.set_status(self.doc_id, status)  # kept and retried if it fails
        self.unfinished += (status in UNFINISHED) - (self.doc_status in UNFINISHED)
        self.doc_status = status
        deliver(self, self._update_header)
        said = f"Document marked {status.replace('_', ' ')}."
        self.app.call_from_thread(self.notify, said if saved else f"{said} {self._not_saved()}")

    @work(thread=True, group="save")
    def action_cycle_doc_stance(self) -> None:
        names = ["", *(lab.name for lab in self.app.schema.stances)]
        current = self.doc_stance  # as last set here, even while that save is kept
        following = names[(names.index(current) + 1) % len(names)] if current in names else ""
        self.doc_stance = following
        saved = self.app.saves.set_doc_stance(self.doc_id, following)
        deliver(self, self._update_status)
        said = f"Document stance: {following or 'not set'} (v cycles)."
        self.app.call_from_thread(self.notify, said if saved else f"{said} {self._not_saved()}")

    def action_next_document(self) -> None:
        self.app.open_next_unfinished(after=self.doc_id, replace=True)  # unmount saves position

    def action_toggle_others(self) -> None:
        self.show_others = not self.show_others
        self._show_claims(self.all_claims)
        self.notify(
            "Showing everyone's claims (others' in dim italics)."
            if self.show_others
            else "Showing only your claims."
        )

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.changes.touches(self.doc_id):
            others = message.changes.annotators - {self.app.store.annotator}
            self.reload_claims(changed_by=", ".join(sorted(others)))

    def action_toggle_side(self) -> None:
        side = self.query_one("#side")
        self.side_wanted = not side.display
        side.display = self.side_wanted

    def action_focus_side(self) -> None:
        """``tab`` goes from the text to the claim list, on to the candidates, and back."""
        claims, candidates = self.query_one(ClaimList), self.query_one(CandidateList)
        if candidates.has_focus:
            self.view.focus()
        elif claims.has_focus:
            candidates.focus()
        else:
            self.side_wanted = True
            self.query_one("#side").display = True
            claims.focus()

    def on_unmount(self) -> None:
        """Remember where the reader was and the time not yet written, off the event loop (a
        stopped writer must not freeze the app, and a failure only loses the position)."""
        self.stop_timing()
        if self.document is not None:
            self.app.save_position(self.doc_id, self.view.cursor)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_similar_claims(self) -> None:
        from tui.screens.similar_claims import SimilarClaimsScreen

        claim = self.claim_at_cursor()
        if claim is None:
            self.notify("No claim under the cursor ( ] jumps to the next one).")
            return
        self.app.push_screen(
            SimilarClaimsScreen(claim.id, claim.doc_id, claim.quote), self._review_group
        )

    def _review_group(self, claim_id: str | None) -> None:
        """``g`` in the similar claims: review that claim's group of the same claim."""
        from annotations.review.filters import ReviewFilter
        from tui.screens.review import ReviewScreen

        if claim_id:
            self.app.push_screen(ReviewScreen(ReviewFilter(cluster=claim_id)))
