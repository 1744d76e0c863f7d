"""The export dialog (``ctrl+e``): format, filters and path, a live preview, and progress.

Everything that reads the database runs in thread workers: the preview (the first two documents
of the export, re-made a moment after the choices stop changing) and the export itself, which
reports progress with coalesced messages and can be cancelled with ``escape``. The preview is
the exporter's own output shown through Rich's ``Syntax`` (Pygments) after control characters are
made harmless; document text never becomes markup. A box adds the decided claim candidates
(``annotty export --include-suggestions``); a format that cannot carry them says so in the preview
and refuses to export.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, ProgressBar, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from annotations.errors import AnnottyError
from annotations.export import (
    FORMATS,
    EntitySource,
    Filters,
    Tally,
    default_entity_source,
    export,
    get_format,
    preview,
    suggestions_refused,
)
from annotations.model import REVIEW_STATUSES
from annotations.screen_text import screen_safe
from annotations.store import Store
from annotations.terminal_safe import plural

PREVIEW_DELAY = 0.3  # seconds of quiet before the preview is re-made
PROGRESS_EVERY = 0.1  # seconds between progress messages from the export thread


class ExportCancelled(Exception):
    """Raised inside the export thread when the user pressed escape."""


def values(raw: str) -> tuple[str, ...]:
    """``"a, b"`` -> ``("a", "b")``: several values of one filter, comma-separated."""
    return tuple(v.strip() for v in raw.split(",") if v.strip())


class StateCheckbox(Checkbox):
    """A checkbox whose box is empty when off: on and off differ in shape, not only in colour
    (``NO_COLOR`` terminals, colour-blind users)."""

    def __init__(self, label: str, value: bool = False, *, id: str | None = None) -> None:
        super().__init__(label, value, id=id)
        self.BUTTON_INNER = "X" if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        super().watch_value()
        self.refresh()


class ExportDialog(ModalScreen[Path | None]):
    """Export with filters; dismisses with the path last written, or None."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 96%; max-width: 110; height: auto; max-height: 100%; overflow-y: auto;
        border: round $accent; background: $panel; padding: 0 1;
    }
    ExportDialog Grid { grid-size: 2; grid-columns: 11 1fr; grid-rows: auto; height: auto; }
    ExportDialog Grid > Label { color: $text-muted; }
    ExportDialog Input { border: none; height: 1; padding: 0; background: $boost; }
    ExportDialog Input:focus { border: none; background: $primary 30%; }
    ExportDialog Select { height: 1; }
    ExportDialog SelectCurrent { border: none; height: 1; padding: 0; }
    ExportDialog Checkbox { border: none; height: 1; padding: 0; background: $panel; }
    ExportDialog Checkbox > .toggle--button { background: $foreground 25%; color: $text-muted; }
    ExportDialog Checkbox.-on > .toggle--button {
        background: $foreground 25%; color: $text-success; text-style: bold;
    }
    ExportDialog Checkbox:focus { border: none; }
    ExportDialog #preview-box { height: 12; border: solid $primary 50%; margin: 1 0 0 0; }
    ExportDialog ProgressBar { height: 1; }
    ExportDialog .hint { color: $text-muted; }
    ExportDialog .title { text-style: bold; }
    ExportDialog #outcome.error { color: $error; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close / cancel", id="export.close"),
        Binding("ctrl+s", "export", "Export", id="export.export"),
        # enter exports from any field; in an open format/status list it picks the choice
        # (``action_submit`` skips), and space or down opens a list, space ticks the box
        Binding("enter", "submit", "Export", show=False, priority=True, id="export.enter"),
    ]

    @dataclass
    class Progressed(Message):
        """Documents written so far, from the export thread."""

        done: int
        total: int

    def __init__(
        self,
        store: Store,
        recognizer_key: str,
        entity_source: EntitySource | None = None,
        folder: Path | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.recognizer_key = recognizer_key
        self.entity_source = entity_source or default_entity_source()
        self.folder = folder or Path.cwd()
        self.written: Path | None = None
        self._export_worker: Worker[Tally] | None = None
        self._preview_timer: Timer | None = None

    # -- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        formats = [(Text(f"{name}  ·  {form.description}"), name) for name, form in FORMATS.items()]
        with Vertical():
            yield Static(Text("Export annotations", style="bold"), classes="title")
            with Grid():
                yield Label("Format")
                yield Select(formats, value="json", allow_blank=False, id="format", compact=True)
                yield Label("Review")
                yield Select(
                    [(Text(s), s) for s in REVIEW_STATUSES],
                    prompt="any status",
                    id="status",
                    compact=True,
                )
                yield Label("Annotator")
                yield Input(placeholder="any (several: a, b)", id="annotator")
                yield Label("Type")
                yield Input(placeholder="any claim type (several: a, b)", id="claim_type")
                yield Label("Stance")
                yield Input(placeholder="any stance", id="stance")
                yield Label("Document")
                yield Input(placeholder="any document id (several: a, b)", id="doc")
                yield Label("")
                yield StateCheckbox("only documents with a matching claim", id="skip_empty")
                yield Label("")
                yield StateCheckbox(
                    "include decided claim candidates (score, accepted or rejected)",
                    id="suggestions",
                )
                yield Label("Path")
                # typing in the path edits it (select_on_focus would replace it all)
                yield Input(str(self._default_path("json")), id="path", select_on_focus=False)
            with VerticalScroll(id="preview-box"):
                yield Static(Text("preparing a preview…"), id="preview")
            yield ProgressBar(total=100, show_eta=False, id="progress")
            yield Static(Text(""), id="outcome")
            yield Static(
                Text(
                    "enter or ctrl+s export · tab next field · space opens a list or "
                    "ticks the box · escape close (cancels a running export)"
                ),
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#format", Select).focus()
        self._refresh_preview()

    # -- choices ----------------------------------------------------------------------------
    def _default_path(self, fmt: str) -> Path:
        form = get_format(fmt)
        name = "annotty-brat" if form.write_path and not form.path_suffix else "annotty-export"
        return self.folder / f"{name}{form.suffix}"

    def filters(self) -> Filters:
        status = self.query_one("#status", Select).value
        return Filters(
            status=(str(status),) if status is not Select.NULL else (),
            annotator=values(self.query_one("#annotator", Input).value),
            claim_type=values(self.query_one("#claim_type", Input).value),
            stance=values(self.query_one("#stance", Input).value),
            doc=values(self.query_one("#doc", Input).value),
            skip_empty=self.query_one("#skip_empty", Checkbox).value,
            suggestions=self.query_one("#suggestions", Checkbox).value,
        )

    @property
    def fmt(self) -> str:
        return str(self.query_one("#format", Select).value)

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        path = self.query_one("#path", Input)
        defaults = {str(self._default_path(name)) for name in FORMATS}
        if path.value in defaults or not path.value.strip():
            path.value = str(self._default_path(self.fmt))
        self._schedule_preview()

    @on(Select.Changed, "#status")
    @on(Checkbox.Changed)
    def _choice_changed(self) -> None:
        self._schedule_preview()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id != "path":
            self._schedule_preview()

    def action_submit(self) -> None:
        """``enter``: export, unless an open list is waiting for ``enter`` to pick a choice."""
        if any(select.expanded for select in self.query(Select)):
            raise SkipAction()
        self.action_export()

    # -- preview ----------------------------------------------------------------------------
    def _schedule_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._refresh_preview)

    def _refresh_preview(self) -> None:
        self._preview_timer = None
        self._make_preview(self.fmt, self.filters())

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _make_preview(self, fmt: str, filters: Filters) -> tuple[str, str]:
        refused = suggestions_refused(fmt) if filters.suggestions else None
        if refused:
            return refused, "text"
        text = preview(
            self.store,
            fmt,
            self.recognizer_key,
            filters=filters,
            entity_source=self.entity_source,
            documents=2,
            max_chars=3000,
        )
        return screen_safe(text) or "(nothing matches these filters)", get_format(fmt).lexer

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker, state = event.worker, event.state
        if worker.group == "preview" and state == WorkerState.SUCCESS and worker.result:
            text, lexer = worker.result
            theme = "ansi_dark" if getattr(self.app.current_theme, "dark", True) else "ansi_light"
            self.query_one("#preview", Static).update(
                Syntax(text, lexer, theme=theme, word_wrap=True, background_color="default")
            )
        elif worker.group == "preview" and state == WorkerState.ERROR:
            self.query_one("#preview", Static).update(Text(f"no preview: {worker.error}"))
        elif worker.group == "export" and state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._export_worker = None
            self._finished(worker)

    # -- export -----------------------------------------------------------------------------
    def action_export(self) -> None:
        if self._export_worker is not None:
            return
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self._say("give a path to write to", error=True)
            return
        target = Path(raw).expanduser()
        progress = self.query_one("#progress", ProgressBar)
        progress.update(total=None, progress=0)
        self._say(f"exporting to {target}…")
        self._export_worker = self._export(self.fmt, self.filters(), target)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, fmt: str, filters: Filters, target: Path) -> Tally:
        worker = get_current_worker()
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            if worker.is_cancelled:
                raise ExportCancelled
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY or done == total:
                last = now
                self.post_message(self.Progressed(done, total))

        return export(
            self.store,
            fmt,
            target,
            self.recognizer_key,
            filters=filters,
            entity_source=self.entity_source,
            progress=progress,
        )

    @on(Progressed)
    def _progressed(self, event: Progressed) -> None:
        self.query_one("#progress", ProgressBar).update(
            total=max(event.total, 1), progress=event.done
        )

    def _finished(self, worker: Worker[Any]) -> None:
        target = Path(self.query_one("#path", Input).value.strip()).expanduser()
        if worker.state == WorkerState.SUCCESS:
            tally = cast(Tally, worker.result)
            self.written = target
            bar = self.query_one("#progress", ProgressBar)
            bar.update(total=max(tally.documents, 1), progress=max(tally.documents, 1))
            skipped = f" ({plural(len(tally.skipped), 'span')} skipped)" if tally.skipped else ""
            decided = (
                f", {plural(tally.suggestions, 'decided candidate')}"
                if self.query_one("#suggestions", Checkbox).value
                else ""
            )
            self._say(
                f"wrote {plural(tally.documents, 'document')}, "
                f"{plural(tally.claims, 'claim')}, {plural(tally.entities, 'entity')}{decided} "
                f"to {target}{skipped}"
            )
        elif worker.state == WorkerState.CANCELLED or isinstance(worker.error, ExportCancelled):
            self._say("export cancelled; nothing was written", error=True)
        else:
            error = worker.error
            message = str(error) if isinstance(error, AnnottyError | OSError) else repr(error)
            self._say(f"export failed: {message}", error=True)

    def _say(self, message: str, error: bool = False) -> None:
        outcome = self.query_one("#outcome", Static)
        outcome.update(Text(message))
        outcome.set_class(error, "error")

    def action_close(self) -> None:
        if self._export_worker is not None:
            self._export_worker.cancel()
            return
        self.dismiss(self.written)
