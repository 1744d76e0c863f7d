"""``?``: every key of the screen underneath, grouped by where it applies, from the live bindings
(so remapped or schema-defined keys show as they really are)."""

from __future__ import annotations

from collections import defaultdict

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

AREA_NAMES = {"DocumentView": "Moving and selecting", "ReaderScreen": "Annotating",
              "LibraryScreen": "Library", "AnnottyApp": "Everywhere", "ClaimList": "Claim list",
              "DataTable": "Table", "AdjudicateScreen": "Adjudication",
              "ItemTable": "Items", "ReviewScreen": "Review", "StatsScreen": "Stats"}


def bindings_table(screen: Screen[object]) -> Table:
    """One row per action (all its keys together), grouped by the widget that binds it."""
    groups: dict[str, dict[str, tuple[list[str], str]]] = defaultdict(dict)
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description:
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
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("Keys on this screen (escape closes; ctrl+p finds any action)",
                              style="bold"))
            yield Static(bindings_table(self.under))
