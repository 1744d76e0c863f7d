"""Below the review table: the selected claim's labels, its review, and its paragraph with the
entities and the claim span highlighted, so a reviewer can judge it without opening the reader.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from annotations.review.listing import ClaimContext
from annotations.schema import Schema
from annotations.screen_text import screen_safe
from tui.styles import ClaimStyles, background_of
from tui.widgets.claim_table import REVIEW_MARKS, REVIEW_STYLES, one_line

CLAIM_EMPHASIS = Style(bold=True)


class ClaimContextView(Static):
    """Shows a ``ClaimContext``; long paragraphs are cut to a window around the claim."""

    DEFAULT_CSS = """
    ClaimContextView {
        height: 10; max-height: 45%; padding: 0 1; overflow: hidden hidden;
        border-top: solid $panel-lighten-2;
    }
    """

    def __init__(self, schema: Schema, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.schema = schema
        self.styles_by_stance = ClaimStyles(schema)
        self.context: ClaimContext | None = None

    def show(self, context: ClaimContext | None, message: str = "") -> None:
        self.context = context
        # a fixed height (the CSS above): a new claim needs no layout pass, only a repaint
        self.update(self._render_context(context, message), layout=False)

    def on_resize(self) -> None:
        if self.context is not None:
            self.update(self._render_context(self.context, ""), layout=False)

    def _render_context(self, ctx: ClaimContext | None, message: str) -> Text:
        if ctx is None:
            return Text(message or "No claim selected.", style="dim")
        claim = ctx.claim
        out = Text(no_wrap=False)
        out.append(one_line(ctx.title) or claim.doc_id, style="bold")
        out.append(f"  [{claim.start:,}–{claim.end:,}]  ", style="dim")
        out.append(claim.claim_type, style=self.schema.colour("claim_types", claim.claim_type))
        out.append(" · ")
        out.append(claim.stance, style=self.schema.colour("stances", claim.stance))
        if claim.target:
            out.append(" → " + one_line(claim.target), style="italic")
        if claim.speaker:
            out.append(" · speaker: " + one_line(claim.speaker))
        if claim.attribution:
            out.append(f" ({claim.attribution})", style="dim")
        out.append(f" · by {one_line(claim.annotator) or '?'}", style="dim")
        out.append("\n")
        out.append(
            REVIEW_MARKS.get(claim.review_status, "") + claim.review_status,
            style=REVIEW_STYLES.get(claim.review_status, ""),
        )
        if claim.review_status != "pending":
            out.append(f" by {one_line(claim.reviewer)} {claim.reviewed_at[:16]}", style="dim")
            if claim.review_note:
                out.append(" — " + one_line(claim.review_note))
        if claim.note:
            out.append("  note: " + one_line(claim.note), style="italic dim")
        out.append("\n")
        out.append_text(self._paragraph(ctx))
        return out

    def _paragraph(self, ctx: ClaimContext) -> Text:
        """The paragraph, cut around the claim to what fits, entities and claim styled."""
        width = max(20, self.content_region.width or 78)
        budget = max(width, (max(3, self.content_region.height or 8) - 2) * width)
        text, offset = ctx.text, ctx.offset
        start, end = ctx.claim.start - offset, ctx.claim.end - offset
        lo, hi = 0, len(text)
        if hi > budget:  # centre the window on the claim's start
            lo = max(0, min(start - budget // 3, hi - budget))
            hi = min(hi, lo + budget)
        piece = Text(screen_safe(text[lo:hi]).replace("\n", " "), end="")
        palette = self.styles_by_stance.for_(background_of(self))  # fitted to the theme
        for entity in ctx.entities:
            s, e = entity.start - offset - lo, entity.end - offset - lo
            if e > 0 and s < len(piece):
                piece.stylize(palette.entity(entity.label), max(0, s), e)
        claim_style = palette.stance(ctx.claim.stance) + CLAIM_EMPHASIS
        piece.stylize(claim_style, max(0, start - lo), max(0, min(end, hi) - lo))
        out = Text(end="")
        if lo > 0 or (ctx.clipped and ctx.offset > 0):
            out.append("…", style="dim")
        out.append_text(piece)
        if hi < len(text) or ctx.clipped:
            out.append("…", style="dim")
        return out
