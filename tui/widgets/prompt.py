"""A one-line prompt docked under the document: search (``/``) and go-to (``:``).

A modal screen, not a field inside the reader: while it is open the reader's priority bindings
are out of the binding chain, so every key typed (also in one burst with ``/``) goes into it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input


class Prompt(ModalScreen[str]):
    """Dismissed with what was typed (``enter``), or with "" (``escape``)."""

    DEFAULT_CSS = """
    Prompt { align: left bottom; background: transparent; }
    Prompt > Input { height: 1; border: none; padding: 0 1; dock: bottom; margin-bottom: 2; }
    """
    BINDINGS = [Binding("escape", "close", "Close", show=False, id="prompt.close")]

    def __init__(self, mode: str, placeholder: str, value: str = "") -> None:
        super().__init__()
        self.mode = mode
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        yield Input(self.value, placeholder=self.placeholder, compact=True, id="prompt")

    def on_mount(self) -> None:
        # at once, not ``focus()`` (queued behind the keys typed right after ``/``)
        self.set_focus(self.query_one(Input))

    def action_close(self) -> None:
        self.dismiss("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)
