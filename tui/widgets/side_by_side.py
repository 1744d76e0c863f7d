"""One adjudication item side by side: a column per annotator, and the gold column once decided.

Rows are the claim's fields; a row whose field the annotators disagree on is marked ``≠`` and its
values shown reversed, so a difference is visible without colour. Every column shows the same
stretch of text (the union of the item's spans) with its own span bold and the rest dim, so a
different boundary shows as a different bold part. All text is data: ``Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from annotations.adjudication import Item
from annotations.model import Claim
from annotations.schema import Schema
from annotations.screen_text import screen_safe
from tui.widgets.claim_table import REVIEW_MARKS, REVIEW_STYLES, one_line

ROWS = (
    ("span", "span"),
    ("quote", "quote"),
    ("claim_type", "type"),
    ("stance", "stance"),
    ("target", "target"),
    ("speaker", "speaker"),
    ("attribution", "attrib."),
    ("checkworthy", "check"),
    ("note", "note"),
)
OPTIONAL = ("attribution", "checkworthy", "note")
"""Rows shown only when some claim of the item fills them in."""
COLOURED = {"claim_type": "claim_types", "stance": "stances"}
DIFFERS = Style(reverse=True, bold=True)
INSIDE = Style(bold=True, underline=True)
OUTSIDE = Style(dim=True)
LABEL_WIDTH = 9
MIN_QUOTE_LINES, MAX_QUOTE_LINES = 2, 8


class SideBySide(Static):
    """Shows one ``Item``; re-renders on resize so the quotes use the room there is."""

    DEFAULT_CSS = "SideBySide { height: auto; padding: 0 1; }"

    def __init__(self, schema: Schema, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.schema = schema
        self.item: Item | None = None
        self.annotators: tuple[str, ...] = ()
        self.text = ""
        self.message = ""
        self.room = 0
        """Lines the pane has for the table (set by the screen), to size the quotes."""

    def show(
        self, item: Item | None, annotators: Sequence[str], text: str, message: str = ""
    ) -> None:
        """``text`` is the document's text (only the item's stretch of it is shown)."""
        self.item, self.annotators, self.text = item, tuple(annotators), text
        self.message = message
        self.update(self.render_item())

    def on_resize(self) -> None:
        self.update(self.render_item())

    def render_item(self) -> Table | Text:
        item = self.item
        if item is None:
            return Text(self.message or "No item selected.", style="dim")
        rows = [
            (f, name)
            for f, name in ROWS
            if f not in OPTIONAL or any(getattr(c, f) for c in self._claims(item))
        ]
        columns = len(self.annotators) + (1 if item.gold is not None or item.rejected else 0)
        width = max(20, (self.content_region.width or 78) - LABEL_WIDTH - 1)
        per_column = max(6, width // max(1, columns) - 1)
        others = 2 + sum(
            self._lines(item, field, per_column) for field, _ in rows if field != "quote"
        )  # the header, the other rows, a spare
        lines = max(MIN_QUOTE_LINES, min(MAX_QUOTE_LINES, (self.room or 14) - others))
        budget = per_column * lines * 4 // 5  # word wrapping wastes some of each line
        table = Table(
            box=None, padding=(0, 1, 0, 0), expand=True, show_edge=False, header_style="bold"
        )
        table.add_column(Text(""), width=LABEL_WIDTH, no_wrap=True)
        for number, who in enumerate(self.annotators, 1):
            table.add_column(
                self._header(number, who, item.claims.get(who)), ratio=1, overflow="fold"
            )
        if columns > len(self.annotators):
            gold_header = Text("gold", style="bold green")
            who = item.gold.reviewer if item.gold is not None else ""
            if who:
                gold_header.append(f" ({one_line(who)})", style="dim")
            table.add_column(gold_header, ratio=1, overflow="fold")
        for field, name in rows:
            differs = field in item.differences or (
                field == "span" and "boundary" in item.differences
            )
            label = Text(("≠ " if differs else "") + name, style="bold" if differs else "dim")
            cells: list[Text] = [label]
            for who in self.annotators:
                claim = item.claims.get(who)
                cells.append(self._cell(item, claim, field, differs, budget, missing=True))
            if columns > len(self.annotators):
                cells.append(self._cell(item, item.gold, field, False, budget, missing=False))
            table.add_row(*cells)
        return table

    def _lines(self, item: Item, field: str, per_column: int) -> int:
        """Lines a row takes: its longest value, wrapped."""
        if field == "span":
            return 1
        longest = max((len(str(getattr(c, field))) for c in self._claims(item)), default=0)
        return max(1, -(-longest // max(1, per_column - 3)))  # words wrap early

    @staticmethod
    def _claims(item: Item) -> list[Claim]:
        return list(item.claims.values()) + ([item.gold] if item.gold is not None else [])

    def _header(self, number: int, who: str, claim: Claim | None) -> Text:
        header = Text(f"{number} ", style="bold")
        header.append(one_line(who) or "?", style="bold" if claim else "dim")
        if claim is not None and claim.review_status != "pending":
            header.append(
                " " + REVIEW_MARKS[claim.review_status].strip(),
                style=REVIEW_STYLES[claim.review_status],
            )
        return header

    def _cell(
        self, item: Item, claim: Claim | None, field: str, differs: bool, budget: int, missing: bool
    ) -> Text:
        if claim is None:
            if field != "quote":
                return Text("")
            return Text("— missing —" if missing else "— no claim —", style="italic dim")
        if field == "quote":
            return self.quote(item, claim, budget)
        if field == "span":
            value = Text(f"{claim.start:,}–{claim.end:,}")
        else:
            raw = str(getattr(claim, field))
            value = Text(one_line(raw) or "—", style="" if raw else "dim")
            if field in COLOURED and raw:
                value.stylize(self.schema.colour(COLOURED[field], raw))
        if differs:
            value.stylize(DIFFERS)
        return value

    def quote(self, item: Item, claim: Claim, budget: int) -> Text:
        """The item's stretch of text, ``claim``'s part emphasised. A long one keeps what a
        reviewer compares, both boundaries with a little of the text around them, and cuts the
        middle."""
        lo, hi = (item.start, item.end) if self.text else (claim.start, claim.end)
        start, end = claim.start, claim.end
        budget = max(12, budget)
        if hi - lo <= budget:
            return self._piece(lo, hi, claim)
        half = (budget - 3) // 2
        before, after = min(start - lo, half // 3), min(hi - end, half // 3)
        head = (start - before, min(end, start + half - before))
        tail = (max(start, end - half + after), end + after)
        if head[1] >= tail[0]:
            return self._piece(head[0], tail[1], claim, lo, hi)
        out = self._piece(head[0], head[1], claim, lo=lo)
        out.append(" … ", style="dim")
        out.append_text(self._piece(tail[0], tail[1], claim, hi=hi))
        return out

    def _piece(
        self, a: int, b: int, claim: Claim, lo: int | None = None, hi: int | None = None
    ) -> Text:
        """Text ``[a, b)`` with the claim's part emphasised and the rest dim; "…" where it
        stops short of the item's stretch ``[lo, hi)``."""
        raw = self.text[a:b] if self.text else claim.quote[a - claim.start : b - claim.start]
        out = Text(end="")
        if lo is not None and a > lo:
            out.append("…", style="dim")
        piece = Text(screen_safe(raw).replace("\n", " "), end="")
        inside, after = min(len(piece), max(0, claim.start - a)), max(0, claim.end - a)
        piece.stylize(OUTSIDE, 0, inside)
        piece.stylize(OUTSIDE, after, len(piece))
        piece.stylize(INSIDE, inside, after)
        out.append_text(piece)
        if hi is not None and b < hi:
            out.append("…", style="dim")
        return out
