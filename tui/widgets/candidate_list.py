"""The reader's side list of claim candidates: each one's score and the start of its sentence.

Virtual like the claim list (a long document's thousands of candidates cost nothing until drawn);
``enter`` or a click posts ``Chosen``, and the reader jumps there. The keys share the claim list's
binding ids (``side.*``), so a remapping moves both lists' keys together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotations.suggest.candidate import Candidate
from tui.widgets.side_lists import snippet


class CandidateList(ScrollView, can_focus=True):
    """The document's open candidates, one row each, in text order."""

    DEFAULT_CSS = "CandidateList { height: 1fr; scrollbar-gutter: stable; }"
    BINDINGS = [
        Binding("up,k", "step(-1)", "Previous", show=False, id="side.up"),
        Binding("down,j", "step(1)", "Next", show=False, id="side.down"),
        Binding("enter", "choose", "Go to candidate", show=False, id="side.choose"),
    ]

    @dataclass
    class Chosen(Message):
        candidate: Candidate

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.candidates: list[Candidate] = []
        self.text = ""
        self.index = 0

    def show(self, text: str, candidates: Sequence[Candidate]) -> None:
        """``text`` is the document's (each row quotes the start of its candidate)."""
        self.text = text
        self.candidates = sorted(candidates, key=lambda c: (c.start, c.end))
        self.virtual_size = Size(self.size.width, len(self.candidates))
        self.index = min(self.index, max(len(self.candidates) - 1, 0))
        self.refresh()

    def highlight_at(self, start: int) -> None:
        """Highlight the candidate starting at ``start`` (the one the cursor jumped to)."""
        for i, candidate in enumerate(self.candidates):
            if candidate.start == start:
                self.index = i
                self.scroll_to(y=max(0, i - self.size.height // 2), animate=False)
                self.refresh()
                return

    def action_step(self, delta: int) -> None:
        if self.candidates:
            self.index = min(max(self.index + delta, 0), len(self.candidates) - 1)
            if not (self.scroll_y <= self.index < self.scroll_y + self.size.height):
                self.scroll_to(
                    y=max(0, self.index - self.size.height + 1) if delta > 0 else self.index,
                    animate=False,
                )
            self.refresh()

    def action_choose(self) -> None:
        if self.candidates:
            self.post_message(self.Chosen(self.candidates[self.index]))

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y
        if 0 <= row < len(self.candidates):
            self.index = row
            self.action_choose()

    def render_line(self, y: int) -> Strip:
        row = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if row >= len(self.candidates):
            return Strip.blank(width, self.rich_style)
        candidate = self.candidates[row]
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append(f"{candidate.score:.2f} ", style="bold")
        quote = self.text[candidate.start : min(candidate.end, candidate.start + 4 * width)]
        line.append(snippet(quote, width), style="dim")
        if row == self.index:
            line.stylize("reverse" if self.has_focus else "underline")
        line.truncate(width, overflow="ellipsis", pad=True)
        return Strip(line.render(self.app.console), width).apply_style(self.rich_style)
