"""Project gazetteers: the names a project teaches the recognizer, in a YAML file people edit.

::

    # entities.yaml
    entities:
      - name: Guo Jiakun            # the canonical name
        label: PERSON               # an OntoNotes label (or any UPPER_CASE label)
        aliases: [Guo]              # other spellings, mapped to the canonical name
      - {name: Zhongguancun Forum, label: EVENT, aliases: [ZGC Forum]}
    ignore:                         # names never to tag, whatever recognizes them
      - Search Trends

Later entries win over earlier ones, so "apply everywhere" can append without rewriting the file
(and without losing its comments). The ``digest`` covers the meaning, not the layout: it is part of
the recognizer key, so editing names recomputes cached entities while reformatting does not.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from annotations.config_yaml import compose, read_config
from annotations.errors import InputError
from annotations.model import ENTITY_LABELS

_LABEL = re.compile(r"^[A-Z][A-Z0-9_]*$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 5x faster
_HEADER = "# annotty project gazetteer: names, their label, aliases (see the README)\n"


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class ProjectGazetteer:
    entries: tuple[Entry, ...] = ()
    ignore: tuple[str, ...] = ()
    source: str = ""

    @property
    def digest(self) -> str:
        """Hash of what the file means (names, labels, aliases, ignores), for the cache key."""
        content = [[e.name, e.label, list(e.aliases)] for e in self.entries]
        raw = json.dumps([content, list(self.ignore)], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]

    def surfaces(self) -> dict[str, tuple[str, str]]:
        """Every spelling -> (label, canonical name); later entries override earlier ones."""
        out: dict[str, tuple[str, str]] = {}
        for entry in self.entries:
            for surface in (entry.name, *entry.aliases):
                out[normalise(surface)] = (entry.label, entry.name)
        return out


def normalise(surface: str) -> str:
    """The form names are looked up in: curly apostrophes straightened, spaces collapsed."""
    return " ".join(surface.replace("’", "'").split())


def load(path: str | Path | None) -> ProjectGazetteer:
    """Read a gazetteer file; a missing file is an empty gazetteer (it is optional)."""
    if path is None:
        return ProjectGazetteer()
    p = Path(path)
    if not p.exists():
        return ProjectGazetteer(source=str(p))
    return parse(read_config(p, "gazetteer"), str(p))


def parse(text: str, path: str) -> ProjectGazetteer:
    root = compose(text, path)  # bounded: size, depth and alias expansion are checked
    if root is None:
        return ProjectGazetteer(source=path)
    if not isinstance(root, yaml.MappingNode):
        raise InputError(path, "must be a mapping with 'entities' and 'ignore'", _line(root))
    entries: list[Entry] = []
    ignore: list[str] = []
    for key_node, value in root.value:
        key = str(key_node.value)
        if key == "entities":
            entries = _entries(value, path)
        elif key == "ignore":
            ignore = _strings(value, path, "ignore")
        else:
            raise InputError(
                path, "unknown field (use 'entities' or 'ignore')", _line(key_node), key
            )
    return ProjectGazetteer(tuple(entries), tuple(ignore), path)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node, path: str, field: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        raise InputError(path, "must be a string", _line(node), field)
    value = " ".join(str(node.value).split())
    if not value:
        raise InputError(path, "must not be empty", _line(node), field)
    return value


def _strings(node: yaml.Node, path: str, field: str) -> list[str]:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise InputError(path, "must be a list of strings", _line(node), field)
    return [_scalar(item, path, f"{field}[{i}]") for i, item in enumerate(node.value)]


def _entries(node: yaml.Node, path: str) -> list[Entry]:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise InputError(path, "must be a list of entries", _line(node), "entities")
    out: list[Entry] = []
    for i, item in enumerate(node.value):
        where = f"entities[{i}]"
        if not isinstance(item, yaml.MappingNode):
            raise InputError(path, "must be a mapping with name and label", _line(item), where)
        fields = {str(k.value): (k, v) for k, v in item.value}
        for extra in sorted(set(fields) - {"name", "label", "aliases"}):
            raise InputError(
                path,
                "unknown field (use name, label, aliases)",
                _line(fields[extra][0]),
                f"{where}.{extra}",
            )
        for required in ("name", "label"):
            if required not in fields:
                raise InputError(
                    path, "required field is missing", _line(item), f"{where}.{required}"
                )
        name = _scalar(fields["name"][1], path, f"{where}.name")
        label = _scalar(fields["label"][1], path, f"{where}.label")
        if not _LABEL.match(label):
            raise InputError(
                path,
                f"bad label {label!r}: use an UPPER_CASE name such as"
                f" {', '.join(ENTITY_LABELS[:6])}",
                _line(fields["label"][1]),
                f"{where}.label",
            )
        aliases: list[str] = []
        if "aliases" in fields:
            aliases = _strings(fields["aliases"][1], path, f"{where}.aliases")
        out.append(Entry(name, label, tuple(aliases), _line(item)))
    return out


# -- writing: "apply everywhere" ----------------------------------------------------------------
def add_entry(
    path: str | Path, name: str, label: str, aliases: tuple[str, ...] = ()
) -> ProjectGazetteer:
    """Add (or re-label) a name for every document; the file is created if needed.

    The entry is appended to the ``entities`` list as one line, so the rest of the file and its
    comments stay as they were; a later entry overrides an earlier one for the same name.
    """
    name = " ".join(name.split())
    if not name:
        raise InputError(path, "cannot add an empty name", field="name")
    if not _LABEL.match(label):
        raise InputError(path, f"bad label {label!r}", field="label")
    current = load(path)
    if (
        any(
            e.name == name and e.label == label and set(aliases) <= set(e.aliases)
            for e in current.entries
        )
        and name not in current.ignore
    ):
        return current
    item: dict[str, object] = {"name": name, "label": label}
    if aliases:
        item["aliases"] = list(aliases)
    text = _read(path)
    text = _append_item(text, "entities", _flow(item))
    if name in current.ignore:
        text = _drop_ignore(text, name)
    return _write(path, text)


def add_ignore(path: str | Path, name: str) -> ProjectGazetteer:
    """Never tag ``name`` again, in any document ("remove everywhere")."""
    name = " ".join(name.split())
    current = load(path)
    if name in current.ignore:
        return current
    return _write(path, _append_item(_read(path), "ignore", _flow(name)))


def _flow(value: object) -> str:
    dumped = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False
    )
    return dumped.strip().removesuffix("...").strip()


def _read(path: str | Path) -> str:
    p = Path(path)
    return p.read_text(encoding="utf-8-sig") if p.exists() else _HEADER


def _write(path: str | Path, text: str) -> ProjectGazetteer:
    p = Path(path)
    result = parse(text, str(p))  # never write a file we could not read back
    # a fresh file created exclusively beside it, renamed into place: never a predictable
    # ``.partial`` name, never written through a symlink planted in a shared project folder
    from annotations.atomic_write import write_text

    write_text(p, text, newline="\n")
    return result


def _append_item(text: str, key: str, item: str) -> str:
    """Insert ``- item`` at the end of the top-level list ``key`` (created if absent)."""
    if text and not text.endswith("\n"):
        text += "\n"
    root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    if isinstance(root, yaml.MappingNode):
        for key_node, value in root.value:
            if str(key_node.value) != key:
                continue
            if isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
                last = value.value[-1]
                line_start = text.rfind("\n", 0, last.start_mark.index) + 1
                dash = text.index("-", line_start)
                indent = " " * (dash - line_start)
                at = text.find("\n", max(last.end_mark.index - 1, last.start_mark.index))
                at = len(text) if at < 0 else at + 1
                return f"{text[:at]}{indent}- {item}\n{text[at:]}"
            if isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:null":
                at = text.find("\n", key_node.end_mark.index)
                at = len(text) if at < 0 else at + 1
                return f"{text[:at]}  - {item}\n{text[at:]}"
            data = yaml.safe_load(text)  # a flow list: rewrite that key, keep the others
            data[key] = [*(data.get(key) or []), yaml.safe_load(item)]
            return _HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return f"{text}{key}:\n  - {item}\n"


def _drop_ignore(text: str, name: str) -> str:
    data = yaml.safe_load(text) or {}
    data["ignore"] = [n for n in data.get("ignore") or [] if " ".join(str(n).split()) != name]
    if not data["ignore"]:
        del data["ignore"]
    return _HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
