"""``annotty stats``: counts for people and, with --json, for scripts.

The numbers are ``annotations.stats.compute``'s, the same the stats screen draws.
"""

from __future__ import annotations

from dataclasses import asdict

import click

from annotations import stats as stats_mod
from annotations.cli import Settings, cli, pass_settings
from annotations.terminal_safe import clean, dumps, plural
from annotations.timing import TimeStats, duration


@cli.command("stats")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print every number (per document, annotator, type × stance, target, "
    "speaker, review status, suggestion acceptance, time per claim) as JSON for scripts.",
)
@pass_settings
def stats_cmd(settings: Settings, as_json: bool) -> None:
    """Print progress and counts: documents, claims by label and review status, annotators."""
    store = settings.store()
    with store.reading() as conn:
        numbers = stats_mod.compute(conn)
    if as_json:
        click.echo(dumps(numbers.as_json(), indent=2))
        return
    _print_summary(settings, numbers)


def _print_summary(settings: Settings, n: stats_mod.Stats) -> None:
    """One record per line; every name from the data goes through ``clean``."""
    click.echo(f"database   {clean(settings.location)}")
    for key in ("documents", "entities", "claims", "history"):
        click.echo(f"{key:<10} {getattr(n, key)}")
    review = n.review
    click.echo(
        f"review     {review.accepted} accepted, {review.rejected} rejected, "
        f"{review.pending} pending ({review.reviewed_share:.1%} decided)"
    )
    for field, counts in asdict(n.claims_by).items():
        if counts:
            shown = ", ".join(f"{clean(k or '-')} {v}" for k, v in counts.items())
            click.echo(f"  by {field}: {shown}")
    for person in n.annotators:
        click.echo(
            f"  annotator {clean(person.annotator or '-')}: "
            f"{plural(person.claims, 'claim')} "
            f"({person.accepted} accepted, {person.rejected} rejected), "
            f"{plural(person.documents.done, 'document')} done"
        )
    if n.targets or n.other_targets is not None:
        shown = ", ".join(f"{clean(t.target or '-')} {t.claims}" for t in n.targets)
        click.echo(f"  by target: {shown}")
    speakers = [s for s in n.speakers if s.speaker][:10]
    if speakers:
        click.echo(
            "  top speakers: " + ", ".join(f"{clean(s.speaker)} {s.claims}" for s in speakers)
        )
    _print_suggestions(n.suggestions)
    _print_assignments(n.assignments)
    _print_time(n.time)


def _print_assignments(rows: tuple[stats_mod.AssignedProgress, ...]) -> None:
    """Progress on assigned documents, only once there are assignments (``annotty assign``)."""
    for row in rows:
        click.echo(
            f"assigned   {clean(row.annotator or '-')}: {row.done} of "
            f"{plural(row.assigned, 'document')} done, {row.in_progress} in progress, "
            f"{row.skipped} skipped, {row.todo} to do"
        )


def _print_time(t: TimeStats) -> None:
    """Time per claim (median, total) by annotator and claim type, and time with documents
    open, only once some time was recorded (output otherwise as before)."""
    open_time = {d.annotator: d for d in t.documents}
    for who in sorted({c.annotator for c in t.by_annotator} | set(open_time)):
        mine = next((c for c in t.by_annotator if c.annotator == who), None)
        parts = []
        if mine is not None:
            parts.append(
                f"{plural(mine.claims, 'claim')} timed, median {duration(mine.median_seconds)},"
                f" total {duration(mine.total_seconds)}"
            )
        if who in open_time:
            docs = open_time[who]
            parts.append(
                f"{plural(docs.documents, 'document')} open {duration(docs.total_seconds)}"
            )
        click.echo(f"time       {clean(who or '-')}: {'; '.join(parts)}")
        for c in (c for c in t.by_type if c.annotator == who):
            click.echo(
                f"  {clean(c.claim_type or '-')}: {plural(c.claims, 'claim')},"
                f" median {duration(c.median_seconds)}, total {duration(c.total_seconds)}"
            )


def _print_suggestions(s: stats_mod.SuggestionStats) -> None:
    """Acceptance of claim candidates, only once some were decided (output otherwise as before)."""
    if not s.decided:
        return
    click.echo(
        f"suggestions {plural(s.decided, 'candidate')} decided: {s.accepted} accepted, "
        f"{s.rejected} rejected ({s.acceptance_rate:.1%} accepted); "
        f"{s.claims_from_suggestions} of the claims ({s.share_of_claims:.1%}) from accepted "
        "candidates"
    )
    by_type = [(t.claim_type, t.accepted, t.decided, t.acceptance_rate) for t in s.by_type]
    by_who = [(a.annotator, a.accepted, a.decided, a.acceptance_rate) for a in s.by_annotator]
    for title, rows in (("by suggested type", by_type), ("by annotator", by_who)):
        shown = ", ".join(
            f"{clean(name or '-')} {accepted}/{decided} ({rate:.0%})"
            for name, accepted, decided, rate in rows
        )
        click.echo(f"  {title}: {shown}")
