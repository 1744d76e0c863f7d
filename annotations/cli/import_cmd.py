"""``annotty import``: documents, and annotation exports merged back, from files and folders."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from annotations.cli import Settings, cli, pass_settings
from annotations.corpus import ImportReport, iter_files
from annotations.importers import SHAPES, import_file
from annotations.seeding import import_with_entities


def _import_as(settings: Settings, sources: tuple[Path, ...], shape: str) -> ImportReport:
    """Every file read as ``shape``, whatever its first record looks like."""
    store = settings.store()
    recognizer = settings.entity_recognizer()
    report = ImportReport()
    for path in iter_files(sources):
        report.merge(import_file(store, path, shape, on_added=lambda doc: (
            store.cache_entities(doc.id, recognizer.key, recognizer.recognize(doc.text)))))
    return report


@cli.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "shape", type=click.Choice(["auto", *SHAPES]), default="auto",
              show_default=True,
              help="How to read .json/.jsonl files; auto recognises annotation exports by "
                   "their first record and reads other JSONL as plain documents.")
@pass_settings
def import_cmd(settings: Settings, sources: tuple[Path, ...], shape: str) -> None:
    """Import .txt, .md, .json and .jsonl files and folders.

    Plain JSONL has a "text" field per line, optional "id", "title" and "meta". annotty JSON/JSONL,
    Label Studio and doccano exports also bring their claims: merged into existing documents,
    never duplicated, with offsets converted; records that cannot be placed are reported with
    their record number.
    """
    if shape == "auto":
        report = import_with_entities(settings.store(), list(sources),
                                      settings.entity_recognizer())
    else:
        report = _import_as(settings, sources, shape)
    for doc in report.added:
        click.echo(f"added {doc.id}  {doc.title}")
    for line in report.duplicates:
        click.echo(f"skipped {line}")
    for line in report.moved:
        click.echo(f"moved: {line}")
    for line in report.errors:
        click.echo(f"error: {line}", err=True)
    click.echo(f"{len(report.added)} added, {len(report.duplicates)} already there, "
               f"{len(report.errors)} errors")
    claims = (report.claims_added, report.claims_updated, report.claims_unchanged,
              report.claims_kept)
    if any(claims) or report.documents_merged:
        click.echo(f"claims: {claims[0]} added, {claims[1]} updated, {claims[2]} already there, "
                   f"{claims[3]} kept (newer here); {report.documents_merged} documents merged"
                   + (f"; {report.entities_ignored} entity spans not imported (entities come "
                      "from the recognizer)" if report.entities_ignored else ""))
    nothing = not (report.added or report.duplicates or report.documents_merged or any(claims))
    if report.errors and nothing:
        sys.exit(1)
