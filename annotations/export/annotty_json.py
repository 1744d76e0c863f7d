"""annotty's own JSON and JSONL shape: documents with their text, entities and claims.

Every span carries ``start``/``end`` (code points, half-open), its ``quote`` and a little
context (``prefix``/``suffix``) so a reader can re-anchor it even in an edited copy of the text.
Documents are streamed one at a time, so memory stays flat whatever the corpus size.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from annotations.model import Claim, Document, Entity
from annotations.store import Store

FORMAT_NAME = "annotty"
FORMAT_VERSION = 1
CONTEXT = 32


def span(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "quote": text[start:end],
            "prefix": text[max(0, start - CONTEXT):start], "suffix": text[end:end + CONTEXT]}


def claim_record(text: str, claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id, **span(text, claim.start, claim.end),
        "claim_type": claim.claim_type, "stance": claim.stance, "target": claim.target,
        "speaker": claim.speaker, "attribution": claim.attribution,
        "checkworthy": claim.checkworthy, "note": claim.note, "annotator": claim.annotator,
        "review_status": claim.review_status, "reviewer": claim.reviewer,
        "review_note": claim.review_note, "created_at": claim.created_at,
        "updated_at": claim.updated_at,
    }


def entity_record(text: str, entity: Entity) -> dict[str, Any]:
    return {**span(text, entity.start, entity.end), "label": entity.label,
            "source": entity.source}


def document_record(doc: Document, entities: list[Entity], claims: list[Claim]) -> dict[str, Any]:
    return {
        "id": doc.id, "title": doc.title, "source": doc.source, "text": doc.text,
        "meta": doc.meta,
        "entities": [entity_record(doc.text, e) for e in entities],
        "claims": [claim_record(doc.text, c) for c in claims],
    }


def records(store: Store, recognizer: str) -> Iterator[dict[str, Any]]:
    for summary in store.documents():
        doc = store.document(summary.id)
        entities = store.cached_entities(doc.id, recognizer) or []
        yield document_record(doc, entities, store.claims(doc.id))


def write_json(store: Store, out: TextIO, recognizer: str) -> int:
    out.write(f'{{"format": "{FORMAT_NAME}", "version": {FORMAT_VERSION}, "documents": [')
    count = 0
    for record in records(store, recognizer):
        out.write(",\n" if count else "\n")
        json.dump(record, out, ensure_ascii=False)
        count += 1
    out.write("\n]}\n")
    return count


def write_jsonl(store: Store, out: TextIO, recognizer: str) -> int:
    count = 0
    for record in records(store, recognizer):
        out.write(json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION, **record},
                             ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
