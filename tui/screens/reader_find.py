"""The reader's find prompt: ``/`` searches the document, ``n``/``N`` repeat, ``:`` goes to
a line or a percentage."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.screen import Screen

from annotations.model import Entity
from annotations.search import find_all, goto_offset
from tui.widgets.document_view import DocumentView
from tui.widgets.prompt import Prompt

if TYPE_CHECKING:
    from tui.app import AnnottyApp


class FindPrompt(Screen[None]):
    """Part of ``ReaderScreen``: the search and go-to prompts and the matches they leave."""

    app: AnnottyApp
    view: DocumentView
    matches: list[tuple[int, int]]
    search_query: str
    jump_to: Callable[[int], None]
    _update_status: Callable[[], None]

    async def action_ask(self, mode: str) -> None:
        # awaited: the keys typed after ``/`` are routed once the prompt is mounted and focused
        if mode == "search":
            last = f" (enter alone: {self.search_query})" if self.search_query else ""
            await self.app.push_screen(
                Prompt("search", f"search this document{last}; escape cancels"),
                lambda value: self._answered("search", value or ""),
            )
        else:
            await self.app.push_screen(
                Prompt("goto", "go to line number, or percentage like 50%"),
                lambda value: self._answered("goto", value or ""),
            )

    def _answered(self, mode: str, value: str) -> None:
        self.view.focus()
        if mode == "search" and (value or self.search_query):
            self.search_query = value or self.search_query
            self.matches = find_all(self.view.text, self.search_query)
            self.view.set_matches([Entity(s, e, "MATCH") for s, e in self.matches])
            if not self.matches:
                self.notify(f"Not found: {self.search_query}", severity="warning")
            else:
                self.action_find(1, inclusive=True)
        elif mode == "goto" and value:
            offset = goto_offset(self.view.text, value)
            if offset is None:
                self.notify("Type a line number or a percentage such as 50%.")
                return
            self.jump_to(offset)
        self._update_status()

    def action_find(self, step: int, inclusive: bool = False) -> None:
        if not self.matches:
            self.notify("Nothing to repeat: / searches.")
            return
        pos = self.view.cursor
        starts = [s for s, _ in self.matches]
        if step > 0:
            target = next((s for s in starts if s > pos or (inclusive and s == pos)), starts[0])
        else:
            target = next((s for s in reversed(starts) if s < pos), starts[-1])
        self.jump_to(target)
