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
    """``$ANNOTTY_DB`` (a file), else ``annotty.db`` in the user's data directory."""
    override = os.environ.get("ANNOTTY_DB")
    if override and not _is_url(override):
        return Path(override)
    return data_dir() / "annotty.db"


def database_url(db: str | None) -> str | None:
    """The server database asked for: ``--db`` if it is a URL, else ``$ANNOTTY_DB`` if that is
    one and no ``--db`` was given; ``None`` for a file."""
    if db is not None:
        return db if _is_url(db) else None
    override = os.environ.get("ANNOTTY_DB")
    return override if override and _is_url(override) else None


def _is_url(target: str) -> bool:
    from annotations.store.sqlite import is_url

    return is_url(target)


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
