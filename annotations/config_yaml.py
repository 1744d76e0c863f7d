"""The one way annotty reads YAML config files (schema, project gazetteer): bounded.

Config files come from shared folders, so they are input like any other. PyYAML shares an
aliased node instead of copying it, but everything that walks the tree afterwards pays for every
alias again: a 96 KB file of reused alias lists took 5 s and 190 MB, a billion-laughs file
never finishes; and libyaml's composer recurses in C, so a few thousand ``[`` crash the process.
So before a node tree is built, one pass over the parser's events checks:

* the file is a regular file of at most ``MAX_BYTES`` (read with ``read_config``);
* nesting is at most ``MAX_DEPTH`` deep;
* at most ``MAX_ALIASES`` aliases, together standing for at most ``MAX_EXPANDED`` nodes once
  expanded (a colour reused a few dozen times is fine, a list of lists of lists is not), and
  no alias inside the node it names (a cycle).

Every refusal is one line, ``FILE:LINE: problem``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

from annotations.errors import InputError

MAX_BYTES = 1 << 20
"""Largest config file read (1 MiB): a gazetteer of ~20,000 names fits."""
MAX_DEPTH = 32
MAX_ALIASES = 200
MAX_EXPANDED = 20_000
"""Nodes that all aliases of a file may stand for together, once expanded."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 5x faster


def read_config(path: str | Path, what: str, limit: int = MAX_BYTES) -> str:
    """A small UTF-8 config file as text: only a regular file, only up to ``limit`` bytes."""
    p = Path(path)
    try:
        info = os.stat(p)
        if not stat.S_ISREG(info.st_mode):  # a FIFO would hang, /dev/zero never end
            raise InputError(p, f"cannot read {what}: not a regular file")
        with open(p, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(p, f"cannot read {what} ({exc.strerror or exc})") from exc
    if len(raw) > limit:
        raise InputError(
            p,
            f"{what} is larger than {_size(limit)}; annotty reads config files "
            f"up to {_size(limit)}",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(p, f"{what} is not valid UTF-8", line=line) from exc


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 and not n % (1 << 20) else f"{n:,} bytes"


def compose(text: str, path: str | Path) -> yaml.Node | None:
    """The node tree of one YAML document, after the bounds are checked; None when empty."""
    if len(text) > MAX_BYTES:
        raise InputError(
            path,
            f"larger than {_size(MAX_BYTES)}; annotty reads config files up to {_size(MAX_BYTES)}",
        )
    try:
        check_bounds(text, path)
        return yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        raise _malformed(exc, text, path) from exc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, controls)
        line = text[: exc.position].count("\n") + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or " ")
        raise InputError(
            path, f"malformed YAML: character U+{char:04X} is not allowed in YAML", line=line
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(path, "malformed YAML: " + " ".join(str(exc).split())) from exc


def _malformed(exc: yaml.MarkedYAMLError, text: str, path: str | Path) -> InputError:
    mark = exc.problem_mark
    if exc.context_mark is not None and (mark is None or mark.index >= len(text.rstrip())):
        mark = exc.context_mark  # the problem is "end of file": point at what is unclosed
    problem = (exc.problem or "") + (f" ({exc.context})" if exc.context else "")
    line = mark.line + 1 if mark else None
    return InputError(path, f"malformed YAML: {problem}", line=line)


def check_bounds(text: str, path: str | Path) -> None:
    """Walk the event stream once (iteratively, in libyaml) and refuse what would explode."""
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for, once its node is complete
    open_anchors: list[str | None] = []  # the collections being read, outermost first
    open_sizes: list[int] = []  # nodes in each of them so far
    aliases = expanded = 0
    for event in yaml.parse(text, Loader=_LOADER):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_anchors) >= MAX_DEPTH:
                raise InputError(path, f"nested more than {MAX_DEPTH} levels deep", line=line)
            open_anchors.append(event.anchor)
            open_sizes.append(1)
            continue
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if event.anchor in open_anchors:
                raise InputError(
                    path, f"alias *{event.anchor} refers to a node that contains it", line=line
                )
            size = sizes.get(event.anchor or "", 1)  # undefined: the composer names that error
            expanded += size
            if aliases > MAX_ALIASES or expanded > MAX_EXPANDED:
                raise InputError(
                    path,
                    f"too many aliases: more than {MAX_ALIASES} aliases or "
                    f"{MAX_EXPANDED:,} nodes repeated through them",
                    line=line,
                )
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, size = open_anchors.pop(), open_sizes.pop()
            if anchor:
                sizes[anchor] = size
        else:
            continue
        if open_sizes:
            open_sizes[-1] += size
