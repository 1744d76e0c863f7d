"""``annotty assign``: give each document to k annotators, balanced and deterministic."""

from __future__ import annotations

import click

from annotations import assignments
from annotations.cli import Settings, cli, pass_settings
from annotations.doc_ref import DocRefError, resolve_document
from annotations.model import DocumentSummary
from annotations.store import Store
from annotations.terminal_safe import clean, plural

_KEYS = (
    "doc (an id, unique id prefix, file name or title, as --doc elsewhere; repeatable: any of "
    "them), q (words that must all occur in the title, id or file name, as the library's /)"
)


def _matches(doc: DocumentSummary, words: list[str]) -> bool:
    name = doc.source.rsplit("#", 1)[0].replace("\\", "/").rsplit("/", 1)[-1]
    key = f"{doc.title} {doc.id} {name}".casefold()
    return all(w in key for w in words)


def chosen_documents(store: Store, filters: tuple[str, ...]) -> list[DocumentSummary]:
    """The documents ``filters`` select, in library order; ``click.BadParameter`` (one line)
    for a filter that is malformed or names no document."""
    wanted: set[str] | None = None
    words: list[str] = []
    for raw in filters:
        key, sep, value = raw.partition("=")
        key = key.strip().casefold()
        if not sep or key not in ("doc", "q"):
            raise click.BadParameter(
                f"'{clean(raw)}' is not KEY=VALUE with a known key; keys: {_KEYS}",
                param_hint="--filter",
            )
        if key == "doc":
            try:
                found = resolve_document(store, value)
            except DocRefError as exc:
                raise click.BadParameter(str(exc), param_hint="--filter") from exc
            wanted = (wanted or set()) | {found}
        else:
            words += value.casefold().split()
    return [
        d
        for d in store.documents()
        if (wanted is None or d.id in wanted) and (not words or _matches(d, words))
    ]


@cli.command("assign")
@click.option(
    "--annotators",
    default=None,
    metavar="A,B,...",
    help="The annotators to share the documents among (comma-separated, in this order).",
)
@click.option(
    "--per-document",
    "k",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="How many annotators each document gets (two or more for agreement).",
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="KEY=VALUE",
    help=f"Only documents matching (repeatable; all keys must match). Keys: {_KEYS}.",
)
@click.option("--dry-run", is_flag=True, help="Print the plan; assign nothing.")
@click.option("--show", is_flag=True, help="List each annotator's assigned documents by status.")
@pass_settings
def assign_cmd(
    settings: Settings,
    annotators: str | None,
    k: int,
    filters: tuple[str, ...],
    dry_run: bool,
    show: bool,
) -> None:
    """Assign documents to annotators: each gets --per-document distinct annotators, loads
    balanced (the fewest assigned first, ties in the order named), the same every time.

    Documents that already have enough annotators are left alone, so running it again after an
    import assigns only the new documents. One undo by whoever assigned takes a run back.

    Example: annotty assign --annotators alice,bob,carol --per-document 2
    """
    store = settings.store()
    if show:
        _show(store)
        return
    if annotators is None:
        raise click.UsageError("give --annotators A,B,... (or --show to list assignments)")
    names = assignments.annotator_names(annotators)
    docs = chosen_documents(store, filters)
    try:
        plan = assignments.plan([d.id for d in docs], names, k, store.assignment_map())
    except assignments.AssignmentError as exc:
        raise click.BadParameter(str(exc), param_hint="--per-document") from exc
    if dry_run:
        _print_plan(docs, plan)
        return
    added, _ = store.assign(plan.pairs)
    documents = len({doc_id for doc_id, _ in plan.pairs})
    click.echo(
        f"assigned {plural(documents, 'document')} to {plural(len(names), 'annotator')}: "
        f"{plural(added, 'assignment')} ({k} per document; "
        f"{plural(plan.untouched, 'document')} already had enough)"
    )
    _print_loads(plan)


def _print_plan(docs: list[DocumentSummary], plan: assignments.Plan) -> None:
    titles = {d.id: d.title for d in docs}
    per_doc: dict[str, list[str]] = {}
    for doc_id, name in plan.pairs:
        per_doc.setdefault(doc_id, []).append(name)
    for doc_id, names in per_doc.items():
        shown = ", ".join(clean(n) for n in names)
        click.echo(f"{clean(doc_id)[:12]}  {clean(titles.get(doc_id, ''))[:50]}  -> {shown}")
    click.echo(
        f"dry run: would assign {plural(len(plan.pairs), 'document')} to annotators "
        f"({plural(plan.untouched, 'document')} already had enough); nothing saved"
    )
    _print_loads(plan)


def _print_loads(plan: assignments.Plan) -> None:
    for name, load in plan.loads.items():
        click.echo(f"  {clean(name)}: {plural(load, 'document')} assigned")


def _show(store: Store) -> None:
    rows = store.assignment_progress()
    if not rows:
        click.echo("no assignments yet (annotty assign --annotators A,B --per-document 2)")
        return
    width = max(9, *(len(clean(r.annotator)) for r in rows))
    click.echo(
        f"{'annotator':<{width}} {'assigned':>8} {'done':>6} {'in prog.':>8} "
        f"{'skipped':>7} {'to do':>6}"
    )
    for r in rows:
        click.echo(
            f"{clean(r.annotator):<{width}} {r.assigned:>8} {r.done:>6} {r.in_progress:>8} "
            f"{r.skipped:>7} {r.todo:>6}"
        )
