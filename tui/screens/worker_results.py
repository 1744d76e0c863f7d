"""A thread worker's result, handed to its screen on the app's thread, unless that screen was
taken down meanwhile.

A screen's worker can finish after the screen was closed (``q`` while a list loads) or while the
app quits: its widgets are then being removed, and a call-back that queries them fails with
``NoMatches``, which Textual reports as a failed worker and ends the app (seen under load in
CI). The screens' loaders deliver through ``deliver``, which drops the result of a screen that
is no longer on the app's screen stack or attached to a running app. Results that must not be
dropped (a failed save, kept work) go through ``OrderedWrites`` or ``notify``, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen


def taken_down(screen: Screen[Any]) -> bool:
    """Closed (popped: off the stack before its widgets go) or its app quitting (``exit``
    detaches every node; a shutdown stops the app running before it removes the screens)."""
    app = screen.app
    return not app.is_running or not screen.is_attached or screen not in app.screen_stack


def deliver(screen: Screen[Any], callback: Callable[..., object], *args: Any) -> None:
    """(In a thread worker) ``callback(*args)`` on the app's thread while ``screen`` is up."""

    def run() -> None:
        if not taken_down(screen):
            callback(*args)

    screen.app.call_from_thread(run)
