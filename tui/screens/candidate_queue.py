"""The candidate queue: the corpus's claim candidates one at a time, one key per decision.

Opened from the library (``c``). A thread worker scores the unfinished documents one by one with
the app's suggester (``annotations.suggest.corpus_queue``) and hands them on in groups, so the
first candidate shows while the rest of the corpus is scored and the order refines meanwhile.
``y`` accepts (a claim with the suggested span, type and speaker), ``Y`` accepts through the
claim form, ``z`` rejects, ``n`` or space skips, ``p`` goes back, ``o`` orders by score or by
uncertainty, ``enter`` opens the reader there, ``u`` undoes this queue's latest decision.

A decision moves on at once; its save runs after the ones before it (``OrderedWrites``) through
the app's ``SaveQueue``, which keeps and retries a save that fails. When a retrained model comes
(``SuggesterChanged``) the documents are scored again and merged in: the candidate on screen
stays, the rest take the new model's scores and order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from annotations.screen_text import screen_safe
from annotations.suggest import corpus_queue as cq
from annotations.terminal_safe import plural
from tui.messages import StoreChanged, SuggesterChanged
from tui.screens.candidate_queue_deciding import FAILURES, QueueDeciding
from tui.screens.worker_results import deliver
from tui.widgets.save_state import SaveState
from tui.widgets.virtual_table import one_line

if TYPE_CHECKING:
    from tui.app import AnnottyApp

SENTENCE = Style(bold=True, underline=True)
"""The candidate within its paragraph: bold and underlined, so it stands out without colour."""


class CandidateQueueScreen(QueueDeciding):
    """One candidate at a time from the whole corpus, by score or by uncertainty."""

    app: AnnottyApp

    BINDINGS = [
        Binding(
            "y",
            "accept",
            "Accept",
            tooltip="Save the candidate as a claim, as suggested",
            priority=True,
            id="queue.accept",
        ),
        Binding(
            "Y",
            "accept_form",
            "Accept with form",
            show=False,
            tooltip="Accept the candidate through the claim form, pre-filled",
            priority=True,
            id="queue.accept_form",
        ),
        Binding(
            "z",
            "reject",
            "Reject",
            tooltip="Record that the candidate holds no claim",
            priority=True,
            id="queue.reject",
        ),
        Binding(
            "n,space",
            "skip",
            "Skip",
            tooltip="Leave the candidate undecided and go on",
            priority=True,
            id="queue.skip",
        ),
        Binding(
            "p",
            "back",
            "Back",
            tooltip="The candidate skipped last",
            priority=True,
            id="queue.back",
        ),
        Binding(
            "o",
            "toggle_order",
            "Order",
            tooltip="Order by score or by uncertainty (least sure first)",
            priority=True,
            id="queue.order",
        ),
        Binding(
            "enter",
            "open",
            "Open",
            tooltip="Open the document in the reader at this candidate",
            priority=True,
            id="queue.open",
        ),
        Binding(
            "u,ctrl+z",
            "undo",
            "Undo",
            tooltip="Take back the queue's latest decision",
            priority=True,
            id="queue.undo",
        ),
        Binding("escape,q", "close", "Close", priority=True, id="queue.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue = cq.CandidateQueue()
        self.scoring: tuple[int, int] | None = (0, 0)  # documents scored, of; None: all done
        self.suggester_name = ""
        self._prepared: dict[str, Any] = {}  # doc id -> units and entities, kept for rescoring
        self._ranks: dict[str, int] = {}
        self._shown: cq.Key | None = None
        self._saved: dict[cq.Key, bool] = {}  # decisions written (True) or kept for a retry
        self._visited: str | None = None  # the document opened in the reader from here

    def compose(self) -> ComposeResult:
        yield Static("Candidate queue", id="queue-header")
        yield Static("", id="queue-title")
        yield Static("", id="queue-details")
        with VerticalScroll(id="queue-body"):
            yield Static("Scoring the corpus…", id="queue-context")
            yield Static("", id="queue-reasons")
        yield SaveState(id="save-state")
        yield Static("", id="queue-progress")
        yield Footer()

    def on_mount(self) -> None:
        self._show()
        self.score()

    # -- scoring ----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="queue-score")
    def score(self) -> None:
        """Score the unfinished documents and merge them in, group by group; the order and the
        progress follow as they come. A newer run (a new model) cancels this one."""
        self._score(None)

    @work(thread=True, exclusive=True, group="queue-rescore")
    def rescore(self, only: frozenset[str]) -> None:
        """Score the documents ``only`` again (changed in the reader or by another annotator),
        beside a run over the whole corpus that may still be going on."""
        self._score(only)

    def _score(self, only: frozenset[str] | None) -> None:
        try:
            self._score_documents(only)
        except FAILURES as exc:  # the database is busy, damaged or gone: say so, keep what is shown
            said = f"Candidates not scored: {exc}"
            deliver(self, self._scoring_failed, screen_safe(said), only is None)

    def _scoring_failed(self, said: str, whole: bool) -> None:
        if whole:
            self.scoring = None
            self._show()
        self.notify(said, severity="error", markup=False)

    def _score_documents(self, only: frozenset[str] | None) -> None:
        worker = get_current_worker()
        store, app = self.app.store, self.app
        suggester = app.claim_suggester()
        name = cq.suggester_label(suggester.key, self._model_version(suggester.key))
        docs = cq.queue_documents(store)
        whole = only is None
        if only is None:
            self._ranks = {d.id: i for i, d in enumerate(docs)}
        else:
            docs = [d for d in docs if d.id in only]
        deliver(self, self._scoring, name, 0, len(docs), whole)
        done = 0
        kept = app.saves.kept_decisions
        found = cq.batches(
            store, suggester, app.recognizer, docs, self._prepared, self._ranks, kept
        )
        for group in cq.grouped(found):
            done += len(group)
            if worker.is_cancelled:
                return
            deliver(self, self._merge, group, done, len(docs), whole)
        if whole and not worker.is_cancelled:
            deliver(self, self._scored_all)

    def _model_version(self, key: str) -> int | None:
        """The stored model's version, for the header (the built-in suggester has none)."""
        if key == "builtin":
            return None
        from annotations.suggest.choice import model_name

        try:
            latest = self.app.store.latest_model(model_name(self.app.suggester_spec))
        except FAILURES:
            return None
        return None if latest is None else latest[0]

    def _scoring(self, name: str, done: int, of: int, whole: bool) -> None:
        self.suggester_name = name
        if whole:
            self.scoring = (done, of)
        self.query_one("#queue-header", Static).update(Text(f"Candidate queue · {name}"))
        self._show_progress()

    def _merge(self, group: list[cq.DocumentBatch], done: int, of: int, whole: bool) -> None:
        self.queue.merge(group)
        if whole:
            self.scoring = (done, of)
        self._show()

    def _scored_all(self) -> None:
        self.scoring = None
        self._show()

    @on(SuggesterChanged)
    def _suggester_changed(self) -> None:
        """A retrained model: score the corpus again; the candidate on screen stays."""
        self.score()

    def on_store_changed(self, message: StoreChanged) -> None:
        """Another annotator changed documents of the queue: score those again (this queue's
        own decisions are counted as they are made)."""
        changes = message.changes
        touched = frozenset(
            set(self._ranks) if changes.everything else changes.doc_ids & set(self._ranks)
        )
        if touched and changes.annotators - {self.app.store.annotator}:
            for doc_id in touched:
                self._prepared.pop(doc_id, None)  # their entities may have been corrected
            self.rescore(touched)

    def on_screen_resume(self) -> None:
        """Back from the reader: what was decided or corrected there counts here too."""
        if self._visited is not None:
            self._prepared.pop(self._visited, None)  # its entities may have been corrected
            self.rescore(frozenset({self._visited}))
            self._visited = None

    # -- showing ----------------------------------------------------------------------------
    def _show(self) -> None:
        """Show the current candidate (only when it changed: a group merged in keeps it)."""
        item = self.queue.current
        key = None if item is None else item.key
        if key != self._shown or item is None:
            self._shown = key
            title, details, context, reasons = self._parts(item)
            self.query_one("#queue-title", Static).update(title)
            self.query_one("#queue-details", Static).update(details)
            self.query_one("#queue-context", Static).update(context)
            self.query_one("#queue-reasons", Static).update(reasons)
            self.query_one("#queue-body", VerticalScroll).scroll_home(animate=False)
        self._show_progress()

    def _parts(self, item: cq.QueueItem | None) -> tuple[Text, Text, Text, Text]:
        """The title, the score line, the paragraph with the sentence marked, the reasons."""
        if item is None:
            return Text(""), Text(""), Text(self._empty()), Text("")
        title = Text(one_line(item.title), style="bold", no_wrap=True, overflow="ellipsis")
        at = item.candidate.start - item.context_start
        before, after = item.clipped
        shown = item.context
        lead = self._lead_chars()
        if at > lead:  # keep the sentence on screen: the paragraph before it is cut shorter
            cut = shown.find(" ", at - lead, at)
            cut = at - lead if cut == -1 else cut + 1
            shown, at, before = shown[cut:], at - cut, True
        context = Text(screen_safe(shown))
        context.stylize(SENTENCE, at, at + item.candidate.end - item.candidate.start)
        if before:
            context = Text("…") + context
        if after:
            context.append("…")
        c = item.candidate
        details = Text()
        details.append(f"score {c.score:.2f}", style="bold")
        details.append(f" · {one_line(c.claim_type)}")
        for name, value in (("speaker", c.speaker), ("stance", c.stance), ("target", c.target)):
            if value:
                details.append(f" · {name}: ")
                details.append(one_line(value), style="bold")
        reasons = Text("why: " + one_line(", ".join(c.reasons)) if c.reasons else "")
        return title, details, context, reasons

    def _lead_chars(self) -> int:
        """How much of the paragraph before the sentence fits a third of the text area."""
        size = self.query_one("#queue-body", VerticalScroll).content_size
        rows = max(1, size.height // 3) if size.height else 4
        return rows * max(20, size.width or 80)

    def _empty(self) -> str:
        if self.scoring is not None:
            return "Scoring the corpus…"
        if self.queue.remaining:
            back, first = self.app.key("queue.back"), self.app.key("queue.order")
            return (
                f"End of the queue: {plural(self.queue.remaining, 'skipped candidate')} "
                f"still open ({back} goes back, {first} starts over)."
            )
        return "No candidates left to decide in the unfinished documents."

    def _show_progress(self) -> None:
        q = self.queue
        line = Text()
        line.append(f"{q.decided:,} of {q.total:,} decided", style="bold")
        line.append(f" · {cq.describe_order(q.order)}")
        if q.current is not None and q.position:
            line.append(f" · {q.position:,} skipped")
        if self.scoring is not None:
            done, of = self.scoring
            line.append(f" · scoring {done:,} of {plural(of, 'document', thousands=True)}…")
        self.query_one("#queue-progress", Static).update(line)

    # -- walking ----------------------------------------------------------------------------
    def action_skip(self) -> None:
        if self.queue.current is None:
            self.notify("No candidate to skip.")
            return
        self.queue.skip()
        self._show()

    def action_back(self) -> None:
        if self.queue.back() is None:
            self.notify("No candidate before this one.")
            return
        self._show()

    def action_toggle_order(self) -> None:
        order = self.queue.toggle_order()
        self._shown = None
        self._show()
        self.notify(f"Candidates {cq.describe_order(order)}, from the top.")

    def action_open(self) -> None:
        item = self.queue.current
        if item is None:
            self.notify("No candidate to open.")
            return
        self._visited = item.doc_id
        self.app.open_document(item.doc_id, item.candidate.start)

    def action_close(self) -> None:
        self.dismiss(None)
