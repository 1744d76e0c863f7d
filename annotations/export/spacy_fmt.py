"""spaCy training data: JSONL with character spans, or (with the spaCy extra) a ``.spacy`` DocBin.

spaCy indexes characters as Python does, so offsets need no conversion. The JSONL record is
annotty's own, for scripts that build spaCy ``Doc`` objects (it is *not* ``Doc.to_json()``
output: it has no ``tokens``, and ``Doc.from_json`` refuses it). It borrows that output's names:
``ents`` (disjoint in characters; expanded to tokens two may share one, so
pass them through ``spacy.util.filter_spans`` before setting ``doc.ents``) and ``spans`` groups
(``claims`` with the claim type as label, ``entities`` with every entity, overlaps kept). spaCy
tokens need not fall on claim boundaries, so a reader makes spans with
``doc.char_span(start, end, alignment_mode="expand")``; the DocBin writer does exactly that, after
trimming plain spaces off the ends (spaCy keeps a single space after a token outside every token,
so a span ending in one would otherwise come back one character short or empty). ``doc_state``
carries every annotator's document status and stance (in the DocBin: ``user_data["annotty"]``).
Decided claim candidates (``--include-suggestions``) are a third span group, ``suggestions``,
labelled with the suggested type; as spaCy's ``spancat`` keeps its scores in the group's
``attrs["scores"]`` (one per span), so does the DocBin, and the decisions are in
``user_data["annotty"]["suggestions"]`` in the same order. The JSONL writes each candidate's
score and decision on its span.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from annotations import atomic_write
from annotations.errors import AnnottyError
from annotations.export.bundles import DocBundle, write_lines
from annotations.export.suggestion_records import decision_fields
from annotations.model import Entity

CLAIMS_KEY = "claims"
ENTITIES_KEY = "entities"
SUGGESTIONS_KEY = "suggestions"


def non_overlapping(entities: Sequence[Entity]) -> list[Entity]:
    """Longest first, then earliest: the same choice as ``spacy.util.filter_spans``."""
    taken: list[Entity] = []
    used: set[int] = set()
    for entity in sorted(entities, key=lambda e: (e.end - e.start, -e.start), reverse=True):
        cells = range(entity.start, entity.end)
        if not used.intersection(cells):
            taken.append(entity)
            used.update(cells)
    return sorted(taken, key=lambda e: e.start)


def token_range(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` without leading and trailing spaces; None when nothing else is left."""
    quote = text[start:end]
    core = quote.strip(" ")
    if not core:
        return None
    lead = len(quote) - len(quote.lstrip(" "))
    return start + lead, start + lead + len(core)


def record(bundle: DocBundle) -> dict[str, Any]:
    doc = bundle.doc
    claims = [
        {
            "start": c.start,
            "end": c.end,
            "label": c.claim_type,
            "kb_id": "",
            "id": c.id,
            "stance": c.stance,
            "speaker": c.speaker,
            "target": c.target,
            "annotator": c.annotator,
            "review_status": c.review_status,
        }
        for c in bundle.claims
    ]
    entities = [
        {"start": e.start, "end": e.end, "label": e.label, "kb_id": ""} for e in bundle.entities
    ]
    ents = [
        {"start": e.start, "end": e.end, "label": e.label} for e in non_overlapping(bundle.entities)
    ]
    spans: dict[str, list[dict[str, Any]]] = {CLAIMS_KEY: claims, ENTITIES_KEY: entities}
    if bundle.suggestions is not None:
        spans[SUGGESTIONS_KEY] = [
            {
                "start": d.start,
                "end": d.end,
                "label": d.claim_type,
                "kb_id": "",
                "id": d.id,
                **decision_fields(d),
            }
            for d in bundle.suggestions
        ]
    return {
        "text": doc.text,
        "ents": ents,
        "spans": spans,
        "meta": {**doc.meta, "doc_id": doc.id, "title": doc.title, "source": doc.source},
        "doc_state": [s.record() for s in bundle.states],
    }


def write_spacy_jsonl(items: Iterable[DocBundle], out: TextIO) -> int:
    return write_lines(items, out, record)


def write_docbin(items: Iterable[DocBundle], path: Path, lang: str = "en") -> int:
    """A DocBin of ``spacy.blank(lang)`` docs with ``ents`` and the two span groups.

    A DocBin is one msgpack blob, so unlike the other formats it grows in memory until saved.
    """
    try:
        import spacy
        from spacy.tokens import DocBin
        from spacy.util import filter_spans
    except ImportError:
        raise AnnottyError(
            "the .spacy DocBin needs spaCy: pip install 'annotty[spacy]' "
            "(or write JSONL with another file name)"
        ) from None
    nlp = spacy.blank(lang)
    docbin = DocBin(store_user_data=True)
    count = 0
    for bundle in items:
        doc = nlp.make_doc(bundle.doc.text)
        text = bundle.doc.text  # not doc.text: spaCy rebuilds that from the tokens every time
        claims = [_char_span(doc, text, c.start, c.end, c.claim_type) for c in bundle.claims]
        entities = [_char_span(doc, text, e.start, e.end, e.label) for e in bundle.entities]
        doc.spans[CLAIMS_KEY] = [s for s in claims if s is not None]
        doc.spans[ENTITIES_KEY] = [s for s in entities if s is not None]
        doc.ents = filter_spans(doc.spans[ENTITIES_KEY])
        doc.user_data["annotty"] = {
            "doc_id": bundle.doc.id,
            "title": bundle.doc.title,
            "doc_state": [s.record() for s in bundle.states],
            "claim_ids": [c.id for c, s in zip(bundle.claims, claims, strict=True) if s],
        }
        if bundle.suggestions is not None:
            made = [
                (d, _char_span(doc, text, d.start, d.end, d.claim_type)) for d in bundle.suggestions
            ]
            kept = [(d, s) for d, s in made if s is not None]
            doc.spans[SUGGESTIONS_KEY] = [s for _, s in kept]
            doc.spans[SUGGESTIONS_KEY].attrs["scores"] = [d.score for d, _ in kept]
            doc.user_data["annotty"]["suggestions"] = [
                {"id": d.id, **decision_fields(d)} for d, _ in kept
            ]
        docbin.add(doc)
        count += 1
    atomic_write.write_bytes(path, docbin.to_bytes())
    return count


def _char_span(doc: Any, text: str, start: int, end: int, label: str) -> Any:
    where = token_range(text, start, end)
    return None if where is None else doc.char_span(*where, label=label, alignment_mode="expand")
