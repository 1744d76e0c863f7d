"""doccano JSONL for sequence labeling, plain and with relations, offsets in UTF-16 units.

doccano's annotation screen is a browser app and counts offsets in UTF-16 code units (unlike
Label Studio, whose editor converts them to code points); they are converted here, and back in
``doccano_read``. A claim is one span
labelled ``claim:<type>:<stance>`` (doccano has no attributes, and a single label keeps type and
stance editable there); entities keep their OntoNotes label. The relation variant adds a
``speaker`` relation from a claim to its speaker's mention. Everything doccano cannot hold (claim
ids, speaker text, review fields, every annotator's document status and stance in ``doc_state``)
rides along in the ``annotty`` key, which doccano keeps as metadata, keyed by the span it belongs
to. doccano has no place for machine predictions in its JSONL (a span in ``label`` would become
an annotation), so decided claim candidates (``--include-suggestions``) go there too, as
``annotty.suggestions`` with UTF-16 offsets like every other span of the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from annotations.export.annotty_json import CLAIM_LABELS, REVIEW_FIELDS
from annotations.export.bundles import ClaimRow, DocBundle, write_lines
from annotations.export.suggestion_records import decision_fields
from annotations.export.utf16 import Utf16Index

CLAIM_PREFIX = "claim:"
SPEAKER = "speaker"


def claim_label(claim: ClaimRow) -> str:
    return f"{CLAIM_PREFIX}{claim.claim_type}:{claim.stance}"


def parse_claim_label(label: str) -> tuple[str, str] | None:
    """``claim:<type>:<stance>`` -> (type, stance); None for a label that is not a claim."""
    if not label.startswith(CLAIM_PREFIX):
        return None
    claim_type, _, stance = label[len(CLAIM_PREFIX) :].partition(":")
    return claim_type, stance or "none"


def extras(bundle: DocBundle, index: Utf16Index) -> dict[str, Any]:
    """What doccano cannot hold natively; each claim entry names its span in doccano's units."""
    doc = bundle.doc
    claims = []
    for claim in bundle.claims:
        entry = {
            "start": index.to_utf16(claim.start),
            "end": index.to_utf16(claim.end),
            "id": claim.id,
        }
        entry.update({name: getattr(claim, name) for name in CLAIM_LABELS + REVIEW_FIELDS})
        claims.append(entry)
    out: dict[str, Any] = {
        "doc_id": doc.id,
        "title": doc.title,
        "source": doc.source,
        "meta": doc.meta,
        "claims": claims,
        "doc_state": [state.record() for state in bundle.states],
    }
    if bundle.suggestions is not None:
        out["suggestions"] = [
            {
                "start": index.to_utf16(d.start),
                "end": index.to_utf16(d.end),
                "id": d.id,
                **decision_fields(d),
            }
            for d in bundle.suggestions
        ]
    return out


def label_record(bundle: DocBundle) -> dict[str, Any]:
    index = Utf16Index(bundle.doc.text)
    spans = [
        [index.to_utf16(c.start), index.to_utf16(c.end), claim_label(c)] for c in bundle.claims
    ]
    spans += [[index.to_utf16(e.start), index.to_utf16(e.end), e.label] for e in bundle.entities]
    return {"text": bundle.doc.text, "label": spans, "annotty": extras(bundle, index)}


def relation_record(bundle: DocBundle) -> dict[str, Any]:
    index = Utf16Index(bundle.doc.text)
    entities: list[dict[str, Any]] = []
    ids: dict[tuple[int, int, str], int] = {}

    def add(start: int, end: int, label: str) -> int:
        key = (start, end, label)
        if key not in ids:
            ids[key] = len(entities) + 1
            entities.append(
                {
                    "id": ids[key],
                    "label": label,
                    "start_offset": index.to_utf16(start),
                    "end_offset": index.to_utf16(end),
                }
            )
        return ids[key]

    relations: list[dict[str, Any]] = []
    for claim in bundle.claims:
        claim_id = add(claim.start, claim.end, claim_label(claim))
        mention = bundle.speaker_mention(claim)
        if mention is not None:
            relations.append(
                {
                    "id": len(relations) + 1,
                    "from_id": claim_id,
                    "to_id": add(mention.start, mention.end, mention.label),
                    "type": SPEAKER,
                }
            )
    for entity in bundle.entities:
        add(entity.start, entity.end, entity.label)
    return {
        "text": bundle.doc.text,
        "entities": entities,
        "relations": relations,
        "annotty": extras(bundle, index),
    }


def write_doccano(items: Iterable[DocBundle], out: TextIO) -> int:
    """``{"text", "label": [[start, end, LABEL], ...]}`` per line."""
    return write_lines(items, out, label_record)


def write_doccano_relations(items: Iterable[DocBundle], out: TextIO) -> int:
    """``{"text", "entities": [...], "relations": [...]}`` per line (doccano's relation export)."""
    return write_lines(items, out, relation_record)
