"""Who is annotating: the first screen of a browser tab served by ``annotty serve``.

A terminal session knows its annotator (``--annotator``, else the login name); a browser tab
does not: the server's login name is nobody's. Until a name is chosen nothing else of the app
runs, so no screen reads the store's annotator too early (the library's assignments and
statuses, the recovery journal's replay are all per annotator).
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotations.screen_text import screen_safe
from tui.screens.worker_results import deliver

if TYPE_CHECKING:
    from tui.app import AnnottyApp

MAX_NAME = 100
"""Longer is surely a paste gone wrong; a name is shown in tables and titles."""


def name_problem(name: str) -> str:
    """Why ``name`` cannot be an annotator's name ("" when it can): names are shown in
    tables, titles and command output, so no control or format characters, and not empty."""
    if not name:
        return "Type a name, or pick one from the list."
    if len(name) > MAX_NAME:
        return f"At most {MAX_NAME} characters."
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        return "No control or invisible characters in a name."
    return ""


class AnnotatorNameScreen(Screen[str]):
    """Type a name or pick a known one (assignments and past annotators); ``enter`` starts.

    Dismissed with the chosen name. Typing filters the list; ``down`` goes to the list,
    ``escape`` back to typing.
    """

    DEFAULT_CSS = """
    AnnotatorNameScreen { align: center middle; }
    AnnotatorNameScreen > Vertical {
        width: 60; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; padding: 1 2;
    }
    AnnotatorNameScreen .title { text-style: bold; margin-bottom: 1; }
    AnnotatorNameScreen #annotator-names { height: auto; max-height: 12; margin-top: 1; }
    AnnotatorNameScreen #annotator-problem { color: $error; height: auto; }
    AnnotatorNameScreen .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("down", "to_list", "Known names", show=False, id="annotator_name.list"),
        Binding("escape", "to_input", "Type a name", show=False, id="annotator_name.type"),
    ]
    AUTO_FOCUS = "#annotator-input"
    app: AnnottyApp

    def __init__(self) -> None:
        super().__init__()
        self.known: list[str] = []
        self._shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Who is annotating?"), classes="title")
            yield Input(placeholder="your name", id="annotator-input", max_length=MAX_NAME)
            yield OptionList(id="annotator-names")
            yield Static("", id="annotator-problem")
            key = self.app.key  # as remapped
            yield Static(
                Text(
                    f"enter start · {key('annotator_name.list')} the names this project knows"
                    f" · {key('annotator_name.type')} back to typing · {key('app.quit')} quit"
                ),
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self.load_names()

    @work(thread=True, exclusive=True, group="annotator-names")
    def load_names(self) -> None:
        names = self.app.store.known_annotators()
        deliver(self, self._names_loaded, names)

    def _names_loaded(self, names: list[str]) -> None:
        self.known = names
        self._show(self.query_one(Input).value)

    def _show(self, typed: str) -> None:
        """The known names containing what is typed (all of them while nothing is)."""
        needle = typed.strip().casefold()
        shown = [n for n in self.known if needle in n.casefold()]
        names = self.query_one(OptionList)
        names.clear_options()
        # names are data: plain Text, never markup; controls shown as escapes
        names.add_options([Option(Text(screen_safe(n)), id=str(i)) for i, n in enumerate(shown)])
        self._shown = shown
        names.display = bool(shown)
        if shown:
            names.highlighted = 0

    @on(Input.Changed, "#annotator-input")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#annotator-problem", Static).update("")
        self._show(event.value)

    @on(Input.Submitted, "#annotator-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.choose(event.value.strip())

    @on(OptionList.OptionSelected, "#annotator-names")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(self._shown[event.option_index])

    def choose(self, name: str) -> None:
        problem = name_problem(name)
        if problem:
            self.query_one("#annotator-problem", Static).update(Text(problem))
            return
        self.dismiss(name)

    def action_to_list(self) -> None:
        names = self.query_one(OptionList)
        if names.display and names.option_count:
            names.focus()

    def action_to_input(self) -> None:
        self.query_one(Input).focus()
