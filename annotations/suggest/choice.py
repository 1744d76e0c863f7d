"""Choosing the claim suggester, as ``annotations.entities.resolve`` chooses the recognizer.

A spec names one: ``auto`` (the default: the learned model when one is trained, else the
built-in), ``builtin``, ``learned``, ``spacy:NAME_OR_PATH[#LABEL]`` (an installed spaCy text
classification pipeline) or ``embeddings:NAME`` (a sentence-transformers model with a logistic
regression trained on the team's decisions). Whatever cannot be had (a package, a pipeline, a
trained model) falls back to the built-in suggester with one line saying why and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotations.suggest.builtin import BuiltinSuggester, Suggester
from annotations.suggest.learned import choose
from annotations.suggest.training import MODEL_NAME as LEARNED_MODEL

AUTO = ("", "auto")
BUILTIN = ("builtin", "built-in", "rules")
LEARNED = ("learned",)
FALLBACK = "using the built-in suggester"
SPECS = "auto, builtin, learned, spacy:NAME_OR_PATH[#LABEL] or embeddings:NAME"
__all__ = ["Suggester", "backend", "claim_suggester", "model_name"]


def backend(spec: str | None) -> tuple[str, str]:
    """(kind, argument) of a spec: ("auto", ""), ("builtin", ""), ("learned", ""),
    ("spacy", "NAME#LABEL"), ("embeddings", "NAME"), or ("unknown", spec)."""
    choice = (spec or "").strip()
    lowered = choice.lower()
    if lowered in AUTO:
        return "auto", ""
    if lowered in BUILTIN:
        return "builtin", ""
    if lowered in LEARNED:
        return "learned", ""
    kind, colon, name = choice.partition(":")
    if kind.strip().lower() in ("spacy", "embeddings"):
        return kind.strip().lower(), name.strip() if colon else ""
    return "unknown", choice


def model_name(spec: str | None) -> str:
    """The store's name for the trained model ``spec`` scores with: ``embeddings:NAME`` for an
    embedding backend, else the learned n-gram model's (``auto`` and ``learned`` use it)."""
    kind, name = backend(spec)
    return f"embeddings:{name}" if kind == "embeddings" else LEARNED_MODEL


def claim_suggester(
    spec: str | None,
    stored_model: object | None,
    claim_types: Sequence[str] | None = None,
) -> tuple[Suggester, list[str]]:
    """The suggester ``spec`` names and messages for the user (one line each) about any fallback.

    ``stored_model`` is the newest stored params of ``model_name(spec)`` (``store.latest_model``'s
    dict) or None: the learned model for ``auto``/``learned``, the embedding classifier for
    ``embeddings:NAME``; the built-in and spaCy suggesters ignore it.
    """
    kind, name = backend(spec)
    builtin = BuiltinSuggester(claim_types=claim_types)
    if kind == "builtin":
        return builtin, []
    if kind == "auto":
        return choose(stored_model, claim_types)
    if kind == "learned":
        if stored_model is None:
            return builtin, [
                "no learned suggester is trained yet (decide some candidates in the app, or run "
                f"'annotty suggest --retrain'); {FALLBACK}"
            ]
        return choose(stored_model, claim_types)
    if kind == "spacy":
        from annotations.suggest import spacy_textcat

        found, problem = spacy_textcat.load(name, claim_types)
        return (found, []) if found is not None else (builtin, [f"{problem}; {FALLBACK}"])
    if kind == "embeddings":
        from annotations.suggest import embeddings

        chosen, problem = embeddings.load(name, stored_model, claim_types)
        return (chosen, []) if chosen is not None else (builtin, [f"{problem}; {FALLBACK}"])
    return builtin, [f"unknown suggester {name!r} (use {SPECS}); {FALLBACK}"]
