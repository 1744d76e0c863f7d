"""The reader's side panel: the document's claims, and its entities grouped by type."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotations.model import Claim, Entity
from annotations.text import display
from tui.styles import entity_style

SNIPPET = 60


def snippet(text: str, limit: int = SNIPPET) -> str:
    flat = " ".join(display(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ClaimList(OptionList):
    """One option per claim, in text order; the option id is the claim id."""

    DEFAULT_CSS = "ClaimList { height: 1fr; }"

    def show(self, claims: Sequence[Claim], stance_colours: dict[str, str]) -> None:
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        self.clear_options()
        options = []
        for claim in sorted(claims, key=lambda c: (c.start, c.end)):
            label = Text()
            label.append(f"{claim.claim_type} ", style="bold")
            label.append(claim.stance, style=stance_colours.get(claim.stance, ""))
            if claim.target:
                label.append(f" → {snippet(claim.target, 24)}", style="italic")
            label.append("\n")
            label.append(snippet(claim.quote), style="dim")
            options.append(Option(label, id=claim.id))
        self.add_options(options)
        if highlighted is not None:
            self.highlight_id(highlighted)

    def highlight_id(self, claim_id: str) -> None:
        try:
            self.highlighted = self.get_option_index(claim_id)
        except Exception:  # the claim is gone (deleted or undone)
            return


class EntityList(OptionList):
    """Entity names grouped by type with mention counts; option id = ``LABEL\\tname``."""

    DEFAULT_CSS = "EntityList { height: 1fr; }"

    def show(self, text: str, entities: Sequence[Entity]) -> None:
        groups: dict[str, Counter[str]] = defaultdict(Counter)
        for entity in entities:
            groups[entity.label][text[entity.start:entity.end]] += 1
        options: list[Option | None] = []
        for label in sorted(groups, key=lambda k: -sum(groups[k].values())):
            counts = groups[label]
            head = Text(f"{label} ({sum(counts.values())})", style=entity_style(label))
            options.append(Option(head, id=f"{label}\t", disabled=True))
            for name, count in counts.most_common():
                options.append(Option(Text(f"  {snippet(name, 26)} ×{count}"),
                                      id=f"{label}\t{name}"))
        self.clear_options()
        self.add_options(options)
