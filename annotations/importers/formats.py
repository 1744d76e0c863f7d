"""From one record of a file to an ``IncomingDoc``: annotty, Label Studio and doccano shapes.

Each reader converts offsets to code points (Label Studio and doccano count UTF-16 units, see
``annotations.export.utf16``) and collects problems instead of raising, so one odd record never
stops an import. Claim fields missing from a foreign file are left empty for the merger to fill.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotations.corpus import title_for, valid_unicode
from annotations.export import doccano as doccano_fmt
from annotations.export.annotty_json import CLAIM_LABELS, FORMAT_VERSION, REVIEW_FIELDS
from annotations.export.utf16 import Utf16Index
from annotations.importers.merge import IncomingClaim, IncomingDoc
from annotations.model import content_id

_ANNOTTY_ID = re.compile("[0-9a-f]{32}")


class RecordError(ValueError):
    """This record cannot be imported at all; the message says why."""


def _text_of(record: dict[str, Any]) -> str:
    text = record.get("text")
    if not isinstance(text, str) or not text:
        raise RecordError("missing a non-empty string 'text'")
    if not valid_unicode(text):
        raise RecordError("'text' has an unpaired surrogate escape (not Unicode text)")
    return text


def _title(record: dict[str, Any], text: str, source: str, number: int) -> str:
    return str(record.get("title") or "") or title_for(text, f"{Path(source).stem}#{number}")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _meta(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def from_units(index: Utf16Index, text: str, start: Any, end: Any,
               quote: str | None) -> tuple[int | None, int | None]:
    """UTF-16 offsets to code points. If they split a pair or miss the quote while the same
    numbers read as code points hold it, the file counted code points: take them as such."""
    s, e = _int(start), _int(end)
    if s is None or e is None:
        return None, None
    cs, ce = index.from_utf16(s), index.from_utf16(e)
    if quote is not None and (cs is None or ce is None or text[cs:ce] != quote) \
            and text[s:e] == quote:
        return s, e
    return cs, ce


# -- annotty ----------------------------------------------------------------------------------
def annotty_doc(record: dict[str, Any], number: int, source: str) -> IncomingDoc:
    version = record.get("version", FORMAT_VERSION)
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise RecordError(f"made by a newer annotty (format version {version}); upgrade annotty")
    text = _text_of(record)
    doc = IncomingDoc(number=number, text=text, doc_id=_str_or_none(record.get("id")),
                      title=_title(record, text, source, number),
                      source=_given(record, "source", source), meta=_meta(record.get("meta")))
    entities = record.get("entities")
    doc.entities = len(entities) if isinstance(entities, list) else 0
    claims = record.get("claims") or []
    if not isinstance(claims, list):
        raise RecordError("'claims' must be a list")
    for n, item in enumerate(claims, start=1):
        if not isinstance(item, dict):
            doc.claims.append(IncomingClaim(f"claim {n}", None, None))
            continue
        fields = {k: item.get(k) for k in ("id", *CLAIM_LABELS, *REVIEW_FIELDS)}
        quote = item.get("quote")
        doc.claims.append(IncomingClaim(
            f"claim {n} ({item.get('id') or 'no id'})", _int(item.get("start")),
            _int(item.get("end")), quote if isinstance(quote, str) else None,
            str(item.get("prefix") or ""), str(item.get("suffix") or ""), fields))
    return doc


def _given(record: dict[str, Any], key: str, default: str) -> str:
    """The record's value when it has the key (even empty: an export keeps it), else default."""
    value = record.get(key)
    return default if value is None else str(value)


def _str_or_none(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


# -- Label Studio -------------------------------------------------------------------------------
def label_studio_doc(record: dict[str, Any], number: int, source: str) -> IncomingDoc:
    data = record.get("data") if isinstance(record.get("data"), dict) else record
    text = _text_of(data)
    index = Utf16Index(text)
    task_id = record.get("id", number)
    doc = IncomingDoc(number=number, text=text, doc_id=_str_or_none(data.get("doc_id")),
                      title=_title(data, text, source, number),
                      source=_given(data, "source", f"{source}#task-{task_id}"),
                      meta=_meta(record.get("meta")))
    for prediction in record.get("predictions") or []:
        if isinstance(prediction, dict):
            doc.entities += len(prediction.get("result") or [])
    annotations = (record.get("annotations") or []) + (record.get("completions") or [])
    for a_number, annotation in enumerate(annotations, start=1):
        if not isinstance(annotation, dict) or annotation.get("was_cancelled"):
            continue
        _ls_annotation(doc, index, annotation, f"annotation {a_number}")
    return doc


def _annotator_of(annotation: dict[str, Any]) -> str:
    extra = annotation.get("annotty")
    if isinstance(extra, dict) and extra.get("annotator"):
        return str(extra["annotator"])
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        return str(who.get("email") or who.get("username") or who.get("id") or "")
    return f"label-studio:{who}" if who not in (None, "") else ""


def _claim_id(text: str, region_id: str) -> str:
    """annotty's own claim ids come back as region ids; Label Studio's own region ids are unique
    only within a task, so they are made unique (and stable) with the document's text."""
    if _ANNOTTY_ID.fullmatch(region_id):
        return region_id
    key = f"label-studio:{content_id(text)}:{region_id}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(key).hexdigest()[:32]


def _ls_annotation(doc: IncomingDoc, index: Utf16Index, annotation: dict[str, Any],
                   where: str) -> None:
    regions: dict[str, dict[str, Any]] = {}
    extras: dict[str, list[dict[str, Any]]] = {}
    for item in annotation.get("result") or []:
        if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
            continue
        if item.get("type") == "labels":
            regions.setdefault(str(item.get("id")), item)
        else:
            extras.setdefault(str(item.get("id")), []).append(item)
    annotator = _annotator_of(annotation)
    for region_id, item in regions.items():
        value = item["value"]
        labels = value.get("labels") or []
        if item.get("from_name") != "claim" and "Claim" not in labels:
            doc.entities += 1  # an entity (or another tool's label): not a claim
            continue
        quote = value.get("text") if isinstance(value.get("text"), str) else None
        start, end = from_units(index, doc.text, value.get("start"), value.get("end"), quote)
        fields: dict[str, Any] = {"id": _claim_id(doc.text, region_id), "annotator": annotator,
                                  "created_at": annotation.get("created_at"),
                                  "updated_at": annotation.get("updated_at")}
        other = [label for label in labels if label != "Claim"]
        if other:
            fields["claim_type"] = other[0]
        for extra in extras.get(region_id, []):
            name, v = extra.get("from_name"), extra["value"]
            if name == "type":
                name = "claim_type"
            if extra.get("type") == "choices" and name in CLAIM_LABELS:
                fields[name] = (v.get("choices") or [""])[0]
            elif extra.get("type") == "textarea" and name in CLAIM_LABELS:
                fields[name] = v.get("text") or ""
        kept = item.get("annotty")
        if isinstance(kept, dict):
            fields.update({k: kept[k] for k in REVIEW_FIELDS if k in kept})
        doc.claims.append(IncomingClaim(f"{where}, region {region_id}", start, end, quote,
                                        fields=fields))


# -- doccano ----------------------------------------------------------------------------------
def doccano_doc(record: dict[str, Any], number: int, source: str) -> IncomingDoc:
    text = _text_of(record)
    index = Utf16Index(text)
    kept = record.get("annotty")
    if not isinstance(kept, dict):
        kept = _meta(_meta(record.get("meta")).get("annotty"))
    doc = IncomingDoc(number=number, text=text, doc_id=_str_or_none(kept.get("doc_id")),
                      title=_title(kept, text, source, number),
                      source=_given(kept, "source", f"{source}#{record.get('id', number)}"),
                      meta=_meta(kept.get("meta")))
    spans: list[tuple[Any, Any, str, Any]] = []  # (start, end, label, relation id)
    for item in record.get("label") or []:
        if isinstance(item, list | tuple) and len(item) == 3:
            spans.append((item[0], item[1], str(item[2]), None))
        else:
            doc.problems.append(f"label {item!r} is not a [start, end, label] span; ignored")
    for item in record.get("entities") or []:
        if isinstance(item, dict):
            spans.append((item.get("start_offset"), item.get("end_offset"),
                           str(item.get("label")), item.get("id")))
    speakers = _speakers(record, spans, index, text)
    by_span: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for entry in kept.get("claims") or []:
        if isinstance(entry, dict):
            by_span.setdefault((entry.get("start"), entry.get("end")), []).append(entry)
    done: set[tuple[Any, Any, str]] = set()
    for n, (s, e, label, rel_id) in enumerate(spans, start=1):
        parsed = doccano_fmt.parse_claim_label(label)
        if parsed is None:
            doc.entities += 1
            continue
        if (s, e, label) in done:
            continue
        done.add((s, e, label))
        start, end = from_units(index, text, s, e, None)
        claim_type, stance = parsed
        entries = by_span.get((s, e)) or [{}]
        matching = [x for x in entries if (x.get("claim_type"), x.get("stance")) == parsed]
        for entry in matching or entries[:1]:
            fields = {k: entry.get(k) for k in ("id", *CLAIM_LABELS, *REVIEW_FIELDS)}
            fields.update(claim_type=claim_type, stance=stance)
            if not fields.get("speaker") and rel_id in speakers:
                fields["speaker"] = speakers[rel_id]
            doc.claims.append(IncomingClaim(f"span {n} {label!r}", start, end, fields=fields))
    return doc


def _speakers(record: dict[str, Any], spans: list[tuple[Any, Any, str, Any]],
              index: Utf16Index, text: str) -> dict[Any, str]:
    """Relation id of a claim span -> the text of its speaker mention."""
    by_id = {rel: (s, e) for s, e, _, rel in spans if rel is not None}
    out: dict[Any, str] = {}
    for relation in record.get("relations") or []:
        if not isinstance(relation, dict) or relation.get("type") != doccano_fmt.SPEAKER:
            continue
        target = by_id.get(relation.get("to_id"))
        if target is None:
            continue
        start, end = from_units(index, text, target[0], target[1], None)
        if start is not None and end is not None:
            out[relation.get("from_id")] = text[start:end]
    return out


READERS: dict[str, Callable[[dict[str, Any], int, str], IncomingDoc]] = {
    "annotty": annotty_doc, "label-studio": label_studio_doc, "doccano": doccano_doc,
}


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
