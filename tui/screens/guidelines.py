"""The team's guidelines, over whatever screen asked for them (the claim form keeps its values).

The schema names a Markdown file (``guidelines:``), rendered by Textual's Markdown widget. It is
read when the screen first opens and again when it opens after the file changed, so a team's
edit shows without a restart. A schema without one
gets its own descriptions and examples as the guidelines, escaped (they are data). Links never
open anything: an in-document ``#anchor`` scrolls there, any other link is only named.
``/`` searches (case-insensitive, over what is shown, not the Markdown source): ``enter`` goes
to the first match from the top of the view and marks it, ``n`` ``N`` step through the rest.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from markdown_it import MarkdownIt
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Markdown, Static
from textual.widgets.markdown import MarkdownBlock

from annotations.errors import InputError
from annotations.schema import Schema, guidelines_from_schema, read_guidelines
from annotations.screen_text import screen_safe

MATCH_STYLE = "reverse bold"
SCREEN_NAME = "guidelines"


def open_guidelines(app: App[Any], schema: Schema) -> None:
    """Show the guidelines, built once per app and schema: Textual's Markdown widget takes a
    second to lay out a long file, and coming back should find the place where reading stopped."""
    if any(isinstance(screen, GuidelinesScreen) for screen in app.screen_stack):
        return
    if app.is_screen_installed(SCREEN_NAME):
        built = app.get_screen(SCREEN_NAME)
        if isinstance(built, GuidelinesScreen) and built.schema is schema:
            app.push_screen(SCREEN_NAME)
            return
        app.uninstall_screen(SCREEN_NAME)
    app.install_screen(GuidelinesScreen(schema), SCREEN_NAME)
    app.push_screen(SCREEN_NAME)


def _parser() -> MarkdownIt:
    """Textual's parser without raw HTML and without turning bare URLs into links."""
    return MarkdownIt("gfm-like", {"html": False, "linkify": False})


def _load(schema: Schema) -> tuple[str, str]:
    """(Markdown, notice): the guidelines file, else the schema's own descriptions."""
    if not schema.guidelines:
        return guidelines_from_schema(schema), (
            "The schema names no guidelines file: these are its labels and examples."
        )
    try:
        return read_guidelines(schema), ""
    except InputError as exc:
        return guidelines_from_schema(schema), (
            f"{exc}. Here are the schema's labels, descriptions and examples instead."
        )


class GuidelinesScreen(Screen[None]):
    """Read and search the guidelines; ``escape`` or ``q`` returns to where they were opened.
    Open it with ``open_guidelines``, which keeps one built screen per app."""

    DEFAULT_CSS = """
    GuidelinesScreen { align: center middle; }
    GuidelinesScreen > Vertical {
        width: 100%; max-width: 110; height: 100%;
        border: round $accent; background: $panel;
    }
    GuidelinesScreen #guidelines-title, GuidelinesScreen #guidelines-status {
        padding: 0 1; height: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    GuidelinesScreen #guidelines-title { text-style: bold; }
    GuidelinesScreen #guidelines-notice { padding: 0 1; color: $warning; height: auto; }
    GuidelinesScreen #guidelines-scroll { height: 1fr; }
    GuidelinesScreen #guidelines-text { margin: 0 1; }
    GuidelinesScreen #guidelines-search { border: none; height: 1; padding: 0 1; display: none; }
    GuidelinesScreen #guidelines-search.-open { display: block; }
    GuidelinesScreen #guidelines-status { color: $text-muted; }
    """
    BINDINGS = [
        Binding("slash", "search", "Search", id="guidelines.search"),
        Binding("n", "find(1)", "Next match", id="guidelines.next_match"),
        Binding("N", "find(-1)", "Previous match", show=False, id="guidelines.prev_match"),
        Binding("escape,q", "close", "Back", id="guidelines.close"),
    ]

    def __init__(self, schema: Schema) -> None:
        super().__init__()
        self.schema = schema
        self.query_text = ""
        self.matches: list[tuple[MarkdownBlock, int, int]] = []
        self.current = -1
        self._lit: tuple[MarkdownBlock, Content] | None = None  # the marked block, unmarked
        self._stamp: tuple[int, int] | None = None  # the file's mtime and size when read

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Guidelines"), id="guidelines-title")
            yield Static("", id="guidelines-notice")
            with VerticalScroll(id="guidelines-scroll"):
                yield Markdown(id="guidelines-text", open_links=False, parser_factory=_parser)
            yield Input(id="guidelines-search", placeholder="search the guidelines")
            yield Static("", id="guidelines-status")

    def on_mount(self) -> None:
        self.query_one("#guidelines-scroll").focus()
        self._hint()
        self._show()

    def on_screen_resume(self) -> None:
        """Opened again: the file is read again only if it changed since."""
        if self._stamp is not None and self._stamp != self._file_stamp():
            self._show()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.schema.guidelines) if self.schema.guidelines else None
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size) if info else None

    @work(exclusive=True, group="guidelines")
    async def _show(self) -> None:
        """Read the file off the event loop, then render it."""
        self._stamp = self._file_stamp()
        text, notice = await asyncio.to_thread(_load, self.schema)
        name = self.schema.guidelines or "from the label schema"
        self.query_one("#guidelines-title", Static).update(
            Text(f"Guidelines · {screen_safe(name)}")
        )
        self.query_one("#guidelines-notice", Static).update(Text(notice))
        self.query_one("#guidelines-notice").display = bool(notice)
        await self.query_one(Markdown).update(text)
        self.matches, self.current, self._lit = [], -1, None

    def _hint(self, text: str = "") -> None:
        key = self.app.key  # type: ignore[attr-defined]
        line = Text(end="")
        if text:
            line.append(text + " · ")
        line.append(
            f"{key('guidelines.search')} search · {key('guidelines.next_match')} next"
            f" · {key('guidelines.close')} back"
        )
        self.query_one("#guidelines-status", Static).update(line)

    def action_search(self) -> None:
        field = self.query_one("#guidelines-search", Input)
        field.add_class("-open")
        field.focus()
        field.select_all()

    def action_close(self) -> None:
        field = self.query_one("#guidelines-search", Input)
        if field.has_focus:  # escape in the search field closes the field, not the guidelines
            field.remove_class("-open")
            self.query_one("#guidelines-scroll").focus()
            return
        self.app.pop_screen()  # installed (see ``open_guidelines``): kept for the next time

    @on(Input.Submitted, "#guidelines-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.remove_class("-open")
        self.query_one("#guidelines-scroll").focus()
        words = event.value.strip()
        if not words:
            return
        if words.casefold() != self.query_text.casefold():
            self.query_text = words
            self._collect()
            self.current = self._first_in_view() - 1
        self.action_find(1)

    def _blocks(self) -> list[MarkdownBlock]:
        """The blocks that show text, in reading order (lists and quotes hold other blocks)."""
        return [
            block
            for block in self.query_one(Markdown).query(MarkdownBlock)
            if isinstance(block.content, Content) and block.content.plain
        ]

    def _collect(self) -> None:
        self._unmark()
        needle = self.query_text.casefold()
        self.matches = []
        for block in self._blocks():
            assert isinstance(block.content, Content)
            plain = block.content.plain.casefold()  # same length for the text guidelines hold
            start = plain.find(needle)
            while start >= 0 and needle:
                self.matches.append((block, start, start + len(needle)))
                start = plain.find(needle, start + len(needle))

    def _first_in_view(self) -> int:
        """The first match at or below the top of the view (where reading is), else 0."""
        top = self.query_one("#guidelines-scroll", VerticalScroll).scroll_offset.y
        for i, (block, _start, _end) in enumerate(self.matches):
            if block.virtual_region.y >= top:
                return i
        return 0

    def action_find(self, step: int) -> None:
        if not self.query_text:
            self._hint("/ to search first")
            return
        if not self.matches:
            self._hint(f"“{screen_safe(self.query_text)}” not found")
            return
        self.current = (self.current + step) % len(self.matches)
        block, start, end = self.matches[self.current]
        self._unmark()
        original = block.content
        assert isinstance(original, Content)
        self._lit = (block, original)
        block.update(original.stylize(MATCH_STYLE, start, end))
        scroll = self.query_one("#guidelines-scroll", VerticalScroll)
        scroll.scroll_to_center(block, animate=False, immediate=True)
        self._hint(f"“{screen_safe(self.query_text)}” {self.current + 1} of {len(self.matches)}")

    def _unmark(self) -> None:
        if self._lit is not None:
            block, original = self._lit
            block.update(original)
            self._lit = None

    @on(Markdown.LinkClicked)
    def _link(self, event: Markdown.LinkClicked) -> None:
        """Links are text from a shared file: follow an anchor in the page, open nothing else."""
        event.stop()
        href = event.href
        if href.startswith("#") and event.markdown.goto_anchor(href[1:]):
            return
        self.notify(
            f"Links are not opened from the guidelines: {screen_safe(href)}",
            title="Link",
            markup=False,
        )
