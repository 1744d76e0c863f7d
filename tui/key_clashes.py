"""A user's key that lands on another binding of the same screen: refused before the app starts.

Textual lets two bindings that are active together share a key, but only one of them runs, and
the footer and ``?`` may show the other (a focused widget's binding hides a screen's priority
binding there, while the screen's runs). So ``reader.claim: g`` would open the claim form on
``g`` and yet drop "Claim" from the footer and the help, while ``g`` no longer goes to the top.
A binding is active with those of its chain: the focused widget and its containers, the screen
and the app. ``CHAINS`` names, per screen, the binding-id namespaces that can meet in its chain;
``tests/test_key_clashes.py`` opens every screen and keeps it equal to what is mounted there.
Keys of Textual's own widgets (a ``DataTable``'s arrows, what an ``Input`` types) have no binding
id a keymap can name, and are not checked here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding
from textual.dom import DOMNode

from annotations.errors import InputError
from annotations.keymap import Keymap, character_key

CHAINS: Mapping[str, frozenset[str]] = {
    "library": frozenset({"library", "table", "app"}),
    "reader": frozenset({"reader", "view", "side", "app"}),
    "queue": frozenset({"queue", "app"}),
    "review": frozenset({"review", "table", "app"}),
    "stats": frozenset({"stats", "app"}),
    "adjudicate": frozenset({"adjudicate", "app"}),
    "claim_form": frozenset({"claim_form", "choice", "app"}),
    "entity_form": frozenset({"entity_form", "choice", "app"}),
    "filter": frozenset({"filter", "choice", "app"}),
    "reason": frozenset({"reason", "app"}),
    "bulk": frozenset({"bulk", "app"}),
    "prompt": frozenset({"prompt", "app"}),
    "export": frozenset({"export", "app"}),
    "help": frozenset({"help", "app"}),
    "guidelines": frozenset({"guidelines", "app"}),
    "similar": frozenset({"similar", "app"}),
    "comments": frozenset({"comments", "app"}),
}
"""Screen -> the namespaces (the part of a binding id before the dot) active on it together."""


def namespace(binding_id: str) -> str:
    return binding_id.split(".", 1)[0]


def binding_classes() -> list[type[DOMNode]]:
    """Every loaded screen and widget class (annotty's and Textual's), once each."""
    seen: dict[type[DOMNode], None] = {}
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        cls = pending.pop()
        if cls not in seen:
            seen[cls] = None
            pending.extend(cls.__subclasses__())
    return list(seen)


def all_bindings(classes: Iterable[type[DOMNode]]) -> dict[str, Binding]:
    """Binding id -> the binding, over the classes given (annotty's screens and widgets)."""
    found: dict[str, Binding] = {}
    for cls in classes:
        for binding in vars(cls).get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found.setdefault(binding.id, binding)
    return found


def _keys(text: str) -> set[str]:
    """Key names as Textual matches them: ``/`` and ``slash`` are one key."""
    return {character_key(k) if len(k) == 1 else k for k in (k.strip() for k in text.split(","))}


def check_clashes(keymap: Keymap, bindings: Mapping[str, Binding]) -> None:
    """Refuse a remapped key another binding of the same screen has (after the remapping)."""
    mapped = keymap.as_dict()
    keys_of = {bid: _keys(mapped.get(bid, b.key)) for bid, b in bindings.items()}
    for choice in keymap.choices:
        mine = keys_of.get(choice.binding_id, set())
        together = set().union(
            *(chain for chain in CHAINS.values() if namespace(choice.binding_id) in chain)
        )
        for other, keys in sorted(keys_of.items()):
            shared = mine & keys
            if other == choice.binding_id or namespace(other) not in together or not shared:
                continue
            what = bindings[other].description or bindings[other].action
            raise InputError(
                keymap.path,
                f"{', '.join(sorted(shared))} is already the key of {other} ({what}) on the same "
                f"screen: give {other} another key too, or choose a free key",
                line=choice.line,
                field=choice.binding_id,
            )
