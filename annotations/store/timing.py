"""Time on task: seconds spent on each claim and with each document open (issue 16).

Measurements, not annotations: no history row, no undo. Each write adds seconds to what is
stored (a claim's time sums its first making and every edit; a document's sums every time it was
open), so batched writes from several sessions never overwrite each other.
"""

from __future__ import annotations

import math

from annotations.model import now_iso
from annotations.store.base import StoreBase, StoreError


def _seconds(seconds: float) -> float:
    if not math.isfinite(seconds) or seconds < 0:
        raise StoreError(f"seconds must be a finite number >= 0, not {seconds!r}")
    return round(float(seconds), 3)  # milliseconds: a clock's noise beyond them means nothing


class TimeOnTask(StoreBase):
    """``claim_time`` and ``doc_time``: seconds per claim, and per document and annotator."""

    def add_claim_time(self, claim_id: str, seconds: float, annotator: str | None = None) -> None:
        """Add ``seconds`` to the time spent on ``claim_id`` (its row says who spent it last)."""
        with self.transaction() as conn:
            conn.execute(
                "insert into claim_time(claim_id, annotator, seconds, updated_at)"
                " values (?, ?, ?, ?) on conflict (claim_id) do update set"
                " seconds = claim_time.seconds + excluded.seconds,"
                " annotator = excluded.annotator, updated_at = excluded.updated_at",
                (claim_id, annotator or self.annotator, _seconds(seconds), now_iso()),
            )

    def add_doc_time(
        self,
        doc_id: str,
        seconds: float,
        annotator: str | None = None,
        wait: float | None = None,
    ) -> None:
        """Add ``seconds`` to this annotator's time with ``doc_id`` open. ``wait``: see
        ``transaction`` (a batch written as the reader closes must not hold anything up)."""
        with self.transaction(wait) as conn:
            conn.execute(
                "insert into doc_time(doc_id, annotator, seconds, updated_at)"
                " values (?, ?, ?, ?) on conflict (doc_id, annotator) do update set"
                " seconds = doc_time.seconds + excluded.seconds,"
                " updated_at = excluded.updated_at",
                (doc_id, annotator or self.annotator, _seconds(seconds), now_iso()),
            )

    def claim_seconds(self, claim_id: str) -> float | None:
        """Seconds spent on the claim, or None when it was never timed."""
        rows = self._rows("select seconds from claim_time where claim_id = ?", [claim_id])
        return float(rows[0]["seconds"]) if rows else None

    def doc_seconds(self, doc_id: str, annotator: str | None = None) -> float:
        """This annotator's seconds with the document open (0 when never timed)."""
        rows = self._rows(
            "select seconds from doc_time where doc_id = ? and annotator = ?",
            [doc_id, annotator or self.annotator],
        )
        return float(rows[0]["seconds"]) if rows else 0.0
