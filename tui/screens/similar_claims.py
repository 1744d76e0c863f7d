"""``=``: the claims most like the current one in other documents, to link as the same claim.

Opened from the reader (the claim under the cursor) and from review (the highlighted claim).
The index (``annotations.similar_claims.SimilarClaims``) is built once per store, in a worker
the first time it is needed, and brought up to date before each look-up from the history rows
since (a few ms); the look-up itself runs in a worker too. ``enter`` opens a match in the
reader at its claim; ``l`` links it to the current claim as the same claim, ``L`` unlinks
(both undoable: ``u`` in the reader of the current claim's document, or in review).
Everything shown is data, drawn as ``Text``.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from annotations.screen_text import screen_safe
from annotations.similar_claims import SimilarClaim, SimilarClaims
from annotations.store import Store, StoreError
from tui.screens.worker_results import deliver

if TYPE_CHECKING:
    from annotations.suggest.embeddings import Encoder
    from tui.app import AnnottyApp

LIMIT = 20
LINKED = "="
"""The marker of a claim linked to the current one as the same claim."""

_INDEXES: weakref.WeakKeyDictionary[Store, SimilarClaims] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(store: Store, suggester: str | None = None) -> SimilarClaims:
    """The app session's index of ``store``'s claims (one per store, built on first sync);
    with ``--suggester embeddings:NAME`` and that model installed, it compares meanings too.
    Run in a worker: loading a model takes seconds."""
    with _INDEXES_LOCK:
        index = _INDEXES.get(store)
        if index is None:
            index = _INDEXES[store] = SimilarClaims(store, _encoder(suggester))
        return index


def _encoder(suggester: str | None) -> Encoder | None:
    name = (suggester or "").removeprefix("embeddings:")
    if not suggester or name == suggester or not name:
        return None
    from annotations.suggest.embeddings import EncoderUnavailable, encoder_for

    try:
        return encoder_for(name)
    except EncoderUnavailable:  # said when the suggester loads: words alone are compared here
        return None


def with_link_marks(store: Store, marks: dict[str, Text]) -> dict[str, Text]:
    """(In a worker) ``marks`` (the review table's markers, by claim id) with ``=`` before
    those of every claim linked as the same claim as another."""
    for claim_id in store.claim_clusters():
        mark = Text(LINKED, style="bold green")
        marks[claim_id] = Text.assemble(mark, " ", marks[claim_id]) if claim_id in marks else mark
    return marks


def flat(text: str, limit: int = 200) -> str:
    """Data as one safe line of at most ``limit`` characters."""
    line = " ".join(screen_safe(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class SimilarClaimsScreen(ModalScreen[str | None]):
    """The most similar claims in other documents, best first; link, unlink or open one.
    Dismissed with the claim whose group review should show (``g``), else None."""

    app: AnnottyApp

    DEFAULT_CSS = """
    SimilarClaimsScreen { align: center middle; }
    SimilarClaimsScreen > Vertical {
        width: 95%; height: 90%; border: round $accent; background: $panel; padding: 0 1;
    }
    SimilarClaimsScreen .title { text-style: bold; }
    SimilarClaimsScreen .hint { color: $text-muted; }
    SimilarClaimsScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="similar.open"),
        Binding(
            "l",
            "link",
            "Link",
            tooltip="Link the highlighted claim with this one as the same claim",
            id="similar.link",
        ),
        Binding("L", "unlink", "Unlink", tooltip="Remove that link", id="similar.unlink"),
        Binding(
            "g",
            "group",
            "Group in review",
            tooltip="Review the claims linked with this one as the same claim, together",
            id="similar.group",
        ),
        Binding("escape,q", "close", "Close", id="similar.close"),
    ]

    def __init__(self, claim_id: str, doc_id: str, quote: str) -> None:
        super().__init__()
        self.claim_id = claim_id
        self.doc_id = doc_id
        self.quote = quote
        self.found: list[SimilarClaim] = []
        self.loaded = threading.Event()
        """Set once a list has been shown (for tests and scripts that wait on it)."""

    def compose(self) -> ComposeResult:
        key = self.app.key
        with Vertical():
            yield Static(Text("Similar claims in other documents", style="bold"), classes="title")
            yield Static(Text(flat(self.quote, 300), style="italic"), id="similar-quote")
            table: DataTable[Text] = DataTable(id="similar-table", cursor_type="row")
            yield table
            yield Static(Text("Indexing claims…", style="dim"), id="similar-status")
            yield Static(
                Text(
                    f"⏎ open · {key('similar.link')} link as the same claim · "
                    f"{key('similar.unlink')} unlink · {key('similar.group')} the group in review"
                    f" · {key('similar.close')} close · "
                    f"{LINKED} linked"
                ),
                classes="hint",
            )

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.add_columns("", "score", "document", "annotator", "type", "review", "quote")
        table.focus()
        self.look_up()

    @work(thread=True, exclusive=True, group="similar")
    def look_up(self, keep: str | None = None) -> None:
        """Sync the index and query it, off the event loop (the first time builds it)."""
        try:
            found = index_for(self.app.store, self.app.suggester_spec).similar(self.claim_id, LIMIT)
        except (StoreError, OSError) as exc:
            deliver(self, self._status, f"Cannot look for similar claims: {exc}")
            return
        if not get_current_worker().is_cancelled:  # closed meanwhile: the index is kept
            deliver(self, self._show, found, keep)

    def _show(self, found: list[SimilarClaim], keep: str | None) -> None:
        self.found = found
        table: DataTable[Text] = self.query_one(DataTable)
        at = table.cursor_row
        table.clear()
        for s in found:
            c = s.claim
            table.add_row(
                Text(LINKED if s.linked else " ", style="bold green"),
                Text(f"{s.score:.2f}"),
                Text(flat(c.title or c.doc_id, 28)),
                Text(flat(c.annotator, 14)),
                Text(flat(c.claim_type, 14)),
                Text(flat(c.review_status, 9)),
                Text(flat(c.quote, 160)),
                key=c.id,
            )
        ids = [s.claim.id for s in found]
        if found:
            table.move_cursor(row=ids.index(keep) if keep in ids else min(at, len(found) - 1))
        linked = sum(s.linked for s in found)
        said = f"{len(found)} similar" if found else "No similar claim in other documents."
        self._status(said + (f" · {linked} linked" if linked else ""))
        self.loaded.set()

    def _status(self, message: str) -> None:
        self.query_one("#similar-status", Static).update(Text(screen_safe(message)))

    def highlighted(self) -> SimilarClaim | None:
        row = self.query_one(DataTable).cursor_row
        return self.found[row] if 0 <= row < len(self.found) else None

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        """``enter`` on the table (its own binding selects the row): open the claim."""
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        match = self.highlighted()
        if match is None:
            return
        self.dismiss(None)
        self.app.open_document(match.claim.doc_id, match.claim.start)

    def action_link(self) -> None:
        self._change(True)

    def action_unlink(self) -> None:
        self._change(False)

    def _change(self, link: bool) -> None:
        match = self.highlighted()
        if match is not None:
            self.loaded.clear()
            self._write_link(match.claim.id, link)

    @work(thread=True, group="similar-write")
    def _write_link(self, other: str, link: bool) -> None:
        store = self.app.store
        try:
            if link:
                changed = store.link_claims(self.claim_id, other)
                said = "Linked as the same claim." if changed else "Already linked."
            else:
                changed = store.unlink_claims(self.claim_id, other)
                said = "Unlinked." if changed else "Not linked to this claim."
        except (StoreError, OSError) as exc:
            message = screen_safe(f"Not saved: {exc}")
            self.app.call_from_thread(self.notify, message, severity="error", markup=False)
            self.app.call_from_thread(self.loaded.set)
            return
        self.app.call_from_thread(self.app.notify, said)
        if not get_current_worker().is_cancelled:
            deliver(self, self.look_up, other)

    def action_group(self) -> None:
        self.dismiss(self.claim_id)

    def action_close(self) -> None:
        self.dismiss(None)
