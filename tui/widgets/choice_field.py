"""A one-key-per-choice field: shows every label with its key, the chosen one highlighted."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from annotations.schema import Label
from tui.styles import background_of, readable


class ChoiceField(Widget, can_focus=True):
    DEFAULT_CSS = """
    ChoiceField { height: auto; width: 1fr; }
    ChoiceField:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("right,down", "step(1)", "Next choice", show=False, id="choice.next"),
        Binding("left,up", "step(-1)", "Previous choice", show=False, id="choice.previous"),
        Binding("backspace,delete", "clear", "Clear", show=False, id="choice.clear"),
    ]

    value: reactive[str] = reactive("", always_update=True)

    @dataclass
    class Changed(Message):
        field: ChoiceField
        value: str

        @property
        def control(self) -> ChoiceField:
            return self.field

    def __init__(
        self, name: str, labels: tuple[Label, ...], value: str = "", *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.field_name = name
        self.labels = labels
        self.set_reactive(ChoiceField.value, value)

    @property
    def chosen(self) -> Label | None:
        """The highlighted choice's label (what the form describes), or None."""
        return next((lab for lab in self.labels if lab.name == self.value), None)

    def key_for(self, char: str) -> Label | None:
        return next((lab for lab in self.labels if lab.key == char), None)

    def choose(self, char: str) -> bool:
        label = self.key_for(char)
        if label is None:
            return False
        self.value = label.name
        return True

    def action_step(self, delta: int) -> None:
        names = [lab.name for lab in self.labels]
        index = names.index(self.value) if self.value in names else -1
        self.value = names[(index + delta) % len(names)]

    def action_clear(self) -> None:
        self.value = ""

    def watch_value(self, value: str) -> None:
        self.post_message(self.Changed(self, value))

    def render(self) -> Text:
        background = background_of(self)
        out = Text(no_wrap=False, overflow="fold")
        for i, lab in enumerate(self.labels):
            if i:
                out.append("  ")
            chosen = lab.name == self.value
            style = Style(reverse=True, bold=True) if chosen else Style()
            mark = "●" if chosen else " "
            out.append(f"{lab.key}", Style(bold=True, underline=True))
            # schema colours fitted to the form's background: readable in both themes
            fitted = readable(lab.colour, (background,)) if lab.colour else None
            out.append(f"{mark}{lab.name}", style + Style(color=fitted))
        return out
