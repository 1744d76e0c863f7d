"""From one record of a file to an ``IncomingDoc``: annotty and doccano shapes, and detection.

Each reader converts offsets to code points and collects problems instead of raising, so one odd
record never stops an import: a value of the wrong type is reported (with the record) and left
out, never turned into text by ``str()``. Claim fields missing from a foreign file are left empty
for the merger to fill. Label Studio has its own module, ``label_studio``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from annotations.corpus import title_for
from annotations.export import doccano as doccano_fmt
from annotations.export.annotty_json import CLAIM_LABELS, FORMAT_VERSION, REVIEW_FIELDS
from annotations.export.utf16 import Utf16Index
from annotations.importers.merge import IncomingClaim, IncomingDoc
from annotations.model import DOC_STATUSES

Reader = Callable[[dict[str, Any], int, str], IncomingDoc]


class RecordError(ValueError):
    """This record cannot be imported at all; the message says why."""


def version_problem(version: Any) -> str | None:
    """Why an annotty format ``version`` cannot be read by this annotty, or None."""
    if isinstance(version, bool) or not isinstance(version, int):
        return f"unknown format version {str(version)[:40]!r} (this annotty reads version " \
               f"{FORMAT_VERSION})"
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


def title_of(record: dict[str, Any], text: str, source: str, number: int,
             doc: IncomingDoc | None = None) -> str:
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        if doc is not None:
            doc.problems.append(f"'title' must be a string, not {type(title).__name__}; "
                                "the first line is the title")
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
        row = {k: item.get(k) for k in ("annotator", "status", "stance", "updated_at")}
        row["stance"] = "" if row["stance"] is None else row["stance"]
        wrong = [k for k, v in row.items() if not isinstance(v, str)]
        if wrong or not row["annotator"]:
            doc.problems.append(f"doc_state {n}: {', '.join(wrong) or 'annotator'} must be a "
                                "non-empty string; ignored")
            continue
        if row["status"] not in DOC_STATUSES:
            doc.problems.append(f"doc_state {n}: unknown status {row['status'][:40]!r} (use "
                                f"{', '.join(DOC_STATUSES)}); ignored")
            continue
        try:
            datetime.fromisoformat(row["updated_at"])
        except ValueError:
            doc.problems.append(f"doc_state {n}: updated_at {row['updated_at'][:40]!r} is not an "
                                "ISO 8601 time; ignored")
            continue
        states.append(row)
    return states


def claim_fields(item: dict[str, Any], names: tuple[str, ...], where: str,
                 doc: IncomingDoc) -> dict[str, Any]:
    """The named fields of a claim object; values that are not text are reported, left out."""
    fields: dict[str, Any] = {}
    for name in names:
        value = item.get(name)
        if value is None or isinstance(value, str):
            fields[name] = value
        elif name == "id" and str_or_none(value) is not None:
            fields[name] = str(value)
        else:
            doc.problems.append(f"{where}: {name!r} must be a string, not "
                                f"{type(value).__name__}; left empty")
    return fields


# -- annotty ----------------------------------------------------------------------------------
def annotty_doc(record: dict[str, Any], number: int, source: str) -> IncomingDoc:
    if "version" in record:
        problem = version_problem(record["version"])
        if problem:
            raise RecordError(problem)
    text = text_of(record)
    doc = IncomingDoc(number=number, text=text, doc_id=str_or_none(record.get("id")),
                      source=given(record, "source", source))
    doc.title = title_of(record, text, source, number, doc)
    doc.meta = as_meta(record.get("meta"), doc)
    doc.entities = len(as_list(record.get("entities"), "entities", doc))
    doc.states = doc_states(record.get("doc_state"), doc)
    for n, item in enumerate(as_list(record.get("claims"), "claims", doc), start=1):
        if not isinstance(item, dict):
            doc.claims.append(IncomingClaim(f"claim {n}", None, None))
            continue
        where = f"claim {n} ({str_or_none(item.get('id')) or 'no id'})"
        fields = claim_fields(item, ("id", *CLAIM_LABELS, *REVIEW_FIELDS), where, doc)
        quote = item.get("quote")
        doc.claims.append(IncomingClaim(
            where, as_int(item.get("start")), as_int(item.get("end")),
            quote if isinstance(quote, str) else None, given(item, "prefix", ""),
            given(item, "suffix", ""), fields))
    return doc


# -- doccano ----------------------------------------------------------------------------------
def doccano_doc(record: dict[str, Any], number: int, source: str) -> IncomingDoc:
    text = text_of(record)
    index = Utf16Index(text)
    doc = IncomingDoc(number=number, text=text)
    kept = record.get("annotty")
    if kept is None and isinstance(record.get("meta"), dict):
        kept = record["meta"].get("annotty")
    if kept is None:
        kept = {}
    elif not isinstance(kept, dict):
        doc.problems.append(f"'annotty' must be an object, not {type(kept).__name__}; ignored")
        kept = {}
    doc.doc_id = str_or_none(kept.get("doc_id"))
    doc.title = title_of(kept, text, source, number, doc)
    record_id = str_or_none(record.get("id"))
    doc.source = given(kept, "source", f"{source}#{record_id or number}")
    doc.meta = as_meta(kept.get("meta"), doc)
    doc.states = doc_states(kept.get("doc_state"), doc)
    spans: list[tuple[Any, Any, str, Any]] = []  # (start, end, label, relation id)
    for item in as_list(record.get("label"), "label", doc):
        if isinstance(item, list) and len(item) == 3 and isinstance(item[2], str):
            spans.append((as_int(item[0]), as_int(item[1]), item[2], None))
        else:
            doc.problems.append(f"label {str(item)[:60]!r} is not a [start, end, label] span; "
                                "ignored")
    for n, item in enumerate(as_list(record.get("entities"), "entities", doc), start=1):
        if isinstance(item, dict) and isinstance(item.get("label"), str):
            spans.append((as_int(item.get("start_offset")), as_int(item.get("end_offset")),
                           item["label"], str_or_none(item.get("id"))))
        else:
            doc.problems.append(f"entity {n} is not an object with a string 'label'; ignored")
    speakers = _speakers(record, spans, index, text, doc)
    by_span: dict[tuple[int | None, int | None], list[dict[str, Any]]] = {}
    for entry in as_list(kept.get("claims"), "annotty.claims", doc):
        if isinstance(entry, dict):
            by_span.setdefault((as_int(entry.get("start")), as_int(entry.get("end"))),
                               []).append(entry)
    done: set[tuple[Any, Any, str]] = set()
    for n, (s, e, label, rel_id) in enumerate(spans, start=1):
        parsed = doccano_fmt.parse_claim_label(label)
        if parsed is None:
            doc.entities += 1
            continue
        if (s, e, label) in done:
            continue
        done.add((s, e, label))
        start, end = _from_units(index, s, e)
        entries = by_span.get((s, e)) or [{}]
        matching = [x for x in entries if (x.get("claim_type"), x.get("stance")) == parsed]
        where = f"span {n} {label[:60]!r}"
        for entry in matching or entries[:1]:
            fields = claim_fields(entry, ("id", *CLAIM_LABELS, *REVIEW_FIELDS), where, doc)
            fields.update(claim_type=parsed[0], stance=parsed[1])
            if not fields.get("speaker") and rel_id in speakers:
                fields["speaker"] = speakers[rel_id]
            doc.claims.append(IncomingClaim(where, start, end, fields=fields))
    return doc


def _from_units(index: Utf16Index, start: int | None, end: int | None
                ) -> tuple[int | None, int | None]:
    """doccano's UTF-16 offsets (its default, non-grapheme mode) as code points."""
    if start is None or end is None:
        return None, None
    return index.from_utf16(start), index.from_utf16(end)


def _speakers(record: dict[str, Any], spans: list[tuple[Any, Any, str, Any]],
              index: Utf16Index, text: str, doc: IncomingDoc) -> dict[Any, str]:
    """Relation id of a claim span -> the text of its speaker mention."""
    by_id = {rel: (s, e) for s, e, _, rel in spans if rel is not None}
    out: dict[Any, str] = {}
    for relation in as_list(record.get("relations"), "relations", doc):
        if not isinstance(relation, dict) or relation.get("type") != doccano_fmt.SPEAKER:
            continue
        target = by_id.get(str_or_none(relation.get("to_id")))
        if target is None:
            continue
        start, end = _from_units(index, target[0], target[1])
        if start is not None and end is not None:
            out[str_or_none(relation.get("from_id"))] = text[start:end]
    return out


def shape_of(record: Any, header: dict[str, Any]) -> str | None:
    """Which reader fits a record: annotty, label-studio, doccano, text (documents only)."""
    if header.get("format") == "annotty":
        return "annotty"
    if not isinstance(record, dict):
        return None
    if record.get("format") == "annotty" or ("text" in record and "claims" in record):
        return "annotty"
    if isinstance(record.get("data"), dict) or any(
            k in record for k in ("annotations", "predictions", "completions")):
        return "label-studio"
    if "text" in record and any(k in record for k in ("label", "entities", "relations")):
        return "doccano"
    if isinstance(record.get("text"), str):
        return "text"
    return None

