"""The same claim elsewhere, for one app session or one command: a ``SimilarIndex`` kept
in step with the store.

The index is built once from every claim (a few seconds at 100,000 claims, in a worker), then
kept current cheaply: before each look-up, the history rows past the last one seen name the
claims saved, edited, deleted or restored since, and only those are read again. A change that
leaves no history row (an import, a merge) changes the number of claims, and the index is
built again. With a sentence encoder (the one of ``--suggester embeddings:NAME``, when
sentence-transformers and the model are installed) paraphrases in other words are found too.
``similar`` answers with what a list shows: each match's document title,
annotator, claim type, review status, score and whether it is linked to the claim asked about.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotations.similar import SimilarIndex
from annotations.store import Store
from annotations.store.links import ClaimBrief

if TYPE_CHECKING:
    from annotations.suggest.embeddings import Encoder


@dataclass(frozen=True, slots=True)
class SimilarClaim:
    """One claim like the one asked about, in another document."""

    claim: ClaimBrief
    score: float
    linked: bool
    """Linked to the claim asked about as the same claim (directly)."""
    cluster_id: str
    """The linked group it belongs to (its smallest claim id); "" when not linked."""


class SimilarClaims:
    """A store's claims, indexed for near-duplicate search; safe to call from worker threads
    (one lock around the index, which is not thread-safe itself)."""

    def __init__(self, store: Store, encoder: Encoder | None = None) -> None:
        self.store = store
        self.encoder = encoder
        """A sentence encoder (``--suggester embeddings:NAME``): paraphrases are found too."""
        self.index = SimilarIndex(encoder)
        self._seq = -1  # the history row the index reflects; -1: not built
        self._lock = threading.Lock()

    def sync(self) -> int:
        """Bring the index up to date with the store; how many claims were read."""
        with self._lock:
            top, changed, count = self.store.claims_changed_since(self._seq)
            if self._seq < 0:
                return self._build(top)
            if changed:
                rows = self.store.claim_quotes(changed)
                for claim_id in changed - {r[0] for r in rows}:
                    self.index.remove(claim_id)
                self.index.add_many(rows)
            self._seq = top
            if len(self.index) != count:  # claims came without history (an import, a merge)
                return self._build(top)
            return len(changed)

    def _build(self, top: int) -> int:
        self.index = SimilarIndex(self.encoder)
        read = self.index.add_many(self.store.claim_quotes())
        self._seq = top
        return read

    def similar(self, claim_id: str, limit: int = 10) -> list[SimilarClaim]:
        """The claims most like ``claim_id`` in other documents, best first (the index is
        synced first); [] for a claim that does not exist."""
        self.sync()
        with self._lock:
            matches = self.index.similar_to(claim_id, limit=limit)
        briefs = self.store.claim_briefs(m.claim_id for m in matches)
        linked = self.store.linked_to(claim_id)
        groups = self.store.claim_clusters() if linked or matches else {}
        return [
            SimilarClaim(
                briefs[m.claim_id], m.score, m.claim_id in linked, groups.get(m.claim_id, "")
            )
            for m in matches
            if m.claim_id in briefs  # deleted since the sync: left out
        ]
