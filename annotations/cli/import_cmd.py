"""``annotty import``: files and folders into the database."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from annotations.cli import Settings, cli, pass_settings
from annotations.entities import builtin
from annotations.seeding import import_with_entities


@cli.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_settings
def import_cmd(settings: Settings, sources: tuple[Path, ...]) -> None:
    """Import .txt, .md and .jsonl files and folders (JSONL: a "text" field per line, optional
    "id", "title" and "meta")."""
    report = import_with_entities(settings.store(), list(sources), builtin())
    for doc in report.added:
        click.echo(f"added {doc.id}  {doc.title}")
    for line in report.duplicates:
        click.echo(f"skipped {line}")
    for line in report.errors:
        click.echo(f"error: {line}", err=True)
    click.echo(f"{len(report.added)} added, {len(report.duplicates)} already there, "
               f"{len(report.errors)} errors")
    if report.errors and not report.added and not report.duplicates:
        sys.exit(1)
