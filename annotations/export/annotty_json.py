"""annotty's own JSON and JSONL shape: documents with their text, entities and claims.

The shape is versioned (``format``/``version``) and described by ``annotty.schema.json`` beside
this module. Every span carries ``start``/``end`` (code points, half-open), its ``quote`` and a
little context (``prefix``/``suffix``) so a reader can re-anchor it even in an edited copy of the
text. ``doc_state`` lists every annotator's status and stance for the whole document;
``suggestions`` (only with ``--include-suggestions``) the decided claim candidates; ``comments``
each claim's thread on the claim, and the document's own and its adjudication items' threads on
the document. JSON puts one document per line inside the array, so it streams both ways:
written one document at a time, and read back the same way by
``annotations.imports.annotation_files``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from typing import Any, TextIO, cast

from annotations.export.bundles import CONTEXT, ClaimRow, DocBundle, span, to_json, write_lines
from annotations.export.suggestion_records import decision_record
from annotations.model import Entity
from annotations.store.comments import Comment

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


def claim_record(text: str, claim: ClaimRow, seconds: float | None = None) -> dict[str, Any]:
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
        "seconds": seconds,  # time spent on it (annotations.timing); None: never timed
    }


def entity_record(text: str, entity: Entity) -> dict[str, Any]:
    return {**span(text, entity.start, entity.end), "label": entity.label, "source": entity.source}


def comment_record(comment: Comment) -> dict[str, str]:
    return {
        "id": comment.id,
        "author": comment.author,
        "at": comment.created_at,
        "text": comment.body,
        "resolved_at": comment.resolved_at,
        "resolved_by": comment.resolved_by,
    }


def _with_comments(record: dict[str, Any], comments: Iterable[Comment]) -> None:
    """Each claim's thread on the claim; the document's own and adjudication items' threads on
    the document (with ``kind`` and ``item_id``, the span of an adjudication item)."""
    threads: dict[str, list[dict[str, str]]] = {}
    others: list[dict[str, str]] = []
    for comment in comments:
        if comment.kind == "claim":
            threads.setdefault(comment.item_id, []).append(comment_record(comment))
        else:
            kept = {"kind": comment.kind, "item_id": comment.item_id}
            others.append({**kept, **comment_record(comment)})
    for claim in record["claims"]:
        claim["comments"] = threads.get(claim["id"], [])
    record["comments"] = others


def document_record(bundle: DocBundle) -> dict[str, Any]:
    doc = bundle.doc
    record: dict[str, Any] = {
        "id": doc.id,
        "title": doc.title,
        "source": doc.source,
        "text": doc.text,
        "meta": doc.meta,
        "entities": [entity_record(doc.text, e) for e in bundle.entities],
        "claims": [
            claim_record(doc.text, c, bundle.claim_seconds.get(c.id)) for c in bundle.claims
        ],
        "doc_state": [state.record() for state in bundle.states],
    }
    if bundle.suggestions is not None:  # asked for: a list, empty when nothing was decided
        record["suggestions"] = [decision_record(doc.text, d) for d in bundle.suggestions]
    _with_comments(record, bundle.comments)
    for claim in cast(list[dict[str, Any]], record["claims"]):  # its "same claim" group
        claim["cluster_id"] = bundle.clusters.get(claim["id"])  # or null
    record["doc_version"] = bundle.version  # not "version": a JSONL line's format version
    if bundle.anchors:  # claims carried onto an edited text and not found exactly in place
        for claim in cast(list[dict[str, Any]], record["claims"]):
            if claim["id"] in bundle.anchors:
                claim["anchor"] = bundle.anchors[claim["id"]]
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
