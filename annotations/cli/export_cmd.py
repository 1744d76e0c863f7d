"""``annotty export``: annotation sets out, in annotty's JSON and other tools' formats.

The export streams (one document in memory at a time) and shows a progress bar only when
standard error is a terminal, so pipes and scripts get clean output.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from annotations.cli import Settings, cli, pass_settings
from annotations.export import FORMATS, Filters, Progress, count_documents, export
from annotations.export.label_studio import label_config
from annotations.export.source import default_entity_source
from annotations.model import REVIEW_STATUSES
from annotations.schema import load as load_schema


@contextmanager
def _progress_bar(enabled: bool, total: int) -> Iterator[Progress | None]:
    if not enabled or total == 0:
        yield None
        return
    with click.progressbar(length=total, label="exporting", file=sys.stderr,
                           show_pos=True) as bar:
        def step(done: int, _total: int) -> None:
            bar.update(done - bar.pos)

        yield step


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="json",
              show_default=True, help="Output format (see the README for each shape).")
@click.option("-o", "--output", type=click.Path(allow_dash=True), default="-",
              show_default=True,
              help="Output file (a folder for brat), or - for standard output. "
                   "With --format spacy a path ending in .spacy writes a DocBin.")
@click.option("--status", multiple=True, type=click.Choice(REVIEW_STATUSES),
              help="Only claims with this review status (repeatable).")
@click.option("--annotator", "annotators", multiple=True, metavar="NAME",
              help="Only claims by this annotator (repeatable).")
@click.option("--type", "types", multiple=True, metavar="TYPE",
              help="Only claims of this claim type (repeatable).")
@click.option("--stance", multiple=True, metavar="STANCE",
              help="Only claims with this stance (repeatable).")
@click.option("--doc", "docs", multiple=True, metavar="ID", help="Only this document (repeatable).")
@click.option("--skip-empty", is_flag=True,
              help="Leave out documents with no matching claim.")
@click.option("--label-config", "label_config_path", default=None,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Also write the Label Studio labeling config (XML) here.")
@pass_settings
def export_cmd(settings: Settings, fmt: str, output: str, status: tuple[str, ...],
               annotators: tuple[str, ...], types: tuple[str, ...], stance: tuple[str, ...],
               docs: tuple[str, ...], skip_empty: bool, label_config_path: Path | None) -> None:
    """Export documents with their entities and claims, filtered, in one of several formats."""
    store = settings.store()
    filters = Filters(status=status, annotator=annotators, claim_type=types, stance=stance,
                      doc=docs, skip_empty=skip_empty)
    recognizer = settings.entity_recognizer().key
    to_stdout = output == "-"
    show = sys.stderr.isatty() and not (to_stdout and sys.stdout.isatty())
    total = count_documents(store, filters) if show else 0
    with _progress_bar(show, total) as progress:
        tally = export(store, fmt, sys.stdout if to_stdout else Path(output), recognizer,
                       filters=filters, entity_source=default_entity_source(),
                       progress=progress)
    if label_config_path is not None:
        label_config_path.write_text(label_config(load_schema(settings.schema),
                                                  tally.entity_labels), encoding="utf-8")
    for line in tally.skipped:
        click.echo(f"skipped: {line}", err=True)
    where = "standard output" if to_stdout else output
    click.echo(f"wrote {tally.documents} documents, {tally.claims} claims, {tally.entities} "
               f"entities to {where}", err=True)
