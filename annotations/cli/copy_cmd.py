"""``annotty copy SRC DEST``: move a whole project between SQLite files and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

import click

from annotations import paths
from annotations.cli import Settings, cli, pass_settings
from annotations.errors import InputError
from annotations.store import Store
from annotations.store.project_copy import copy_project
from annotations.terminal_safe import clean, plural


def _target(given: str) -> str | Path:
    """A ``postgresql://`` URL as it is, else the file path."""
    url = paths.database_url(given)
    return url if url is not None else Path(given)


@cli.command("copy")
@click.argument("src", metavar="SRC")
@click.argument("dest", metavar="DEST")
@pass_settings
def copy_cmd(settings: Settings, src: str, dest: str) -> None:
    """Copy a whole project (documents, claims, history, everything) from SRC to DEST, each an
    SQLite file or a postgresql:// URL. DEST is created (a file) or set up (a server database)
    if new. Running it again copies nothing; a DEST holding another project is refused."""
    source_target, dest_target = _target(src), _target(dest)
    if isinstance(source_target, Path) and not source_target.is_file():
        raise InputError(source_target, "no such database file")
    started = time.perf_counter()
    # Only read: a damaged source shows as an error when read, so no integrity check first.
    source = Store(
        source_target, annotator=settings.annotator, create=False, background_check=False
    )
    try:
        target = Store(dest_target, annotator=settings.annotator, create=True)
        try:
            report = copy_project(source, target)
        finally:
            target.close()
    finally:
        source.close()
    width = max(len(name) for name in report.tables)
    for name, count in report.tables.items():
        click.echo(
            f"  {name:<{width}}  {count.copied:>9,} copied  {count.present:>9,} already there"
        )
    seconds = time.perf_counter() - started
    click.echo(
        f"copied {plural(report.copied, 'row', thousands=True)} from {clean(report.source)} "
        f"to {clean(report.dest)} in {seconds:.1f} s"
        + ("" if report.copied else " (nothing new: DEST already had everything)")
    )
