"""annotty's own JSON and JSONL shape: documents with their text, entities and claims.

The shape is versioned (``format``/``version``) and described by ``annotty.schema.json`` beside
this module. Every span carries ``start``/``end`` (code points, half-open), its ``quote`` and a
little context (``prefix``/``suffix``) so a reader can re-anchor it even in an edited copy of the
text. ``doc_state`` lists every annotator's status and stance for the whole document;
``suggestions`` (only with ``--include-suggestions``) the decided claim candidates. JSON puts
one document per line inside the array, so it streams both ways: written one
document at a time, and read back the same way by ``annotations.imports.annotation_files``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from typing import Any, TextIO

from annotations.export.bundles import CONTEXT, ClaimRow, DocBundle, span, to_json, write_lines
from annotations.export.suggestion_records import decision_record
from annotations.model import Entity

FORMAT_NAME = "annotty"
FORMAT_VERSION = 1
SCHEMA_FILE = "annotty.schema.json"
CLAIM_LABELS = ("claim_type", "stance", "target", "speaker", "attribution", "checkworthy", "note")
REVIEW_FIELDS = (
    "annotator",
    "review_status",
    "reviewer",
    "review_note",
    "reviewed_at",
    "created_at",
    "updated_at",
)


def schema() -> dict[str, Any]:
    """The JSON Schema of this format, as shipped in the package."""
    ref = resources.files("annotations.export").joinpath(SCHEMA_FILE)
    return json.loads(ref.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def claim_record(text: str, claim: ClaimRow) -> dict[str, Any]:
    # one literal rather than merged dicts: this runs once per claim of the corpus
    start, end = claim.start, claim.end
    return {
        "id": claim.id,
        "start": start,
        "end": end,
        "quote": claim.quote,
        "prefix": text[max(0, start - CONTEXT) : start],
        "suffix": text[end : end + CONTEXT],
        "claim_type": claim.claim_type,
        "stance": claim.stance,
        "target": claim.target,
        "speaker": claim.speaker,
        "attribution": claim.attribution,
        "checkworthy": claim.checkworthy,
        "note": claim.note,
        "annotator": claim.annotator,
        "review_status": claim.review_status,
        "reviewer": claim.reviewer,
        "review_note": claim.review_note,
        "reviewed_at": claim.reviewed_at,
        "created_at": claim.created_at,
        "updated_at": claim.updated_at,
    }


def entity_record(text: str, entity: Entity) -> dict[str, Any]:
    return {**span(text, entity.start, entity.end), "label": entity.label, "source": entity.source}


def document_record(bundle: DocBundle) -> dict[str, Any]:
    doc = bundle.doc
    record = {
        "id": doc.id,
        "title": doc.title,
        "source": doc.source,
        "text": doc.text,
        "meta": doc.meta,
        "entities": [entity_record(doc.text, e) for e in bundle.entities],
        "claims": [claim_record(doc.text, c) for c in bundle.claims],
        "doc_state": [state.record() for state in bundle.states],
    }
    if bundle.suggestions is not None:  # asked for: a list, empty when nothing was decided
        record["suggestions"] = [decision_record(doc.text, d) for d in bundle.suggestions]
    return record


def write_json(items: Iterable[DocBundle], out: TextIO) -> int:
    """One JSON object ``{"format", "version", "documents": [...]}``, a document per line."""
    out.write(f'{{"format": "{FORMAT_NAME}", "version": {FORMAT_VERSION}, "documents": [')
    count = 0
    for bundle in items:
        out.write(",\n" if count else "\n")
        out.write(to_json(document_record(bundle)))
        count += 1
    out.write("\n]}\n")
    return count


def write_jsonl(items: Iterable[DocBundle], out: TextIO) -> int:
    """One document per line, each with ``format`` and ``version`` so a line stands alone."""
    return write_lines(
        items,
        out,
        lambda bundle: {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            **document_record(bundle),
        },
    )
