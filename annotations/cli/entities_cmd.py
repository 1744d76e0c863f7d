"""``annotty entities`` and ``annotty eval-entities``: what a recognizer finds, and how well.

Both take ``--recognizer`` (``builtin`` or ``spacy:NAME_OR_PATH``) and ``--entities`` (a project
gazetteer; by default ``entities.yaml`` beside the database, when it exists). Global options of the
same names, when the CLI has them, are used if these are not given.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from annotations.cli import Settings, cli, pass_settings
from annotations.cli.doc_args import shown, text_and_entities
from annotations.entities import Recognizer, default_gazetteer_path, resolve
from annotations.entities import evaluate as ev
from annotations.model import Entity
from annotations.terminal_safe import clean, dumps, plural

_RECOGNIZER_HELP = "builtin (default) or spacy:NAME_OR_PATH (an installed spaCy pipeline)."
_ENTITIES_HELP = "Project gazetteer YAML [default: entities.yaml beside the database]."
F = TypeVar("F", bound=Callable[..., Any])


def recognizer_options(command: F) -> F:
    """``--recognizer`` and ``--entities``: which recognizer a command runs (``_recognizer``)."""
    command = click.option(
        "--entities",
        "gazetteer",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_ENTITIES_HELP,
    )(command)
    return click.option("--recognizer", "spec", default=None, help=_RECOGNIZER_HELP)(command)


def _recognizer(settings: Settings, spec: str | None, gazetteer: Path | None) -> Recognizer:
    """The chosen recognizer; fallback messages go to stderr, bad gazetteers raise."""
    spec = spec or getattr(settings, "recognizer", None)
    gazetteer = gazetteer or getattr(settings, "entities", None)
    if gazetteer is None:
        beside = default_gazetteer_path(settings.db)
        gazetteer = beside if beside.is_file() else None
    recognizer, warnings = resolve(spec, gazetteer)
    for warning in warnings:
        click.echo(f"annotty: {clean(warning)}", err=True)
    return recognizer


def _row(entity: Entity, text: str) -> dict[str, Any]:
    return {
        "start": entity.start,
        "end": entity.end,
        "label": entity.label,
        "source": entity.source,
        "text": text[entity.start : entity.end],
    }


def _reasons(recognizer: Recognizer, text: str) -> dict[tuple[int, int, str], str]:
    """Why each entity was kept, by (start, end, label); empty for a recognizer without
    reasons (a spaCy model)."""
    explain = getattr(recognizer, "explain", None)
    if explain is None:
        return {}
    return {(e.start, e.end, e.label): str(why) for e, why in explain(text)}


def _reason(entity: Entity, reasons: dict[tuple[int, int, str], str]) -> str:
    why = reasons.get((entity.start, entity.end, entity.label))
    if why is not None:
        return why
    if entity.source == "manual":
        return "an annotator's correction"
    return f"{entity.source} (the recognizer gives no reason)"


@cli.command("entities")
@click.argument("target", metavar="DOC_OR_FILE")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--label", "labels", multiple=True, help="Only these labels (repeatable).")
@recognizer_options
@click.option(
    "--explain",
    is_flag=True,
    help="Say why each entity was tagged: gazetteer, head noun, title, first name, context word.",
)
@pass_settings
def entities_cmd(
    settings: Settings,
    target: str,
    as_json: bool,
    labels: tuple[str, ...],
    spec: str | None,
    gazetteer: Path | None,
    explain: bool,
) -> None:
    """Print the named entities of a document (id, id prefix, file name or title) or of a file.

    For a stored document the annotators' corrections are applied (source "manual"); a file is
    read as it is, with machine entities only. ``--explain`` adds the reason for each one.
    """
    recognizer = _recognizer(settings, spec, gazetteer)
    text, found, info = text_and_entities(settings, target, recognizer)
    wanted = {label.upper() for label in labels}
    kept = [e for e in found if not wanted or e.label in wanted]
    rows = [_row(e, text) for e in kept]
    if explain:
        reasons = _reasons(recognizer, text)
        for row, entity in zip(rows, kept, strict=True):
            row["reason"] = _reason(entity, reasons)
    if as_json:
        click.echo(dumps({**info, "recognizer": recognizer.key, "entities": rows}, indent=2))
        return
    if explain:
        click.echo(f"{'start':>8} {'end':>8}  {'label':<12} {'text':<32} why")
        for row in rows:
            click.echo(
                f"{row['start']:>8} {row['end']:>8}  {clean(row['label']):<12} "
                f"{shown(row['text'], 32):<32} {clean(row['reason'])}"
            )
    else:
        click.echo(f"{'start':>8} {'end':>8}  {'label':<12} {'source':<10} text")
        for row in rows:
            click.echo(
                f"{row['start']:>8} {row['end']:>8}  {clean(row['label']):<12} "
                f"{clean(row['source'][:10]):<10} {shown(row['text'])}"
            )
    click.echo(f"{plural(len(rows), 'entity')} ({clean(recognizer.key)})", err=True)


@cli.command("eval-entities")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--errors",
    "show_errors",
    is_flag=True,
    help="Also list every missed (FN) and spurious (FP) entity.",
)
@recognizer_options
@pass_settings
def eval_entities_cmd(
    settings: Settings,
    gold: Path,
    as_json: bool,
    show_errors: bool,
    spec: str | None,
    gazetteer: Path | None,
) -> None:
    """Score a recognizer against GOLD.jsonl: precision, recall, F1 per label and overall.

    "Exact" needs span and label to match; "span" (boundary-only) needs only the span. Each gold
    line names its text by "text", "file" (beside GOLD or in the seed corpus) or "doc_id".
    """

    def lookup(doc_id: str) -> str | None:
        doc = settings.store().find_document(doc_id) if settings.db_exists() else None
        return doc.text if doc else None

    docs = ev.load_gold(gold, lookup)
    recognizer = _recognizer(settings, spec, gazetteer)
    exact, boundary = ev.evaluate(recognizer.recognize, docs)
    if as_json:
        click.echo(
            dumps(
                {
                    "gold": str(gold),
                    "documents": len(docs),
                    "recognizer": recognizer.key,
                    "exact": exact.as_dict(),
                    "boundary": boundary.as_dict(),
                },
                indent=2,
            )
        )
        return
    click.echo(f"{plural(len(docs), 'document')}, recognizer {clean(recognizer.key)}")
    for line in ev.table(exact, boundary, "exact"):
        click.echo(clean(line))  # labels come from the gold file
    if show_errors:
        for doc in docs:
            predicted = {(e.start, e.end, e.label) for e in recognizer.recognize(doc.text)}
            gold_set = set(doc.entities)
            mistakes = [(s, e, lab, "FN") for s, e, lab in gold_set - predicted]
            mistakes += [(s, e, lab, "FP") for s, e, lab in predicted - gold_set]
            for s, e, lab, kind in sorted(mistakes):
                click.echo(
                    f"{kind} {clean(doc.name)} [{s}, {e}) {clean(lab):<12} {shown(doc.text[s:e])}"
                )
