"""CSV for spreadsheets: one row per claim with its document, offsets, quote, labels and review.

Values are written as stored (offsets in code points, quotes verbatim, newlines inside quoted
cells), with one exception by default: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is one a spreadsheet may run as a formula (CSV injection), so it gets a leading
single quote, as OWASP recommends; spreadsheets show the cell as text. The ``csv-raw`` format
(``annotty export --csv-raw``) writes every cell exactly as stored, for programs reading the file.

``doc_status`` and ``doc_stance`` are the claim's annotator's status and stance for the whole
document (empty when that annotator set none); a document without claims has no row, so use the
JSON export for every annotator's document status and stance. ``seconds`` is the time spent on the
claim (``annotations.timing``; empty when it was never timed).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from annotations.export.annotty_json import CLAIM_LABELS, REVIEW_FIELDS
from annotations.export.bundles import CONTEXT, DocBundle

COLUMNS = (
    "doc_id",
    "doc_title",
    "claim_id",
    "start",
    "end",
    "quote",
    *CLAIM_LABELS,
    *REVIEW_FIELDS,
    "prefix",
    "suffix",
    "doc_status",
    "doc_stance",
    "seconds",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What OWASP's "CSV Injection" page lists as the first characters of a formula."""


def neutralise(cell: object) -> object:
    """A text cell a spreadsheet could run as a formula gets a leading ``'``; others pass."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def write_csv(items: Iterable[DocBundle], out: TextIO, *, raw: bool = False) -> int:
    """One row per claim; ``raw`` leaves formula-like cells as they are (for programs)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for bundle in items:
        doc = bundle.doc
        text = doc.text
        states = {s.annotator: s for s in bundle.states}
        for claim in bundle.claims:
            s, e = claim.start, claim.end
            state = states.get(claim.annotator)
            row = [
                doc.id,
                doc.title,
                claim.id,
                s,
                e,
                text[s:e],
                *(getattr(claim, name) for name in CLAIM_LABELS + REVIEW_FIELDS),
                text[max(0, s - CONTEXT) : s],
                text[e : e + CONTEXT],
                state.status if state else "",
                state.stance if state else "",
                bundle.claim_seconds.get(claim.id, ""),  # empty: never timed
            ]
            writer.writerow(row if raw else [neutralise(cell) for cell in row])
        count += 1
    return count


def write_csv_raw(items: Iterable[DocBundle], out: TextIO) -> int:
    """CSV with every cell exactly as stored (no formula guard)."""
    return write_csv(items, out, raw=True)
