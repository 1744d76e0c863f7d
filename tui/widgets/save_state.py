"""Saves that failed, in the app: a persistent line while any is pending, retries, quit guard.

The core (``annotations.recovery.SaveQueue``) keeps each failed save in memory and in the
recovery journal. Here the app retries them from a thread worker every few seconds, replays an
earlier session's journal at start, and warns before quitting while anything is unsaved; the
``SaveState`` line shows "not saved yet, retrying" until the last one is saved. When the
database cannot take saves at all (read-only, damaged), there is no retry loop: the line says
the changes cannot be saved and where they are kept (or that even the journal failed).
"""

from __future__ import annotations

from time import monotonic

from rich.console import RenderableType
from rich.text import Text
from textual import work
from textual.app import App
from textual.widgets import Static

from annotations.recovery import SaveQueue
from annotations.screen_text import screen_safe
from annotations.terminal_safe import plural

RETRY_SECONDS = 2.0
SHOW_SECONDS = 0.5
QUIT_AGAIN_SECONDS = 6.0
PERSIST_SECONDS = 600
"""How long a notice of work that was not saved stays on screen (until dismissed)."""


class SaveState(Static):
    """One line, shown only while saves are pending; reads the queue without waiting."""

    DEFAULT_CSS = """
    SaveState { height: auto; display: none; background: $error; color: $text;
                text-style: bold; padding: 0 1; }
    SaveState.-pending { display: block; }
    """

    _shown: str | None = None

    def on_mount(self) -> None:
        self.refresh_state()
        self.set_interval(SHOW_SECONDS, self.refresh_state)

    def refresh_state(self) -> None:
        saves: SaveQueue | None = getattr(self.app, "saves", None)
        count = saves.unsaved if saves is not None else 0
        self.set_class(count > 0, "-pending")
        if count and saves is not None and saves.blocked:
            self._show(blocked_line(saves, count))
        elif count and saves is not None:
            why = " ".join(screen_safe(saves.last_error).split())[:80]
            self._show(
                f"⚠ {plural(count, 'change')} not saved yet, retrying"
                f"{f' ({why})' if why else ''}. Kept safe in the recovery journal."
            )
        else:
            self._show("")

    def _show(self, line: str) -> None:
        """Only a changed line is drawn: each update lays the screen out again, and this one
        is asked twice a second."""
        if line != self._shown:
            self._shown = line
            self.update(Text(line))


def blocked_line(saves: SaveQueue, count: int) -> str:
    """The database takes no saves this session: what is kept where, and why."""
    why = " ".join(screen_safe(saves.blocked).split())[:160]
    if saves.journal_error or saves.journal.path is None:
        kept = (
            "Not even the recovery journal could be written "
            f"({screen_safe(saves.journal_error) or 'in-memory database'}): they are lost on "
            "quit."
        )
    else:
        kept = (
            f"Kept in {screen_safe(str(saves.journal.path))}; saved when annotty next opens "
            "the database writable."
        )
    return f"⚠ {plural(count, 'change')} cannot be saved: {why}. {kept}"


class SaveGuard(App[None]):
    """The app's part: set ``self.saves`` in ``__init__`` and call ``start_save_retries``."""

    saves: SaveQueue
    _quit_warned = -QUIT_AGAIN_SECONDS

    def start_save_retries(self) -> None:
        self.recover_saves()
        self.set_interval(RETRY_SECONDS, self.retry_saves)

    @work(thread=True, group="save-recover")
    def recover_saves(self) -> None:
        """Replay what an earlier session could not save (this annotator's only)."""
        saved, left, problems = self.saves.recover()
        if saved:  # what the first screen shows may have been read before
            self.call_from_thread(self.saves_landed, frozenset())
        for line in problems:
            self.call_from_thread(self.notify, screen_safe(line), severity="warning", markup=False)
        if saved or left:
            message = (
                f"Recovered {plural(saved, 'unsaved change')} from the last session"
                + (f"; {left} still waiting" if left else "")
                + "."
            )
            self.call_from_thread(self.notify, message, markup=False)
        self._report_dropped()

    @work(thread=True, exclusive=True, group="save-retry")
    def retry_saves(self) -> None:
        if self.saves.blocked:  # read-only or damaged: no retry can help this session
            return
        docs = frozenset(s.doc_id for s in self.saves.pending if s.doc_id)
        if self.saves.unsaved and not self.saves.retry(blocking=False):
            self.call_from_thread(self.notify, "Every change is saved now.", markup=False)
            self.call_from_thread(self.saves_landed, docs)
        self._report_dropped()

    def saves_landed(self, doc_ids: frozenset[str]) -> None:
        """Kept saves reached the database (some, like a status, leave no history row for the
        change watcher to see): the app refreshes what the screen shows."""

    def _report_dropped(self) -> None:
        while self.saves.dropped:
            line = self.saves.dropped.pop(0)
            self.call_from_thread(
                self.notify, screen_safe(line), severity="error", timeout=30, markup=False
            )

    def exit(
        self, result: None = None, return_code: int = 0, message: RenderableType | None = None
    ) -> None:
        """Quit; while changes are unsaved, only when asked twice (they stay in the journal).

        Guarding ``exit`` rather than one binding covers every way out (``ctrl+q``, ``q`` on the
        first screen); an error exit (non-zero code) is never held back.
        """
        count = self.saves.unsaved
        if return_code == 0 and count and monotonic() - self._quit_warned > QUIT_AGAIN_SECONDS:
            self._quit_warned = monotonic()
            where = self.saves.journal.path
            kept = (
                f" They are kept in {screen_safe(str(where))} and saved when annotty next "
                "starts" + (" on a writable database." if self.saves.blocked else ".")
                if where and not self.saves.journal_error
                else " They could not be written to the recovery journal either."
            )
            self.notify(
                f"{plural(count, 'change')} not saved yet.{kept} Quit again to quit anyway.",
                title="Not saved",
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        super().exit(result, return_code, message)
