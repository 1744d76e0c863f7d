"""Reading doccano JSONL back: UTF-16 offsets to code points, ``claim:<type>:<stance>`` labels
to claims, and the ``annotty`` extras (claim ids, speakers, review fields) where they survived."""

from __future__ import annotations

from typing import Any

from annotations.export import doccano as doccano_fmt
from annotations.export.annotty_json import CLAIM_LABELS, REVIEW_FIELDS
from annotations.export.incoming import (
    IncomingClaim,
    IncomingDoc,
    as_int,
    as_list,
    as_meta,
    claim_fields,
    doc_states,
    given,
    str_or_none,
    text_of,
    title_of,
)
from annotations.export.utf16 import Utf16Index


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
            doc.problems.append(
                f"label {str(item)[:60]!r} is not a [start, end, label] span; ignored"
            )
    for n, item in enumerate(as_list(record.get("entities"), "entities", doc), start=1):
        if isinstance(item, dict) and isinstance(item.get("label"), str):
            spans.append(
                (
                    as_int(item.get("start_offset")),
                    as_int(item.get("end_offset")),
                    item["label"],
                    str_or_none(item.get("id")),
                )
            )
        else:
            doc.problems.append(f"entity {n} is not an object with a string 'label'; ignored")
    speakers = _speakers(record, spans, index, text, doc)
    by_span: dict[tuple[int | None, int | None], list[dict[str, Any]]] = {}
    for entry in as_list(kept.get("claims"), "annotty.claims", doc):
        if isinstance(entry, dict):
            by_span.setdefault((as_int(entry.get("start")), as_int(entry.get("end"))), []).append(
                entry
            )
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


def _from_units(
    index: Utf16Index, start: int | None, end: int | None
) -> tuple[int | None, int | None]:
    """doccano's UTF-16 offsets (its default, non-grapheme mode) as code points."""
    if start is None or end is None:
        return None, None
    return index.from_utf16(start), index.from_utf16(end)


def _speakers(
    record: dict[str, Any],
    spans: list[tuple[Any, Any, str, Any]],
    index: Utf16Index,
    text: str,
    doc: IncomingDoc,
) -> dict[Any, str]:
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
