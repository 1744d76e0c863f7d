"""Loading a spaCy pipeline the user names, for the entity and the claim-suggestion backends.

spaCy is optional (``pip install 'annotty[spacy]'``) and slow to import, so it is imported only
here and only when asked for; a missing package or a pipeline that cannot be loaded is one line
for the user (the backend then falls back to the built-in one), never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotations.errors import first_line

INSTALL = "pip install 'annotty[spacy]'"


def import_spacy() -> tuple[Any | None, str]:
    """The ``spacy`` module, or None and why not."""
    try:
        import spacy
    except ImportError:
        return None, f"spaCy is not installed: {INSTALL}"
    return spacy, ""


def load_pipeline(spacy: Any, name: str, download_hint: str) -> tuple[Any | None, str]:
    """``spacy.load(name)``, or None and a line naming the pipeline, spaCy's first line of
    complaint and what to do: ``download_hint`` for a package name, "check the path" for a
    folder."""
    try:
        return spacy.load(name), ""
    except (OSError, ImportError, ValueError) as exc:
        hint = download_hint if "/" not in name and not Path(name).exists() else "check the path"
        return None, f"spaCy pipeline {name!r} cannot be loaded ({first_line(exc)}): {hint}"
