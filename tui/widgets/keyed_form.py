"""The shared key handling of annotty's one-key-per-choice forms (claim, entity).

Keys typed in one burst with the key that opens a form reach the form without any help: the
opening binding is ``priority=True`` and awaits the form's mount, so Textual routes the next keys
only once the form is there, and the form focuses its first field synchronously (``set_focus``,
not ``focus()``, which is queued behind the keys already waiting).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.screen import ModalScreen

if TYPE_CHECKING:
    from tui.app import AnnottyApp


class KeyedForm(ModalScreen[dict[str, Any] | None]):
    """A printable key picks a choice (``_choose``) unless a text field took it: an ``Input``
    stops the printable keys it receives, so only keys meant for choices bubble up here."""

    app: AnnottyApp

    def on_key(self, event: events.Key) -> None:
        # not ``isinstance(self.focused, Input)``: the focus may have moved on (a priority tab
        # typed later) while this key, routed to a choice field, was still on its way up
        if not event.character:
            return
        if self._choose(event.character):
            event.stop()
            event.prevent_default()

    def _choose(self, char: str) -> bool:
        raise NotImplementedError

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)
