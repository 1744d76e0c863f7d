"""``annotty import``: documents, and annotation exports merged back, from files and folders.

A progress bar (bytes read of all files) shows only when standard error is a terminal, so pipes
and scripts get clean output. Everything printed that came from data (titles, file names) is
made harmless for the terminal first.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from annotations.bulk_entities import RecognizerSpec
from annotations.cli import Settings, cli, pass_settings
from annotations.imports.annotation_files import SHAPES, import_file
from annotations.imports.plain_files import (
    ImportReport,
    Progress,
    import_paths,
    iter_files,
    total_bytes,
)
from annotations.model import Document
from annotations.seeding import import_with_entities
from annotations.store.versions import VersionResult
from annotations.terminal_safe import clean, plural

VERSION_LINES = 20
"""Claims listed per new version (moved, changed, lost); the rest are counted."""


@contextmanager
def _progress_bar(sources: tuple[Path, ...]) -> Iterator[Progress | None]:
    if not sys.stderr.isatty():
        yield None
        return
    total = total_bytes(sources)
    if total == 0:
        yield None
        return
    with click.progressbar(
        length=total, label="importing", file=sys.stderr, show_percent=True, show_eta=True
    ) as bar:

        def step(done: int) -> None:
            bar.update(max(0, min(done, total) - bar.pos))

        yield step


def _import_as(settings: Settings, sources: tuple[Path, ...], shape: str) -> ImportReport:
    """Every file read as ``shape``, whatever its first record looks like."""
    store = settings.store(create=True)
    recognizer = settings.entity_recognizer()
    report = ImportReport()

    def cache(doc: Document) -> None:
        store.cache_entities(doc.id, recognizer.key, recognizer.recognize(doc.text))

    for path in iter_files(sources):
        report.merge(
            import_file(
                store,
                path,
                shape,
                on_added=cache,
            )
        )
    return report


@cli.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "shape",
    type=click.Choice(["auto", *SHAPES]),
    default="auto",
    show_default=True,
    help="How to read .json/.jsonl files; auto recognises annotation exports by "
    "their first record and reads other JSONL as plain documents.",
)
@click.option(
    "--as",
    "as_doc",
    metavar="DOC",
    help="Store the one document imported (a text file or one JSONL record) as a new "
    "version of this stored document (id, id prefix, file name or title).",
)
@pass_settings
def import_cmd(
    settings: Settings, sources: tuple[Path, ...], shape: str, as_doc: str | None
) -> None:
    """Import .txt, .md, .json and .jsonl files and folders.

    Plain JSONL has a "text" field per line, optional "id", "title" and "meta". annotty JSON/JSONL,
    Label Studio and doccano exports also bring their claims and document status/stance: merged
    into existing documents, never duplicated, with offsets converted; records that cannot be
    placed are reported with their record number.

    A document already stored (same "id" in JSONL, the same file path, or --as) whose text
    changed becomes its new version: claims and entity corrections are carried over to the
    new text; those that moved, changed or were lost are listed.
    """
    if as_doc is not None:
        report = _import_version(settings, sources, as_doc)
    elif shape == "auto":
        with _progress_bar(sources) as progress:
            gazetteer = settings.gazetteer
            report = import_with_entities(
                settings.store(create=True),
                list(sources),
                settings.entity_recognizer(),
                progress=progress,
                spec=RecognizerSpec(
                    settings.recognizer, None if gazetteer is None else str(gazetteer)
                ),
            )
    else:
        report = _import_as(settings, sources, shape)
    _print(report)
    claims = (
        report.claims_added,
        report.claims_updated,
        report.claims_unchanged,
        report.claims_kept,
    )
    nothing = not (
        report.versions_count
        or report.n_added
        or report.n_duplicates
        or report.documents_merged
        or any(claims)
        or report.states_imported
    )
    if report.n_errors and nothing:
        sys.exit(1)


def _import_version(settings: Settings, sources: tuple[Path, ...], as_doc: str) -> ImportReport:
    """``--as``: one text file (or a JSONL file of one record) as a version of a stored
    document."""
    from annotations.doc_ref import DocRefError, resolve_document

    store = settings.store(create=False)
    try:
        doc_id = resolve_document(store, as_doc)
    except DocRefError as exc:
        raise click.BadParameter(str(exc), param_hint="--as") from exc
    if len(list(iter_files(sources))) != 1:
        raise click.BadParameter("give exactly one file to import as a version", param_hint="--as")
    return import_paths(
        store, list(sources), recognizer=settings.entity_recognizer(), as_doc=doc_id
    )


def _print_version(result: VersionResult) -> None:
    """One line per re-versioned document, then its claims that are not exactly in place."""
    counts = result.counts
    click.echo(
        f"doc {clean(result.title)}: version {result.version}; "
        f"{plural(counts.get('exact', 0), 'claim')} placed exactly, "
        f"{counts.get('moved', 0)} moved, "
        f"{counts.get('fuzzy', 0)} changed (review), {counts.get('lost', 0)} lost (kept, flagged)"
    )
    words = {"moved": "moved", "fuzzy": "changed", "lost": "lost"}
    for item in result.changed[:VERSION_LINES]:
        line = f"  {words.get(item.kind, item.kind)}: {_flat(item.old_quote)}"
        if item.kind != "moved":
            line += f" -> {_flat(item.new_quote)}"
        click.echo(line)
    if len(result.changed) > VERSION_LINES:
        click.echo(f"  ... and {plural(len(result.changed) - VERSION_LINES, 'more claim')}")
    if result.corrections_moved or result.corrections_dropped:
        click.echo(
            f"  entity corrections: {result.corrections_moved} moved, "
            f"{result.corrections_dropped} dropped (their words are gone; kept in history)"
        )


def _flat(text: str, width: int = 60) -> str:
    """A quote on one safe line, shortened."""
    flat = clean(" ".join(text.split()))
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


def _print(report: ImportReport) -> None:
    for doc in report.added:
        click.echo(f"added {clean(doc.id)}  {clean(doc.title)}")
    if report.n_added > len(report.added):
        more = report.n_added - len(report.added)
        click.echo(f"... and {plural(more, 'more document', thousands=True)} added")
    for line in report.duplicates:
        click.echo(f"skipped {clean(line)}")
    if report.n_duplicates > len(report.duplicates):
        click.echo(f"... and {report.n_duplicates - len(report.duplicates):,} more already there")
    for line in report.moved:
        click.echo(f"moved: {clean(line)}")
    for result in report.versions:
        _print_version(result)
    if report.versions_count > len(report.versions):
        more = report.versions_count - len(report.versions)
        click.echo(f"... and {plural(more, 'more new version', thousands=True)}")
    for line in report.notes:
        click.echo(f"note: {clean(line)}", err=True)
    for line in report.errors:
        click.echo(f"error: {clean(line)}", err=True)
    if report.n_errors > len(report.errors):
        more = report.n_errors - len(report.errors)
        click.echo(f"error: ... and {plural(more, 'more error', thousands=True)}", err=True)
    click.echo(
        f"{report.n_added:,} added, "
        + (
            f"{plural(report.versions_count, 'new version', thousands=True)}, "
            if report.versions_count
            else ""
        )
        + f"{report.n_duplicates:,} already there, "
        f"{plural(report.n_errors, 'error', thousands=True)}"
    )
    claims = (
        report.claims_added,
        report.claims_updated,
        report.claims_unchanged,
        report.claims_kept,
    )
    if any(claims) or report.documents_merged or report.states_imported:
        click.echo(
            f"claims: {claims[0]} added, {claims[1]} updated, {claims[2]} already there, "
            f"{claims[3]} kept (newer here); {plural(report.documents_merged, 'document')} "
            f"merged; {plural(report.states_imported, 'document status/stance row')} taken"
            + (
                f"; {plural(report.entities_ignored, 'entity span')} not imported "
                "(entities come from the recognizer)"
                if report.entities_ignored
                else ""
            )
        )
    if claims[0] or claims[1]:
        click.echo("One undo (u) in the app takes these claim changes back as one step.")
