"""Keys named in hint lines ("a accept · r reject"), as the user's keymap has them now.

The footer and ``?`` follow a remapped key by themselves; a hint written into a status line or a
form does not, so it asks here for the key of a binding id, shown the way the footer shows it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from textual.app import App
from textual.binding import Binding

from tui.key_clashes import all_bindings, binding_classes


@cache
def default_keys() -> dict[str, str]:
    """Binding id -> its keys as declared (comma-separated), over every loaded class."""
    return {bid: b.key for bid, b in all_bindings(binding_classes()).items()}


def key_for(app: App[Any], binding_id: str, user_keys: dict[str, str] | None = None) -> str:
    """The first key of ``binding_id`` (the user's if remapped), as the footer writes it."""
    keys = (user_keys or {}).get(binding_id) or default_keys().get(binding_id)
    if not keys:  # a class loaded since the first look (a screen opened for the first time)
        default_keys.cache_clear()
        keys = default_keys().get(binding_id)
    if not keys:
        raise KeyError(binding_id)  # a hint naming a binding that does not exist is a bug
    first = keys.split(",")[0].strip()
    return app.get_key_display(Binding(first, ""))
