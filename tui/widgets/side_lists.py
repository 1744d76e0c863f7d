"""The reader's side panel: the document's claims and claim candidates, and its entities
grouped by type."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotations.model import Claim, Entity
from annotations.screen_text import screen_safe
from annotations.suggest.candidate import Candidate
from tui.styles import background_of, entity_style

SNIPPET = 60


def snippet(text: str, limit: int = SNIPPET) -> str:
    flat = " ".join(screen_safe(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


T = TypeVar("T", Claim, Candidate)


class SpanList(ScrollView, Generic[T], can_focus=True):
    """A virtual list of spans in text order, one row each (2,000 cost nothing until drawn);
    ``enter`` or a click posts the subclass's ``Chosen``. The keys are the side panel's."""

    BINDINGS = [
        Binding("up,k", "step(-1)", "Previous", show=False, id="side.up"),
        Binding("down,j", "step(1)", "Next", show=False, id="side.down"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[T] = []
        self.index = 0

    def chosen(self, item: T) -> Message:
        raise NotImplementedError

    def row(self, item: T, width: int) -> Text:
        raise NotImplementedError

    def _fill(self, items: Sequence[T]) -> None:
        self.items = sorted(items, key=lambda s: (s.start, s.end))
        self.virtual_size = Size(self.size.width, len(self.items))

    def _highlight(self, i: int) -> None:
        self.index = i
        self.scroll_to(y=max(0, i - self.size.height // 2), animate=False)
        self.refresh()

    def action_step(self, delta: int) -> None:
        if self.items:
            self.index = min(max(self.index + delta, 0), len(self.items) - 1)
            if not (self.scroll_y <= self.index < self.scroll_y + self.size.height):
                self.scroll_to(
                    y=max(0, self.index - self.size.height + 1) if delta > 0 else self.index,
                    animate=False,
                )
            self.refresh()

    def action_choose(self) -> None:
        if self.items:
            self.post_message(self.chosen(self.items[self.index]))

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y
        if 0 <= row < len(self.items):
            self.index = row
            self.action_choose()

    def render_line(self, y: int) -> Strip:
        row = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if row >= len(self.items):
            return Strip.blank(width, self.rich_style)
        line = self.row(self.items[row], width)
        if row == self.index:
            line.stylize("reverse" if self.has_focus else "underline")
        line.truncate(width, overflow="ellipsis", pad=True)
        return Strip(line.render(self.app.console), width).apply_style(self.rich_style)


class ClaimList(SpanList[Claim]):
    """The document's claims: type and quote, a stance-coloured bar."""

    DEFAULT_CSS = "ClaimList { height: 1fr; scrollbar-gutter: stable; }"
    BINDINGS = [Binding("enter", "choose", "Go to claim", show=False, id="side.choose")]

    @dataclass
    class Chosen(Message):
        claim: Claim

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stance_colours: dict[str, str] = {}
        self.marks: dict[str, Text] = {}
        """Claim id -> its marker (comments, changed by others), drawn before the type."""

    def set_marks(self, marks: dict[str, Text]) -> None:
        self.marks = marks
        self.refresh()

    @property
    def claims(self) -> list[Claim]:
        return self.items

    def show(self, claims: Sequence[Claim], stance_colours: dict[str, str]) -> None:
        current = self.items[self.index].id if self.items else None
        self._fill(claims)
        self.stance_colours = stance_colours
        self.index = 0
        if current is not None:
            self.highlight_id(current)
        self.refresh()

    def highlight_id(self, claim_id: str) -> None:
        for i, claim in enumerate(self.items):
            if claim.id == claim_id:
                self._highlight(i)
                return

    def chosen(self, item: Claim) -> Message:
        return self.Chosen(item)

    def row(self, item: Claim, width: int) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append("▌", style=self.stance_colours.get(item.stance) or "")
        mark = self.marks.get(item.id)
        if mark is not None:
            line.append_text(mark)
            line.append(" ")
        line.append(f"{item.claim_type[:11]:<11} ", style="bold")
        line.append(snippet(item.quote, width), style="dim")
        return line


class CandidateList(SpanList[Candidate]):
    """The document's open claim candidates: score and the start of the sentence. The keys are
    the claim list's (``side.*``), so a remapping moves both lists' keys together."""

    DEFAULT_CSS = "CandidateList { height: 1fr; scrollbar-gutter: stable; }"
    BINDINGS = [Binding("enter", "choose", "Go to candidate", show=False, id="side.choose")]

    @dataclass
    class Chosen(Message):
        candidate: Candidate

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""

    @property
    def candidates(self) -> list[Candidate]:
        return self.items

    def show(self, text: str, candidates: Sequence[Candidate]) -> None:
        """``text`` is the document's (each row quotes the start of its candidate)."""
        self.text = text
        self._fill(candidates)
        self.index = min(self.index, max(len(self.items) - 1, 0))
        self.refresh()

    def highlight_at(self, start: int) -> None:
        """Highlight the candidate starting at ``start`` (the one the cursor jumped to)."""
        for i, candidate in enumerate(self.items):
            if candidate.start == start:
                self._highlight(i)
                return

    def chosen(self, item: Candidate) -> Message:
        return self.Chosen(item)

    def row(self, item: Candidate, width: int) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append(f"{item.score:.2f} ", style="bold")
        line.append(
            snippet(self.text[item.start : min(item.end, item.start + 4 * width)], width),
            style="dim",
        )
        return line


class EntityLegend(Widget):
    """Which style is which entity type: the types in this document, with mention counts."""

    DEFAULT_CSS = "EntityLegend { height: auto; max-height: 5; padding: 0 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counts: Counter[str] = Counter()

    def show(self, entities: Sequence[Entity]) -> None:
        self.counts = Counter(e.label for e in entities)
        self.refresh(layout=True)

    def render(self) -> Text:
        background = background_of(self)
        out = Text(no_wrap=False, end="")
        for i, (label, count) in enumerate(self.counts.most_common()):
            if i:
                out.append("  ")
            out.append(label, style=entity_style(label, background))
            out.append(f" {count}", style="dim")
        return out


class EntityList(OptionList):
    """Entity names grouped by type with mention counts; option id = ``LABEL\\tname``."""

    DEFAULT_CSS = "EntityList { height: 1fr; border: none; padding: 0; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[str, Sequence[Entity]] | None = None
        self._background = ""

    def notify_style_update(self) -> None:
        """The theme changed: redraw the type headings in styles fitted to the new background."""
        super().notify_style_update()
        if self._shown is not None and background_of(self) != self._background:
            self.show(*self._shown)

    def show(self, text: str, entities: Sequence[Entity]) -> None:
        self._shown = (text, entities)
        self._background = background = background_of(self)
        groups: dict[str, Counter[str]] = defaultdict(Counter)
        for entity in entities:
            groups[entity.label][text[entity.start : entity.end]] += 1
        options: list[Option | None] = []
        for label in sorted(groups, key=lambda k: -sum(groups[k].values())):
            counts = groups[label]
            head = Text(f"{label} ({sum(counts.values())})", style=entity_style(label, background))
            options.append(Option(head, id=f"{label}\t", disabled=True))
            for name, count in counts.most_common():
                options.append(
                    Option(Text(f"  {snippet(name, 26)} ×{count}"), id=f"{label}\t{name}")
                )
        self.clear_options()
        self.add_options(options)
