"""``annotty suggest``: the claim candidates of a document or a file, with score, type and speaker.

Entities come from the same recognizer as ``annotty entities`` (the global ``--recognizer`` and
``--entities``); for a stored document the annotators' entity corrections are applied.
``--retrain`` first teaches the learned suggester from the database's claims and decisions (as
the app does after each batch of decisions) and stores it; the candidates then come from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from annotations import schema as schema_mod
from annotations.cli import Settings, cli, pass_settings
from annotations.cli.doc_args import shown, text_and_entities
from annotations.cli.suggester_option import retrain_embeddings, suggester_option
from annotations.suggest.parallel import PARALLEL_FROM, score_in_parts
from annotations.terminal_safe import clean, dumps, plural

if TYPE_CHECKING:
    from annotations.suggest.choice import Suggester
    from annotations.suggest.training import Retrained


@cli.command("suggest")
@click.argument("target", metavar="DOC_OR_FILE")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--all", "show_all", is_flag=True, help="Every unit with its score, not only the candidates."
)
@click.option(
    "--retrain",
    is_flag=True,
    help="First train the learned suggester on the database's claims and decisions, store it "
    "and use it.",
)
@suggester_option
@pass_settings
def suggest_cmd(
    settings: Settings, target: str, as_json: bool, show_all: bool, retrain: bool
) -> None:
    """Print the claim candidates of a document (id, id prefix, file name or title) or a file.

    A candidate is a sentence scoring at least the threshold; each comes with its suggested
    claim type, the speaker it is attributed to (when a recognized person, organization or
    group is named as saying it), the stance and target once the learned model knows enough
    of them, and the reasons for its score.
    """
    recognizer = settings.entity_recognizer()
    text, entities, info = text_and_entities(settings, target, recognizer)
    labels = schema_mod.load(settings.schema)
    claim_types = [t.name for t in labels.claim_types]
    learn = retrain and not retrain_embeddings(settings, recognizer)  # else it trained its own
    retrained = _retrain(settings, claim_types, [s.name for s in labels.stances]) if learn else None
    suggester: Suggester = retrained.suggester if retrained else settings.claim_suggester()
    if retrained is not None:
        click.echo(retrained.summary(), err=True)
    # a long file is scored in parts, one process per core (10 MB: about 2.5 MB/s on two)
    scored = (
        score_in_parts(text, entities, suggester)
        if len(text) >= PARALLEL_FROM
        else suggester.suggest(text, entities)
    )
    kept = [c for c in scored if show_all or c.score >= suggester.threshold]
    rows: list[dict[str, Any]] = [
        {
            "start": c.start,
            "end": c.end,
            "score": c.score,
            "type": c.claim_type,
            "speaker": c.speaker,
            "stance": c.stance,
            "target": c.target,
            "reasons": list(c.reasons),
            "text": text[c.start : c.end],
        }
        for c in kept
    ]
    if as_json:
        click.echo(
            dumps(
                {
                    **info,
                    "suggester": suggester.key,
                    **({"model": _model_info(retrained)} if retrained is not None else {}),
                    "threshold": suggester.threshold,
                    "units": len(scored),
                    "candidates": rows,
                },
                indent=2,
            )
        )
        return
    labelled = any(row["stance"] or row["target"] for row in rows)
    stance_head = f"{'stance':<8} {'target':<20} " if labelled else ""
    click.echo(
        f"{'start':>8} {'end':>8}  {'score':>5}  {'type':<19} {'speaker':<20} {stance_head}text"
    )
    for row in rows:
        stance = f"{shown(row['stance'], 8):<8} {shown(row['target'], 20):<20} " if labelled else ""
        click.echo(
            f"{row['start']:>8} {row['end']:>8}  {row['score']:>5.2f}  {clean(row['type']):<19} "
            f"{shown(row['speaker'], 20):<20} {stance}{shown(row['text'])}"
        )
    what = "unit" if show_all else "candidate"
    click.echo(
        f"{plural(len(rows), what)} of {plural(len(scored), 'unit')} "
        f"(threshold {suggester.threshold:g}, {clean(suggester.key)} suggester)",
        err=True,
    )


def _retrain(settings: Settings, claim_types: list[str], stances: list[str]) -> Retrained:
    """Train and store the learned suggester from the database; one clear line when it cannot
    (no database, no scikit-learn, too few examples of a class)."""
    from annotations.suggest.learned import LearnerUnavailable
    from annotations.suggest.training import NotEnoughExamples, retrain

    store = settings.store()
    try:
        return retrain(store, settings.entity_recognizer(), claim_types, stances=stances)
    except (LearnerUnavailable, NotEnoughExamples) as exc:
        raise click.ClickException(f"cannot retrain: {exc}") from None


def _model_info(retrained: Retrained) -> dict[str, Any]:
    return {
        "version": retrained.version,
        "positives": retrained.positives,
        "negatives": retrained.negatives,
        "seconds": round(retrained.seconds, 3),
        "heads": list(retrained.heads),
    }
