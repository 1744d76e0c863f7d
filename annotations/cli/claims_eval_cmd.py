"""``annotty eval-claims``: how well the suggester finds the claims of a hand-labelled gold file."""

from __future__ import annotations

from pathlib import Path

import click

from annotations.cli import Settings, cli, pass_settings
from annotations.suggest import evaluate as ev
from annotations.suggest.builtin import BuiltinSuggester
from annotations.terminal_safe import clean, dumps, plural


@cli.command("eval-claims")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_settings
def eval_claims_cmd(settings: Settings, gold: Path, as_json: bool) -> None:
    """Score the claim suggester against GOLD.jsonl: precision, recall, F1, average precision.

    Each line is {"text": ..., "spans": [[start, end, "claim" | "not_claim"], ...]}. A suggestion
    matches a gold span when they overlap by more than half of the shorter one.
    """
    records = ev.load_gold(gold)
    recognizer = settings.entity_recognizer()
    suggester = BuiltinSuggester()
    scores = ev.evaluate(
        lambda text: suggester.suggest(text, recognizer.recognize(text)),
        records,
        suggester.threshold,
    )
    if as_json:
        click.echo(
            dumps(
                {
                    "gold": str(gold),
                    "suggester": suggester.key,
                    "recognizer": recognizer.key,
                    **scores.as_dict(),
                },
                indent=2,
            )
        )
        return
    click.echo(
        f"{plural(scores.texts, 'text')}, {plural(scores.units, 'unit')}, "
        f"{plural(scores.gold_claims, 'gold claim')}, "
        f"{plural(scores.gold_not_claims, 'gold non-claim')}; "
        f"{clean(suggester.key)} suggester"
    )
    click.echo(
        f"  precision          {scores.precision:.3f}  ({scores.correct}/{scores.suggested})"
    )
    click.echo(f"  recall             {scores.recall:.3f}  ({scores.found}/{scores.gold_claims})")
    click.echo(f"  F1                 {scores.f1:.3f}  (threshold {scores.threshold:g})")
    click.echo(f"  average precision  {scores.average_precision:.3f}  (ranking of all units)")
