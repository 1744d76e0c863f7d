"""CSV for spreadsheets: one row per claim with its document, offsets, quote, labels and review.

Values are written exactly as stored (offsets in code points, quotes verbatim, newlines inside
quoted cells), because the file is data first. Spreadsheet programs may read a cell that starts
with ``=``, ``+``, ``-`` or ``@`` as a formula; open the file as text columns when that matters.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from annotations.export.annotty_json import CLAIM_LABELS, REVIEW_FIELDS
from annotations.export.source import CONTEXT, DocBundle

COLUMNS = ("doc_id", "doc_title", "claim_id", "start", "end", "quote", *CLAIM_LABELS,
           *REVIEW_FIELDS, "prefix", "suffix")


def write_csv(items: Iterable[DocBundle], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for bundle in items:
        doc = bundle.doc
        text = doc.text
        for claim in bundle.claims:
            s, e = claim.start, claim.end
            writer.writerow([doc.id, doc.title, claim.id, s, e, text[s:e],
                             *(getattr(claim, name) for name in CLAIM_LABELS + REVIEW_FIELDS),
                             text[max(0, s - CONTEXT):s], text[e:e + CONTEXT]])
        count += 1
    return count
