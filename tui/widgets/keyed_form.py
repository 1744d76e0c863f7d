"""The shared key handling of annotty's one-key-per-choice forms (claim, entity)."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.screen import ModalScreen
from textual.widgets import Input

from tui.typeahead import after_typeahead


class KeyedForm(ModalScreen[dict[str, Any] | None]):
    """A printable key picks a choice (``_choose``) unless a text field has focus; keys typed
    before the form was ready are replayed exactly as if typed now."""

    def on_mount(self) -> None:
        after_typeahead(self, self.replay)

    def replay(self, keys: list[events.Key]) -> None:
        for key in keys:
            if key.key == "enter":
                self.action_save()
                return
            if key.key == "escape":
                self.action_cancel()
                return
            if key.key in ("tab", "shift+tab"):
                self.tab(key.key == "tab")
            elif isinstance(self.focused, Input) and key.is_printable and key.character:
                self.focused.insert_text_at_cursor(key.character)
            elif key.character:
                self._choose(key.character)

    def on_key(self, event: events.Key) -> None:
        if isinstance(self.focused, Input) or not event.character:
            return
        if self._choose(event.character):
            event.stop()
            event.prevent_default()

    def tab(self, forward: bool) -> None:
        """Where ``tab`` (``forward``) or ``shift+tab`` typed ahead moves the focus."""
        self.focus_next() if forward else self.focus_previous()

    def _choose(self, char: str) -> bool:
        raise NotImplementedError

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)
