"""The label schema: claim types, stances, attributions, check-worthiness and targets.

Loaded from YAML through the node tree, so every error names the file, the line and the field.
Each choice may carry a one-line ``description`` and one or two ``examples``: the claim form shows
them where the decision is made, and the guidelines screen lists them when the schema names no
``guidelines`` file (Markdown, a path relative to the schema) of the team's own.
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
from annotations.screen_text import screen_safe

DEFAULT_SCHEMA = "labels.yaml"
MAX_EXAMPLES = 2
"""Examples per choice: a reminder in the form, not the guidelines (those go in the file)."""
LABEL_FIELDS = ("claim_types", "stances", "attributions", "checkworthiness")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\- ]*$")


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    key: str
    description: str = ""
    colour: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Schema:
    claim_types: tuple[Label, ...]
    stances: tuple[Label, ...]
    attributions: tuple[Label, ...]
    checkworthiness: tuple[Label, ...]
    targets: tuple[str, ...]
    source: str = ""
    guidelines: str = ""
    """The team's guidelines (a Markdown file), as an absolute path; empty when none is named."""

    def field(self, name: str) -> tuple[Label, ...]:
        return getattr(self, name)  # type: ignore[no-any-return]

    def label(self, field: str, name: str) -> Label | None:
        return next((lab for lab in self.field(field) if lab.name == name), None)

    def colour(self, field: str, name: str, default: str = "") -> str:
        lab = self.label(field, name)
        return lab.colour if lab and lab.colour else default


def load_default() -> Schema:
    package = resources.files("annotations")
    text = package.joinpath(DEFAULT_SCHEMA).read_text(encoding="utf-8")
    return parse(text, f"<built-in {DEFAULT_SCHEMA}>", base=Path(str(package)))


def load(path: str | Path | None) -> Schema:
    """Load a schema file, or the built-in one when ``path`` is None."""
    if path is None:
        return load_default()
    return parse(read_config(path, "schema"), str(path))


def parse(text: str, path: str, base: Path | None = None) -> Schema:
    """The schema in ``text``; ``path`` names it in errors, ``base`` is the folder a relative
    ``guidelines`` path starts from (the schema file's own folder when not given)."""
    root = compose(text, path)  # bounded: size, depth and alias expansion are checked
    if root is None:
        raise InputError(path, "schema is empty")
    top = _mapping(root, path, "schema")
    unknown = set(top) - {*LABEL_FIELDS, "targets", "version", "guidelines"}
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
    guidelines = ""
    if "guidelines" in top:
        guidelines = _guidelines(top["guidelines"][1], path, base or Path(path).parent)
    return Schema(targets=targets, source=path, guidelines=guidelines, **fields)


def _guidelines(node: yaml.Node, path: str, base: Path) -> str:
    """The guidelines file, checked now: a typo in its name shows before anyone annotates, not
    when an annotator first needs the guidelines (the screen reads the file when it opens)."""
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise InputError(path, "must be the path of a Markdown file", _line(node), "guidelines")
    name = Path(str(node.value).strip()).expanduser()
    full = name if name.is_absolute() else base / name
    if not full.is_file():
        problem = "is not a file" if full.exists() else "not found"
        raise InputError(path, f"guidelines file {problem}: {full}", _line(node), "guidelines")
    return str(full.resolve())


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
        for extra in sorted(set(entry) - {*_LABEL_ATTRS, "examples"}):
            raise InputError(path, "unknown field", _line(entry[extra][0]), f"{where}.{extra}")
        values: dict[str, str] = {}
        for attr in _LABEL_ATTRS:
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
        description = values.get("description", "").strip()
        if "\n" in description:
            line = _line(entry["description"][1])
            raise InputError(path, _ONE_LINE, line, f"{where}.description")
        examples = _examples(entry["examples"][1], path, where) if "examples" in entry else ()
        labels.append(
            Label(name=name, key=key, description=description, colour=colour, examples=examples)
        )
    return tuple(labels)


_LABEL_ATTRS = ("name", "key", "description", "colour", "color")
_ONE_LINE = "must be one line (longer explanations belong in the guidelines file)"


def _examples(node: yaml.Node, path: str, where: str) -> tuple[str, ...]:
    """One example (a string) or a list of up to ``MAX_EXAMPLES``, each one non-empty line."""
    field = f"{where}.examples"
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not items or len(items) > MAX_EXAMPLES:
        raise InputError(
            path,
            f"must be one or {MAX_EXAMPLES} short quotes (more belong in the guidelines file)",
            _line(node),
            field,
        )
    out: list[str] = []
    for i, item in enumerate(items):
        here = field if item is node else f"{field}[{i}]"
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            raise InputError(path, "must be a non-empty string", _line(item), here)
        text = str(item.value).strip()
        if "\n" in text:
            raise InputError(path, _ONE_LINE, _line(item), here)
        out.append(text)
    return tuple(out)


FIELD_TITLES = {
    "claim_types": "Claim type",
    "stances": "Stance",
    "attributions": "Attribution",
    "checkworthiness": "Check-worthiness",
}
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def markdown_escaped(text: str) -> str:
    """``text`` as literal Markdown: every punctuation character escaped, so a description can
    make no link, heading, emphasis or HTML, and controls are made harmless (it is data)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", screen_safe(" ".join(text.split())))


def guidelines_from_schema(schema: Schema) -> str:
    """Markdown of every choice with its description and examples: the guidelines a schema
    without a guidelines file still has."""
    lines = ["# Labels", ""]
    for field in LABEL_FIELDS:
        labels = schema.field(field)
        if not labels:
            continue
        lines += [f"## {FIELD_TITLES[field]}", ""]
        for lab in labels:
            head = f"- **{markdown_escaped(lab.name)}** \\({markdown_escaped(lab.key)}\\)"
            if lab.description:
                head += f": {markdown_escaped(lab.description)}"
            lines.append(head)
            lines += [f"  - e\\.g\\. “{markdown_escaped(ex)}”" for ex in lab.examples]
        lines.append("")
    if schema.targets:
        lines += ["## Targets", ""]
        lines += [f"- {markdown_escaped(target)}" for target in schema.targets]
    return "\n".join(lines).rstrip() + "\n"


def read_guidelines(schema: Schema) -> str:
    """The team's guidelines file as text (bounded like every config file, controls made
    harmless); ``InputError`` when it cannot be read."""
    return screen_safe(read_config(schema.guidelines, "guidelines"))
