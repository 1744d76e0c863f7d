"""``annotty eval-claims``: how well the suggester finds the claims of a hand-labelled gold file.

``--train TRAIN.jsonl`` first teaches the learned suggester from another file of the same shape,
as if an annotator had decided its spans ("claim" accepted, "not_claim" rejected), in memory:
no database is read or written, so the figures depend on the two files alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from annotations.cli import Settings, cli, pass_settings
from annotations.cli.suggester_option import suggester_option
from annotations.entities import Recognizer
from annotations.suggest import evaluate as ev
from annotations.suggest.builtin import BuiltinSuggester
from annotations.terminal_safe import clean, dumps, plural

if TYPE_CHECKING:
    from annotations.suggest.choice import Suggester
    from annotations.suggest.learned import LearnedSuggester


@cli.command("eval-claims")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--train",
    "train_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    metavar="TRAIN.jsonl",
    help="First train the learned suggester on this file's labelled spans, then score it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@suggester_option
@pass_settings
def eval_claims_cmd(settings: Settings, gold: Path, train_file: Path | None, as_json: bool) -> None:
    """Score the claim suggester against GOLD.jsonl: precision, recall, F1, average precision.

    Each line is {"text": ..., "spans": [[start, end, "claim" | "not_claim"], ...]}. A suggestion
    matches a gold span when they overlap by more than half of the shorter one. With --train,
    the learned suggester is trained on TRAIN.jsonl (same shape) and scored instead.
    """
    records = ev.load_gold(gold)
    teaching = ev.load_gold(train_file) if train_file is not None else None
    recognizer = settings.entity_recognizer()
    trained: dict[str, Any] = {}
    suggester: Suggester
    if teaching is not None and train_file is not None:  # taught in memory: no database read
        learned = _learned(train_file, teaching, recognizer)
        suggester = learned
        trained = {
            "train": str(train_file),
            "train_texts": len(teaching),
            "positives": learned.params.positives,
            "negatives": learned.params.negatives,
        }
    else:  # the built-in one unless --suggester names another: the figures depend on the files
        suggester = settings.claim_suggester() if settings.suggester else BuiltinSuggester()
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
                    **trained,
                    "recognizer": recognizer.key,
                    **scores.as_dict(),
                },
                indent=2,
            )
        )
        return
    taught = (
        f" trained on {clean(str(train_file))} ({plural(trained['positives'], 'positive')}, "
        f"{plural(trained['negatives'], 'negative')})"
        if trained
        else ""
    )
    click.echo(
        f"{plural(scores.texts, 'text')}, {plural(scores.units, 'unit')}, "
        f"{plural(scores.gold_claims, 'gold claim')}, "
        f"{plural(scores.gold_not_claims, 'gold non-claim')}; "
        f"{clean(suggester.key)} suggester{taught}"
    )
    click.echo(
        f"  precision          {scores.precision:.3f}  ({scores.correct}/{scores.suggested})"
    )
    click.echo(f"  recall             {scores.recall:.3f}  ({scores.found}/{scores.gold_claims})")
    click.echo(f"  F1                 {scores.f1:.3f}  (threshold {scores.threshold:g})")
    click.echo(f"  average precision  {scores.average_precision:.3f}  (ranking of all units)")


def _learned(path: Path, records: list[ev.GoldText], recognizer: Recognizer) -> LearnedSuggester:
    """The learned suggester trained on the records' labelled spans (one clear line when it
    cannot be: no scikit-learn, too few claims or non-claims)."""
    from annotations.suggest.learned import (
        LearnedSuggester,
        LearnerUnavailable,
        train,
        unit_examples,
    )
    from annotations.suggest.training import MIN_EACH

    examples = [
        example
        for record in records
        for example in unit_examples(
            record.text,
            [(start, end, label == "claim") for start, end, label in record.spans],
            recognizer.recognize(record.text),
        )
    ]
    positives = sum(1 for e in examples if e.label)
    negatives = len(examples) - positives
    if positives < MIN_EACH or negatives < MIN_EACH:
        raise click.ClickException(
            f"{path}: training needs at least {MIN_EACH} 'claim' and {MIN_EACH} 'not_claim' "
            f"spans; it has {positives} and {negatives}"
        )
    try:
        return LearnedSuggester(train(examples))
    except LearnerUnavailable as exc:
        raise click.ClickException(f"cannot train on {path}: {exc}") from None
