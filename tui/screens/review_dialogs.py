"""The review screen's dialogs: a rejection reason, a bulk confirmation, and the filter form.

The review screen's keys that open them are priority bindings whose actions await the
dialog's mount, and each dialog focuses its text field at once: so ``r`` followed at once by a
reason and ``enter`` loses nothing and never reaches the review screen, where ``u`` would undo.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from annotations.model import REVIEW_STATUSES
from annotations.review.filters import ANCHOR_FILTERS, COMMENT_FILTERS, SOURCES, ReviewFilter
from annotations.schema import Label as SchemaLabel
from annotations.schema import Schema
from annotations.screen_text import screen_safe
from annotations.terminal_safe import plural
from tui.widgets.choice_field import ChoiceField

if TYPE_CHECKING:
    from tui.app import AnnottyApp

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90%; max-width: 90; height: auto; max-height: 100%; overflow-y: auto;
    border: round $accent; background: $panel; padding: 0 1;
}}
{name} Input {{ border: none; height: 1; padding: 0; background: $boost; }}
{name} Input:focus {{ border: none; background: $primary 30%; }}
{name} .hint {{ color: $text-muted; }}
{name} .title {{ text-style: bold; }}
"""
REVIEW_LABELS = tuple(SchemaLabel(name, name[0]) for name in REVIEW_STATUSES)
# what each choice of the core's vocabularies means, in their order (zip: one hint each)
SOURCE_HINTS = dict(zip(SOURCES, ("an accepted candidate", "made by hand"), strict=True))
COMMENT_HINTS = dict(zip(COMMENT_FILTERS, ("an open comment", "any comment"), strict=True))
ANCHOR_HINTS = dict(
    zip(
        ANCHOR_FILTERS,
        ("reworded or gone in a new version", "its words were reworded", "its words are gone"),
        strict=True,
    )
)


def pick_list(
    field: str, choices: Iterable[str] | Mapping[str, str], prompt: str, value: str
) -> Select[str]:
    """A compact pick list for one filter field; a mapping's values explain its choices."""
    hints = choices if isinstance(choices, Mapping) else {}
    options = [
        (Text(f"{name} ({hints[name]})" if name in hints else name), name) for name in choices
    ]
    return Select(options, prompt=prompt, value=value or Select.NULL, id=field, compact=True)


def filter_line(f: ReviewFilter, count: int | None, busy: str = "") -> Text:
    """The review screen's filter bar: each active filter as a chip, then the count."""
    line = Text("Filter: ", style="bold")
    if f.is_empty():
        line.append("all claims", style="dim")
    for i, (key, value) in enumerate(f.active()):
        line.append(" " if i else "")
        line.append(f" {key}={' '.join(screen_safe(value).split())} ", style="reverse")
    line.append(
        "  · loading…" if count is None else f"  · {plural(count, 'claim', thousands=True)}",
        style="dim",
    )
    if busy:
        line.append(f"  · {busy}", style="bold")
    return line


class _Dialog(ModalScreen[Any]):
    """A dialog whose first text field (``FIRST_FIELD``) has the focus as soon as it mounts."""

    FIRST_FIELD = "#reason"
    app: AnnottyApp

    def on_mount(self) -> None:
        # at once, not ``focus()`` (queued behind the keys typed with the dialog's key)
        self.set_focus(self.query_one(self.FIRST_FIELD, Input))

    def action_submit(self) -> None:
        raise NotImplementedError


class _ReasonInputDialog(_Dialog):
    """A dialog with an optional reason field: ``enter`` dismisses with the reason."""

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        self.dismiss(self.query_one("#reason", Input).value.strip())


class ReasonDialog(_ReasonInputDialog):
    """Ask why a claim is rejected; ``enter`` with nothing typed rejects without a reason."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ReasonDialog")
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="reason.cancel")]

    def __init__(self, quote: str, verb: str = "Reject") -> None:
        super().__init__()
        self.quote = quote
        self.verb = verb

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self.verb} claim", style="bold"), classes="title")
            yield Static(Text(self.quote), classes="hint")
            yield Input(placeholder="reason (optional)", id="reason")
            yield Static(
                Text(f"⏎ confirm · {self.app.key('reason.cancel')} cancel"),
                classes="hint",
            )


class BulkDialog(_ReasonInputDialog):
    """Confirm a decision on every claim the filter matches; dismisses with the reason."""

    DEFAULT_CSS = DIALOG_CSS.format(name="BulkDialog") + "BulkDialog .warn { color: $warning; }"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="bulk.cancel")]

    def __init__(self, decision: str, count: int, described: str, everything: bool) -> None:
        super().__init__()
        self.decision = decision
        self.count = count
        self.described = described
        self.everything = everything

    def compose(self) -> ComposeResult:
        verb = "Accept" if self.decision == "accepted" else "Reject"
        with Vertical():
            yield Static(
                Text(
                    f"{verb} all {plural(self.count, 'claim', thousands=True)} matching the filter?"
                    if self.count != 1
                    else f"{verb} the 1 claim matching the filter?",
                    style="bold",
                ),
                classes="title",
            )
            yield Static(Text(f"filter: {self.described}"), classes="hint")
            if self.everything:
                yield Static(
                    Text("There is no filter: this is every claim in the corpus."), classes="warn"
                )
            yield Static(
                Text(
                    "Claims already in that state keep their reviewer and reason; "
                    "earlier decisions the other way are overridden (filter on "
                    "review = pending to leave them alone). One undo (u) takes the "
                    "whole batch back."
                ),
                classes="hint",
            )
            yield Input(placeholder="reason (optional)", id="reason")
            cancel = self.app.key("bulk.cancel")
            yield Static(Text(f"⏎ {verb.lower()} all · {cancel} cancel"), classes="hint")


class FilterDialog(_Dialog):
    """Every filter at once; ``enter`` applies, ``ctrl+r`` clears all, ``escape`` cancels.

    Choices take one key each, like the claim form (``backspace`` clears one); target and
    annotator are picked from the values in the corpus.
    """

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="FilterDialog")
        + """
    FilterDialog Grid { grid-size: 2; grid-columns: 11 1fr; grid-rows: auto; height: auto; }
    FilterDialog Grid > Label { color: $text-muted; }
    FilterDialog Select { height: 1; }
    FilterDialog SelectCurrent { border: none; height: 1; padding: 0; }
    """
    )
    FIRST_FIELD = "#search"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="filter.cancel"),
        # priority: enter applies from a closed pick list too (which would open on enter);
        # in an open list it picks the choice (``action_apply`` skips); space opens a list
        Binding("enter", "apply", "Apply", priority=True, id="filter.apply"),
        Binding("ctrl+r", "clear", "Clear all", id="filter.clear"),
    ]

    def __init__(
        self, schema: Schema, current: ReviewFilter, targets: list[str], annotators: list[str]
    ) -> None:
        super().__init__()
        self.schema = schema
        self.current = current
        self.targets = [t for t in dict.fromkeys([*schema.targets, *targets, current.target]) if t]
        self.annotators = [a for a in dict.fromkeys([*annotators, current.annotator]) if a]

    def compose(self) -> ComposeResult:
        c = self.current
        key = self.app.key
        with Vertical():
            yield Static(Text("Filter claims", style="bold"), classes="title")
            with Grid():
                yield Label("Search")
                yield Input(c.search, placeholder="words in the quote or note", id="search")
                yield Label("Type")
                yield ChoiceField(
                    "claim_type", self.schema.claim_types, c.claim_type, id="claim_type"
                )
                yield Label("Stance")
                yield ChoiceField("stance", self.schema.stances, c.stance, id="stance")
                yield Label("Review")
                yield ChoiceField(
                    "review_status", REVIEW_LABELS, c.review_status, id="review_status"
                )
                yield Label("Target")
                yield pick_list("target", self.targets, "any target", c.target)
                yield Label("Annotator")
                yield pick_list("annotator", self.annotators, "any annotator", c.annotator)
                yield Label("Source")
                yield pick_list("source", SOURCE_HINTS, "any source", c.source)
                yield Label("Comments")
                yield pick_list("comments", COMMENT_HINTS, "with or without", c.comments)
                yield Label("Version")
                yield pick_list("anchor", ANCHOR_HINTS, "flagged or not", c.anchor)
                yield Label("Document")
                yield Input(
                    c.document, placeholder="document id or words of its title", id="document"
                )
                yield Label("Same claim")
                yield Input(
                    c.cluster,
                    placeholder="linked: claims linked as the same claim; or a claim id: its group",
                    id="cluster",
                )
            yield Static(
                Text(
                    f"{key('filter.apply')} apply · tab next field · a key picks a choice, "
                    f"backspace clears it · space opens a list · {key('filter.clear')} clear all"
                    f" · {key('filter.cancel')} cancel"
                ),
                classes="hint",
            )

    def on_key(self, event: events.Key) -> None:
        """A choice key typed outside a text field goes to the field that uses it."""
        if isinstance(self.focused, Input | Select) or not event.character:
            return
        fields = list(self.query(ChoiceField))
        if isinstance(self.focused, ChoiceField):
            fields.remove(self.focused)
            fields.insert(0, self.focused)
        if any(f.choose(event.character) for f in fields):
            event.stop()
            event.prevent_default()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def value(self) -> ReviewFilter:
        out: dict[str, str] = {f.field_name: f.value for f in self.query(ChoiceField)}
        for name in ("search", "document", "cluster"):
            out[name] = self.query_one(f"#{name}", Input).value.strip()
        for name in ("target", "annotator", "source", "comments", "anchor"):
            chosen = self.query_one(f"#{name}", Select).value
            out[name] = chosen if isinstance(chosen, str) else ""
        return ReviewFilter(**out)

    def action_submit(self) -> None:
        self.dismiss(self.value())

    def action_apply(self) -> None:
        """``enter``: apply, unless an open pick list is waiting for ``enter``."""
        if any(select.expanded for select in self.query(Select)):
            raise SkipAction()
        self.action_submit()

    def action_clear(self) -> None:
        self.dismiss(ReviewFilter())
