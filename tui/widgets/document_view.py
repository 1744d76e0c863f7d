"""The document view: a Line-API widget that draws only the visible rows.

It keeps the stored text (for offsets) and a same-length display copy (control characters made
harmless), wraps it into rows with ``annotations.screen_text.WrappedText`` and builds each
visible row as a ``rich.text.Text`` styled by offset, so no markup is ever parsed from document
text. Rows without the cursor or selection are cached until the spans or the width change.

With inline labels on (``show_labels``), each entity's type is drawn as a small tag after its
mention. The tags are inserts of the layout: cells that wrap with the text but belong to no
offset, so the stored text, the cursor, selections and clicks keep their exact offsets.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from annotations import selection as sel
from annotations.model import Claim, Entity
from annotations.screen_text import WrappedText, screen_safe
from annotations.suggest.candidate import Candidate
from tui.styles import CURSOR, DARK_BACKGROUND, OVERLAP, SELECTION, ClaimStyles, Palette

CACHE_ROWS = 2000
# Above this many characters a layout with labels is wrapped in a thread (the current one stays
# on screen until it is ready); below, at once.
SYNC_LABEL_CHARS = 300_000
WRAP_DELAY = 0.3  # seconds without new entities before a long text is wrapped with labels
LABEL_MAX = 16  # cells of a label's name before it is cut with an ellipsis


S = TypeVar("S", Entity, Claim, Candidate)


class SpanIndex(Generic[S]):
    """Spans sorted by start, with a bisect lookup of those overlapping a range."""

    def __init__(self, spans: Sequence[S]) -> None:
        self.spans: list[S] = sorted(spans, key=lambda s: (s.start, s.end))
        self.starts: list[int] = [s.start for s in self.spans]
        self.longest: int = max((s.end - s.start for s in self.spans), default=0)

    def overlapping(self, start: int, end: int) -> list[S]:
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        return [s for s in self.spans[lo:hi] if s.end > start and s.start < end]

    def at(self, offset: int) -> list[S]:
        return self.overlapping(offset, offset + 1)


class DocumentView(ScrollView, can_focus=True):
    """Shows one document, a cursor and a selection; reports both as offsets."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    DocumentView { scrollbar-gutter: stable; padding: 0 1; }
    """
    BINDINGS = [
        # priority (here and in the reader): a key acts when Textual routes it, so a burst
        # such as ``s c`` selects before the claim form opens
        Binding("left", "move('left')", "Left", show=False, priority=True, id="view.left"),
        Binding("right", "move('right')", "Right", show=False, priority=True, id="view.right"),
        Binding("up", "move('up')", "Up", show=False, priority=True, id="view.up"),
        Binding("down", "move('down')", "Down", show=False, priority=True, id="view.down"),
        Binding("home", "move('home')", "Line start", show=False, priority=True, id="view.home"),
        Binding("end", "move('end')", "Line end", show=False, priority=True, id="view.end"),
        Binding("pageup", "move('pageup')", "Page up", show=False, priority=True, id="view.pageup"),
        Binding(
            "pagedown,space",
            "move('pagedown')",
            "Page down",
            show=False,
            priority=True,
            id="view.pagedown",
        ),
        Binding("ctrl+home,g", "move('top')", "Top", show=False, priority=True, id="view.top"),
        Binding(
            "ctrl+end,G", "move('bottom')", "Bottom", show=False, priority=True, id="view.bottom"
        ),
        Binding(
            "ctrl+right,w", "move('word')", "Next word", show=False, priority=True, id="view.word"
        ),
        Binding(
            "ctrl+left,b",
            "move('back_word')",
            "Previous word",
            show=False,
            priority=True,
            id="view.back_word",
        ),
        Binding(
            "shift+left",
            "extend('left')",
            "Extend left",
            show=False,
            priority=True,
            id="view.extend_left",
        ),
        Binding(
            "shift+right",
            "extend('right')",
            "Extend right",
            show=False,
            priority=True,
            id="view.extend_right",
        ),
        Binding(
            "shift+up", "extend('up')", "Extend up", show=False, priority=True, id="view.extend_up"
        ),
        Binding(
            "shift+down",
            "extend('down')",
            "Extend down",
            show=False,
            priority=True,
            id="view.extend_down",
        ),
        Binding(
            "shift+home",
            "extend('home')",
            "Extend to line start",
            show=False,
            priority=True,
            id="view.extend_home",
        ),
        Binding(
            "shift+end",
            "extend('end')",
            "Extend to line end",
            show=False,
            priority=True,
            id="view.extend_end",
        ),
        Binding(
            "ctrl+shift+right,W",
            "extend('word')",
            "Extend a word",
            show=False,
            priority=True,
            id="view.extend_word",
        ),
        Binding(
            "ctrl+shift+left,B",
            "extend('back_word')",
            "Extend back a word",
            show=False,
            priority=True,
            id="view.extend_back_word",
        ),
        Binding(
            "ctrl+x",
            "swap_ends",
            "Swap selection ends",
            show=False,
            priority=True,
            id="view.swap_ends",
        ),
        Binding("s", "select_sentence", "Sentence", priority=True, id="view.sentence"),
        Binding("escape", "clear_selection", "Clear", show=False, priority=True, id="view.clear"),
    ]

    cursor: reactive[int] = reactive(0, init=False, always_update=True)

    @dataclass
    class CursorMoved(Message):
        view: DocumentView
        offset: int
        selection: tuple[int, int] | None

        @property
        def control(self) -> DocumentView:
            return self.view

    def __init__(
        self, claim_styles: ClaimStyles, annotator: str = "", *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.claim_styles = claim_styles
        self.annotator = annotator
        self.text = ""
        self._display = ""
        self._layout: WrappedText | None = None
        self.selection_anchor: int | None = None
        self.entities: SpanIndex[Entity] = SpanIndex([])
        self.claims: SpanIndex[Claim] = SpanIndex([])
        self.matches: SpanIndex[Entity] = SpanIndex([])
        self.candidates: SpanIndex[Candidate] = SpanIndex([])
        self._goal_column: int | None = None
        self._cache: OrderedDict[int, Strip] = OrderedDict()
        self._dragging = False
        self._base_style: Style | None = None  # rich_style is costly; cached until CSS changes
        self._newlines: list[int] | None = None  # offsets of line breaks, for line:column
        self.show_labels = False
        self._keys = 0  # label sets asked for so far
        self._want = 0  # the label set wanted now (0: no labels)
        self._layout_key = 0  # the label set the current layout was wrapped with
        self._drawn: dict[int, list[str]] = {}  # labels by where the current layout drew them
        self._wrapping = False  # a thread is wrapping with labels
        self._wrap_timer: Timer | None = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None
        self._cache.clear()

    # -- content ----------------------------------------------------------------------------
    @staticmethod
    def prepare(text: str, width: int, limit: int | None = None) -> tuple[str, WrappedText | None]:
        """The slow part of loading (sanitising and wrapping), safe to run in a worker thread.
        With ``limit``, only the lines up to that offset are wrapped (see ``complete_layout``).
        """
        shown = screen_safe(text)
        return shown, (WrappedText(shown, width, limit) if width > 0 else None)

    def complete_layout(self, layout: WrappedText) -> None:
        """Swap a first, partial layout for the full one (same first rows, so nothing moves)."""
        if layout.text is self._display and self._fits(layout, self.text_width, 0):
            self._use(layout, 0, {})
            self.virtual_size = Size(layout.width, len(layout))
            self.refresh()

    def _fits(self, layout: WrappedText, width: int, key: int | None = None) -> bool:
        """Whether ``layout`` (made for labels ``key``; the current layout's when None) is
        wrapped at ``width`` with the labels now wanted."""
        key = self._layout_key if key is None else key
        return layout.width == width and key == self._want

    def _use(self, layout: WrappedText, key: int, drawn: dict[int, list[str]]) -> None:
        """Show ``layout``, made for labels ``key``, drawing ``drawn`` (labels by offset)."""
        self._layout, self._layout_key, self._drawn = layout, key, drawn

    @property
    def text_width(self) -> int:
        """Cells available for text per row (0 before the widget has a size)."""
        return self.scrollable_content_region.width if self.size.width else 0

    def load(
        self, text: str, cursor: int = 0, prepared: tuple[str, WrappedText | None] | None = None
    ) -> None:
        shown, layout = prepared if prepared is not None else (screen_safe(text), None)
        self.text = text
        self._display = shown
        self._newlines = None
        self.selection_anchor = None
        self._want_labels()
        self._layout, self._drawn = None, {}
        if layout is not None and layout.width == self.text_width:
            self._use(layout, 0, {})  # without labels; wrapped again with them just after
        self._relayout()
        self.cursor = min(max(cursor, 0), len(text))
        self.scroll_to_cursor(center=True)

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line (as ``:`` counts them, by ``\\n``) and column (characters) of an offset."""
        if self._newlines is None:
            found: list[int] = []
            text, pos = self.text, self.text.find("\n")
            while pos >= 0:
                found.append(pos)
                pos = text.find("\n", pos + 1)
            self._newlines = found
        line = bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def set_entities(self, entities: Sequence[Entity]) -> None:
        self.entities = SpanIndex(entities)
        if self.show_labels:
            self._want_labels()
            self._relayout()
        else:
            self._invalidate()

    # -- inline labels ----------------------------------------------------------------------
    def set_labels(self, on: bool) -> None:
        """Show or hide each entity's type after its mention (offsets are unchanged)."""
        self.show_labels = on
        self._want_labels()
        self._relayout()
        self.scroll_to_cursor()

    def _want_labels(self) -> None:
        """A new key for the labels now wanted (0: none), so layouts made for others go."""
        self._keys += 1
        self._want = self._keys if self.show_labels and self.entities.spans else 0

    @staticmethod
    @lru_cache(maxsize=256)
    def label_name(label: str) -> str:
        """A label as drawn: control characters made harmless, cut to ``LABEL_MAX`` cells."""
        name = screen_safe(label).replace("\n", " ") or "?"
        if cell_len(name) > LABEL_MAX:
            while cell_len(name) > LABEL_MAX - 1:
                name = name[:-1]
            name += "…"
        return name

    @staticmethod
    def labelled_layout(
        shown: str, width: int, spans: Sequence[Entity | Claim]
    ) -> tuple[WrappedText, dict[int, list[str]]]:
        """``shown`` wrapped with a label after each entity, and the labels by the offset
        they are drawn at. A label stands at its mention's end, before any line break the
        mention ends with, so it follows visible text. Safe to run in a thread."""
        names: dict[int, list[str]] = {}
        name_of = DocumentView.label_name
        for entity in spans:
            end = min(entity.end, len(shown))
            while end > entity.start and shown[end - 1] == "\n":
                end -= 1
            if end > max(entity.start, 0):
                names.setdefault(end, []).append(name_of(getattr(entity, "label", "")))
        inserts = {k: sum(1 + cell_len(n) for n in v) for k, v in names.items()}
        layout = WrappedText(shown, width, inserts=inserts)
        drawn: dict[int, list[str]] = {}
        for offset, labels in names.items():
            at = layout.placed(offset)
            if at is not None:
                drawn.setdefault(at, []).extend(labels)
        return layout, drawn

    def _wrap(self, width: int) -> None:
        """Wrap for the labels now wanted, at once (a short text, or labels off)."""
        if self._want:
            layout, drawn = self.labelled_layout(self._display, width, self.entities.spans)
            self._use(layout, self._want, drawn)
        else:
            self._use(WrappedText(self._display, width), 0, {})

    def _wrap_soon(self) -> None:
        """Wrap a long text with labels once entities have stopped arriving for a moment."""
        if self._wrap_timer is not None:
            self._wrap_timer.stop()
        self._wrap_timer = self.set_timer(WRAP_DELAY, self._wrap_in_thread)

    def _wrap_in_thread(self) -> None:
        """Wrap a long text with labels in a thread; one at a time (the next starts when it
        is done, with the labels wanted then), so a stream of entities costs few wraps."""
        self._wrap_timer = None
        if self._wrapping or not self._want:  # one at a time; none for labels off
            return
        self._wrapping = True
        shown, width, key, spans = self._display, self.text_width, self._want, self.entities.spans

        def work() -> None:
            try:
                layout: WrappedText | None
                layout, drawn = self.labelled_layout(shown, width, spans)
            except Exception as exc:  # noqa: BLE001 - the view must not wait for it forever
                self.log.error(f"wrapping with labels failed: {exc!r}")
                layout, drawn = None, {}
            with suppress(RuntimeError):  # the app closed meanwhile
                self.app.call_from_thread(self._adopt, layout, key, drawn)

        self.run_worker(work, thread=True, group="label-layout", exit_on_error=False)

    def _adopt(self, layout: WrappedText | None, key: int, drawn: dict[int, list[str]]) -> None:
        """A layout wrapped in a thread, if it is still the one wanted; else wrap again."""
        self._wrapping = False
        if layout is None or not self.is_attached:
            return
        if layout.text is self._display and self._fits(layout, self.text_width, key):
            self._use(layout, key, drawn)
            self.virtual_size = Size(layout.width, len(layout))
            self._invalidate()
            self.scroll_to_cursor()
        else:
            self._relayout()

    @property
    def labels_settled(self) -> bool:
        """Whether the layout on screen has the labels now wanted."""
        return self._layout is not None and self._fits(self._layout, self._layout.width)

    def set_claims(self, claims: Sequence[Claim]) -> None:
        self.claims = SpanIndex(claims)
        self._invalidate()

    def set_candidates(self, candidates: Sequence[Candidate]) -> None:
        """Claim candidates to draw (under entities and claims, which win where they meet)."""
        self.candidates = SpanIndex(candidates)
        self._invalidate()

    def set_matches(self, spans: Sequence[Entity]) -> None:
        self.matches = SpanIndex(spans)
        self._invalidate()

    @property
    def layout_rows(self) -> int:
        return len(self._layout) if self._layout else 0

    def _invalidate(self) -> None:
        self._cache.clear()
        self.refresh()

    def _relayout(self) -> None:
        width = max(1, self.scrollable_content_region.width or self.size.width - 3)
        if not self.text and self._layout is None:
            self._use(WrappedText("", width), 0, {})
        elif self._layout is None or not self._fits(self._layout, width):
            if self.size.width == 0:
                return  # no width yet: wrapping now would give one character per row
            if self._want and self._layout is not None and len(self._display) > SYNC_LABEL_CHARS:
                self._wrap_soon()  # the current layout stays until the new one is ready
                return
            self._wrap(width)
        self.virtual_size = Size(width, self.layout_rows)
        self._invalidate()

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()
        self.scroll_to_cursor()

    # -- selection --------------------------------------------------------------------------
    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected span, snapped to whole words, or None."""
        if self.selection_anchor is None:
            return None
        start, end = sel.snap(self.text, self.selection_anchor, self.cursor)
        return (start, end) if end > start else None

    def select(self, start: int, end: int) -> None:
        self.selection_anchor = start
        self.cursor = end
        self.scroll_to_cursor()

    def action_select_sentence(self) -> None:
        if self.text:
            start, end = sel.sentence_at(self.text, self.cursor)
            self.select(start, end)

    def action_swap_ends(self) -> None:
        """Move the cursor to the other end of the selection (emacs's C-x C-x, vim's ``o``),
        so shift+arrows change the start instead of the end."""
        shown = self.selection
        if shown is None:
            return
        start, end = shown
        at_end = self.selection_anchor is not None and self.cursor > self.selection_anchor
        self.selection_anchor, self.cursor = (end, start) if at_end else (start, end)
        self.scroll_to_cursor()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Rows wrap, so there is nothing to page sideways: hide ScrollView's page_left/right
        (help then lists only keys that do something)."""
        return action not in ("page_left", "page_right", "scroll_left", "scroll_right")

    def action_clear_selection(self) -> None:
        if self.selection_anchor is not None:
            self.selection_anchor = None
            self.cursor = self.cursor

    # -- movement ---------------------------------------------------------------------------
    def _target(self, how: str) -> int:
        text, layout, pos = self.text, self._layout, self.cursor
        if layout is None or not text:
            return 0
        if how in ("left", "right", "word", "back_word", "top", "bottom"):
            self._goal_column = None
        if how == "left":
            return sel.prev_grapheme(text, pos)
        if how == "right":
            return sel.next_grapheme(text, pos)
        if how == "word":
            if (
                self.selection_anchor is None or pos < self.selection_anchor
            ):  # moving, or shrinking from the start
                return sel.next_word_start(text, pos)
            # extend past what is visibly selected (the snapped span), one whole word further
            shown = self.selection
            return sel.next_word_end(text, max(pos, shown[1] if shown else pos))
        if how == "back_word":
            return sel.prev_word_start(text, pos)
        if how == "top":
            return 0
        if how == "bottom":
            return len(text)
        row = layout.row_of(pos)
        if how == "home":
            return layout.row(row).start
        if how == "end":
            return layout.row(row).end
        step = {"up": -1, "down": 1, "pageup": -self._page(), "pagedown": self._page()}[how]
        if self._goal_column is None:
            self._goal_column = layout.cells_before(pos)
        target_row = min(max(row + step, 0), len(layout) - 1)
        return layout.offset_at(target_row, self._goal_column)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_move(self, how: str) -> None:
        goal = self._goal_column
        target = self._target(how)
        if how in ("up", "down", "pageup", "pagedown"):
            goal = self._goal_column
        self.selection_anchor = None
        self.cursor = target
        self._goal_column = goal if how in ("up", "down", "pageup", "pagedown") else None
        if how in ("pageup", "pagedown"):
            self.scroll_relative(
                y=self._page() * (1 if how == "pagedown" else -1), animate=False, immediate=True
            )
        self.scroll_to_cursor()

    def action_extend(self, how: str) -> None:
        if self.selection_anchor is None:
            self.selection_anchor = self.cursor
        goal = self._goal_column
        target = self._target(how)
        self._goal_column = goal if how in ("up", "down") else self._goal_column
        self.cursor = target
        self.scroll_to_cursor()

    def watch_cursor(self, offset: int) -> None:
        self.refresh()
        self.post_message(self.CursorMoved(self, offset, self.selection))

    def scroll_to_cursor(self, center: bool = False) -> None:
        if self._layout is None:
            return
        row = self._layout.row_of(self.cursor)
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_y)
        if center and not (top <= row < top + height):
            self.scroll_to(y=max(0, row - height // 3), animate=False, immediate=True)
        elif row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    # -- mouse ------------------------------------------------------------------------------
    def _offset_at(self, event: events.MouseEvent) -> int | None:
        if self._layout is None or not len(self._layout):
            return None
        region = self.scrollable_content_region
        x = event.x - (region.x - self.region.x)
        y = event.y - (region.y - self.region.y)
        return self._layout.offset_at(int(self.scroll_y) + y, max(0, x))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self._offset_at(event)
        if offset is None:
            return
        self.focus()
        self._dragging = True
        self.capture_mouse()
        self.selection_anchor = None
        self._goal_column = None
        self.cursor = offset

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        offset = self._offset_at(event)
        if offset is not None and offset != self.cursor:
            if self.selection_anchor is None:
                self.selection_anchor = self.cursor
            self.cursor = offset

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._dragging = False
        self.capture_mouse(False)

    # -- drawing ----------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base = self._base_style or self.rich_style
        self._base_style = base
        layout = self._layout
        if layout is None or index >= len(layout):
            return Strip.blank(width, base)
        row = layout.row(index)
        selection = self.selection
        cursor_row = index == layout.row_of(self.cursor)
        live = cursor_row or (
            selection is not None and selection[0] <= row.end and selection[1] >= row.start
        )
        if not live and index in self._cache:
            self._cache.move_to_end(index)
            return self._cache[index]
        text = self._row_text(row.start, row.end)
        if selection is not None:
            lo, hi = max(selection[0], row.start), min(selection[1], row.end)
            if hi > lo:
                text.stylize(SELECTION, lo - row.start, hi - row.start)
        if cursor_row:
            self._draw_cursor(text, row.start, row.end)
        if self._drawn:
            text = self._with_labels(text, row.start, row.end)
        if cursor_row and self.cursor >= row.end:
            text.append(" ", CURSOR)  # the cursor after the row's last character
        segments = list(text.render(self.app.console))
        strip = Strip(Segment.apply_style(segments, base)).crop_extend(0, width, base)
        if not live:
            self._cache[index] = strip
            if len(self._cache) > CACHE_ROWS:
                self._cache.popitem(last=False)
        return strip

    @property
    def palette(self) -> Palette:
        """Span styles fitted to this view's background (so to the current theme)."""
        base = self._base_style or self.rich_style
        self._base_style = base
        bg = base.bgcolor
        background = bg.get_truecolor().hex if bg is not None else DARK_BACKGROUND
        return self.claim_styles.for_(background)

    def _row_text(self, start: int, end: int) -> Text:
        text = Text(self._display[start:end], no_wrap=True, end="")
        palette = self.palette
        mono = bool(getattr(self.app, "no_color", False))
        if self.candidates.spans:
            look = palette.candidate(mono)
            for candidate in self.candidates.overlapping(start, end):
                text.stylize(
                    look, max(candidate.start, start) - start, min(candidate.end, end) - start
                )
        for entity in self.entities.overlapping(start, end):
            text.stylize(
                palette.entity(entity.label),
                max(entity.start, start) - start,
                min(entity.end, end) - start,
            )
        claims = self.claims.overlapping(start, end)
        for claim in claims:
            style = palette.stance(getattr(claim, "stance", "none"))
            if getattr(claim, "annotator", self.annotator) != self.annotator:
                style = palette.other(getattr(claim, "stance", "none"))
            text.stylize(style, max(claim.start, start) - start, min(claim.end, end) - start)
        if len(claims) > 1:
            for i, a in enumerate(claims):
                for b in claims[i + 1 :]:
                    lo, hi = max(a.start, b.start, start), min(a.end, b.end, end)
                    if hi > lo:
                        text.stylize(OVERLAP, lo - start, hi - start)
        search = palette.search(mono)
        for match in self.matches.overlapping(start, end):
            text.stylize(search, max(match.start, start) - start, min(match.end, end) - start)
        return text

    def _with_labels(self, text: Text, start: int, end: int) -> Text:
        """The row with its labels' tags drawn after their mentions."""
        inserts = self._layout.inserts_in(start, end) if self._layout else []
        if not inserts:
            return text
        pieces = text.divide([at - start for at, _cells in inserts])
        palette = self.palette
        mono = bool(getattr(self.app, "no_color", False))
        out = Text(no_wrap=True, end="")
        for i, piece in enumerate(pieces):
            out.append_text(piece)
            if i < len(inserts):
                for name in self._drawn.get(inserts[i][0], ()):
                    out.append(" ")
                    out.append(name, palette.label(name.rstrip("…"), mono))
        return out

    def _draw_cursor(self, text: Text, start: int, end: int) -> None:
        """The cursor on the character at it (past the row's end, see ``render_line``)."""
        pos = self.cursor
        if not (start <= pos < end):
            return
        text.stylize(CURSOR, pos - start, sel.next_grapheme(self.text, pos) - start)
