"""The claim form: every field of the schema, one key per choice, ``enter`` saves.

Keys go to the focused choice field first, then to any field that uses the key, so a claim is
usually tagged with two keys (type, stance) and ``enter``. Text fields (target, speaker, note)
take typing when focused; ``tab`` moves between fields, ``escape`` cancels.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from annotations.schema import Schema
from annotations.text import display
from tui.widgets.choice_field import ChoiceField
from tui.widgets.keyed_form import KeyedForm

QUOTE_CHARS = 240
CHOICES = (("claim_type", "claim_types", "Type"), ("stance", "stances", "Stance"),
           ("attribution", "attributions", "Attribution"),
           ("checkworthy", "checkworthiness", "Check-worthy"))


class ClaimForm(KeyedForm):
    """Tag or edit a claim. Dismisses with the field values, or None when cancelled."""

    DEFAULT_CSS = """
    ClaimForm { align: center middle; }
    ClaimForm > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    ClaimForm #quote { color: $text-muted; margin-bottom: 1; max-height: 4; }
    ClaimForm Grid { grid-size: 2; grid-columns: 14 1fr; grid-rows: auto; height: auto; }
    ClaimForm Grid > Label { color: $text-muted; }
    ClaimForm Input { border: none; height: 1; padding: 0; background: $boost; }
    ClaimForm Input:focus { background: $primary 30%; }
    ClaimForm #error { color: $error; height: auto; }
    ClaimForm #hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "save", "Save"),
    ]

    def __init__(self, schema: Schema, quote: str, initial: dict[str, Any] | None = None,
                 speakers: list[str] | None = None, title: str = "Tag claim") -> None:
        super().__init__()
        self.schema = schema
        self.quote = quote
        self.initial = dict(initial or {})
        self.speakers = list(dict.fromkeys(speakers or []))
        self.form_title = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.form_title, style="bold"))
            shown = self.quote if len(self.quote) <= QUOTE_CHARS else (
                self.quote[:QUOTE_CHARS] + "…")
            yield Static(Text(f"“{display(shown)}”"), id="quote")
            with Grid():
                for field, schema_field, caption in CHOICES[:2]:
                    yield Label(caption)
                    yield ChoiceField(field, self.schema.field(schema_field),
                                      self._default(field), id=field)
                yield Label("Target")
                yield Input(self.initial.get("target", ""), id="target",
                            placeholder="project target or free text",
                            suggester=SuggestFromList(self.schema.targets, case_sensitive=False))
                yield Label("Speaker")
                yield Input(self.initial.get("speaker", ""), id="speaker",
                            placeholder="entity in the document or free text",
                            suggester=SuggestFromList(self.speakers, case_sensitive=False))
                for field, schema_field, caption in CHOICES[2:]:
                    labels = self.schema.field(schema_field)
                    if labels:
                        yield Label(caption)
                        yield ChoiceField(field, labels, self.initial.get(field, ""), id=field)
                yield Label("Note")
                yield Input(self.initial.get("note", ""), id="note", placeholder="optional")
            yield Static("", id="error")
            yield Static(Text("keys pick choices · tab next field · enter save · escape cancel"),
                         id="hint")

    def _default(self, field: str) -> str:
        if field == "stance":
            return self.initial.get("stance") or ("none" if self.schema.label(
                "stances", "none") else "")
        return self.initial.get(field, "")

    def on_mount(self) -> None:
        self.query_one("#claim_type", ChoiceField).focus()
        super().on_mount()

    def _choose(self, char: str) -> bool:
        """Give a key to the focused choice field, else to the first field that uses it."""
        fields = list(self.query(ChoiceField))
        if isinstance(self.focused, ChoiceField):
            fields.remove(self.focused)
            fields.insert(0, self.focused)
        return any(field.choose(char) for field in fields)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.field_name: f.value for f in self.query(ChoiceField)}
        for name in ("target", "speaker", "note"):
            out[name] = self.query_one(f"#{name}", Input).value.strip()
        return out

    def action_save(self) -> None:
        values = self.values()
        if not values.get("claim_type"):
            keys = "/".join(lab.key for lab in self.schema.claim_types)
            self.query_one("#error", Static).update(Text(f"Pick a claim type ({keys}) first."))
            self.query_one("#claim_type", ChoiceField).focus()
            return
        self.dismiss(values)

