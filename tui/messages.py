"""Messages the app sends to whichever screen is current."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from annotations.store.watcher import Changes


@dataclass
class StoreChanged(Message):
    """Someone (another annotty process, or another screen) changed the database."""

    changes: Changes


@dataclass
class SuggesterChanged(Message):
    """A retrain stored a new learned model: screens showing candidates score them again."""

    version: int
