"""Where annotty keeps things. Nothing here touches the disk at import time."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP = "annotty"


def data_dir() -> Path:
    override = os.environ.get("ANNOTTY_HOME")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_db() -> Path:
    """``$ANNOTTY_DB``, else ``annotty.db`` in the user's data directory."""
    override = os.environ.get("ANNOTTY_DB")
    return Path(override) if override else data_dir() / "annotty.db"


def seeds_dir() -> Path | None:
    """The bundled sample corpus: ``$ANNOTTY_SEEDS``, else the wheel's ``annotations/seeds``
    (setup.py ships the repository's top-level ``seeds/`` there), else ``seeds/`` in a checkout."""
    override = os.environ.get("ANNOTTY_SEEDS")
    candidates = [Path(override)] if override else []
    bundled = resources.files("annotations").joinpath("seeds")
    if isinstance(bundled, Path):  # an installed wheel; a zip import has no folder to import
        candidates.append(bundled)
    candidates.append(Path(__file__).resolve().parent.parent / "seeds")
    return next((p for p in candidates if p.is_dir()), None)
