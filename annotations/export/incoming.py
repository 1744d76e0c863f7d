"""A document as read from an export file, and the checks every format's reader shares.

Each reader (``annotty_json_read``, ``doccano_read``, ``label_studio_read``, beside the writer of
the same format) turns one record into an ``IncomingDoc`` with code-point offsets, collecting
problems instead of raising, so one odd record never stops an import: a value of the wrong type
is reported (with the record) and left out, never turned into text by ``str()``. Claim fields
missing from a foreign file are left empty for ``annotations.imports.placement`` to fill.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from annotations.export.annotty_json import FORMAT_VERSION
from annotations.model import DOC_STATUSES, title_for


@dataclass
class IncomingClaim:
    """A claim read from a file: code-point offsets (None if unknown), quote and context."""

    where: str
    start: int | None
    end: int | None
    quote: str | None = None
    prefix: str = ""
    suffix: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    derived_id: bool = False
    """The id was made up here (a region id two annotations share): also match by span."""


@dataclass
class IncomingDoc:
    number: int
    text: str
    doc_id: str | None = None
    title: str = ""
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    claims: list[IncomingClaim] = field(default_factory=list)
    entities: int = 0
    """Entity spans in the record: counted, not stored (entities come from recognizers)."""
    problems: list[str] = field(default_factory=list)
    """What the format reader could not use, reported against this record."""
    states: list[dict[str, str]] = field(default_factory=list)
    """Each annotator's document status and stance (``doc_state``), validated."""


Reader = Callable[[dict[str, Any], int, str], IncomingDoc]


class RecordError(ValueError):
    """This record cannot be imported at all; the message says why."""


def version_problem(version: Any) -> str | None:
    """Why an annotty format ``version`` cannot be read by this annotty, or None."""
    if isinstance(version, bool) or not isinstance(version, int):
        return (
            f"unknown format version {str(version)[:40]!r} (this annotty reads version "
            f"{FORMAT_VERSION})"
        )
    if version > FORMAT_VERSION:
        return f"made by a newer annotty (format version {version}); upgrade annotty"
    if version < 1:
        return f"unknown format version {version} (this annotty reads version {FORMAT_VERSION})"
    return None


def text_of(record: dict[str, Any]) -> str:
    text = record.get("text")
    if not isinstance(text, str) or not text:
        raise RecordError("missing a non-empty string 'text'")
    if "\x00" in text:
        raise RecordError("'text' contains NUL characters (binary data?)")
    return text


def title_of(
    record: dict[str, Any], text: str, source: str, number: int, doc: IncomingDoc | None = None
) -> str:
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        if doc is not None:
            doc.problems.append(
                f"'title' must be a string, not {type(title).__name__}; the first line is the title"
            )
        title = None
    return title or title_for(text, f"{Path(source).stem}#{number}")


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_list(value: Any, name: str, doc: IncomingDoc) -> list[Any]:
    """``value`` if it is a list; None is an empty list; anything else is reported."""
    if value is None:
        return []
    if not isinstance(value, list):
        doc.problems.append(f"{name!r} must be a list, not {type(value).__name__}; ignored")
        return []
    return value


def as_meta(value: Any, doc: IncomingDoc) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        doc.problems.append(f"'meta' must be an object, not {type(value).__name__}; ignored")
        return {}
    return value


def given(record: dict[str, Any], key: str, default: str) -> str:
    """The record's string value when it has the key (even empty: an export keeps it)."""
    value = record.get(key)
    return value if isinstance(value, str) else default


def str_or_none(value: Any) -> str | None:
    """An id as text: strings and integers only (a list or an object is no id)."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    return str(value) if isinstance(value, str | int) else None


def doc_states(value: Any, doc: IncomingDoc) -> list[dict[str, str]]:
    """The ``doc_state`` list of an export, validated: each annotator's status and stance."""
    states: list[dict[str, str]] = []
    for n, item in enumerate(as_list(value, "doc_state", doc), start=1):
        if not isinstance(item, dict):
            doc.problems.append(f"doc_state {n}: not an object; ignored")
            continue
        given_row = {k: item.get(k) for k in ("annotator", "status", "stance", "updated_at")}
        given_row["stance"] = "" if given_row["stance"] is None else given_row["stance"]
        wrong = [k for k, v in given_row.items() if not isinstance(v, str)]
        row = {k: v for k, v in given_row.items() if isinstance(v, str)}
        if wrong or not row["annotator"]:
            doc.problems.append(
                f"doc_state {n}: {', '.join(wrong) or 'annotator'} must be a "
                "non-empty string; ignored"
            )
            continue
        if row["status"] not in DOC_STATUSES:
            doc.problems.append(
                f"doc_state {n}: unknown status {row['status'][:40]!r} (use "
                f"{', '.join(DOC_STATUSES)}); ignored"
            )
            continue
        try:
            datetime.fromisoformat(row["updated_at"])
        except ValueError:
            doc.problems.append(
                f"doc_state {n}: updated_at {row['updated_at'][:40]!r} is not an "
                "ISO 8601 time; ignored"
            )
            continue
        states.append(row)
    return states


def claim_fields(
    item: dict[str, Any], names: tuple[str, ...], where: str, doc: IncomingDoc
) -> dict[str, Any]:
    """The named fields of a claim object; values that are not text are reported, left out."""
    fields: dict[str, Any] = {}
    for name in names:
        value = item.get(name)
        if value is None or isinstance(value, str):
            fields[name] = value
        elif name == "id" and str_or_none(value) is not None:
            fields[name] = str(value)
        else:
            doc.problems.append(
                f"{where}: {name!r} must be a string, not {type(value).__name__}; left empty"
            )
    return fields


# -- annotty ----------------------------------------------------------------------------------
