"""``?``: every key of the screen underneath, grouped by where it applies, from the live bindings
(so remapped or schema-defined keys show as they really are). Only keys that would do something
there are listed: no sideways paging in a view that cannot scroll sideways, no "copy" with
nothing selected, no binding whose action does not exist."""

from __future__ import annotations

from collections import defaultdict

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

SIDEWAYS = frozenset({"page_left", "page_right", "scroll_left", "scroll_right"})

AREA_NAMES = {
    "DocumentView": "Moving and selecting",
    "ReaderScreen": "Annotating",
    "LibraryScreen": "Library",
    "AnnottyApp": "Everywhere",
    "ClaimList": "Claim list",
    "DataTable": "Table",
    "AdjudicateScreen": "Adjudication",
    "ItemTable": "Items",
    "ReviewScreen": "Review",
    "StatsScreen": "Stats",
    "LibraryTable": "Documents",
    "ClaimTable": "Claims",
    "CandidateQueueScreen": "Candidate queue",
    "VerticalScroll": "Scrolling",
}


def does_something(screen: Screen[object], node: DOMNode, action: str) -> bool:
    """Whether pressing a key bound to ``action`` on ``node`` would have an effect now."""
    namespace, _, name = action.rpartition(".")
    target: DOMNode = {"app": screen.app, "screen": screen}.get(namespace, node)
    name = name.split("(", 1)[0]
    if not callable(getattr(target, f"action_{name}", None)):
        return False
    if name in SIDEWAYS and isinstance(target, Widget):
        return target.max_scroll_x > 0
    if name in ("focus_next", "focus_previous"):
        return len(screen.focus_chain) > 1
    if name == "copy_text" and isinstance(target, Screen):
        return bool(target.get_selected_text())
    return True


def bindings_table(screen: Screen[object]) -> Table:
    """One row per action (all its keys together), grouped by the widget that binds it."""
    groups: dict[str, dict[str, tuple[list[str], str]]] = defaultdict(dict)
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or not does_something(screen, active.node, binding.action):
            continue
        area = AREA_NAMES.get(type(active.node).__name__, type(active.node).__name__)
        keys, _ = groups[area].setdefault(binding.action, ([], binding.description))
        keys.append(screen.app.get_key_display(binding))
    table = Table(box=None, show_header=False, padding=(0, 2), expand=True)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("action")
    for area, actions in groups.items():
        table.add_row(Text(area, style="bold underline"), Text(""))
        for keys, description in actions.values():
            table.add_row(Text(" / ".join(keys)), Text(description))
        table.add_row(Text(""), Text(""))
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80%; max-width: 90; height: 90%; border: round $accent; background: $panel;
        padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(
                Text("Keys on this screen (escape closes; ctrl+p finds any action)", style="bold")
            )
            yield Static(bindings_table(self.under))
