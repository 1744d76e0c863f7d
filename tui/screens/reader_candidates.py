"""The reader's claim candidates: suggested in a worker, drawn dimly, accepted or rejected.

When the document's entities are in, a thread worker scores its sentences with the built-in
suggester (once per set of entities) and keeps those at or above the threshold that have no
decision yet and touch none of this annotator's claims; every claim change filters them again,
so an undo brings a candidate back. Accepting and rejecting call the store from a thread worker:
the store writes the claim and its decision in one transaction and one undo step, which the
``SaveQueue`` (one claim or field per save, replayed by claim id) cannot keep as one piece. A
failed decision is therefore not kept: the toast says so and the candidate stays to decide again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.actions import SkipAction
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from annotations.errors import AnnottyError
from annotations.model import Document, Entity
from annotations.screen_text import screen_safe
from annotations.store import StoreError
from annotations.suggest.builtin import DEFAULT_THRESHOLD, BuiltinSuggester
from annotations.suggest.candidate import Candidate, open_candidates
from annotations.suggest.units import units
from tui.widgets.claim_form import ClaimForm
from tui.widgets.document_view import DocumentView
from tui.widgets.side_lists import CandidateList

if TYPE_CHECKING:
    from tui.app import AnnottyApp

FAILURES = (StoreError, AnnottyError, sqlite3.Error, OSError)


class CandidateActions(Screen[None]):
    """Part of ``ReaderScreen``: claim candidates, from scoring to decision."""

    app: AnnottyApp
    view: DocumentView
    document: Document | None
    doc_id: str
    doc_status: str
    entities: list[Entity]
    jump_to: Callable[[int], None]
    speakers: Callable[[], list[str]]
    _read_status: Callable[[], None]
    _update_header: Callable[[], None]
    _update_status: Callable[[], None]

    candidates: list[Candidate]
    _scored: list[Candidate] | None
    _scored_for: list[Entity]
    _entities_ready: bool

    def candidates_ready(self) -> None:
        """The entities are complete: score the sentences, unless these entities were scored
        already (an undo reloads the same entities)."""
        self._entities_ready = True
        self.score_candidates(self.entities)

    @work(thread=True, exclusive=True, group="candidate-scores")
    def score_candidates(self, entities: list[Entity]) -> None:
        """Score every sentence, off the event loop (seconds for 10 MB); then filter and show.
        A claim saved meanwhile does not restart this: filtering is another worker."""
        if self.document is None:
            return
        if self._scored is not None and entities == self._scored_for:  # compared here: 100,000
            self.app.call_from_thread(self.refresh_candidates)  # entities take a while
            return
        types = [label.name for label in self.app.schema.claim_types]
        suggester = BuiltinSuggester(claim_types=types)
        text = self.document.text
        found = suggester.score_units(text, units(text), entities)
        if get_current_worker().is_cancelled:  # newer entities came: their scoring shows
            return
        self._scored = [c for c in found if c.score >= DEFAULT_THRESHOLD]
        self._scored_for = entities
        self.app.call_from_thread(self.refresh_candidates)

    @work(thread=True, exclusive=True, group="candidates")
    def refresh_candidates(self) -> None:
        """Keep the scored candidates that are still open (after any claim change)."""
        scored = self._scored
        if not self._entities_ready or scored is None:
            return  # scoring is under way and shows its result when done
        store = self.app.store
        try:
            decided = store.decided_spans(self.doc_id)
            mine = sorted(
                (c.start, c.end)
                for c in store.claims(self.doc_id)
                if c.annotator == store.annotator
            )
        except FAILURES:  # the database is busy or gone: show nothing rather than stale ones
            decided, mine = set(), []
        found = open_candidates(scored, decided, mine, DEFAULT_THRESHOLD)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_candidates, found)

    def _show_candidates(self, candidates: list[Candidate]) -> None:
        self.candidates = candidates
        self.view.set_candidates(candidates)
        text = self.document.text if self.document is not None else ""
        self.query_one(CandidateList).show(text, candidates)
        self.query_one("#candidates-title", Static).update(f"Candidates ({len(candidates)})")
        self._update_status()  # the candidate under the cursor may have come or gone

    def candidate_at_cursor(self) -> Candidate | None:
        pos = self.view.cursor
        return next((c for c in self.candidates if c.start <= pos < c.end), None)

    def _candidate_jump(self, forward: bool) -> None:
        pos = self.view.cursor
        starts = [c.start for c in self.candidates]
        target = (
            next((s for s in starts if s > pos), None)
            if forward
            else next((s for s in reversed(starts) if s < pos), None)
        )
        if target is None:
            self.notify("No more candidates that way.")
            return
        self.jump_to(target)
        self.query_one(CandidateList).highlight_at(target)

    def action_next_candidate(self) -> None:
        self._candidate_jump(True)

    def action_prev_candidate(self) -> None:
        self._candidate_jump(False)

    def _wanted(self) -> Candidate:
        candidate = self.candidate_at_cursor()
        if candidate is None:
            key = self.app.key("reader.next_candidate")
            self.notify(f"No candidate under the cursor ({key} jumps to the next one).")
            raise SkipAction()
        return candidate

    def action_accept_candidate(self) -> None:
        self.decide_candidate(self._wanted(), True)

    async def action_accept_candidate_form(self) -> None:
        candidate = self._wanted()
        if self.document is None:
            return
        quote = self.document.text[candidate.start : candidate.end]
        initial = {"claim_type": candidate.claim_type, "speaker": candidate.speaker}

        def saved(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.decide_candidate(candidate, True, values)

        # awaited, like the claim form of ``c``: the keys typed next go to the form
        await self.app.push_screen(
            ClaimForm(self.app.schema, quote, initial, self.speakers(), title="Accept candidate"),
            saved,
        )

    def action_reject_candidate(self) -> None:
        self.decide_candidate(self._wanted(), False)

    @work(thread=True, group="save")
    def decide_candidate(
        self, candidate: Candidate, accept: bool, values: dict[str, Any] | None = None
    ) -> None:
        """Accept (a claim and the decision, one undo step) or reject (the decision alone)."""
        store = self.app.store
        proposal: dict[str, Any] = {
            "score": candidate.score,
            "claim_type": candidate.claim_type,
            "speaker": candidate.speaker,
            "suggester": BuiltinSuggester.key,
        }
        try:
            if accept:
                store.accept_candidate(
                    self.doc_id, candidate.start, candidate.end, claim_fields=values, **proposal
                )
            else:
                store.reject_candidate(self.doc_id, candidate.start, candidate.end, **proposal)
        except FAILURES as exc:
            said = f"Not saved: {exc}. The candidate stays: decide it again."
            self.app.call_from_thread(
                self.notify, screen_safe(said), severity="error", markup=False
            )
            return
        if accept and self.doc_status == "todo" and store.status(self.doc_id) == "todo":
            self.app.saves.set_status(self.doc_id, "in_progress")  # as a tagged claim does
            self.doc_status = "in_progress"
        undo = self.app.key("reader.undo")
        said = "Claim saved from the candidate" if accept else "Candidate rejected"
        self.app.call_from_thread(self._decided, candidate, f"{said} ({undo} to undo).")

    def _decided(self, candidate: Candidate, message: str) -> None:
        """The decision is saved: the candidate goes at once; the claims reload (and with them
        the candidates, filtered again)."""
        self._show_candidates([c for c in self.candidates if c != candidate])
        self.reload_claims(message)

    if TYPE_CHECKING:  # ``ClaimActions`` has it

        def reload_claims(self, message: str = "") -> Any: ...

    @on(CandidateList.Chosen)
    def _candidate_chosen(self, event: CandidateList.Chosen) -> None:
        self.jump_to(event.candidate.start)
        self.view.focus()
