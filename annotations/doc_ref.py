"""Naming a document on the command line: by id, unique id prefix, file name or title.

Ids are 16 hex digits nobody types twice, so every command that takes a document (``export
--doc``, ``entities DOC``, ``review --filter doc=...``) accepts, in this order of preference:

1. the id itself;
2. a prefix of the id that only one document has;
3. the file it was imported from: the source path as stored (``seeds/a.txt``, also written
   ``./seeds/a.txt``) or its file name alone (``a.txt``);
4. its exact title.

The first kind that matches decides; if it matches several documents, that is an error listing
them (names from the data are shown through ``terminal_safe.clean``), never a silent pick.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from annotations.errors import AnnottyError
from annotations.store import DocumentName, Store
from annotations.terminal_safe import clean

SHOWN = 5
"""Candidates listed in an ambiguity error."""


class DocRefError(AnnottyError):
    """No document, or more than one, answers to the name given."""


class NoSuchDocument(DocRefError):
    """Nothing answers to the name."""


class AmbiguousDocument(DocRefError):
    """Several documents answer to the name; the message lists them."""


def _norm(path: str) -> str:
    return os.path.normpath(path.replace("\\", "/")) if path else ""


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _names(source: str) -> tuple[str, str]:
    """A source's file name, with and without the ``#record`` that JSONL imports add."""
    base = _basename(source)
    return base, base.split("#", 1)[0]


def resolve_document(store: Store, ref: str) -> str:
    """The id of the one document ``ref`` names; ``DocRefError`` (one line) otherwise."""
    ref = ref.strip()
    if not ref:
        raise NoSuchDocument("no document named: give an id, an id prefix, a file name or a title")
    if store.has_document(ref):
        return ref
    by_prefix = store.documents_by_id_prefix(ref, SHOWN + 1)
    if by_prefix:
        return _one(ref, by_prefix, "id prefix", "give more of the id")
    rows = store.documents_named(ref, _basename(ref))
    wanted = _norm(ref)
    for kind, test in (
        (
            "file",
            lambda r: wanted in {_norm(r.source), _norm(r.source.split("#", 1)[0])},
        ),
        ("file name", lambda r: "/" not in ref and ref in _names(r.source)),
        ("title", lambda r: r.title == ref),
    ):
        found = [r for r in rows if test(r)]
        if found:
            return _one(ref, found, kind, "give the id or more of it")
    raise NoSuchDocument(
        f"no document '{clean(ref)}': give an id, a unique id prefix, the file it "
        "was imported from or its title (the library shows ids)"
    )


def resolve_all(store: Store, refs: Iterable[str]) -> tuple[str, ...]:
    """Every reference resolved, in order, without duplicates."""
    return tuple(dict.fromkeys(resolve_document(store, ref) for ref in refs))


def _one(ref: str, rows: list[DocumentName], kind: str, hint: str) -> str:
    if len(rows) == 1:
        return rows[0].id
    shown = "; ".join(f"{r.id} '{clean(r.title or r.source)}'" for r in rows[:SHOWN])
    more = "" if len(rows) <= SHOWN else "; ..."
    count = f"{len(rows)}" if len(rows) <= SHOWN else f"more than {SHOWN}"
    raise AmbiguousDocument(
        f"'{clean(ref)}' is the {kind} of {count} documents ({shown}{more}); {hint}"
    )
