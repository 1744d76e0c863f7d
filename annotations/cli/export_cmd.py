"""``annotty export``: annotation sets out, in annotty's JSON and other tools' formats.

The export streams (one document in memory at a time) and shows a progress bar only when
standard error is a terminal, so pipes and scripts get clean output. Entities missing from the
recognizer's cache (every document not opened since ``entities.yaml`` changed, say) are computed
on the way and cached, never silently left out.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from annotations import atomic_write
from annotations.cli import Settings, cli, pass_settings
from annotations.doc_ref import DocRefError, resolve_all
from annotations.errors import AnnottyError
from annotations.export import (
    FORMATS,
    Filters,
    Progress,
    count_documents,
    export,
    suggestions_refused,
)
from annotations.export.bundles import count_uncached
from annotations.export.label_studio import label_config
from annotations.model import REVIEW_STATUSES
from annotations.review.filters import ReviewError, check_values
from annotations.schema import load as load_schema
from annotations.terminal_safe import clean, plural


@contextmanager
def _progress_bar(enabled: bool, total: int) -> Iterator[Progress | None]:
    if not enabled or total == 0:
        yield None
        return
    with click.progressbar(length=total, label="exporting", file=sys.stderr, show_pos=True) as bar:

        def step(done: int, _total: int) -> None:
            bar.update(done - bar.pos)

        yield step


@cli.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="json",
    show_default=True,
    help="Output format (see the README for each shape).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(allow_dash=True),
    default="-",
    show_default=True,
    help="Output file (a folder for brat), or - for standard output. "
    "With --format spacy a path ending in .spacy writes a DocBin.",
)
@click.option(
    "--status",
    multiple=True,
    type=click.Choice(REVIEW_STATUSES),
    help="Only claims with this review status (repeatable).",
)
@click.option(
    "--annotator",
    "annotators",
    multiple=True,
    metavar="NAME",
    help="Only claims by this annotator (repeatable).",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="TYPE",
    help="Only claims of this claim type (repeatable).",
)
@click.option(
    "--stance", multiple=True, metavar="STANCE", help="Only claims with this stance (repeatable)."
)
@click.option(
    "--doc",
    "docs",
    multiple=True,
    metavar="DOC",
    help="Only this document: id, unique id prefix, file name or title (repeatable).",
)
@click.option("--skip-empty", is_flag=True, help="Leave out documents with no matching claim.")
@click.option(
    "--include-suggestions",
    is_flag=True,
    help="Also export the decided claim candidates (score, suggested type and speaker, "
    "accepted or rejected, by whom, when, the claim an accept made); --doc, --annotator "
    "(who decided) and --type (suggested type) select them too.",
)
@click.option(
    "--csv-raw",
    is_flag=True,
    help="CSV: write cells exactly as stored; by default a cell starting with = + - @ "
    "tab or CR gets a leading ' so spreadsheets do not run it as a formula.",
)
@click.option(
    "--label-config",
    "label_config_path",
    default=None,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the Label Studio labeling config (XML) here.",
)
@pass_settings
def export_cmd(
    settings: Settings,
    fmt: str,
    output: str,
    status: tuple[str, ...],
    annotators: tuple[str, ...],
    types: tuple[str, ...],
    stance: tuple[str, ...],
    docs: tuple[str, ...],
    skip_empty: bool,
    include_suggestions: bool,
    csv_raw: bool,
    label_config_path: Path | None,
) -> None:
    """Export documents with their entities and claims, filtered, in one of several formats."""
    if csv_raw:
        if fmt not in ("csv", "csv-raw"):
            raise click.UsageError("--csv-raw applies to --format csv only")
        fmt = "csv-raw"
    refused = suggestions_refused(fmt) if include_suggestions else None
    if refused:
        raise AnnottyError(refused)
    store = settings.store()
    try:  # a value no claim has is an error listing the valid ones, not an empty export
        check_values(
            load_schema(settings.schema),
            store,
            claim_type=types,
            stance=stance,
            annotator=annotators,
        )
        docs = resolve_all(store, docs)  # id, unique id prefix, file name or title
    except (ReviewError, DocRefError) as exc:
        raise click.BadParameter(str(exc)) from exc
    filters = Filters(
        status=status,
        annotator=annotators,
        claim_type=types,
        stance=stance,
        doc=docs,
        skip_empty=skip_empty,
        suggestions=include_suggestions,
    )
    recognizer = settings.entity_recognizer()
    to_stdout = output == "-"
    show = sys.stderr.isatty() and not (to_stdout and sys.stdout.isatty())
    if show and FORMATS[fmt].entities:
        stale = count_uncached(store, recognizer.key, filters)
        if stale:
            click.echo(
                f"recognizing entities in {plural(stale, 'document')} not seen with the "
                "current recognizer or gazetteer (cached for next time)",
                err=True,
            )
    total = count_documents(store, filters) if show else 0
    try:
        with _progress_bar(show, total) as progress:
            tally = export(
                store,
                fmt,
                sys.stdout if to_stdout else Path(output),
                recognizer,
                filters=filters,
                progress=progress,
            )
        if label_config_path is not None:
            atomic_write.write_text(
                label_config_path, label_config(load_schema(settings.schema), tally.entity_labels)
            )
    except OSError as exc:  # a folder that cannot be written, a full disk: one line
        where = clean(exc.filename or output)
        raise AnnottyError(f"{where}: {exc.strerror or exc}; nothing was written there") from exc
    for line in tally.skipped:
        click.echo(f"skipped: {clean(line)}", err=True)
    for doc_id in tally.entities_missing:
        click.echo(f"no entities: {clean(doc_id)} (not recognized)", err=True)
    where = "standard output" if to_stdout else clean(output)
    computed = (
        f" (entities recognized for {plural(tally.entities_computed, 'document')} whose "
        "cache was out of date)"
        if tally.entities_computed
        else ""
    )
    decided = f", {plural(tally.suggestions, 'decided candidate')}" if include_suggestions else ""
    click.echo(
        f"wrote {plural(tally.documents, 'document')}, {plural(tally.claims, 'claim')}, "
        f"{plural(tally.entities, 'entity')}, {plural(tally.doc_states, 'document state')}"
        f"{decided} to {where}{computed}",
        err=True,
    )
