"""``--suggester SPEC`` on a command, and choosing the suggester with the model it needs.

The global ``annotty --suggester SPEC`` sets ``Settings.suggester``; a command decorated with
``suggester_option`` takes the same option after its name and overrides it, so
``annotty suggest --suggester spacy:my_textcat DOC`` and
``annotty --suggester spacy:my_textcat suggest DOC`` do the same. Either way the command calls
``settings.claim_suggester(store)``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from annotations.cli import Settings
from annotations.entities import Recognizer
from annotations.store import Store, StoreError
from annotations.suggest.choice import FALLBACK, Suggester, backend, claim_suggester, model_name
from annotations.terminal_safe import clean

F = TypeVar("F", bound=Callable[..., Any])
HELP = (
    "Claim suggester: auto (default: the learned model once trained, else builtin), builtin, "
    "learned, spacy:NAME_OR_PATH[#LABEL] (a spaCy text classifier) or embeddings:NAME "
    "(sentence-transformers)."
)


def suggester_option(command: F) -> F:
    """``--suggester SPEC`` for ``command``: it overrides the global option in ``Settings``."""
    return click.option(
        "--suggester",
        metavar="SPEC",
        default=None,
        expose_value=False,
        callback=_override,
        help=HELP,
    )(command)


def _override(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    settings = ctx.find_object(Settings)
    if value is not None and settings is not None:
        settings.use_suggester(value)
    return value


def choose_suggester(
    spec: str | None, store: Store | None, schema: Path | None
) -> tuple[Suggester, list[str]]:
    """The suggester ``spec`` names for the schema's claim types, with its stored model when it
    needs one (``auto``, ``learned``, ``embeddings:NAME``); messages about any fallback."""
    from annotations import schema as schema_mod

    claim_types = [t.name for t in schema_mod.load(schema).claim_types]
    notes: list[str] = []
    stored: object | None = None
    if store is not None and backend(spec)[0] in ("auto", "learned", "embeddings"):
        try:
            found = store.latest_model(model_name(spec))
        except StoreError as exc:
            found = None
            notes.append(f"the stored model is not used ({exc}); {FALLBACK}")
        stored = None if found is None else found[1]
    if notes:
        return claim_suggester("builtin", None, claim_types)[0], notes
    return claim_suggester(spec, stored, claim_types)


def retrain_embeddings(settings: Settings, recognizer: Recognizer) -> bool:
    """``--retrain`` with ``--suggester embeddings:NAME``: train that model on the database's
    decisions and store it (one line to stderr); False for any other spec, whose learned model
    the caller trains instead. What cannot be done (no sentence-transformers, no scikit-learn,
    too few decisions) is one clear error."""
    kind, name = backend(settings.suggester)
    if kind != "embeddings":
        return False
    from annotations.suggest import embeddings
    from annotations.suggest.learned import LearnerUnavailable
    from annotations.suggest.training import NotEnoughExamples

    if not name:
        raise click.ClickException("cannot retrain: name the model, as --suggester embeddings:NAME")
    store = settings.store()
    try:
        line = embeddings.retrain(store, recognizer, name)
    except (embeddings.EncoderUnavailable, LearnerUnavailable, NotEnoughExamples) as exc:
        raise click.ClickException(f"cannot retrain: {exc}") from None
    click.echo(clean(line), err=True)
    settings.use_suggester(settings.suggester or "")  # chosen again: with the new model
    return True
