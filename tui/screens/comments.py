"""The comment thread of a claim, a document or an adjudication item, over the screen that
opened it (reader, review, adjudication).

The thread shows oldest first; ``enter`` in the field adds a comment, saved at once through the
store off the event loop and in the order typed (``OrderedWrites``); ``ctrl+r`` resolves every
open comment of the thread, or reopens a resolved thread. For a claim, the screen also shows
what others (a reviewer, an adjudicator) changed in it, field by field, with their reason: so
an annotator sees where and why their claim was corrected. Everything shown is data: rich
``Text`` only, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from annotations.screen_text import screen_safe
from annotations.store.comments import ClaimChange, Comment, adjudication_item_id
from tui.screens.ordered_writes import OrderedWrites
from tui.screens.worker_results import deliver

if TYPE_CHECKING:
    from tui.app import AnnottyApp

SHOWN_VALUE = 60
"""Characters of a changed value shown in a diff line (a note can be long)."""
UNRESOLVED_STYLE = "bold"
RESOLVED_STYLE = "dim"


def flat(text: str, limit: int = 0) -> str:
    """Text on one line, control characters made harmless, cut at ``limit`` (0: never)."""
    one = " ".join(screen_safe(text).split())
    return one if not limit or len(one) <= limit else one[: limit - 1] + "…"


def when(stamp: str) -> str:
    """An ISO time as ``2026-11-30 15:02`` (UTC, as stored)."""
    return stamp[:16].replace("T", " ")


def comment_mark(total: int, unresolved: int) -> Text:
    """The marker of a claim with comments: ``✉2`` (bold) while some are open, ``(✉2)`` (dim)
    when all are resolved; the brackets tell them apart without colour (NO_COLOR)."""
    if unresolved:
        return Text(f"✉{unresolved}", style=UNRESOLVED_STYLE)
    return Text(f"(✉{total})", style=RESOLVED_STYLE)


CHANGED_MARK = "✎"
"""Marks a claim of mine that someone else changed since I last saved it."""


def thread_text(comments: Sequence[Comment]) -> Text:
    """The thread, oldest first: author and time on one line, the text under it."""
    out = Text()
    if not comments:
        out.append("No comments yet: write the first below.", style="dim")
    for i, comment in enumerate(comments):
        if i:
            out.append("\n\n")
        out.append(flat(comment.author) or "?", style="bold")
        out.append(f" · {when(comment.created_at)}", style="dim")
        if comment.resolved:
            by = flat(comment.resolved_by)
            out.append(f" · resolved by {by} {when(comment.resolved_at)}", style="dim")
        out.append("\n")
        out.append(screen_safe(comment.body), style=RESOLVED_STYLE if comment.resolved else "")
    return out


def changes_text(changes: Sequence[ClaimChange]) -> Text:
    """What others changed in the claim, oldest first: who, when, each field before → after,
    and the reason they gave."""
    out = Text()
    for i, change in enumerate(changes):
        if i:
            out.append("\n")
        out.append(flat(change.by) or "?", style="bold")
        out.append(f" {change.action} · {when(change.at)}", style="dim")
        for name, before, after in change.fields:
            if name == "review_note":
                continue  # said as the reason below
            out.append(f"\n  {name}: ")
            out.append(flat(str(before if before is not None else ""), SHOWN_VALUE) or "–")
            out.append(" → ", style="dim")
            out.append(flat(str(after if after is not None else ""), SHOWN_VALUE) or "–")
        if change.note:
            out.append("\n  reason: ", style="dim")
            out.append(flat(change.note, 400), style="italic")
    return out


class CommentThread(OrderedWrites, ModalScreen[bool]):
    """A thread over the screen that opened it; dismissed with whether anything was saved."""

    app: AnnottyApp

    DEFAULT_CSS = """
    CommentThread { align: center middle; }
    CommentThread > Vertical {
        width: 90%; max-width: 100; height: 90%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    CommentThread .title { text-style: bold; }
    CommentThread .hint { color: $text-muted; }
    CommentThread .section { color: $text-muted; margin-top: 1; }
    CommentThread VerticalScroll { height: 1fr; }
    CommentThread Input { border: none; height: 1; padding: 0; background: $boost; }
    CommentThread Input:focus { border: none; background: $primary 30%; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="comments.close"),
        Binding(
            "ctrl+r",
            "resolve",
            "Resolve / reopen",
            tooltip="Resolve every open comment of the thread, or reopen a resolved thread",
            id="comments.resolve",
        ),
    ]

    def __init__(
        self, kind: str, item_id: str, doc_id: str, about: Text, claim_id: str = ""
    ) -> None:
        super().__init__()
        self.kind = kind
        self.item_id = item_id
        self.doc_id = doc_id
        self.about = about
        self.claim_id = claim_id
        self.comments: list[Comment] = []
        self.changed = False
        self._close_asked = False  # escape pressed while a comment was still being saved
        self._dismissed = False

    def compose(self) -> ComposeResult:
        key = self.app.key
        with Vertical():
            yield Static(self.about, classes="title")
            with VerticalScroll():
                yield Static(Text("Loading…", style="dim"), id="thread")
                if self.claim_id:
                    yield Static(Text("Changed by others"), classes="section", id="changes-title")
                    yield Static(Text("…", style="dim"), id="changes")
            yield Input(placeholder="write a comment, enter adds it", id="comment")
            yield Static(
                Text(
                    f"⏎ add · {key('comments.resolve')} resolve / reopen the thread"
                    f" · {key('comments.close')} close"
                ),
                classes="hint",
                id="comments-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#comment", Input).focus()
        self.load()

    @work(thread=True, exclusive=True, group="comments-read")
    def load(self) -> None:
        store = self.app.store
        comments = store.comments(self.kind, self.item_id)
        changes = store.claim_changes_by_others(self.claim_id) if self.claim_id else []
        deliver(self, self._show, comments, changes)

    def _show(self, comments: list[Comment], changes: list[ClaimChange]) -> None:
        if self._dismissed:
            return  # read for a thread being closed (once closed, ``deliver`` drops it)
        self.comments = comments
        self.query_one("#thread", Static).update(thread_text(comments))
        if self.claim_id:
            shown = (
                changes_text(changes) if changes else Text("Nobody else changed it.", style="dim")
            )
            self.query_one("#changes", Static).update(shown)
        self.query_one(VerticalScroll).scroll_end(animate=False)

    @on(Input.Submitted, "#comment")
    def _add(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            return
        field = self.query_one("#comment", Input)
        field.value = ""  # typing goes on while the comment is saved
        store, kind, item_id, doc_id = self.app.store, self.kind, self.item_id, self.doc_id

        def done(result: Any, error: Exception | None) -> None:
            if error is not None:
                if not field.value:
                    field.value = text  # nothing lost: it is there to send again
                self.notify(
                    screen_safe(f"Comment not saved: {error}"), severity="error", markup=False
                )
                self._close_asked = False  # stay open: the text is back in the field
                return
            self.changed = True
            if not self._close_when_saved():
                self.load()

        self._write(lambda: store.add_comment(kind, item_id, doc_id, text), done)

    def action_resolve(self) -> None:
        store, kind, item_id = self.app.store, self.kind, self.item_id
        if not self.comments:
            self.notify("No comments to resolve.")
            return
        resolving = any(not c.resolved for c in self.comments)

        def done(result: Any, error: Exception | None) -> None:
            if error is not None:
                self.notify(screen_safe(f"Not changed: {error}"), severity="error", markup=False)
                self._close_when_saved()
                return
            self.changed = True
            self.notify("Thread resolved." if resolving else "Thread reopened.")
            if not self._close_when_saved():
                self.load()

        self._write(lambda: store.resolve_thread(kind, item_id, resolving), done)

    def action_close(self) -> None:
        """Close, once every comment typed is saved (the screen below then shows it)."""
        self._close_asked = True
        self._close_when_saved()

    def _close_when_saved(self) -> bool:
        """Dismiss if closing was asked and no write is still running; whether it is closed."""
        pending = self._write_done
        if self._close_asked and not self._dismissed and (pending is None or pending.is_set()):
            self._dismissed = True
            self.dismiss(self.changed)
        return self._dismissed


def open_thread(
    screen: Any,
    kind: str,
    item_id: str,
    doc_id: str,
    about: Text,
    claim_id: str = "",
    closed: Callable[[bool | None], None] | None = None,
) -> None:
    """Open the thread over ``screen`` (reader, review, adjudication); ``closed`` is called
    with whether anything was saved, to refresh the markers."""
    screen.app.push_screen(CommentThread(kind, item_id, doc_id, about, claim_id), closed)


def claim_about(claim: Any) -> Text:
    """The thread's title for a claim: its type, annotator and quote."""
    about = Text("Comments · claim ")
    about.append(flat(claim.claim_type, 30), style="bold")
    about.append(f" by {flat(claim.annotator, 30)} ")
    about.append(f"“{flat(claim.quote, 70)}”", style="italic")
    return about


def claim_marks(store: Any, doc_id: str) -> dict[str, Text]:
    """(In a worker) each claim's marker in the reader's list: its comments, and ``✎`` for the
    annotator's own claims someone else changed since they last saved them."""
    counts = store.comment_counts(doc_id, "claim")
    changed = store.changed_by_others(doc_id)
    marks: dict[str, Text] = {}
    for (_, claim_id), (total, unresolved) in counts.items():
        marks[claim_id] = comment_mark(total, unresolved)
    for claim_id in changed:
        mark = Text(CHANGED_MARK, style="bold")
        marks[claim_id] = Text.assemble(mark, marks[claim_id]) if claim_id in marks else mark
    return marks


def review_marks(store: Any) -> dict[str, Text]:
    """(In a worker) the review table's markers: every claim with comments (threads are few)."""
    counts = store.comment_counts(kind="claim")
    return {item: comment_mark(*numbers) for (_, item), numbers in counts.items()}


def open_in_reader(reader: Any) -> None:
    """The thread of the claim highlighted in the claims list (when it has focus) or under the
    cursor, else of the document; the reader's markers are read again when it closes."""
    from tui.widgets.side_lists import ClaimList

    listed = reader.query_one(ClaimList)
    claim = None
    if listed.has_focus and listed.items:
        claim = listed.items[listed.index]
    if claim is None:
        claim = reader.claim_at_cursor()
    doc = reader.document
    if doc is None:
        return

    def closed(changed: bool | None) -> None:
        reader.read_marks()

    if claim is not None:
        open_thread(reader, "claim", claim.id, doc.id, claim_about(claim), claim.id, closed)
        return
    about = Text("Comments · document ")
    about.append(flat(doc.title, 80), style="bold")
    open_thread(reader, "document", doc.id, doc.id, about, "", closed)


def open_for_item(screen: Any, doc_id: str, item: Any) -> None:
    """The thread of an adjudication item, named by the span of the annotators' claims (the
    gold version a decision adds does not move it)."""
    spans = [(c.start, c.end) for c in item.claims.values()] or [(item.start, item.end)]
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    about = Text("Comments · adjudication item ")
    about.append(f"[{start}, {end})", style="bold")
    open_thread(screen, "adjudication", adjudication_item_id(doc_id, start, end), doc_id, about)
