"""The reader's header and status line: where the reader is and what is under the cursor."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from annotations.model import Claim, Document, Entity
from annotations.screen_text import screen_safe
from annotations.suggest.candidate import Candidate
from tui.widgets.document_view import DocumentView
from tui.widgets.side_lists import snippet

if TYPE_CHECKING:
    from tui.app import AnnottyApp


class StatusLine(Screen[None]):
    """Part of ``ReaderScreen``: the header (title, status, place in the library) and the
    status line (cursor, selection, claim and entity under it, matches, a one-off note)."""

    app: AnnottyApp
    view: DocumentView
    document: Document | None
    doc_id: str
    doc_status: str
    queue: tuple[int, int]
    unfinished: int
    respan: Claim | Candidate | None
    matches: list[tuple[int, int]]
    search_query: str
    doc_stance: str
    _mentions: dict[str, list[int]]
    _note: str
    entity_at_cursor: Callable[[], Entity | None]

    def _update_header(self) -> None:
        if self.document is None:
            return
        header = Text(no_wrap=True, overflow="ellipsis", end="")
        header.append(screen_safe(self.document.title) or self.doc_id, style="bold")
        here, total = self.queue
        header.append(
            f"  {self.doc_status.replace('_', ' ')}  {here}/{total} · {self.unfinished} unfinished"
        )
        self.query_one("#reader-header", Static).update(header)

    # -- status line ------------------------------------------------------------------------
    def claim_at_cursor(self) -> Claim | None:
        """The innermost claim under the cursor, this annotator's before others'."""
        here = self.view.claims.at(self.view.cursor)
        me = self.app.store.annotator
        return min(
            here,
            key=lambda c: (c.annotator != me, c.end - c.start),
            default=None,
        )

    def own_claim_at_cursor(self) -> Claim | None:
        claim = self.claim_at_cursor()
        if claim is not None and claim.annotator != self.app.store.annotator:
            self.notify(
                f"That claim is {claim.annotator}'s; you can only change your own.",
                severity="warning",
            )
            return None
        return claim

    def _update_status(self) -> None:
        view = self.view
        if self.document is None:
            return
        parts = Text()
        total = max(1, len(view.text))
        line, column = view.line_column(view.cursor)
        parts.append(f"{line}:{column} ({100 * view.cursor // total}%)")
        if isinstance(self.respan, Candidate):
            parts.append(
                "  candidate's span: shift+arrows/W/B, ^x other end, r or y accepts, esc cancels",
                style="bold",
            )
        elif self.respan is not None:
            parts.append(
                "  new span: shift+arrows/W/B, ^x other end, r applies, esc cancels", style="bold"
            )
        if view.selection:
            start, end = view.selection
            parts.append(
                f"  selected {end - start} chars: “{snippet(view.text[start:end], 40)}”",
                style="reverse",
            )
        claim = self.claim_at_cursor()
        if claim is not None:
            who = "" if claim.annotator == self.app.store.annotator else f" ({claim.annotator})"
            parts.append(f"  claim{who}: {claim.claim_type}, {claim.stance}")
            if claim.target:
                parts.append(f" → {snippet(claim.target, 30)}")
            if claim.speaker:
                parts.append(f", said by {snippet(claim.speaker, 20)}")
        elif candidates := view.candidates.at(view.cursor):  # none touches a claim of one's own
            candidate, key = candidates[0], self.app.key
            parts.append(f"  candidate {candidate.score:.2f}: {candidate.claim_type}", style="dim")
            if candidate.speaker:
                parts.append(f", said by {snippet(candidate.speaker, 20)}", style="dim")
            parts.append(
                f" ({key('reader.accept_candidate')} accept, {key('reader.accept_candidate_form')}"
                f" with form, {key('reader.reject_candidate')} reject)",
                style="dim",
            )
        if self.matches:
            count = len(self.matches)
            parts.append(
                f"  /{snippet(self.search_query, 20)}: {count} "
                f"{'match' if count == 1 else 'matches'}"
            )
        if self.doc_stance:
            parts.append(f"  document stance: {self.doc_stance}")
        entity = self.entity_at_cursor()
        if entity is not None:
            parts.append(f"  [{entity.label}]", style="bold")
            starts = self._mentions.get(view.text[entity.start : entity.end], [])
            if len(starts) > 1 and entity.start in starts:
                parts.append(f" mention {starts.index(entity.start) + 1} of {len(starts)} (m/M)")
        if self._note:
            parts.append(f"  {self._note}", style="italic")
        # one row, always (app.tcss): no layout pass after every key
        self.query_one("#status", Static).update(parts, layout=False)
