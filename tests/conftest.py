"""Shared fixtures: an in-memory store, the seed corpus, and an app at a fixed size."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotations.entities import builtin
from annotations.seeding import import_with_entities
from annotations.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test may touch the user's real database or data directory."""
    home = tmp_path_factory.mktemp("annotty-home")
    monkeypatch.setenv("ANNOTTY_HOME", str(home))
    monkeypatch.delenv("ANNOTTY_DB", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    os.environ.pop("NO_COLOR", None)


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store(None, annotator="tester")
    yield s
    s.close()


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Store]:
    """A file database holding the five seed documents with their machine entities."""
    s = Store(tmp_path / "seeded.db", annotator="tester")
    import_with_entities(s, [SEEDS], builtin())
    yield s
    s.close()
