"""A one-line prompt docked under the document: search (``/``) and go-to (``:``)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from tui.typeahead import after_typeahead


class Prompt(Input):
    DEFAULT_CSS = """
    Prompt { height: 1; border: none; padding: 0 1; display: none; }
    Prompt.-open { display: block; }
    """
    BINDINGS = [Binding("escape", "close", "Close", show=False)]

    @dataclass
    class Answered(Message):
        mode: str
        value: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.mode = ""

    def ask(self, mode: str, placeholder: str, value: str = "") -> None:
        self.mode = mode
        self.placeholder = placeholder
        self.value = value
        self.add_class("-open")
        self.focus()
        after_typeahead(self, self._replay)  # keys typed right after the opening key

    def _replay(self, keys: list[events.Key]) -> None:
        for key in keys:
            if key.key == "enter":
                self._answer(self.value)
                return
            if key.key == "escape":
                self.action_close()
                return
            if key.key == "backspace":
                self.action_delete_left()
            elif key.is_printable and key.character:
                self.insert_text_at_cursor(key.character)

    def action_close(self) -> None:
        self.remove_class("-open")
        self.post_message(self.Answered(self.mode, ""))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._answer(event.value)

    def _answer(self, value: str) -> None:
        self.remove_class("-open")
        self.post_message(self.Answered(self.mode, value))
