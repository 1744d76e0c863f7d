r"""Label Studio tasks: ``data.text`` plus one annotation per annotator, offsets in code points.

Label Studio counts a ``Text`` region's ``start``/``end`` in Unicode code points, as Python does
(its editor converts from the browser's UTF-16 units: the test "Should calculate offsets by code
points in text" in ``web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts`` expects 21/25 for
"test" in "🐱 Warning: This is a test text"; label-studio-sdk's converters slice ``text[start:end]``
in Python), so offsets are annotty's own. ``value.text`` is written the way the editor writes it:
the region's text with every CR and every LF shown as the two characters ``\n`` (the ``Text`` tag
turns each into a ``<br/>``, and ``domManager.ts`` ``normalizeText`` writes each as ``'\\n'``).
A claim is a ``labels`` region ``Claim`` whose id is the claim id; its type, stance,
attribution and check-worthiness are per-region ``choices`` and its speaker, target and note
per-region ``textarea`` results sharing the region id, which is how Label Studio links them.
Entities go in ``predictions``, the place Label Studio keeps machine suggestions. The ``annotty``
key on each region keeps the review fields, so an import restores them exactly. Every annotator's
document status and stance go in ``data.doc_state`` (Label Studio keeps unknown ``data`` keys).
Decided claim candidates (``--include-suggestions``) are predictions too, one per suggester
(``model_version``), as Label Studio's ML backends write them: each candidate a ``Claim`` region
with its own ``score`` and its suggested type as a per-region choice, the prediction's ``score``
the mean of its regions'; the decision (accepted or rejected, who, when, the claim it made)
rides in the region's ``annotty`` key.
``label_config()`` writes the matching labeling interface.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO
from xml.sax.saxutils import quoteattr

from annotations.export.annotty_json import REVIEW_FIELDS
from annotations.export.bundles import ClaimRow, DocBundle, to_json
from annotations.export.suggestion_records import CANDIDATE_FROM, decision_fields
from annotations.model import Decision
from annotations.schema import Schema

CLAIM_LABEL = "Claim"
CHOICES = ("claim_type", "stance", "attribution", "checkworthy")
TEXTAREAS = ("speaker", "target", "note")


_BREAKS = str.maketrans({"\r": "\\n", "\n": "\\n"})


def region_text(quote: str) -> str:
    """A region's ``text`` as Label Studio's editor writes it: each CR or LF as ``\\n``."""
    return quote.translate(_BREAKS)


def region_value(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "text": region_text(text[start:end])}


def claim_results(text: str, claim: ClaimRow) -> list[dict[str, Any]]:
    where = region_value(text, claim.start, claim.end)
    base = {"id": claim.id, "to_name": "text", "origin": "manual"}
    results: list[dict[str, Any]] = [
        {
            **base,
            "from_name": "claim",
            "type": "labels",
            "value": {**where, "labels": [CLAIM_LABEL]},
            "annotty": {name: getattr(claim, name) for name in REVIEW_FIELDS},
        }
    ]
    for name in CHOICES:
        value = getattr(claim, name)
        if value:
            results.append(
                {
                    **base,
                    "from_name": name,
                    "type": "choices",
                    "value": {**where, "choices": [value]},
                }
            )
    for name in TEXTAREAS:
        value = getattr(claim, name)
        if value:
            results.append(
                {
                    **base,
                    "from_name": name,
                    "type": "textarea",
                    "value": {"start": where["start"], "end": where["end"], "text": [value]},
                }
            )
    return results


def task(bundle: DocBundle, number: int) -> dict[str, Any]:
    doc = bundle.doc
    by_annotator: dict[str, list[ClaimRow]] = {}
    for claim in bundle.claims:
        by_annotator.setdefault(claim.annotator, []).append(claim)
    annotations = []
    for annotator, claims in by_annotator.items():
        annotations.append(
            {
                "result": [r for c in claims for r in claim_results(doc.text, c)],
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": min(c.created_at for c in claims),
                "updated_at": max(c.updated_at for c in claims),
                "annotty": {"annotator": annotator},
            }
        )
    predictions = []
    if bundle.entities:
        predictions.append(
            {
                "model_version": bundle.entities[0].source,
                "result": [
                    {
                        "id": f"e{n}",
                        "from_name": "entity",
                        "to_name": "text",
                        "type": "labels",
                        "origin": "prediction",
                        "value": {**region_value(doc.text, e.start, e.end), "labels": [e.label]},
                    }
                    for n, e in enumerate(bundle.entities)
                ],
            }
        )
    predictions += candidate_predictions(doc.text, bundle.suggestions or ())
    return {
        "id": number,
        "data": {
            "text": doc.text,
            "doc_id": doc.id,
            "title": doc.title,
            "source": doc.source,
            "doc_state": [state.record() for state in bundle.states],
        },
        "meta": doc.meta,
        "annotations": annotations,
        "predictions": predictions,
    }


def candidate_results(text: str, decision: Decision) -> list[dict[str, Any]]:
    """A decided candidate as prediction regions: the ``Claim`` label with its score and the
    decision, and the suggested type as a per-region choice sharing the region id."""
    where = region_value(text, decision.start, decision.end)
    base = {"id": decision.id, "to_name": "text", "origin": "prediction"}
    kept = {k: v for k, v in decision_fields(decision).items() if k != "score"}
    results: list[dict[str, Any]] = [
        {
            **base,
            "from_name": CANDIDATE_FROM,
            "type": "labels",
            "value": {**where, "labels": [CLAIM_LABEL]},
            "score": decision.score,
            "annotty": kept,
        }
    ]
    if decision.claim_type:
        results.append(
            {
                **base,
                "from_name": "claim_type",
                "type": "choices",
                "value": {**where, "choices": [decision.claim_type]},
            }
        )
    return results


def candidate_predictions(text: str, decided: Iterable[Decision]) -> list[dict[str, Any]]:
    """One prediction per suggester, its regions in text order."""
    by_suggester: dict[str, list[Decision]] = {}
    for decision in decided:
        by_suggester.setdefault(decision.suggester, []).append(decision)
    return [
        {
            "model_version": suggester,
            "score": round(sum(d.score for d in group) / len(group), 6),
            "result": [r for d in group for r in candidate_results(text, d)],
        }
        for suggester, group in by_suggester.items()
    ]


def write_label_studio(items: Iterable[DocBundle], out: TextIO) -> int:
    """A JSON array of tasks, one per line, ready for Label Studio's import."""
    out.write("[")
    count = 0
    for bundle in items:
        out.write(",\n" if count else "\n")
        out.write(to_json(task(bundle, count + 1)))
        count += 1
    out.write("\n]\n")
    return count


def label_config(schema: Schema, entity_labels: Iterable[str] = ()) -> str:
    """The labeling interface XML that shows these tasks and edits claims as annotty does."""
    lines = [
        "<View>",
        '  <Labels name="claim" toName="text">',
        f'    <Label value="{CLAIM_LABEL}"/>',
        "  </Labels>",
    ]
    labels = sorted(set(entity_labels))
    if labels:
        lines.append('  <Labels name="entity" toName="text">')
        lines += [f"    <Label value={quoteattr(label)}/>" for label in labels]
        lines.append("  </Labels>")
    lines.append('  <Text name="text" value="$text"/>')
    for name, field in (
        ("claim_type", "claim_types"),
        ("stance", "stances"),
        ("attribution", "attributions"),
        ("checkworthy", "checkworthiness"),
    ):
        options = schema.field(field)
        if not options:
            continue
        lines.append(f'  <Choices name="{name}" toName="text" perRegion="true">')
        lines += [f"    <Choice value={quoteattr(label.name)}/>" for label in options]
        lines.append("  </Choices>")
    for name in TEXTAREAS:
        lines.append(
            f'  <TextArea name="{name}" toName="text" perRegion="true" maxSubmissions="1"/>'
        )
    lines.append("</View>")
    return "\n".join(lines) + "\n"
