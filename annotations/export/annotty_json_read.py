"""Reading annotty's own JSON/JSONL records back (the shape ``annotty_json`` writes)."""

from __future__ import annotations

from typing import Any

from annotations.export.annotty_json import CLAIM_LABELS, REVIEW_FIELDS
from annotations.export.incoming import (
    IncomingClaim,
    IncomingDoc,
    RecordError,
    as_int,
    as_list,
    as_meta,
    claim_fields,
    doc_states,
    given,
    str_or_none,
    text_of,
    title_of,
    version_problem,
)


def annotty_doc(record: dict[str, Any], number: int, source: str) -> IncomingDoc:
    if "version" in record:
        problem = version_problem(record["version"])
        if problem:
            raise RecordError(problem)
    text = text_of(record)
    doc = IncomingDoc(
        number=number,
        text=text,
        doc_id=str_or_none(record.get("id")),
        source=given(record, "source", source),
    )
    doc.title = title_of(record, text, source, number, doc)
    doc.meta = as_meta(record.get("meta"), doc)
    doc.entities = len(as_list(record.get("entities"), "entities", doc))
    doc.states = doc_states(record.get("doc_state"), doc)
    for n, item in enumerate(as_list(record.get("claims"), "claims", doc), start=1):
        if not isinstance(item, dict):
            doc.claims.append(IncomingClaim(f"claim {n}", None, None))
            continue
        where = f"claim {n} ({str_or_none(item.get('id')) or 'no id'})"
        fields = claim_fields(item, ("id", *CLAIM_LABELS, *REVIEW_FIELDS), where, doc)
        quote = item.get("quote")
        doc.claims.append(
            IncomingClaim(
                where,
                as_int(item.get("start")),
                as_int(item.get("end")),
                quote if isinstance(quote, str) else None,
                given(item, "prefix", ""),
                given(item, "suffix", ""),
                fields,
            )
        )
    return doc


# -- doccano ----------------------------------------------------------------------------------
