"""The shared key handling of annotty's one-key-per-choice forms (claim, entity)."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input

from tui.typeahead import after_typeahead


class KeyedForm(ModalScreen[dict[str, Any] | None]):
    """A printable key picks a choice (``_choose``) unless a text field has focus; keys typed
    before the form was ready are replayed exactly as if typed now."""

    def on_mount(self) -> None:
        after_typeahead(self, self.replay)

    def replay(self, keys: list[events.Key]) -> None:
        # ``focus()`` takes effect only after this handler, so the replay tracks where the keys
        # go itself: "3 a tab China" typed in one burst must type "China" into the text field
        focused = start = self.focused
        for key in keys:
            if key.key == "enter":
                self.action_save()
                return
            if key.key == "escape":
                self.action_cancel()
                return
            if key.key in ("tab", "shift+tab"):
                focused = self.tab(key.key == "tab", focused)
            elif isinstance(focused, Input) and key.is_printable and key.character:
                focused.insert_text_at_cursor(key.character)
            elif key.character:
                self._choose(key.character)
        if focused is not None and focused is not start:
            # the focus calls above are queued behind others: make the last one win, with the
            # cursor after what was typed (focus would select it, and the next key replace it)
            self.call_after_refresh(self._refocus, focused)

    def _refocus(self, widget: Widget) -> None:
        if not isinstance(widget, Input) or not widget.select_on_focus:
            self.set_focus(widget)
            return
        widget.select_on_focus = False  # its focus event comes later: restore after it
        self.set_focus(widget)
        widget.call_after_refresh(setattr, widget, "select_on_focus", True)

    def on_key(self, event: events.Key) -> None:
        if isinstance(self.focused, Input) or not event.character:
            return
        if self._choose(event.character):
            event.stop()
            event.prevent_default()

    def tab(self, forward: bool, current: Widget | None = None) -> Widget | None:
        """Focus the widget after (``forward``) or before ``current`` in the focus chain, and
        return it: ``focus()`` is applied later, so a replay cannot read ``self.focused``."""
        chain = self.focus_chain
        if not chain:
            return None
        current = self.focused if current is None else current
        index = chain.index(current) if current in chain else -1
        widget = chain[(index + (1 if forward else -1)) % len(chain)]
        widget.focus()
        return widget

    def _choose(self, char: str) -> bool:
        raise NotImplementedError

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)
