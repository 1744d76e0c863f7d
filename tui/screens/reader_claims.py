"""The reader's claim actions: tag, edit, re-span and delete claims, undo and redo, and move
from claim to claim. Saves go through the app's ``SaveQueue``: a failed one is kept and retried."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.actions import SkipAction
from textual.screen import Screen

from annotations.errors import AnnottyError
from annotations.model import SPEAKER_LABELS, Claim, Document, Entity
from annotations.screen_text import screen_safe
from annotations.store import ConflictError, StoreError
from annotations.suggest.candidate import Candidate
from annotations.terminal_safe import thing
from tui.screens.worker_results import deliver
from tui.widgets.claim_form import ClaimForm
from tui.widgets.document_view import DocumentView
from tui.widgets.save_state import PERSIST_SECONDS

if TYPE_CHECKING:
    from textual.worker import Worker

    from annotations.timing import Stopwatch
    from tui.app import AnnottyApp

NOT_SAVED = "Not saved yet: kept, retrying."
NOT_SAVABLE = "Not saved: the database takes no changes now; kept in the recovery journal."


class ClaimActions(Screen[None]):
    """Part of ``ReaderScreen``: what the reader does to claims."""

    app: AnnottyApp
    view: DocumentView
    document: Document | None
    doc_id: str
    doc_status: str
    claims: list[Claim]
    all_claims: list[Claim]  # everyone's, shown or not
    entities: list[Entity]
    respan: Claim | Candidate | None
    _respan_seen: str | None = None  # the version of the claim ``r`` is adjusting, as shown
    jump_to: Callable[[int], None]
    own_claim_at_cursor: Callable[[], Claim | None]
    _read_status: Callable[[], None]
    _show_claims: Callable[[list[Claim]], None]
    _update_header: Callable[[], None]
    _update_status: Callable[[], None]

    if TYPE_CHECKING:  # ``EntityActions`` and ``CandidateActions`` have them

        def reload_entities(self) -> Worker[None]: ...

        def respan_candidate(self) -> bool: ...

        def action_accept_candidate(self) -> None: ...

        # ``TimeKeeping`` has them (reader_timing)
        def activity(self) -> None: ...

        def claim_stopwatch(self) -> Stopwatch: ...

        def new_stopwatch(self) -> Stopwatch: ...

        def record_claim_time(self, claim_id: str, seconds: float | None) -> None: ...

    def speakers(self) -> list[str]:
        if self.document is None:
            return []
        text = self.document.text
        return [text[e.start : e.end] for e in self.entities if e.label in SPEAKER_LABELS]

    async def action_tag_claim(self) -> None:
        span = self.view.selection
        if span is None or self.document is None:
            self.notify(
                "Select text first: s selects the sentence, shift+arrows extend.",
                severity="warning",
            )
            raise SkipAction()  # nothing to tag: the key falls through
        start, end = span
        quote = self.document.text[start:end]
        watch = self.claim_stopwatch()  # running since the selection started

        def saved(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.activity()
                self.save_claim(None, start, end, values, seconds=watch.elapsed())

        # awaited: the keys typed after ``c`` are routed once the form is mounted and focused
        await self.app.push_screen(
            ClaimForm(self.app.schema, quote, speakers=self.speakers()), saved
        )

    async def action_edit_claim(self) -> None:
        claim = self.own_claim_at_cursor()
        if claim is None:
            self.notify("No claim under the cursor ( ] jumps to the next one).")
            raise SkipAction()
        fields = ("claim_type", "stance", "target", "speaker", "attribution", "checkworthy", "note")
        initial = {f: getattr(claim, f) for f in fields}
        seen = self.app.saves.seen_version(claim)  # what the form shows: edited on that
        watch = self.new_stopwatch()  # an edit's time runs from the form's opening

        def saved(values: dict[str, Any] | None) -> None:
            if values is not None:
                watch.touch()
                seconds = watch.elapsed()
                self.save_claim(claim.id, claim.start, claim.end, values, seen, seconds)

        await self.app.push_screen(
            ClaimForm(self.app.schema, claim.quote, initial, self.speakers(), title="Edit claim"),
            saved,
        )

    @work(thread=True, group="save")
    def save_claim(
        self,
        claim_id: str | None,
        start: int,
        end: int,
        values: dict[str, Any],
        seen: str | None = None,
        seconds: float | None = None,
    ) -> None:
        """Save a new claim, or the edit of ``claim_id`` made on its version ``seen``;
        ``seconds`` spent on it are added to its time once it is saved."""
        store, saves = self.app.store, self.app.saves  # saves: kept and retried if they fail
        if claim_id is None:
            labels = {k: v for k, v in values.items() if k != "claim_type"}
            saved = saves.add_claim(self.doc_id, start, end, values["claim_type"], **labels)
            if self.doc_status == "todo" and store.status(self.doc_id) == "todo":
                # after the claim, in the same queue: kept with it if the save fails
                saves.set_status(self.doc_id, "in_progress")
                self.doc_status = "in_progress"
        else:
            try:
                saved = saves.update_claim(claim_id, expected=seen, **values)
            except ConflictError as exc:
                self._conflict(exc)
                return
        message = "Claim saved." if saved is not None else self._not_saved()
        deliver(self, self._after_change, message, True)
        if saved is not None:  # a claim made by hand teaches the learned suggester too
            self.app.call_from_thread(self.app.note_decision)
            self.record_claim_time(saved.id, seconds)  # after the save: never costs the claim

    def action_respan_claim(self) -> None:
        """First ``r``: select the claim's span to adjust; ``r`` again: give it the selection."""
        if isinstance(self.respan, Candidate):
            self.action_accept_candidate()  # ``r`` again: accepted with the selection
            return
        if self.respan is None:
            claim = self.own_claim_at_cursor()
            if claim is None:
                if not self.respan_candidate():
                    next_claim = self.app.key("reader.next_claim")
                    next_candidate = self.app.key("reader.next_candidate")
                    self.notify(
                        "No claim of yours or candidate under the cursor "
                        f"({next_claim} and {next_candidate} jump to the next)."
                    )
                return
            self.view.select(claim.start, claim.end)
            self.respan = claim  # set after select: moving the cursor cancels a pending one
            self._respan_seen = self.app.saves.seen_version(claim)
            self._update_status()
            return
        claim, span = self.respan, self.view.selection
        self.respan = None
        if span is None:
            self.notify("Nothing selected: the claim keeps its span.", severity="warning")
        elif span == (claim.start, claim.end):
            self.notify("The span is unchanged.")
        else:
            self.save_span(claim.id, *span, seen=self._respan_seen)
        self._update_status()

    @work(thread=True, group="save")
    def save_span(self, claim_id: str, start: int, end: int, seen: str | None = None) -> None:
        try:  # kept if it fails
            saved = self.app.saves.update_claim(claim_id, expected=seen, start=start, end=end)
        except ConflictError as exc:
            self._conflict(exc)
            return
        message = "Claim span changed (u to undo)." if saved else self._not_saved()
        deliver(self, self._after_change, message, True)

    def action_delete_claim(self) -> None:
        claim = self.own_claim_at_cursor()
        if claim is None:
            self.notify("No claim under the cursor.")
            return
        self.delete_claim(claim.id, self.app.saves.seen_version(claim))

    @work(thread=True, group="save")
    def delete_claim(self, claim_id: str, seen: str | None = None) -> None:
        try:  # kept and retried if it fails
            done = self.app.saves.delete_claim(claim_id, expected=seen)
        except ConflictError as exc:
            self._conflict(exc)
            return
        message = "Claim deleted (u to undo)." if done else self._not_saved()
        deliver(self, self._after_change, message, False)

    @work(thread=True, group="save")
    def reload_claims(self, message: str = "", changed_by: str = "") -> None:
        """Read the document's claims again; ``changed_by`` (other people's names) is said in
        a toast only if their claims really changed (an assignment also touches a document)."""
        claims = self.app.store.claims(self.doc_id)
        if self.document is not None:  # with the work still waiting for a retry
            claims = self.app.saves.shown_claims(self.doc_id, claims, self.document.text)
        if changed_by and {c.version for c in claims} != {c.version for c in self.all_claims}:
            said = screen_safe(f"{changed_by} changed claims in this document.")
            self.app.call_from_thread(self.notify, said, markup=False)
        if not self.app.saves.unsaved:  # else the status shown may be one still kept
            self._read_status()
        deliver(self, self._show_claims, claims)
        deliver(self, self._update_header)
        if message:
            self.app.call_from_thread(self.notify, message)

    def _conflict(self, exc: ConflictError) -> None:
        """(In a worker) someone else changed the claim since it was shown: say who, nothing
        was saved, and show the claims as they are now."""
        self.app.call_from_thread(
            self.notify, str(exc), severity="warning", timeout=PERSIST_SECONDS, markup=False
        )
        deliver(self, self._after_change, "", False)

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
        except StoreError as exc:  # a forged history row, or someone's later change (conflict)
            self.app.call_from_thread(
                self.notify, screen_safe(str(exc)), severity="error", markup=False
            )
            if isinstance(exc, ConflictError):
                deliver(self, self.reload_claims, "")
            return
        except (sqlite3.OperationalError, AnnottyError) as exc:  # locked, full, read-only
            said = f"{verb.replace('did', 'do')} not done, nothing changed: {exc}"
            self.app.call_from_thread(
                self.notify, screen_safe(said), severity="error", markup=False
            )
            return
        message = nothing if entry is None else f"{verb} {entry.action} of {thing(entry.kind)}."
        deliver(self, self._after_change, message, False)
        if entry is not None and entry.kind != "claim":
            self.reload_entities()

    def _jump(self, forward: bool) -> None:
        pos = self.view.cursor
        starts = sorted({c.start for c in self.claims})
        target = (
            next((s for s in starts if s > pos), None)
            if forward
            else next((s for s in reversed(starts) if s < pos), None)
        )
        if target is None:
            self.notify("No more claims that way.")
            return
        self.jump_to(target)

    def action_next_claim(self) -> None:
        self._jump(True)

    def action_prev_claim(self) -> None:
        self._jump(False)
