"""The command palette (``ctrl+p``) offers every action of the current screen.

Each binding of the screen (and of the app and annotty's own widgets on it) that has a
description becomes a palette command named by that description and showing its key, so an
action can be found by name without knowing its key. Textual's own widget bindings (cursor moves
in a table, editing keys in a text field) stay out: they are keys, not actions worth looking up.
The commands come from the live bindings, so ``check_action`` (keys hidden while they do
nothing) and user keymaps apply to the palette as they apply to the footer.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

PALETTE_ACTIONS = frozenset({"command_palette", "app.command_palette"})


def _declared_by_annotty(node: DOMNode, binding: Binding) -> bool:
    """Whether ``binding`` comes from an annotty class (not from a Textual widget's defaults)."""
    for cls in type(node).__mro__:
        if cls.__module__.startswith("textual."):
            continue
        for declared in cls.__dict__.get("BINDINGS", ()):
            if isinstance(declared, Binding) and declared.action == binding.action:
                return True
    return False


def binding_commands(screen: Screen[object], taken: set[str]) -> Iterator[SystemCommand]:
    """One palette command per enabled action of ``screen`` whose title is not in ``taken``.

    Running the command runs the binding's action in the namespace that declared it, exactly
    as pressing its key would.
    """
    app = screen.app
    seen: dict[tuple[int, str], list[str]] = {}
    found: list[tuple[DOMNode, Binding]] = []
    # The whole chain (focused widget, its containers, the screen, the app), not
    # ``active_bindings``: there a widget's key hides the screen's action on the same key (the
    # library's "Open" on enter, under the table's own enter), and the palette looks up actions
    # by name, not by key. ``_check_action_state`` is what ``active_bindings`` asks too.
    # Textual has no public name for either (pinned version; tests/ cover the palette).
    for node, bindings in screen._modal_binding_chain:  # noqa: SLF001
        for _key, binding in bindings:
            if (
                not binding.description
                or binding.system
                or binding.action in PALETTE_ACTIONS
                or not _declared_by_annotty(node, binding)
                or app._check_action_state(binding.action, node) is not True  # noqa: SLF001
            ):
                continue
            keys = seen.setdefault((id(node), binding.action), [])
            if not keys:
                found.append((node, binding))
            keys.append(app.get_key_display(binding))
    for node, binding in found:
        title = binding.description
        if title in taken:
            continue
        taken.add(title)
        shown = " / ".join(seen[(id(node), binding.action)])
        help_text = f"{shown}" + (f" · {binding.tooltip}" if binding.tooltip else "")
        yield SystemCommand(title, help_text, partial(app.run_action, binding.action, node))
