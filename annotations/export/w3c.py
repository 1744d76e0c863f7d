"""W3C Web Annotation Data Model (JSON-LD): one ``AnnotationCollection`` of claims and entities.

Each claim is an ``Annotation`` whose target is the document with two selectors: a
``TextPositionSelector`` (the model counts code points, as annotty does) and a
``TextQuoteSelector`` (exact, prefix, suffix) that survives edits to the text. The claim's type,
stance, speaker, target, attribution, check-worthiness and note are ``TextualBody`` bodies with a
W3C ``purpose``; ``annotty:field`` names which of annotty's fields each body is, so a reader can
map them back without guessing from the purpose alone.

Each annotator's status and stance for a whole document are document-level annotations (a target
that is the document itself, no selector): the stance with motivation ``assessing``, the status
(todo, in_progress, done, skipped) with motivation ``tagging``; ``annotty:field`` says which.

A decided claim candidate (``--include-suggestions``) is an annotation made by software: its
``generator`` is the suggester (the model's ``Software`` agent), its ``creator`` the annotator who
decided and ``created`` the time of the decision; bodies carry the suggested type
(``classifying``) and speaker (``identifying``) and the decision (``moderating``: accepted or
rejected), ``annotty:score`` the suggester's score (the model has no term for a confidence) and
``annotty:claim`` the claim an accept made.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from annotations.export.bundles import CONTEXT, ClaimRow, DocBundle, DocState, to_json
from annotations.model import Decision, Entity

CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
NS = "urn:annotty:"
PURPOSES = {
    "claim_type": "classifying",
    "stance": "assessing",
    "speaker": "identifying",
    "target": "linking",
    "attribution": "describing",
    "checkworthy": "assessing",
    "note": "commenting",
}


def doc_iri(doc_id: str) -> str:
    return f"{NS}doc:{doc_id}"


def selectors(text: str, start: int, end: int) -> list[dict[str, Any]]:
    return [
        {"type": "TextPositionSelector", "start": start, "end": end},
        {
            "type": "TextQuoteSelector",
            "exact": text[start:end],
            "prefix": text[max(0, start - CONTEXT) : start],
            "suffix": text[end : end + CONTEXT],
        },
    ]


def claim_annotation(bundle: DocBundle, claim: ClaimRow) -> dict[str, Any]:
    text = bundle.doc.text
    bodies: list[dict[str, Any]] = []
    for name, purpose in PURPOSES.items():
        value = getattr(claim, name)
        if value:
            bodies.append(
                {
                    "type": "TextualBody",
                    "purpose": purpose,
                    "value": value,
                    "format": "text/plain",
                    "annotty:field": name,
                }
            )
    mention = bundle.speaker_mention(claim)
    if mention is not None:  # the speaker as a pointer to its mention, besides the name
        bodies.append(
            {
                "type": "SpecificResource",
                "purpose": "identifying",
                "annotty:field": "speaker_mention",
                "source": doc_iri(bundle.doc.id),
                "selector": selectors(text, mention.start, mention.end),
            }
        )
    if claim.review_status != "pending":
        review: dict[str, Any] = {
            "type": "TextualBody",
            "purpose": "moderating",
            "value": claim.review_status,
            "annotty:field": "review_status",
        }
        if claim.reviewer:
            review["creator"] = {"type": "Person", "nickname": claim.reviewer}
        if claim.review_note:
            review["annotty:note"] = claim.review_note
        if claim.reviewed_at:
            review["created"] = claim.reviewed_at
        bodies.append(review)
    annotation: dict[str, Any] = {
        "id": f"{NS}claim:{claim.id}",
        "type": "Annotation",
        "motivation": "classifying",
        "body": bodies,
        "target": {
            "source": doc_iri(bundle.doc.id),
            "selector": selectors(text, claim.start, claim.end),
        },
    }
    if claim.annotator:
        annotation["creator"] = {"type": "Person", "nickname": claim.annotator}
    if claim.created_at:
        annotation["created"] = claim.created_at
    if claim.updated_at:
        annotation["modified"] = claim.updated_at
    return annotation


def entity_annotation(bundle: DocBundle, entity: Entity, number: int) -> dict[str, Any]:
    return {
        "id": f"{NS}entity:{bundle.doc.id}:{number}",
        "type": "Annotation",
        "motivation": "identifying",
        "body": {
            "type": "TextualBody",
            "purpose": "classifying",
            "value": entity.label,
            "annotty:field": "entity_label",
        },
        "target": {
            "source": doc_iri(bundle.doc.id),
            "selector": selectors(bundle.doc.text, entity.start, entity.end),
        },
        "generator": {"type": "Software", "name": f"annotty {entity.source}"},
    }


def candidate_annotation(bundle: DocBundle, decision: Decision) -> dict[str, Any]:
    """A decided claim candidate: what the suggester proposed and what the annotator decided."""
    bodies: list[dict[str, Any]] = []
    for field, purpose, value in (
        ("suggested_claim_type", "classifying", decision.claim_type),
        ("suggested_speaker", "identifying", decision.speaker),
        ("decision", "moderating", decision.decision),
    ):
        if value:
            bodies.append(
                {
                    "type": "TextualBody",
                    "purpose": purpose,
                    "value": value,
                    "format": "text/plain",
                    "annotty:field": field,
                }
            )
    annotation: dict[str, Any] = {
        "id": f"{NS}suggestion:{decision.id}",
        "type": "Annotation",
        "motivation": "classifying",
        "body": bodies,
        "target": {
            "source": doc_iri(bundle.doc.id),
            "selector": selectors(bundle.doc.text, decision.start, decision.end),
        },
        "generator": {"type": "Software", "name": f"annotty {decision.suggester}"},
        "annotty:score": decision.score,
    }
    if decision.claim_id:
        annotation["annotty:claim"] = f"{NS}claim:{decision.claim_id}"
    if decision.annotator:
        annotation["creator"] = {"type": "Person", "nickname": decision.annotator}
    if decision.decided_at:
        annotation["created"] = decision.decided_at
    return annotation


def state_annotations(bundle: DocBundle, state: DocState) -> list[dict[str, Any]]:
    """One annotator's document status (``tagging``) and stance (``assessing``), if given."""
    out = []
    for field, motivation, value in (
        ("doc_status", "tagging", state.status),
        ("doc_stance", "assessing", state.stance),
    ):
        if not value:
            continue
        annotation: dict[str, Any] = {
            "id": f"{NS}{field}:{bundle.doc.id}:{state.annotator}",
            "type": "Annotation",
            "motivation": motivation,
            "body": {
                "type": "TextualBody",
                "purpose": motivation,
                "value": value,
                "format": "text/plain",
                "annotty:field": field,
            },
            "target": doc_iri(bundle.doc.id),
            "creator": {"type": "Person", "nickname": state.annotator},
        }
        if state.updated_at:
            annotation["modified"] = state.updated_at
        out.append(annotation)
    return out


def write_w3c(items: Iterable[DocBundle], out: TextIO) -> int:
    """One collection whose single page lists every annotation, written as it is read."""
    head = {
        "@context": [CONTEXT_URL, {"annotty": NS}],
        "type": "AnnotationCollection",
        "label": "annotty export",
    }
    out.write(to_json(head)[:-1])
    out.write(',"first":{"type":"AnnotationPage","items":[')
    count = 0
    first = True
    for bundle in items:
        annotations = [claim_annotation(bundle, c) for c in bundle.claims]
        annotations += [entity_annotation(bundle, e, n) for n, e in enumerate(bundle.entities)]
        annotations += [a for state in bundle.states for a in state_annotations(bundle, state)]
        annotations += [candidate_annotation(bundle, d) for d in bundle.suggestions or ()]
        for annotation in annotations:
            out.write("\n" if first else ",\n")
            out.write(to_json(annotation))
            first = False
        count += 1
    out.write("\n]}}\n")
    return count
