"""``annotty stats``: counts for people and, with --json, for scripts."""

from __future__ import annotations

import json

import click

from annotations.cli import Settings, cli, pass_settings


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_settings
def stats_cmd(settings: Settings, as_json: bool) -> None:
    """Print counts of documents, entities, claims and history."""
    stats = settings.store().stats()
    if as_json:
        click.echo(json.dumps(stats, indent=2, ensure_ascii=False))
        return
    click.echo(f"database   {settings.db}")
    for key in ("documents", "entities", "claims", "history"):
        click.echo(f"{key:<10} {stats[key]}")
    for field, counts in stats["claims_by"].items():
        if counts:
            shown = ", ".join(f"{k or '-'} {v}" for k, v in counts.items())
            click.echo(f"  by {field}: {shown}")
