"""AnnottyApp: the screens, the store and the schema, and ``run()`` for the CLI."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual import events, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import WorkerFailed

from annotations.assignments import next_assigned
from annotations.entities import Recognizer, builtin, default_gazetteer_path, resolve
from annotations.errors import AnnottyError, DatabaseProblem, ServerUnavailable
from annotations.keymap import Keymap
from annotations.recovery import SaveQueue, permanent_problem
from annotations.review.filters import ReviewFilter
from annotations.schema import Schema, load_default
from annotations.screen_text import screen_safe
from annotations.store import Store
from annotations.store.watcher import Changes, watcher_for
from annotations.terminal_safe import plural
from tui.commands import binding_commands
from tui.key_clashes import all_bindings, binding_classes, check_clashes
from tui.key_hints import key_for
from tui.messages import StoreChanged
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader_timing import TimeKeeping
from tui.suggester_host import SuggesterHost
from tui.widgets.save_state import SaveGuard

# The other screens are imported when first opened: the library paints without them (start-up
# time; see bench/bench_app.py and tests/test_install_start.py).

POLL_SECONDS = 1.0  # how often to look for other annotators' changes
POSITION_WAIT_SECONDS = 1.0  # a reading position is not work: never wait long to save it
PROBLEM_SECONDS = 600  # how long a database problem stays on screen
log = logging.getLogger(__name__)


class AnnottyApp(SaveGuard, SuggesterHost):
    CSS_PATH = "app.tcss"
    TITLE = "annotty"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+t", "toggle_theme", "Light/dark theme", show=False, id="app.theme"),
        Binding("ctrl+e", "export", "Export", show=False, id="app.export"),
        Binding("ctrl+g", "guidelines", "Guidelines", show=False, id="app.guidelines"),
    ]

    def __init__(
        self,
        store: Store,
        schema: Schema | None = None,
        recognizer: Recognizer | None = None,
        seed: bool = False,
        start_screen: str = "library",
        review_filter: ReviewFilter | None = None,
        gazetteer: Path | None = None,
        recognizer_spec: str | None = None,
        keymap: Keymap | None = None,
        suggester_spec: str | None = None,
        ask_annotator: bool = False,
    ) -> None:
        super().__init__()
        self.ask_annotator = ask_annotator  # a browser tab (annotty serve): who is annotating?
        self.suggester_spec = suggester_spec  # --suggester; None: learned once trained
        if keymap is not None:  # the user's keys (annotations.keymap), by binding id
            keymap.check_ids(binding_ids())
            check_clashes(keymap, all_bindings(binding_classes()))
            self.set_keymap(keymap.as_dict())
        self.user_keys = keymap.as_dict() if keymap is not None else {}
        self.store = store
        self.saves = SaveQueue(store)  # a save that fails is kept, journaled and retried
        self.schema = schema or load_default()
        self.seed = seed
        self.start_screen = start_screen
        self.review_filter = review_filter
        # where "apply everywhere" writes names: the project gazetteer
        self.gazetteer = gazetteer or (default_gazetteer_path(store.path) if store.path else None)
        self.recognizer_spec = recognizer_spec
        self.recognizer = recognizer or builtin(
            self.gazetteer if self.gazetteer and self.gazetteer.exists() else None
        )

        self._positions: list[threading.Thread] = []
        self._problems_shown: set[str] = set()

    def save_position(self, doc_id: str, offset: int) -> None:
        """Remember a reading position as the reader closes, failing quietly."""

        def write() -> None:
            try:
                self.store.set_position(doc_id, offset, wait=POSITION_WAIT_SECONDS)
            except (sqlite3.Error, AnnottyError, OSError) as exc:
                log.info("reading position of %s not saved: %s", doc_id, exc)

        self.write_on_close(write, "annotty-position")

    def write_on_close(self, write: Callable[[], None], name: str) -> threading.Thread:
        """Run a small write (a reading position, a document's time) in a thread of its own.

        Not a worker: it runs as a screen closes, also when the app quits, and must outlive
        the screen and the app's workers; ``run`` waits for it before closing the store.
        """
        self._positions = [t for t in self._positions if t.is_alive()]
        thread = threading.Thread(target=write, name=name)
        self._positions.append(thread)
        thread.start()
        return thread

    async def on_event(self, event: events.Event) -> None:
        """Every key and click reaches the app first, also those a form or a priority binding
        takes: the open readers' clocks hear of them (time with a form open is working time,
        issue 16) before the event goes on as usual."""
        if isinstance(event, (events.Key, events.MouseDown)):
            for screen in self.screen_stack:
                if isinstance(screen, TimeKeeping):
                    screen.activity()
        await super().on_event(event)

    def wait_for_positions(self, seconds: float = 2 * POSITION_WAIT_SECONDS) -> None:
        for thread in self._positions:
            thread.join(seconds)

    def _handle_exception(self, error: Exception) -> None:
        """A database failure in a worker or handler (a damaged page, a read-only or vanished
        file) is shown once as a notice naming the database and what to do; the app stays up.
        Anything else is a bug and goes to Textual's own handler (traceback, exit)."""
        cause = error.error if isinstance(error, WorkerFailed) else error
        if not isinstance(cause, (sqlite3.Error, DatabaseProblem, ServerUnavailable)):
            super()._handle_exception(error)
            return
        message = permanent_problem(cause, self.store.where) or (
            f"{self.store.where or 'the database'}: database error: {cause}"
        )
        log.info("store error: %r", cause)
        if message not in self._problems_shown:
            self._problems_shown.add(message)
            self.notify(
                screen_safe(message),
                title="Database problem",
                severity="error",
                timeout=PROBLEM_SECONDS,
                markup=False,
            )

    def on_mount(self) -> None:
        if self.ask_annotator:  # nothing reads the store's annotator before it is chosen
            from tui.screens.annotator_name import AnnotatorNameScreen

            self.push_screen(AnnotatorNameScreen(), self._annotator_chosen)
            return
        self._start()

    def _annotator_chosen(self, name: str | None) -> None:
        if name:
            self.store.annotator = name
            self.sub_title = screen_safe(name)
            self._start()
            self.notify(f"Annotating as {screen_safe(name)}", title="annotty", markup=False)

    def _start(self) -> None:
        self.push_screen(LibraryScreen())
        if self.start_screen == "review":
            from tui.screens.review import ReviewScreen

            self.push_screen(ReviewScreen(self.review_filter))
        elif self.start_screen == "adjudicate":
            from tui.screens.adjudicate import AdjudicateScreen

            self.push_screen(AdjudicateScreen())
        if self.store.readonly:  # reading and export work; saves fail with ReadOnlyDatabase
            self.notify(
                f"Read-only database ({self.store.readonly}): you can read and "
                "export, but changes cannot be saved.",
                title="Read-only",
                severity="warning",
                timeout=30,
                markup=False,
            )
        elif self.seed:
            self.seed_corpus()
        self.watcher = watcher_for(self.store)
        self._on_terminal = on_terminal()  # False in tests and under textual-serve
        self.poll_timer = self.set_interval(POLL_SECONDS, self._poll_tick)
        if not self.store.readonly:
            self.start_save_retries()

    def _poll_tick(self) -> None:
        """One poll at a time: a tick while the last one still runs (a busy machine, a server
        slow to answer) is skipped. Cancelling it instead, as an exclusive worker would, made
        whoever waits for all workers (the tests) fail on a worker that was merely late."""
        if not any(w.group == "poll" and not w.is_finished for w in self.workers):
            self.poll_changes()

    @work(thread=True, group="poll")
    def poll_changes(self) -> None:
        """Notice other annotators' (and other screens') saves; the current screen refreshes.
        And notice a terminal that went away (its window closed, the SSH link dropped): the
        app then ends instead of spinning on a dead terminal (measured at 50-90 % of a core)."""
        if self._on_terminal and not on_terminal():
            self.call_from_thread(self._terminal_gone)
            return
        changes = self.watcher.poll()
        if changes:
            self.call_from_thread(self._changed, changes)

    def close_watcher(self) -> None:
        """Let go of the watcher's own connection (a server database's LISTEN session)."""
        watcher = getattr(self, "watcher", None)
        if watcher is not None:
            watcher.close()

    def on_unmount(self) -> None:
        self.close_watcher()

    def _terminal_gone(self) -> None:
        log.info("the terminal went away: exiting (kept saves are in the recovery journal)")
        self.exit(return_code=129)  # as a shell reports a hang-up

    def _changed(self, changes: Changes) -> None:
        self.screen.post_message(StoreChanged(changes))

    def saves_landed(self, doc_ids: frozenset[str]) -> None:
        self._changed(Changes(seq=self.watcher.seq, doc_ids=doc_ids, other=True))

    @work(thread=True, exclusive=True, group="seed")
    def seed_corpus(self) -> None:
        from annotations.seeding import ensure_seeded  # the importers: not needed to start

        report = ensure_seeded(self.store, self.recognizer)
        if report is not None and report.added:
            self.call_from_thread(self._seeded, len(report.added))

    def _seeded(self, count: int) -> None:
        self.notify(f"Imported {plural(count, 'sample document')} from seeds/.")
        if isinstance(self.screen, LibraryScreen):
            self.screen.reload()

    def open_document(self, doc_id: str, offset: int | None = None) -> None:
        from tui.screens.reader import ReaderScreen

        self.push_screen(ReaderScreen(doc_id, offset))

    @work(thread=True, exclusive=True, group="navigate")
    def open_next_unfinished(self, after: str | None = None, replace: bool = False) -> None:
        """Open the first to-do or in-progress document after ``after`` (wrapping round): of
        those assigned to me first, when I have assignments (``annotty assign``)."""
        docs = self.store.documents()
        mine = self.store.assignments_of()
        target = next_assigned([(d.id, d.status) for d in docs], after, mine) if mine else None
        if target is not None:
            self.call_from_thread(self._open_instead if replace else self.open_document, target)
            return
        ids = [d.id for d in docs]
        begin = ids.index(after) + 1 if after in ids else 0
        for doc in docs[begin:] + docs[:begin]:
            if doc.status in ("todo", "in_progress") and doc.id != after:
                self.call_from_thread(self._open_instead if replace else self.open_document, doc.id)
                return
        self.call_from_thread(self.notify, "Every other document is done or skipped.")

    def _open_instead(self, doc_id: str) -> None:
        from tui.screens.reader import ReaderScreen

        self.switch_screen(ReaderScreen(doc_id))

    def reload_recognizer(self) -> None:
        """The project gazetteer changed: a new recognizer (and so a new cache key)."""
        self.recognizer, _ = resolve(self.recognizer_spec, self.gazetteer)

    def action_export(self) -> None:
        from tui.screens.export_dialog import ExportDialog

        if not isinstance(self.screen, ExportDialog):
            from annotations.export import default_entity_source

            # the recognizer itself, not only its key: documents the entity cache lacks (after
            # an entities.yaml change) are recognized during the export, never left out
            self.push_screen(
                ExportDialog(
                    self.store,
                    self.recognizer.key,
                    entity_source=default_entity_source(self.recognizer),
                )
            )

    def action_review(self) -> None:
        from tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen())

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def action_adjudicate(self) -> None:
        from tui.screens.adjudicate import AdjudicateScreen

        self.push_screen(AdjudicateScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, every action of ``screen`` by name, and what database is open."""
        taken: set[str] = set()
        for command in super().get_system_commands(screen):
            taken.add(command.title)
            yield command
        yield SystemCommand(
            "Database info",
            "Which database file is open, and who annotates",
            self.action_database_info,
        )
        yield from binding_commands(screen, taken | {"Database info"})

    def action_database_info(self) -> None:
        """The open database's full path (the library shows only its file name)."""
        path, where = self.store.path, self.store.location
        if self.store.url is None:
            where = str(path.resolve()) if path is not None else "in memory (nothing is saved)"
        self.notify(
            f"Database: {screen_safe(where)}\nAnnotator: {screen_safe(self.store.annotator)}",
            title="Database",
            timeout=10,
            markup=False,
        )

    def key(self, binding_id: str) -> str:
        """The key of ``binding_id`` for a hint line, as remapped (``tui.key_hints``)."""
        return key_for(self, binding_id, self.user_keys)

    def action_guidelines(self) -> None:
        """The team's guidelines from any screen (the claim form has ``g`` as well)."""
        from tui.screens.guidelines import open_guidelines

        open_guidelines(self, self.schema)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"


def on_terminal() -> bool:
    """Whether the app's output is a terminal that is still there (after a hang-up the file
    descriptor stays open but is no terminal any more)."""
    stream = sys.__stdout__
    try:
        return stream is not None and os.isatty(stream.fileno())
    except (OSError, ValueError):
        return False


def binding_ids() -> frozenset[str]:
    """Every binding id a keymap may name: annotty's screens and widgets, and Textual's."""
    import tui.screens.adjudicate
    import tui.screens.candidate_queue
    import tui.screens.export_dialog
    import tui.screens.reader
    import tui.screens.review
    import tui.screens.stats  # noqa: F401  (their classes are what is walked below)

    ids: set[str] = set()
    for cls in binding_classes():
        ids.update(b.id for b in vars(cls).get("BINDINGS", ()) if isinstance(b, Binding) and b.id)
    return frozenset(ids)


def make_app(
    store: Store,
    *,
    schema: Schema | None = None,
    recognizer: Recognizer | None = None,
    keymap: Keymap | None = None,
    start: str = "library",
    review_filter: ReviewFilter | None = None,
    seed: bool = False,
    gazetteer: Path | None = None,
    recognizer_spec: str | None = None,
    suggester_spec: str | None = None,
    ask_annotator: bool = False,
) -> AnnottyApp:
    """The configured app, one way for the CLI and the tests alike: no stand-in apps.

    ``start`` is the screen shown over the library: ``library``, ``review`` or ``adjudicate``.
    An unknown binding id in ``keymap`` raises ``InputError`` (file, line, id).
    """
    return AnnottyApp(
        store,
        schema,
        recognizer=recognizer,
        seed=seed,
        start_screen=start,
        review_filter=review_filter,
        gazetteer=gazetteer,
        recognizer_spec=recognizer_spec,
        keymap=keymap,
        suggester_spec=suggester_spec,
        ask_annotator=ask_annotator,
    )


def run(
    store: Store,
    schema: Schema | None = None,
    seed: bool = False,
    start_screen: str = "library",
    review_filter: ReviewFilter | None = None,
    recognizer: Recognizer | None = None,
    gazetteer: Path | None = None,
    recognizer_spec: str | None = None,
    keymap: Keymap | None = None,
    suggester_spec: str | None = None,
    ask_annotator: bool = False,
) -> None:
    """Run the app on ``store``, opened (and checked) once by the caller, who closes it. An
    unknown binding id in ``keymap`` raises ``InputError`` (file, line, id) before it starts."""
    app = make_app(
        store,
        schema=schema,
        recognizer=recognizer,
        keymap=keymap,
        start=start_screen,
        review_filter=review_filter,
        seed=seed,
        gazetteer=gazetteer,
        recognizer_spec=recognizer_spec,
        suggester_spec=suggester_spec,
        ask_annotator=ask_annotator,
    )
    try:
        app.run()
    finally:
        app.wait_for_positions()
        app.close_watcher()
