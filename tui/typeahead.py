"""Handing keys typed ahead to the form or prompt they were meant for (see ``AnnottyApp``)."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.widget import Widget

# Keys typed right after the opening key may still be on their way through the screen
# underneath; they have all arrived within a few event-loop turns, and 50 ms is ample.
TYPEAHEAD_SETTLE = 0.05


def after_typeahead(widget: Widget, replay: Callable[[list[events.Key]], None]) -> None:
    """Call ``replay`` with the keys held for ``widget``, once they have all arrived."""

    def take() -> None:
        release = getattr(widget.app, "release_typeahead", None)
        replay(release() if release is not None else [])

    widget.set_timer(TYPEAHEAD_SETTLE, take)
