"""Correct an entity: pick its type with one key, here or everywhere; or remove it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.widgets import Label as LabelWidget
from textual.widgets import Static

from annotations.schema import Label
from annotations.screen_text import screen_safe
from tui.styles import ENTITY_COLOURS
from tui.widgets.choice_field import ChoiceField
from tui.widgets.keyed_form import KeyedForm

ENTITY_KEYS = (
    ("PERSON", "p"),
    ("ORG", "o"),
    ("GPE", "g"),
    ("LOC", "l"),
    ("NORP", "n"),
    ("FAC", "f"),
    ("EVENT", "e"),
    ("PRODUCT", "r"),
    ("LAW", "w"),
    ("WORK_OF_ART", "k"),
    ("DATE", "d"),
    ("TIME", "t"),
    ("MONEY", "m"),
    ("PERCENT", "%"),
    ("QUANTITY", "q"),
    ("CARDINAL", "c"),
    ("ORDINAL", "1"),
    ("LANGUAGE", "u"),
)
LABELS = tuple(Label(name, key, colour=ENTITY_COLOURS.get(name, "")) for name, key in ENTITY_KEYS)
SCOPES = (
    Label("here", "h", "only this mention"),
    Label("everywhere", "*", "add to the project gazetteer"),
)


class EntityForm(KeyedForm):
    """Dismisses with ``{"label", "scope"}``, ``{"remove": True, "scope"}`` or None."""

    DEFAULT_CSS = """
    EntityForm { align: center middle; }
    EntityForm > VerticalScroll {
        width: 90%; max-width: 90; height: auto; max-height: 100%; border: round $accent;
        background: $panel;
        padding: 0 1;
    }
    EntityForm Grid { grid-size: 2; grid-columns: 10 1fr; grid-rows: auto; height: auto; }
    EntityForm #hint, EntityForm #quote { color: $text-muted; }
    EntityForm #error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="entity_form.cancel"),
        Binding("enter", "save", "Save", id="entity_form.save"),
        Binding("x", "remove", "Remove entity", id="entity_form.remove"),
    ]

    def __init__(self, quote: str, label: str = "", can_remove: bool = False) -> None:
        super().__init__()
        self.quote = quote
        self.label = label
        self.can_remove = can_remove

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            title = "Correct entity" if self.label else "Add entity"
            yield Static(Text(title, style="bold"))
            yield Static(Text(f"“{screen_safe(self.quote)[:200]}”"), id="quote")
            with Grid():
                yield LabelWidget("Type")
                yield ChoiceField("label", LABELS, self.label, id="label")
                yield LabelWidget("Apply")
                yield ChoiceField("scope", SCOPES, "here", id="scope")
            yield Static("", id="error")
            key = self.app.key
            hint = (
                f"keys pick · * apply everywhere · {key('entity_form.save')} save"
                f" · {key('entity_form.cancel')} cancel"
            )
            if self.can_remove:
                hint += f" · {key('entity_form.remove')} remove"
            yield Static(Text(hint), id="hint")

    def on_mount(self) -> None:
        # at once, not ``focus()`` (queued behind keys typed with the form's key: see KeyedForm)
        self.set_focus(self.query_one("#label", ChoiceField))

    def _choose(self, char: str) -> bool:
        if char == "x" and self.can_remove:
            self.action_remove()
            return True
        return any(field.choose(char) for field in self.query(ChoiceField))

    def _scope(self) -> str:
        return self.query_one("#scope", ChoiceField).value or "here"

    def action_save(self) -> None:
        label = self.query_one("#label", ChoiceField).value
        if not label:
            self.query_one("#error", Static).update(Text("Pick a type first."))
            return
        self.dismiss({"label": label, "scope": self._scope()})

    def action_remove(self) -> None:
        if self.can_remove:
            self.dismiss({"remove": True, "scope": self._scope()})
