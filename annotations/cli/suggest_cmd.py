"""``annotty suggest``: the claim candidates of a document or a file, with score, type and speaker.

Entities come from the same recognizer as ``annotty entities`` (the global ``--recognizer`` and
``--entities``); for a stored document the annotators' entity corrections are applied.
"""

from __future__ import annotations

from typing import Any

import click

from annotations import schema as schema_mod
from annotations.cli import Settings, cli, pass_settings
from annotations.cli.doc_args import shown, text_and_entities
from annotations.suggest.builtin import BuiltinSuggester
from annotations.terminal_safe import clean, dumps, plural


@cli.command("suggest")
@click.argument("target", metavar="DOC_OR_FILE")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--all", "show_all", is_flag=True, help="Every unit with its score, not only the candidates."
)
@pass_settings
def suggest_cmd(settings: Settings, target: str, as_json: bool, show_all: bool) -> None:
    """Print the claim candidates of a document (id, id prefix, file name or title) or a file.

    A candidate is a sentence scoring at least the threshold; each comes with its suggested
    claim type, the speaker it is attributed to (when a recognized person, organization or
    group is named as saying it) and the reasons for its score.
    """
    recognizer = settings.entity_recognizer()
    text, entities, info = text_and_entities(settings, target, recognizer)
    labels = schema_mod.load(settings.schema)
    suggester = BuiltinSuggester(claim_types=[t.name for t in labels.claim_types])
    scored = suggester.suggest(text, entities)
    kept = [c for c in scored if show_all or c.score >= suggester.threshold]
    rows: list[dict[str, Any]] = [
        {
            "start": c.start,
            "end": c.end,
            "score": c.score,
            "type": c.claim_type,
            "speaker": c.speaker,
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
                    "threshold": suggester.threshold,
                    "units": len(scored),
                    "candidates": rows,
                },
                indent=2,
            )
        )
        return
    click.echo(f"{'start':>8} {'end':>8}  {'score':>5}  {'type':<19} {'speaker':<20} text")
    for row in rows:
        click.echo(
            f"{row['start']:>8} {row['end']:>8}  {row['score']:>5.2f}  {clean(row['type']):<19} "
            f"{shown(row['speaker'], 20):<20} {shown(row['text'])}"
        )
    what = "unit" if show_all else "candidate"
    click.echo(
        f"{plural(len(rows), what)} of {plural(len(scored), 'unit')} "
        f"(threshold {suggester.threshold:g}, {clean(suggester.key)} suggester)",
        err=True,
    )
