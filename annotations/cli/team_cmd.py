"""``annotty merge`` and ``annotty agreement``: working as a team across machines."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import click

from annotations import agreement as agreement_mod
from annotations.cli import Settings, cli, pass_settings
from annotations.errors import InputError
from annotations.store.team_merge import database, merge_databases, shown
from annotations.terminal_safe import clean, dumps, plural


@cli.command("merge")
@click.argument("sources", nargs=-1, required=True, metavar="SRC...")
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="DEST",
    help="The team database to merge into: a file (created if missing) or a postgresql:// URL"
    " (set up if new).",
)
@pass_settings
def merge_cmd(settings: Settings, sources: tuple[str, ...], output: str) -> None:
    """Merge annotators' databases into one: documents matched by their text, every claim and
    assignment kept with its author and history. Each SRC and DEST is an SQLite file or a
    postgresql:// URL. Merging the same database again changes nothing."""
    targets = [database(src) for src in sources]
    for target in targets:
        if isinstance(target, Path) and not target.is_file():
            raise InputError(target, "no such database file")
    for report in merge_databases(targets, database(output), annotator=settings.annotator):
        docs = report.documents_added + report.documents_matched
        click.echo(
            f"{clean(report.source)}: {plural(docs, 'document')} "
            f"({report.documents_added} new), "
            f"claims {report.claims_added} added, {report.claims_updated} updated, "
            f"{report.claims_deleted} deleted, {plural(report.history_added, 'history row')}"
            f", {plural(report.statuses, 'status')}"
            + (
                f", {plural(report.entity_edits, 'entity correction')}"
                if report.entity_edits
                else ""
            )
            + (
                f", {plural(report.suggestions, 'candidate decision')}"
                if report.suggestions
                else ""
            )
            + (f", {plural(report.models, 'suggester model')}" if report.models else "")
            + (f", {plural(report.assignments, 'assignment')}" if report.assignments else "")
            + (f", {plural(report.comments, 'comment')}" if report.comments else "")
            + (f", {plural(report.links, 'claim link')}" if report.links else "")
            + (f", {plural(report.times, 'time record')}" if report.times else "")
            + ("" if report.changed else "  (no change)")
        )
        for line in report.problems:  # forged or damaged history rows, left out
            click.echo(clean(line), err=True)
    click.echo(f"merged {plural(len(sources), 'database')} into {clean(shown(output))}")


@cli.command("agreement")
@click.option(
    "--annotators",
    default=None,
    metavar="A,B,...",
    help="Annotators to compare [default: all but the adjudicated layer].",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_settings
def agreement_cmd(settings: Settings, annotators: str | None, as_json: bool) -> None:
    """Inter-annotator agreement: claim span F1 (exact and overlap), Cohen's kappa on claim
    type and stance over matched claims, Krippendorff's alpha, and a per-label breakdown.

    Only documents both annotators of a pair worked on count (marked done, or with a claim).
    """
    names = [n.strip() for n in annotators.split(",") if n.strip()] if annotators else None
    if names is not None and len(set(names)) < 2:
        raise click.UsageError("--annotators needs at least two different names")
    result = agreement_mod.compute(settings.store(), names)
    if as_json:
        click.echo(dumps(result.to_dict(), indent=2))
        return
    for line in render(result):
        click.echo(line)


LEGEND = (
    "F1 = 2 x matched / (claims of both sides): exact counts matches with the same boundaries, "
    "overlap any one-to-one pairing of claims sharing text. kappa: Cohen's, on the labels of "
    "matched claims (per label: that label against the rest). alpha: Krippendorff's, on groups "
    "of matching claims across all annotators. uses and agreed are summed over pairs: claims "
    "with the label, and matched claims both labelled so. n/a: undefined (e.g. one label only)."
)


def _num(value: float | None, width: int = 7) -> str:
    return f"{'n/a' if value is None else f'{value:.3f}':>{width}}"


def render(result: agreement_mod.Agreement) -> list[str]:
    """The human-readable report: pairs, overall, then the per-label table.

    Annotator names and labels are data: each goes through ``clean`` before it is measured for
    the columns, so an escape sequence can neither act nor break the table.
    """
    who = ", ".join(clean(a) for a in result.annotators) or "(none)"
    docs = plural(result.documents, "document")
    lines = [f"agreement over {docs} worked on by two or more of: {who}"]
    if len(result.annotators) < 2 or not result.documents:
        lines.append(
            "no document was worked on by two of these annotators (done, or with "
            "a claim), so there is nothing to compare yet"
        )
        return lines
    name_w = max(12, *(len(clean(p["a"])) + len(clean(p["b"])) + 3 for p in result.pairs))
    lines += [
        "",
        f"{'':<{name_w}} {'docs':>5} {'claims':>13}  {'span F1':^15}  {'kappa':^15}",
        f"{'pair':<{name_w}} {'':>5} {'a / b':>13}  {'exact':>7} {'overlap':>7}"
        f"  {'type':>7} {'stance':>7}",
    ]
    for p in result.pairs:
        claims = f"{p['claims_a']} / {p['claims_b']}"
        pair = f"{clean(p['a'])} ~ {clean(p['b'])}"
        lines.append(
            f"{pair:<{name_w}} {p['documents']:>5} {claims:>13}  "
            f"{_num(p['f1_exact'])} {_num(p['f1_overlap'])}  "
            f"{_num(p['kappa_claim_type'])} {_num(p['kappa_stance'])}"
        )
    o = result.overall
    lines.append(
        f"{'overall':<{name_w}} {result.documents:>5} {'':>13}  "
        f"{_num(o['f1_exact'])} {_num(o['f1_overlap'])}  "
        f"{_num(o['mean_kappa_claim_type'])} {_num(o['mean_kappa_stance'])}"
        "  (kappa: mean over pairs)"
    )
    lines += [
        "",
        f"Krippendorff's alpha (nominal) over {plural(o['units'], 'matched claim group')}"
        f" of {len(result.annotators)} annotators: claim type "
        f"{_num(o['alpha_claim_type'], 0)}, stance {_num(o['alpha_stance'], 0)}",
    ]
    for field, rows in result.labels.items():
        lines += ["", f"{clean(field):<24} {'uses':>6} {'agreed':>7} {'F1':>7} {'kappa':>7}"]
        lines += [_label_row(label, row) for label, row in rows.items()]
    lines.append("")
    lines += textwrap.wrap(LEGEND, width=88)
    return lines


def _label_row(label: str, row: dict[str, Any]) -> str:
    return (
        f"  {clean(label or '-'):<22} {row['uses']:>6} {row['agreed']:>7} {_num(row['f1'])} "
        f"{_num(row['kappa'])}"
    )
