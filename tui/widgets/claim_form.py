"""The claim form: every field of the schema, one key per choice, ``enter`` saves.

Keys go to the focused choice field first, then to any field that uses the key, so a claim is
usually tagged with two keys (type, stance) and ``enter``. A schema's keys are unique across its
choice fields, so the choices are one stop: ``tab`` goes from any of them to the next text field
(target, speaker, note) and on round to the claim type, so ``c 3 a tab`` then typing fills the
target, as a user expects; ``escape`` cancels. The focused field's
caption is marked (``▸``, reversed), and the form scrolls, so every field is reachable on a
small terminal. Under the choice field being edited, one line gives the schema's description
(and first example) of its highlighted choice, where the decision is made; ``g`` opens the
team's guidelines over the form, which keeps everything typed.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from annotations.keymap import character_key
from annotations.schema import Label as SchemaLabel
from annotations.schema import Schema
from annotations.screen_text import screen_safe
from tui.widgets.choice_field import ChoiceField
from tui.widgets.keyed_form import KeyedForm

QUOTE_CHARS = 240
CHOICES = (
    ("claim_type", "claim_types", "Type"),
    ("stance", "stances", "Stance"),
    ("attribution", "attributions", "Attribution"),
    ("checkworthy", "checkworthiness", "Check-worthy"),
)


class ClaimForm(KeyedForm):
    """Tag or edit a claim. Dismisses with the field values, or None when cancelled."""

    DEFAULT_CSS = """
    ClaimForm { align: center middle; }
    ClaimForm > VerticalScroll {
        width: 90%; max-width: 100; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    ClaimForm #quote { color: $text-muted; margin-bottom: 1; max-height: 4; }
    ClaimForm Grid { grid-size: 2; grid-columns: 16 1fr; grid-rows: auto; height: auto; }
    ClaimForm Grid > Label { color: $text-muted; }
    ClaimForm Grid > Label.-focused { color: $text; text-style: bold reverse; }
    ClaimForm Grid > .about {
        column-span: 2; height: 1; color: $text-muted; display: none;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    ClaimForm Grid > .about.-shown { display: block; }
    ClaimForm Input { border: none; height: 1; padding: 0; background: $boost; }
    ClaimForm Input:focus { background: $primary 30%; }
    ClaimForm #error { color: $error; height: auto; }
    ClaimForm #hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="claim_form.cancel"),
        Binding("enter", "save", "Save", id="claim_form.save"),
        # not priority: a text field types "g", and a schema choice on "g" takes it first (then
        # ctrl+g, which a modal form does not get from the app's bindings)
        Binding("g,ctrl+g", "guidelines", "Guidelines", id="claim_form.guidelines"),
        # priority: run when Textual routes the key, so the keys after it go to the new field
        Binding(
            "tab", "next_field", "Next field", show=False, priority=True, id="claim_form.next_field"
        ),
        Binding(
            "shift+tab",
            "previous_field",
            "Previous field",
            show=False,
            priority=True,
            id="claim_form.previous_field",
        ),
    ]
    STOPS = ("claim_type", "target", "speaker", "note")
    """The tab order: the choices (entered at the claim type) and the text fields."""

    def __init__(
        self,
        schema: Schema,
        quote: str,
        initial: dict[str, Any] | None = None,
        speakers: list[str] | None = None,
        title: str = "Tag claim",
    ) -> None:
        super().__init__()
        self.schema = schema
        self.quote = quote
        self.initial = dict(initial or {})
        self.speakers = list(dict.fromkeys(speakers or []))
        self.form_title = title
        self.captions: dict[str, str] = {}  # field id -> caption, for the focus marker

    def compose(self) -> ComposeResult:
        key = self.app.key
        with VerticalScroll():
            yield Static(Text(self.form_title, style="bold"))
            shown = (
                self.quote if len(self.quote) <= QUOTE_CHARS else (self.quote[:QUOTE_CHARS] + "…")
            )
            yield Static(Text(f"“{screen_safe(shown)}”"), id="quote")
            with Grid():
                for field, schema_field, caption in CHOICES[:2]:
                    yield self._caption(caption, field)
                    yield ChoiceField(
                        field, self.schema.field(schema_field), self._default(field), id=field
                    )
                    yield Static("", id=f"about-{field}", classes="about")
                yield self._caption("Target", "target")
                yield Input(
                    self.initial.get("target", ""),
                    id="target",
                    placeholder="project target or free text",
                    suggester=SuggestFromList(self.schema.targets, case_sensitive=False),
                )
                yield self._caption("Speaker", "speaker")
                yield Input(
                    self.initial.get("speaker", ""),
                    id="speaker",
                    placeholder="entity in the document or free text",
                    suggester=SuggestFromList(self.speakers, case_sensitive=False),
                )
                for field, schema_field, caption in CHOICES[2:]:
                    labels = self.schema.field(schema_field)
                    if labels:
                        yield self._caption(caption, field)
                        yield ChoiceField(field, labels, self.initial.get(field, ""), id=field)
                        yield Static("", id=f"about-{field}", classes="about")
                yield self._caption("Note", "note")
                yield Input(self.initial.get("note", ""), id="note", placeholder="optional")
            yield Static("", id="error")
            yield Static(
                Text(
                    f"keys pick choices · {key('claim_form.next_field')} to the text fields"
                    f" · {key('claim_form.save')} save · {key('claim_form.cancel')} cancel"
                ),
                id="hint",
            )

    def _guidelines_hint(self) -> None:
        """Name the first key of the guidelines that no schema choice has taken (a choice wins
        its key), as the keymap has it: known once the form is mounted."""
        taken = {character_key(lab.key) for _, f, _ in CHOICES for lab in self.schema.field(f)}
        for key, active in self.active_bindings.items():
            if active.binding.id == "claim_form.guidelines" and key not in taken:
                hint = self.query_one("#hint", Static)
                shown = self.app.get_key_display(active.binding)
                hint.update(Text(f"{hint.content} · {shown} guidelines"))
                return

    def _caption(self, caption: str, field: str) -> Label:
        self.captions[field] = caption
        return Label(f"  {caption}", id=f"caption-{field}")

    @on(events.DescendantFocus)
    def _focus_moved(self, event: events.DescendantFocus) -> None:
        """Mark the focused field's caption, so it is plain where typing goes."""
        self.query_one("#error", Static).update("")
        for field, caption in self.captions.items():
            here = field == event.widget.id
            label = self.query_one(f"#caption-{field}", Label)
            label.set_class(here, "-focused")
            label.update(f"{'▸' if here else ' '} {caption}")
        self._describe(event.widget)

    @on(ChoiceField.Changed)
    def _choice_changed(self, event: ChoiceField.Changed) -> None:
        """Choices are picked by key from anywhere in them: describe the one just picked,
        under its own field (that is the field being edited, wherever the focus is)."""
        if isinstance(self.focused, ChoiceField):
            self._describe(event.field)

    def _describe(self, widget: object) -> None:
        """Show the about line under ``widget`` (a choice field) only: its highlighted choice's
        description and first example, cut to one line; no line when there is nothing to say."""
        text, under = None, ""
        if isinstance(widget, ChoiceField):
            text, under = about_line(widget.chosen), f"about-{widget.id}"
        for about in self.query(".about").results(Static):
            here = text is not None and about.id == under
            if text is not None and here:
                about.update(text)
            about.set_class(here, "-shown")

    def _default(self, field: str) -> str:
        if field == "stance":
            return str(self.initial.get("stance") or "") or (
                "none" if self.schema.label("stances", "none") else ""
            )
        return str(self.initial.get(field) or "")

    def on_mount(self) -> None:
        # at once, not ``focus()`` (queued behind keys typed with the form's key: see KeyedForm)
        self.set_focus(self.query_one("#claim_type", ChoiceField))
        self._guidelines_hint()

    def _tab(self, forward: bool) -> None:
        """Focus the next (``forward``) or previous stop. Attribution and check-worthiness sit
        between the speaker and the note: forward from them is the note, back the speaker."""
        name = self.focused.id if self.focused is not None else None
        here = self.STOPS.index(name) if name in self.STOPS else 0
        if name in ("attribution", "checkworthy"):
            here = 2 if forward else 3
        stop = self.STOPS[(here + (1 if forward else -1)) % len(self.STOPS)]
        self.set_focus(self.query_one(f"#{stop}"))  # at once: the next key of a burst goes there

    def action_next_field(self) -> None:
        self._tab(True)

    def action_previous_field(self) -> None:
        self._tab(False)

    def _choose(self, char: str) -> bool:
        """Give a key to the focused choice field, else to the first field that uses it."""
        fields = list(self.query(ChoiceField))
        if isinstance(self.focused, ChoiceField):
            fields.remove(self.focused)
            fields.insert(0, self.focused)
        if any(field.choose(char) for field in fields):
            self.query_one("#error", Static).update("")
            return True
        if char.isprintable() and not char.isspace() and not self._bound(char):
            self.query_one("#error", Static).update(
                Text(f"“{char}” picks no choice; tab moves to the text fields.")
            )
        return False

    def _bound(self, char: str) -> bool:
        """Whether ``char`` is a key of an action here (``g``, ``?``): no "picks no choice"."""
        return character_key(char) in self.active_bindings

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_guidelines(self) -> None:
        """The team's guidelines over the form: closing them comes back to the form as it was."""
        from tui.screens.guidelines import open_guidelines

        open_guidelines(self.app, self.schema)

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


def about_line(label: SchemaLabel | None) -> Text | None:
    """``name: description · e.g. “example”`` as one line (ellipsis past the width), or None
    when the schema says nothing about the choice. Schema text is data: plain Text, no markup."""
    if label is None or not (label.description or label.examples):
        return None
    line = Text(end="")  # one row, cut with an ellipsis: the CSS of ``.about``
    line.append(f"{label.name}: ", style="bold")
    line.append(screen_safe(label.description))
    if label.examples:
        line.append((" · " if label.description else "") + "e.g. ", style="italic")
        line.append(f"“{screen_safe(label.examples[0])}”", style="italic")
    return line
