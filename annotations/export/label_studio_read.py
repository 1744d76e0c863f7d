r"""Label Studio tasks to ``IncomingDoc``: regions of ``labels`` results become claims.

Offsets are code points, as Label Studio counts them: its editor test "Should calculate offsets
by code points in text" (``web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts`` in
HumanSignal/label-studio) expects start 21, end 25 for "test" in "🐱 Warning: This is a test
text", and the label-studio-sdk converters slice ``text[start:end]`` in Python. A region that
spans lines carries its ``text`` with each line break written as the two characters ``\n``
(the same test file: "Warning:\\n🐱 This is a test" for start 2, end 27), so a quote matches in
that form too. Files written by older annotty versions counted UTF-16 units; such offsets are
recognised because only they hold the region's text.

Region ids are unique only within one annotation. When two annotations of a task (two
annotators, say) use the same region id, each keeps its claim: the later one gets an id derived
from its annotation and annotator. A region id used twice *within* one annotation for the same
span is one region labelled by several controls; for another span it is a second region, kept and
reported.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from annotations.export.annotty_json import CLAIM_LABELS, REVIEW_FIELDS
from annotations.export.incoming import (
    IncomingClaim,
    IncomingDoc,
    RecordError,
    as_int,
    as_list,
    as_meta,
    doc_states,
    given,
    str_or_none,
    text_of,
    title_of,
)
from annotations.export.utf16 import Utf16Index
from annotations.model import content_id

_ANNOTTY_ID = re.compile("[0-9a-f]{32}")
_BREAKS = str.maketrans({"\r": "\\n", "\n": "\\n"})


def holds(text: str, start: int, end: int, quote: str) -> bool:
    """Whether ``text[start:end]`` is ``quote`` as Label Studio writes it (breaks as ``\\n``)."""
    if not 0 <= start < end <= len(text):
        return False
    piece = text[start:end]
    return piece == quote or piece.translate(_BREAKS) == quote


def offsets(
    index: Utf16Index, text: str, start: Any, end: Any, quote: str | None
) -> tuple[int | None, int | None]:
    """Code points as given; UTF-16 units only where those hold the quote and code points do
    not (a file written by annotty before it counted as Label Studio does)."""
    s, e = as_int(start), as_int(end)
    if s is None or e is None:
        return None, None
    if quote is None or holds(text, s, e, quote):
        return s, e
    cs, ce = index.from_utf16(s), index.from_utf16(e)
    if cs is not None and ce is not None and holds(text, cs, ce, quote):
        return cs, ce
    return s, e  # the merger re-anchors by the quote, or reports it


def plain_quote(text: str, quote: str) -> str:
    """The region text as it stands in ``text`` (``\\n`` back to line breaks where needed)."""
    if quote in text:
        return quote
    for candidate in (
        quote.replace("\\n", "\n"),
        quote.replace("\\n\\n", "\r\n").replace("\\n", "\n"),
    ):
        if candidate in text:
            return candidate
    return quote


def label_studio_doc(record: dict[str, Any], number: int, source: str) -> IncomingDoc:
    data = record.get("data", record)
    if not isinstance(data, dict):
        raise RecordError(f"'data' must be an object, not {type(data).__name__}")
    text = text_of(data)
    index = Utf16Index(text)
    task_id = str_or_none(record.get("id")) or str(number)
    doc = IncomingDoc(
        number=number,
        text=text,
        doc_id=str_or_none(data.get("doc_id")),
        source=given(data, "source", f"{source}#task-{task_id}"),
    )
    doc.title = title_of(data, text, source, number, doc)
    doc.meta = as_meta(record.get("meta"), doc)
    doc.states = doc_states(data.get("doc_state"), doc)
    for prediction in as_list(record.get("predictions"), "predictions", doc):
        if isinstance(prediction, dict):  # claim candidates are predictions too, not entities
            results = as_list(prediction.get("result"), "predictions.result", doc)
            doc.entities += sum(
                1
                for r in results
                if not (isinstance(r, dict) and r.get("from_name") in ("claim", "claim_type"))
            )
    annotations = as_list(record.get("annotations"), "annotations", doc) + as_list(
        record.get("completions"), "completions", doc
    )
    claimed: dict[str, int] = {}  # claim id -> the annotation (number) that has it
    for a_number, annotation in enumerate(annotations, start=1):
        if not isinstance(annotation, dict):
            doc.problems.append(f"annotation {a_number} is not an object; ignored")
            continue
        if annotation.get("was_cancelled") is True:
            continue
        _annotation(doc, index, annotation, a_number, claimed)
    return doc


def _annotator_of(annotation: dict[str, Any]) -> str:
    extra = annotation.get("annotty")
    named = extra.get("annotator") if isinstance(extra, dict) else None
    if isinstance(named, str) and named:
        return named
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        for key in ("email", "username", "id"):
            name = str_or_none(who.get(key))
            if name:
                return name
        return ""
    name = str_or_none(who)
    return f"label-studio:{name}" if name else ""


def _claim_id(text: str, region_id: str, *more: str) -> str:
    """annotty's own claim ids come back as region ids; Label Studio's own region ids are unique
    only within an annotation, so they are made unique (and stable) with the document's text
    (and, when two annotations share one, with the annotation and annotator)."""
    if _ANNOTTY_ID.fullmatch(region_id) and not more:
        return region_id
    key = ":".join(("label-studio", content_id(text), region_id, *more))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _annotation(
    doc: IncomingDoc,
    index: Utf16Index,
    annotation: dict[str, Any],
    a_number: int,
    claimed: dict[str, int],
) -> None:
    where = f"annotation {a_number}"
    regions: dict[str, list[dict[str, Any]]] = {}
    extras: dict[str, list[dict[str, Any]]] = {}
    for r_number, item in enumerate(
        as_list(annotation.get("result"), f"{where} result", doc), start=1
    ):
        if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
            doc.problems.append(
                f"{where}: result {r_number} is not a region with a 'value' object; ignored"
            )
            continue
        region_id = str_or_none(item.get("id")) or f"result-{r_number}"
        kind = regions if item.get("type") == "labels" else extras
        kind.setdefault(region_id, []).append(item)
    annotator = _annotator_of(annotation)
    for region_id, items in regions.items():
        spans: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
        for item in items:
            key = (as_int(item["value"].get("start")), as_int(item["value"].get("end")))
            spans.setdefault(key, []).append(item)
        for n, ((start, end), group) in enumerate(spans.items()):
            rid = region_id if n == 0 else f"{region_id}#{n + 1}"
            if n:
                doc.problems.append(
                    f"{where}: region id {region_id[:40]!r} is used again for "
                    f"another span [{start}, {end}); imported as a separate "
                    "region"
                )
            _region(
                doc,
                index,
                annotation,
                group,
                extras.get(region_id, []) if n == 0 else [],
                f"{where}, region {rid[:40]}",
                annotator,
                _unique_id(doc.text, rid, a_number, annotator, claimed),
            )


def _unique_id(
    text: str, region_id: str, a_number: int, annotator: str, claimed: dict[str, int]
) -> tuple[str, bool]:
    """(claim id, derived): a region id another annotation of this task already used gets an
    id of its own, so neither annotator's claim replaces the other's."""
    claim_id = _claim_id(text, region_id)
    if claimed.setdefault(claim_id, a_number) == a_number:
        return claim_id, False
    claim_id = _claim_id(text, region_id, str(a_number), annotator)
    claimed.setdefault(claim_id, a_number)
    return claim_id, True


def _region(
    doc: IncomingDoc,
    index: Utf16Index,
    annotation: dict[str, Any],
    group: list[dict[str, Any]],
    extras: list[dict[str, Any]],
    where: str,
    annotator: str,
    claim_id: tuple[str, bool],
) -> None:
    labels: list[str] = []
    for item in group:
        given_labels = item["value"].get("labels")
        if isinstance(given_labels, list):
            labels += [x for x in given_labels if isinstance(x, str) and x not in labels]
        else:
            doc.problems.append(f"{where}: 'labels' must be a list of strings; ignored")
    if not any(item.get("from_name") == "claim" for item in group) and "Claim" not in labels:
        doc.entities += 1  # an entity (or another tool's label): not a claim
        return
    value = group[0]["value"]
    quote = value.get("text") if isinstance(value.get("text"), str) else None
    start, end = offsets(index, doc.text, value.get("start"), value.get("end"), quote)
    if quote is not None:
        quote = (
            doc.text[start:end]
            if start is not None and end is not None and holds(doc.text, start, end, quote)
            else plain_quote(doc.text, quote)
        )
    fields: dict[str, Any] = {
        "id": claim_id[0],
        "annotator": annotator,
        "created_at": _stamp(annotation.get("created_at")),
        "updated_at": _stamp(annotation.get("updated_at")),
    }
    other = [label for label in labels if label != "Claim"]
    if other:
        fields["claim_type"] = other[0]
    for extra in extras:
        name, v = extra.get("from_name"), extra["value"]
        if name == "type":
            name = "claim_type"
        if name not in CLAIM_LABELS:
            continue
        if extra.get("type") == "choices":
            choices = v.get("choices")
            if isinstance(choices, list) and all(isinstance(c, str) for c in choices):
                fields[name] = choices[0] if choices else ""
            else:
                doc.problems.append(f"{where}: {name} 'choices' must be a list of strings; ignored")
        elif extra.get("type") == "textarea":
            said = v.get("text")
            if isinstance(said, str) or (
                isinstance(said, list) and all(isinstance(t, str) for t in said)
            ):
                fields[name] = said or ""
            else:
                doc.problems.append(f"{where}: {name} 'text' must be text; ignored")
    kept = group[0].get("annotty")
    if isinstance(kept, dict):
        fields.update(
            {
                k: kept[k]
                for k in REVIEW_FIELDS
                if k in kept and (kept[k] is None or isinstance(kept[k], str))
            }
        )
    doc.claims.append(
        IncomingClaim(where, start, end, quote, fields=fields, derived_id=claim_id[1])
    )


def _stamp(value: Any) -> str | None:
    return value if isinstance(value, str) else None
