"""The reader's claim candidates: suggested in a worker, drawn dimly, accepted or rejected.

When the document's entities are in, a thread worker scores its sentences with the app's
suggester (the learned model once trained, else the built-in one; once per set of entities and
model) and keeps those at or above the threshold that have no decision yet and touch none of
this annotator's claims; every claim change filters them again, so an undo brings a candidate
back, and a retrained model scores them again. Accepting (the claim and its decision, one undo
step) and rejecting go through the app's ``SaveQueue`` like every other save: a decision that
fails is kept, journaled and retried, and its claim shows meanwhile. ``r`` on a candidate
selects its span to adjust before accepting.
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
from annotations.model import Claim, Document, Entity
from annotations.store import StoreError
from annotations.suggest.candidate import Candidate, open_candidates
from annotations.suggest.parallel import scored_over
from tui.messages import SuggesterChanged
from tui.screens.worker_results import deliver
from tui.widgets.claim_form import ClaimForm
from tui.widgets.document_view import DocumentView
from tui.widgets.side_lists import CandidateList

if TYPE_CHECKING:
    from annotations.timing import Stopwatch
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
    respan: Claim | Candidate | None
    _scored: list[Candidate] | None
    _scored_for: tuple[list[Entity], str]  # the entities and the suggester's key
    _entities_ready: bool
    _threshold: float

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
        suggester = self.app.claim_suggester()
        scored_for = (entities, suggester.key)
        if self._scored is not None and scored_for == self._scored_for:  # compared here:
            deliver(self, self.refresh_candidates)  # 100,000 entities take a while
            return
        text = self.document.text
        threshold = suggester.threshold
        # in this thread, a chunk at a time, without reasons (the reader shows none): scoring
        # in worker processes (``score_in_parts``) was no faster here on two cores, where the
        # app's own work shares them, and kept 64 MB more resident for a 10 MB document
        found = scored_over(suggester, text, entities, threshold, reasons=False)
        if get_current_worker().is_cancelled:  # newer entities came: their scoring shows
            return
        self._threshold = threshold
        self._scored = found
        self._scored_for = scored_for
        self._suggester_key = suggester.key
        deliver(self, self.refresh_candidates)

    @on(SuggesterChanged)
    def _suggester_changed(self) -> None:
        """A retrained model: score again (the worker sees the new key)."""
        if self._entities_ready:
            self.score_candidates(self.entities)

    @work(thread=True, exclusive=True, group="candidates")
    def refresh_candidates(self) -> None:
        """Keep the scored candidates that are still open (after any claim change)."""
        scored = self._scored
        if not self._entities_ready or scored is None:
            return  # scoring is under way and shows its result when done
        store, saves = self.app.store, self.app.saves
        text = self.document.text if self.document is not None else ""
        try:
            decided = store.decided_spans(self.doc_id) | saves.kept_decisions(self.doc_id)
            claims = saves.shown_claims(self.doc_id, store.claims(self.doc_id), text)
            mine = sorted((c.start, c.end) for c in claims if c.annotator == store.annotator)
        except FAILURES:  # the database is busy or gone: show nothing rather than stale ones
            decided, mine = set(), []
        found = open_candidates(scored, decided, mine, self._threshold)
        if not get_current_worker().is_cancelled:
            deliver(self, self._show_candidates, found)

    def _show_candidates(self, candidates: list[Candidate]) -> None:
        listed = self.query_one(CandidateList)
        title = self.query_one("#candidates-title", Static)
        self.candidates = candidates
        self.view.set_candidates(candidates)
        text = self.document.text if self.document is not None else ""
        listed.show(text, candidates)
        title.update(f"Candidates ({len(candidates)})")
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

    def _wanted(self) -> tuple[Candidate, tuple[int, int] | None]:
        """The candidate to decide, and the span the annotator gave it (``r``) if any."""
        if isinstance(self.respan, Candidate):
            respanned, span = self.respan, self.view.selection
            self.respan = None
            return respanned, None if span == (respanned.start, respanned.end) else span
        candidate = self.candidate_at_cursor()
        if candidate is None:
            key = self.app.key("reader.next_candidate")
            self.notify(f"No candidate under the cursor ({key} jumps to the next one).")
            raise SkipAction()
        return candidate, None

    def respan_candidate(self) -> bool:
        """``r`` on a candidate: select its span to adjust; ``r``, ``y`` or ``Y`` accepts it
        with the selection. False when no candidate is under the cursor."""
        candidate = self.candidate_at_cursor()
        if candidate is None:
            return False
        self.view.select(candidate.start, candidate.end)
        self.respan = candidate  # set after select: moving the cursor cancels it
        self._update_status()
        return True

    def action_accept_candidate(self) -> None:
        self.decide_candidate(*self._wanted(), accept=True)

    async def action_accept_candidate_form(self) -> None:
        candidate, span = self._wanted()
        if self.document is None:
            return
        start, end = span or (candidate.start, candidate.end)
        quote = self.document.text[start:end]
        initial = {
            "claim_type": candidate.claim_type,
            "speaker": candidate.speaker,
            "stance": getattr(candidate, "stance", ""),
            "target": getattr(candidate, "target", ""),
        }
        watch = self.new_stopwatch()  # the claim's time: the form's (``y`` alone is untimed)

        def saved(values: dict[str, Any] | None) -> None:
            if values is not None:
                watch.touch()
                seconds = watch.elapsed()
                self.decide_candidate(candidate, span, accept=True, values=values, seconds=seconds)

        # awaited, like the claim form of ``c``: the keys typed next go to the form
        await self.app.push_screen(
            ClaimForm(
                self.app.schema,
                quote,
                {k: v for k, v in initial.items() if v},
                self.speakers(),
                title="Accept candidate",
            ),
            saved,
        )

    def action_reject_candidate(self) -> None:
        candidate, _ = self._wanted()
        self.decide_candidate(candidate, None, accept=False)

    @work(thread=True, group="save")
    def decide_candidate(
        self,
        candidate: Candidate,
        span: tuple[int, int] | None,
        *,
        accept: bool,
        values: dict[str, Any] | None = None,
        seconds: float | None = None,
    ) -> None:
        """Accept (a claim and the decision, one undo step) or reject (the decision alone),
        through the save queue: a decision that fails is kept and retried."""
        saves, key = self.app.saves, self._suggester_key
        claim: Claim | None = None
        if accept:
            fields = dict(values or {})
            for name in ("stance", "target"):  # suggested by a learned model with enough examples
                value = getattr(candidate, name, "")
                if value and values is None:
                    fields[name] = value
            claim = saves.accept_candidate(self.doc_id, candidate, key, fields, span)
            saved = claim is not None
        else:
            saved = saves.reject_candidate(self.doc_id, candidate, key)
        if accept and self.doc_status == "todo":
            saves.set_status(self.doc_id, "in_progress")  # as a tagged claim does
            self.doc_status = "in_progress"
        undo = self.app.key("reader.undo")
        said = "Claim saved from the candidate" if accept else "Candidate rejected"
        message = f"{said} ({undo} to undo)." if saved else self._not_saved()
        deliver(self, self._decided, candidate, message)
        if saved:
            self.app.call_from_thread(self.app.note_decision)
        if claim is not None:
            self.record_claim_time(claim.id, seconds)  # after the save: never costs the claim

    def _decided(self, candidate: Candidate, message: str) -> None:
        """The decision is saved (or kept): the candidate goes at once; the claims reload (and
        with them the candidates, filtered again)."""
        self._show_candidates([c for c in self.candidates if c != candidate])
        self.view.action_clear_selection()  # an adjusted span's selection is used up
        self._update_status()
        self.reload_claims(message)

    if TYPE_CHECKING:  # ``ClaimActions`` has them

        def reload_claims(self, message: str = "", changed_by: str = "") -> Any: ...

        def _not_saved(self) -> str: ...

        # ``TimeKeeping`` has them (reader_timing)
        def new_stopwatch(self) -> Stopwatch: ...

        def record_claim_time(self, claim_id: str, seconds: float | None) -> None: ...

    @on(CandidateList.Chosen)
    def _candidate_chosen(self, event: CandidateList.Chosen) -> None:
        self.jump_to(event.candidate.start)
        self.view.focus()
