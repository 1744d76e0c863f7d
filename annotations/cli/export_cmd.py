"""``annotty export``: annotation sets out, in annotty's JSON and other tools' formats."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from annotations.cli import Settings, cli, pass_settings
from annotations.entities import builtin
from annotations.export import FORMATS, export


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="json",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="Output file, or - for standard output.")
@pass_settings
def export_cmd(settings: Settings, fmt: str, output: str) -> None:
    """Export every document with its entities and claims."""
    store = settings.store()
    if output == "-":
        export(store, fmt, sys.stdout, builtin().key)
        return
    target = Path(output)
    partial = target.with_name(target.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="\n") as out:
        count = export(store, fmt, out, builtin().key)
    partial.replace(target)
    click.echo(f"wrote {count} documents to {target}", err=True)
