"""The label schema: claim types, stances, attributions, check-worthiness and targets.

Loaded from YAML through the node tree, so every error names the file, the line and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from rich.color import Color, ColorParseError

from annotations.config_yaml import compose, read_config
from annotations.errors import InputError

DEFAULT_SCHEMA = "labels.yaml"
LABEL_FIELDS = ("claim_types", "stances", "attributions", "checkworthiness")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\- ]*$")


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    key: str
    description: str = ""
    colour: str = ""


@dataclass(frozen=True, slots=True)
class Schema:
    claim_types: tuple[Label, ...]
    stances: tuple[Label, ...]
    attributions: tuple[Label, ...]
    checkworthiness: tuple[Label, ...]
    targets: tuple[str, ...]
    source: str = ""

    def field(self, name: str) -> tuple[Label, ...]:
        return getattr(self, name)  # type: ignore[no-any-return]

    def label(self, field: str, name: str) -> Label | None:
        return next((lab for lab in self.field(field) if lab.name == name), None)

    def colour(self, field: str, name: str, default: str = "") -> str:
        lab = self.label(field, name)
        return lab.colour if lab and lab.colour else default


def load_default() -> Schema:
    ref = resources.files("annotations").joinpath(DEFAULT_SCHEMA)
    return parse(ref.read_text(encoding="utf-8"), f"<built-in {DEFAULT_SCHEMA}>")


def load(path: str | Path | None) -> Schema:
    """Load a schema file, or the built-in one when ``path`` is None."""
    if path is None:
        return load_default()
    return parse(read_config(path, "schema"), str(path))


def parse(text: str, path: str) -> Schema:
    root = compose(text, path)  # bounded: size, depth and alias expansion are checked
    if root is None:
        raise InputError(path, "schema is empty")
    top = _mapping(root, path, "schema")
    unknown = set(top) - {*LABEL_FIELDS, "targets", "version"}
    for key in sorted(unknown):
        raise InputError(path, "unknown field", line=_line(top[key][0]), field=key)
    fields: dict[str, tuple[Label, ...]] = {}
    taken: dict[str, str] = {}  # key -> the choice that has it, across all fields
    for name in LABEL_FIELDS:
        if name not in top:
            if name in ("claim_types", "stances"):
                raise InputError(path, "required field is missing", line=_line(root), field=name)
            fields[name] = ()
            continue
        fields[name] = _labels(top[name][1], path, name, taken)
    targets: tuple[str, ...] = ()
    if "targets" in top:
        node = top["targets"][1]
        if not isinstance(node, yaml.SequenceNode):
            raise InputError(path, "must be a list of strings", line=_line(node), field="targets")
        items = []
        for i, item in enumerate(node.value):
            if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
                raise InputError(path, "must be a non-empty string", _line(item), f"targets[{i}]")
            items.append(str(item.value).strip())
        targets = tuple(items)
    return Schema(targets=targets, source=path, **fields)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping(node: yaml.Node, path: str, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise InputError(path, "must be a mapping", line=_line(node), field=what)
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for k, v in node.value:
        out[str(k.value)] = (k, v)
    return out


def _labels(node: yaml.Node, path: str, field: str, taken: dict[str, str]) -> tuple[Label, ...]:
    """The labels of one field; ``taken`` collects keys across fields (see ``parse``).

    Keys are unique across *all* label fields, not only within one: the claim form offers every
    field at once and gives a typed key to the focused field, else to the first field that has
    it (``tui/widgets/claim_form.py``), so a stance sharing a claim type's key could not be
    picked by the usual "type key, stance key, enter" (the claim type field has focus).
    """
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise InputError(path, "must be a non-empty list of labels", line=_line(node), field=field)
    labels: list[Label] = []
    for i, item in enumerate(node.value):
        where = f"{field}[{i}]"
        entry = _mapping(item, path, where)
        for extra in sorted(set(entry) - {"name", "key", "description", "colour", "color"}):
            raise InputError(path, "unknown field", _line(entry[extra][0]), f"{where}.{extra}")
        values: dict[str, str] = {}
        for attr in ("name", "key", "description", "colour", "color"):
            if attr in entry:
                value = entry[attr][1]
                if not isinstance(value, yaml.ScalarNode):
                    raise InputError(path, "must be a string", _line(value), f"{where}.{attr}")
                values[attr] = str(value.value)
        name = values.get("name", "").strip()
        if not name:
            raise InputError(path, "required field is missing", _line(item), f"{where}.name")
        if not _NAME.match(name):
            raise InputError(path, f"bad label name {name!r}", _line(entry["name"][1]), where)
        key = values.get("key", "")
        if len(key) != 1 or key.isspace():
            line = _line(entry["key"][1]) if "key" in entry else _line(item)
            raise InputError(path, "must be exactly one character", line, f"{where}.key")
        if key in taken:
            raise InputError(
                path,
                f"key {key!r} already used by {taken[key]}; every choice needs its own "
                "key (the claim form shows all fields at once)",
                _line(entry["key"][1]),
                f"{where}.key",
            )
        taken[key] = f"{where} {name!r}"
        colour = values.get("colour", values.get("color", ""))
        if colour:
            try:
                Color.parse(colour)
            except ColorParseError:
                attr = "colour" if "colour" in entry else "color"
                raise InputError(
                    path, f"unknown colour {colour!r}", _line(entry[attr][1]), f"{where}.{attr}"
                ) from None
        labels.append(
            Label(name=name, key=key, description=values.get("description", ""), colour=colour)
        )
    return tuple(labels)
