"""``annotty stats``: counts for people and, with --json, for scripts.

The numbers are ``annotations.stats.compute``'s, the same the stats screen draws.
"""

from __future__ import annotations

import json
from typing import Any

import click

from annotations import stats as stats_mod
from annotations.cli import Settings, cli, pass_settings


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True,
              help="Print every number (per document, annotator, type × stance, target, "
                   "speaker, review status) as JSON for scripts.")
@pass_settings
def stats_cmd(settings: Settings, as_json: bool) -> None:
    """Print progress and counts: documents, claims by label and review status, annotators."""
    store = settings.store()
    with store._lock:
        numbers = stats_mod.compute(store.db.conn)
    if as_json:
        click.echo(json.dumps(numbers, indent=2, ensure_ascii=False))
        return
    _print_summary(settings, numbers)


def _print_summary(settings: Settings, n: dict[str, Any]) -> None:
    click.echo(f"database   {settings.db}")
    for key in ("documents", "entities", "claims", "history"):
        click.echo(f"{key:<10} {n[key]}")
    review = n["review"]
    click.echo(f"review     {review['accepted']} accepted, {review['rejected']} rejected, "
               f"{review['pending']} pending ({review['reviewed_share']:.1%} decided)")
    for field, counts in n["claims_by"].items():
        if counts:
            shown = ", ".join(f"{k or '-'} {v}" for k, v in counts.items())
            click.echo(f"  by {field}: {shown}")
    for person in n["annotators"]:
        docs = person["documents"]
        click.echo(f"  annotator {person['annotator'] or '-'}: {person['claims']} claims "
                   f"({person['accepted']} accepted, {person['rejected']} rejected), "
                   f"{docs['done']} documents done")
    if n["targets"]:
        shown = ", ".join(f"{t['target'] or '-'} {t['claims']}" for t in n["targets"]
                          if t["target"] is not None)
        click.echo(f"  by target: {shown}")
    speakers = [s for s in n["speakers"] if s["speaker"]][:10]
    if speakers:
        click.echo("  top speakers: " + ", ".join(f"{s['speaker']} {s['claims']}"
                                                 for s in speakers))
