"""Stats: progress per annotator and document, review status, and claims by type × stance, target
and speaker, as bar charts with the numbers beside them.

The numbers are ``annotations.stats.compute``'s ``Stats`` (the same ``annotty stats --json``
prints), counted in a thread worker; the charts are redrawn from them when the terminal resizes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from annotations import stats
from annotations.review.listing import ReviewReader
from annotations.schema import Schema
from annotations.terminal_safe import plural
from annotations.timing import TimeStats, duration
from tui.messages import StoreChanged
from tui.screens.worker_results import deliver
from tui.widgets.bars import Part, bar, chart, stacked
from tui.widgets.claim_table import one_line

if TYPE_CHECKING:
    from tui.app import AnnottyApp

REVIEW_PARTS = (("accepted", "green", "█"), ("rejected", "red", "▓"), ("pending", "dim", "░"))
STANCE_GLYPHS = ("█", "▓", "▒", "░")
TOP_DOCUMENTS = 12
TOP_SPEAKERS = 10


class StatsScreen(Screen[None]):
    """Charts of the corpus' numbers; ``r`` counts again, ``q`` goes back."""

    app: AnnottyApp
    DEFAULT_CSS = """
    StatsScreen #stats-title { background: $primary-darken-2; color: $text; padding: 0 1;
                               text-style: bold; height: 1; }
    StatsScreen #stats-body { height: 1fr; padding: 0 1; }
    StatsScreen .section { margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("r", "refresh_stats", "Refresh", id="stats.refresh"),
        Binding("j", "scroll(1)", "Down", show=False, id="stats.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="stats.up"),
        Binding("q,escape", "back", "Back", id="stats.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.numbers: stats.Stats | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("annotty · stats"), id="stats-title")
        with VerticalScroll(id="stats-body"):
            yield Static(Text("Counting…", style="dim"), id="stats-charts")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#stats-body").focus()
        self.count()

    def on_resize(self) -> None:
        if self.numbers is not None:
            self._draw()

    @work(thread=True, exclusive=True, group="stats")
    def count(self) -> None:
        reader = ReviewReader(self.app.store)
        with reader.fresh() as conn:
            numbers = stats.compute(conn, documents=TOP_DOCUMENTS)
        deliver(self, self._counted, numbers)

    def _counted(self, numbers: stats.Stats) -> None:
        self.numbers = numbers
        self._draw()

    def on_store_changed(self, message: StoreChanged) -> None:
        """Counting takes a few hundred ms at 100,000 claims: say so, count again on ``r``."""
        self.query_one("#stats-title", Static).update(
            Text("annotty · stats  (the data changed: r to count again)")
        )

    def action_refresh_stats(self) -> None:
        self.query_one("#stats-title", Static).update(Text("annotty · stats"))
        self.count()

    def action_scroll(self, step: int) -> None:
        self.query_one("#stats-body", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()

    # -- drawing ------------------------------------------------------------------------------
    def _draw(self) -> None:
        assert self.numbers is not None
        width = max(40, self.size.width - 4)
        self.query_one("#stats-charts", Static).update(
            Group(*render_all(self.numbers, width, self.app.schema))
        )


def _section(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def _sizes(width: int) -> tuple[int, int]:
    """Label and bar widths for a terminal width; the numbers take the rest."""
    label = 14 if width < 100 else 24
    return label, max(10, min(40, width - label - 36))


class ReviewTally(Protocol):
    """Anything counted by review status: the corpus, an annotator, a document, a reviewer."""

    @property
    def pending(self) -> int: ...
    @property
    def accepted(self) -> int: ...
    @property
    def rejected(self) -> int: ...


def _review_parts(counts: ReviewTally) -> list[Part]:
    return [Part(getattr(counts, k), style, glyph) for k, style, glyph in REVIEW_PARTS]


def _review_numbers(counts: ReviewTally) -> Text:
    total = counts.accepted + counts.rejected + counts.pending
    out = Text(f"{total:,}", style="bold")
    out.append(
        f"  ✓{counts.accepted:,} ✗{counts.rejected:,} ·{counts.pending:,}",
        style="dim",
    )
    return out


def render_all(n: stats.Stats, width: int, schema: Schema) -> list[RenderableType]:
    """Every section of the stats screen, as Rich renderables, from ``stats.compute``."""
    label_w, bar_w = _sizes(width)
    review = n.review
    out: list[RenderableType] = []
    overview = Text(
        " · ".join(
            (
                plural(n.documents, "document", thousands=True),
                plural(n.claims, "claim", thousands=True),
                plural(n.entities, "entity", thousands=True),
                plural(n.history, "change", thousands=True) + " in history",
            )
        )
    )
    out.append(overview)

    out.append(_section(f"Review  ({review.reviewed_share:.1%} decided)"))
    out.append(
        chart(
            [
                (
                    Text("all claims"),
                    stacked(_review_parts(review), n.claims, bar_w),
                    _review_numbers(review),
                )
            ],
            label_w,
        )
    )
    legend = Text("  ")
    for key, style, glyph in REVIEW_PARTS:
        legend.append(glyph * 2, style=style)
        legend.append(f" {key}  ")
    out.append(legend)

    people = n.annotators
    if people:
        out.append(_section("Progress by annotator  (claims by review status · documents done)"))
        top = max((p.claims for p in people), default=0)
        rows = []
        for p in people:
            numbers = _review_numbers(p)
            numbers.append(f"  docs done {p.documents.done:,}/{n.documents:,}", style="dim")
            rows.append(
                (
                    Text(one_line(p.annotator) or "(nobody)"),
                    stacked(_review_parts(p), top, bar_w),
                    numbers,
                )
            )
        out.append(chart(rows, label_w))
    out += assignment_section(n.assignments, label_w, bar_w)

    docs = sorted(n.documents_progress, key=lambda d: -d.claims)[:TOP_DOCUMENTS]
    if docs and docs[0].claims:
        with_claims = n.documents_with_claims
        out.append(
            _section(
                f"Progress by document  (top {len(docs)} of {with_claims:,} with "
                "claims; all in `annotty stats --json`)"
            )
        )
        top = docs[0].claims
        out.append(
            chart(
                [
                    (
                        Text(one_line(d.title) or d.id),
                        stacked(_review_parts(d), top, bar_w),
                        _review_numbers(d),
                    )
                    for d in docs
                    if d.claims
                ],
                label_w,
            )
        )

    stances = [lab.name for lab in schema.stances]

    def stance_parts(counts: dict[str, int]) -> list[Part]:
        names = stances + sorted(set(counts) - set(stances))
        return [
            Part(
                counts.get(s, 0),
                schema.colour("stances", s, "white"),
                STANCE_GLYPHS[i % len(STANCE_GLYPHS)],
            )
            for i, s in enumerate(names)
        ]

    def stance_numbers(counts: dict[str, int]) -> Text:
        out = Text(f"{sum(counts.values()):,}", style="bold")
        for s in stances + sorted(set(counts) - set(stances)):
            if counts.get(s):
                out.append(f"  {s} {counts[s]:,}", style=schema.colour("stances", s, ""))
        return out

    by_type = n.type_by_stance
    if by_type:
        out.append(_section("Claims by type × stance"))
        order = [lab.name for lab in schema.claim_types]
        names = [t for t in order if t in by_type] + sorted(set(by_type) - set(order))
        top = max(sum(c.values()) for c in by_type.values())
        out.append(
            chart(
                [
                    (
                        Text(t or "(none)", style=schema.colour("claim_types", t, "")),
                        stacked(stance_parts(by_type[t]), top, bar_w),
                        stance_numbers(by_type[t]),
                    )
                    for t in names
                ],
                label_w,
            )
        )
        legend = Text("  ")
        for part, s in zip(stance_parts({}), stances, strict=False):
            legend.append(part.glyph * 2, style=part.style)
            legend.append(f" {s}  ")
        out.append(legend)

    targets: list[tuple[Text, dict[str, int]]] = [
        (Text(one_line(t.target) or "(no target)"), t.stances) for t in n.targets
    ]
    if n.other_targets is not None:
        other = n.other_targets
        label = f"({plural(other.other_targets, 'other', thousands=True)})"
        targets.append((Text(label), other.stances))
    if targets:
        out.append(_section("Claims by target  (by stance)"))
        top = max(sum(stances.values()) for _, stances in targets)
        out.append(
            chart(
                [
                    (label, stacked(stance_parts(stances), top, bar_w), stance_numbers(stances))
                    for label, stances in targets
                ],
                label_w,
            )
        )

    speakers = n.speakers[:TOP_SPEAKERS]
    if speakers:
        out.append(_section("Claims by speaker  (top entities)"))
        top = max(s.claims for s in speakers)
        out.append(
            chart(
                [
                    (
                        Text(one_line(s.speaker) or "(unattributed)"),
                        bar(s.claims, top, bar_w, "cyan"),
                        Text(f"{s.claims:,}", style="bold"),
                    )
                    for s in speakers
                ],
                label_w,
            )
        )

    reviewers = n.reviewers
    if reviewers:
        out.append(_section("Decisions by reviewer"))
        top = max(r.accepted + r.rejected for r in reviewers)
        out.append(
            chart(
                [
                    (
                        Text(one_line(r.reviewer) or "(unknown)"),
                        stacked(_review_parts(r), top, bar_w),
                        _review_numbers(r),
                    )
                    for r in reviewers
                ],
                label_w,
            )
        )
    out += suggestion_section(n.suggestions, label_w, bar_w, schema)
    out += time_section(n.time, label_w, bar_w, schema)
    return out


DECISION_PARTS = (("accepted", "green", "█"), ("rejected", "red", "▓"))
ASSIGNED_PARTS = (
    ("done", "green", "█"),
    ("in_progress", "yellow", "▓"),
    ("skipped", "dim", "▒"),
    ("todo", "dim", "░"),
)


def assignment_section(
    rows: tuple[stats.AssignedProgress, ...], label_w: int, bar_w: int
) -> list[RenderableType]:
    """Each annotator's assigned documents by status; nothing until someone is assigned."""
    if not rows:
        return []
    top = max(r.assigned for r in rows)
    lines = []
    for r in rows:
        parts = [Part(getattr(r, key), style, glyph) for key, style, glyph in ASSIGNED_PARTS]
        numbers = Text(f"{r.done:,}/{r.assigned:,} done", style="bold")
        numbers.append(f"  ▓{r.in_progress:,} ▒{r.skipped:,} ░{r.todo:,}", style="dim")
        lines.append(
            (Text(one_line(r.annotator) or "(nobody)"), stacked(parts, top, bar_w), numbers)
        )
    legend = Text("  ")
    for key, style, glyph in ASSIGNED_PARTS:
        legend.append(glyph * 2, style=style)
        legend.append(f" {key.replace('_', ' ')}  ")
    return [_section("Assigned documents by annotator"), chart(lines, label_w), legend]


def suggestion_section(
    s: stats.SuggestionStats, label_w: int, bar_w: int, schema: Schema
) -> list[RenderableType]:
    """Claim candidates accepted and rejected, by suggested type and by annotator; nothing
    until some candidate was decided."""
    if not s.decided:
        return []

    def rows(
        named: list[tuple[Text, int, int, float]],
    ) -> list[tuple[Text, Text, Text]]:
        top = max(accepted + rejected for _, accepted, rejected, _ in named)
        out = []
        for label, accepted, rejected, rate in named:
            parts = [
                Part(n, style, glyph)
                for n, (_, style, glyph) in zip((accepted, rejected), DECISION_PARTS, strict=True)
            ]
            numbers = Text(f"{accepted + rejected:,}", style="bold")
            numbers.append(f"  ✓{accepted:,} ✗{rejected:,}  {rate:.0%} accepted", style="dim")
            out.append((label, stacked(parts, top, bar_w), numbers))
        return out

    by_type = [
        (
            Text(t.claim_type or "(none)", style=schema.colour("claim_types", t.claim_type, "")),
            t.accepted,
            t.rejected,
            t.acceptance_rate,
        )
        for t in s.by_type
    ]
    by_annotator = [
        (Text(one_line(a.annotator) or "(nobody)"), a.accepted, a.rejected, a.acceptance_rate)
        for a in s.by_annotator
    ]
    legend = Text("  ")
    for key, style, glyph in DECISION_PARTS:
        legend.append(glyph * 2, style=style)
        legend.append(f" {key}  ")
    return [
        _section(
            f"Suggestions  ({s.acceptance_rate:.1%} of {s.decided:,} decided accepted · "
            f"{s.share_of_claims:.1%} of claims from accepted candidates)"
        ),
        Text("  by suggested type", style="dim"),
        chart(rows(by_type), label_w),
        Text("  by annotator", style="dim"),
        chart(rows(by_annotator), label_w),
        legend,
    ]


def time_section(t: TimeStats, label_w: int, bar_w: int, schema: Schema) -> list[RenderableType]:
    """Seconds per claim (bars: the median) by annotator, then by claim type, and time with
    documents open (idle minutes left out); nothing until some time was recorded."""
    if not t.by_annotator and not t.documents:
        return []
    open_time = {d.annotator: d for d in t.documents}
    top = max((c.median_seconds for c in t.by_annotator + t.by_type), default=0.0)
    lines = []
    for person in t.by_annotator:
        numbers = Text(f"median {duration(person.median_seconds)}", style="bold")
        numbers.append(
            f"  total {duration(person.total_seconds)} · {plural(person.claims, 'claim')}",
            style="dim",
        )
        who = Text(one_line(person.annotator) or "(nobody)")
        lines.append((who, bar(person.median_seconds, top, bar_w, "magenta"), numbers))
        for c in (c for c in t.by_type if c.annotator == person.annotator):
            label = Text("  ")
            colour = schema.colour("claim_types", c.claim_type or "", "")
            label.append(c.claim_type or "(none)", style=colour)
            numbers = Text(f"median {duration(c.median_seconds)}", style="bold")
            numbers.append(
                f"  total {duration(c.total_seconds)} · {plural(c.claims, 'claim')}", style="dim"
            )
            lines.append((label, bar(c.median_seconds, top, bar_w, "magenta"), numbers))
    out: list[RenderableType] = [_section("Time per claim  (selection to save, idle left out)")]
    if lines:
        out.append(chart(lines, label_w))
    if open_time:
        docs = Text("  documents open: ", style="dim")
        docs.append(
            ", ".join(
                f"{one_line(d.annotator) or '(nobody)'} {duration(d.total_seconds)}"
                f" ({plural(d.documents, 'document')})"
                for d in t.documents
            )
        )
        out.append(docs)
    return out
