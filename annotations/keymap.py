"""Users' key remapping: the ``keys:`` section of a YAML config file, checked before the app runs.

The file is ``annotty.yaml`` beside the database, or the one given with ``--keys``::

    keys:
      reader.claim: k              # binding id: a key
      reader.search: slash,ctrl+f  # or several, comma-separated (or a YAML list)

The app hands the mapping to Textual's ``App.set_keymap`` (binding id -> key string), so the
footer and ``?`` show the keys as remapped. The core never imports Textual: key names are checked
here by Textual's naming rule (see ``is_key_name``), binding ids against the ids the app passes
in (``check_ids``). Every refusal is one line naming the file, the line and the binding id.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from annotations.config_yaml import compose, read_config
from annotations.errors import InputError

CONFIG_NAME = "annotty.yaml"
"""The project config file beside the database; its ``keys:`` section remaps keys."""

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
"""The modifier prefixes Textual puts before a key name (``ctrl+shift+left``)."""

NAMED_KEYS = frozenset(
    {
        "backspace",
        "delete",
        "down",
        "end",
        "enter",
        "escape",
        "home",
        "insert",
        "left",
        "pagedown",
        "pageup",
        "right",
        "space",
        "tab",
        "up",
        *(f"f{n}" for n in range(1, 25)),
    }
)
"""The keys without a character, as Textual names them (``textual.keys.Keys``; a test keeps
this list equal to Textual's)."""

# Textual names a punctuation key by its Unicode name, lower case with underscores, with a few
# friendlier replacements (textual/keys.py: ``_character_to_key``, ``KEY_NAME_REPLACEMENTS``).
_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def character_key(char: str) -> str:
    """Textual's name for the key that types ``char``: ``?`` -> ``question_mark``."""
    if char.isalnum():
        return char
    try:
        name = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return char
    return _REPLACEMENTS.get(name, name)


CHARACTER_NAMES = frozenset(
    character_key(chr(c)) for c in range(0x21, 0x7F) if not chr(c).isalnum()
)
"""``question_mark``, ``slash``, ``left_square_bracket``, ...: ASCII punctuation by name."""


def is_key_name(key: str) -> bool:
    """Whether ``key`` names a key as Textual does: modifiers joined by ``+``, then a named key,
    a punctuation name, or one printable character (``k``, ``K``, ``?``, ``é``)."""
    *modifiers, base = key.split("+")
    if any(m not in MODIFIERS for m in modifiers) or len(set(modifiers)) != len(modifiers):
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    return base in NAMED_KEYS or base in CHARACTER_NAMES


@dataclass(frozen=True)
class KeyChoice:
    """One line of a ``keys:`` section: a binding id and the keys it gets."""

    binding_id: str
    keys: str  # comma-separated, as Textual's keymap takes them
    line: int


@dataclass(frozen=True)
class Keymap:
    """A checked ``keys:`` section, remembering where each entry came from."""

    path: Path
    choices: tuple[KeyChoice, ...]

    def as_dict(self) -> dict[str, str]:
        """Binding id -> keys: what ``App.set_keymap`` takes."""
        return {c.binding_id: c.keys for c in self.choices}

    def check_ids(self, known: Collection[str]) -> None:
        """Refuse a binding id the app does not have (a typo would silently do nothing)."""
        for choice in self.choices:
            if choice.binding_id not in known:
                raise InputError(
                    self.path,
                    "no such binding id (press ? in the app, or see the README, for the ids)",
                    line=choice.line,
                    field=choice.binding_id,
                )


def _scalar(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
        return node.value.strip()
    return None


def _keys(node: yaml.Node, path: Path, binding_id: str, line: int) -> str:
    if isinstance(node, yaml.SequenceNode):
        items = [_scalar(item) for item in node.value]
        if not items or any(item is None for item in items):
            raise InputError(path, "give a key, or a list of keys", line=line, field=binding_id)
        keys = [k for item in items for k in str(item).split(",")]
    else:
        text = _scalar(node)
        if not text:
            raise InputError(path, "give a key, or a list of keys", line=line, field=binding_id)
        keys = text.split(",")
    keys = [k.strip() for k in keys]
    for key in keys:
        if not is_key_name(key):
            raise InputError(
                path,
                f"{key!r} is not a key name (examples: k, K, ctrl+k, question_mark, f5, pagedown)",
                line=line,
                field=binding_id,
            )
    return ",".join(keys)


def _entries(root: yaml.Node, path: Path) -> Iterator[KeyChoice]:
    if not isinstance(root, yaml.MappingNode):
        raise InputError(
            path, "expected a mapping with a 'keys:' section", line=root.start_mark.line + 1
        )
    section = next((v for k, v in root.value if _scalar(k) == "keys"), None)
    if section is None or (
        isinstance(section, yaml.ScalarNode) and section.value in ("", "~", "null")
    ):
        return
    if not isinstance(section, yaml.MappingNode):
        raise InputError(
            path, "'keys:' must map binding ids to keys", line=section.start_mark.line + 1
        )
    seen: dict[str, int] = {}
    for key_node, value in section.value:
        line = key_node.start_mark.line + 1
        binding_id = _scalar(key_node)
        if not binding_id:
            raise InputError(path, "a binding id must be text", line=line)
        if binding_id in seen:
            raise InputError(
                path, f"given twice (first on line {seen[binding_id]})", line=line, field=binding_id
            )
        seen[binding_id] = line
        yield KeyChoice(binding_id, _keys(value, path, binding_id, line), line)


def load_keymap(path: str | Path) -> Keymap:
    """Read and check the ``keys:`` section of ``path`` (no section: an empty keymap)."""
    p = Path(path)
    root = compose(read_config(p, "key config"), p)
    return Keymap(p, () if root is None else tuple(_entries(root, p)))


def find_keymap(db_path: Path | None, explicit: Path | None = None) -> Keymap | None:
    """The keymap of ``--keys`` if given, else of ``annotty.yaml`` beside the database."""
    if explicit is not None:
        return load_keymap(explicit)
    if db_path is None:
        return None
    beside = db_path.parent / CONFIG_NAME
    return load_keymap(beside) if beside.exists() else None
