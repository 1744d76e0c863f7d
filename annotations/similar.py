"""The same claim elsewhere: a near-duplicate index over claim quotes.

Claim matching is a core fact-checking task: from one claim, list the claims most like it in
other documents. ``SimilarIndex`` holds (claim id, document id, quote) rows, added and removed
one at a time as claims are saved, and answers ``query`` in a few milliseconds among 100,000
claims (``python -m bench similar``).

A query runs in two steps. Candidates come from an inverted index of the quotes' words (cut to
a stem, ``similar_text.keys``): the query's rarest keys are read first, weighted by how rare
they are, until a budget of postings is spent, so common words never make a query scan the
corpus. The best few hundred candidates are then scored by rapidfuzz on the normal forms: the
mean of ``ratio`` (order matters: "A beat B" is not "B beat A") and ``token_sort_ratio`` (a
reordered sentence is still close). Only the same normal form scores 1.0.

With a sentence encoder (``annotations.suggest.embeddings.Encoder``, e.g. a local
sentence-transformers model), the nearest quotes by cosine join the candidates and the score is
the mean of the text score and the cosine (still 1.0 only for the same normal form), so
paraphrases in other words are found too.
Without one, nothing but rapidfuzz is needed.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from annotations.similar_clusters import clusters
from annotations.similar_text import keys, normalise

if TYPE_CHECKING:
    from annotations.similar_vectors import VectorTable
    from annotations.suggest.embeddings import Encoder

__all__ = ["Match", "SimilarIndex", "clusters", "normalise"]

CANDIDATES = 300
"""How many candidates the text score reads per query (about 1 ms of rapidfuzz)."""
POSTINGS_BUDGET = 30_000
"""How many postings a query reads at most, rarest keys first (a few ms of Python)."""
MIN_KEYS = 3
"""Keys read whatever their postings cost: a quote of common words still finds its twins."""


@dataclass(frozen=True, slots=True)
class Match:
    """One similar claim: ``score`` is 1.0 for the same normal form, lower the less alike."""

    claim_id: str
    doc_id: str
    score: float


class SimilarIndex:
    """Claims' quotes, indexed for near-duplicate search; built incrementally.

    ``add`` the rows as they are read or saved (``add`` again to replace a claim's quote),
    ``remove`` a deleted claim, ``query`` with any quote. Not thread-safe: one writer, or a lock
    around it."""

    def __init__(self, encoder: Encoder | None = None) -> None:
        self._slot_of: dict[str, int] = {}
        self._claim: list[str | None] = []  # by slot; None once removed
        self._doc: list[str] = []
        self._normal: list[str] = []
        self._postings: dict[str, list[int]] = {}
        self._slots_of_doc: dict[str, set[int]] = {}
        self._free: list[int] = []
        self._encoder = encoder
        self._vectors: VectorTable | None = None

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._slot_of

    def add(self, claim_id: str, doc_id: str, quote: str) -> None:
        """Index one claim (replacing what ``claim_id`` had)."""
        self.add_many([(claim_id, doc_id, quote)])

    def add_many(self, rows: Iterable[tuple[str, str, str]]) -> int:
        """Index (claim id, document id, quote) rows; how many. With an encoder the quotes are
        encoded in batches, which is much faster than one at a time."""
        added: list[int] = []
        count = 0
        for claim_id, doc_id, quote in rows:
            added.append(self._add_text(claim_id, doc_id, quote))
            count += 1
            if self._encoder is not None and len(added) >= 256:
                self._encode(added)
                added = []
        if self._encoder is not None and added:
            self._encode(added)
        return count

    def remove(self, claim_id: str) -> bool:
        """Forget a claim; whether it was there."""
        slot = self._slot_of.pop(claim_id, None)
        if slot is None:
            return False
        for key in keys(self._normal[slot]):
            posting = self._postings[key]
            posting.remove(slot)
            if not posting:
                del self._postings[key]
        doc_slots = self._slots_of_doc[self._doc[slot]]
        doc_slots.discard(slot)
        if not doc_slots:
            del self._slots_of_doc[self._doc[slot]]
        self._claim[slot] = None
        self._normal[slot] = ""
        if self._vectors is not None:
            self._vectors.drop(slot)
        self._free.append(slot)
        return True

    def query(
        self, quote: str, *, exclude_doc: str | None = None, limit: int = 10, min_score: float = 0.0
    ) -> list[Match]:
        """The claims most like ``quote``, best first (ties by claim id), at most ``limit``,
        none from ``exclude_doc`` and none scoring under ``min_score``."""
        normal = normalise(quote)
        if not normal or limit <= 0:
            return []
        excluded = self._slots_of_doc.get(exclude_doc, set()) if exclude_doc is not None else set()
        candidates = self._candidates(normal, excluded)
        cosines: dict[int, float] = {}
        if self._vectors is not None and self._encoder is not None and len(self._vectors):
            (vector,) = _encode(self._encoder, [normal])
            candidates.update(self._vectors.nearest(vector, CANDIDATES // 2, excluded))
            cosines = self._vectors.cosines(vector, candidates)
        scored = []
        for slot in candidates:
            score = text_score(normal, self._normal[slot])
            if cosines and score < 1.0:  # still 1.0 only for the same normal form
                score = min(0.9999, (score + max(0.0, cosines.get(slot, 0.0))) / 2)
            if score >= min_score:
                claim = self._claim[slot]
                assert claim is not None  # candidates are live slots
                scored.append((-score, claim, slot))
        return [
            Match(claim, self._doc[slot], round(-neg, 4))
            for neg, claim, slot in heapq.nsmallest(limit, scored)
        ]

    def similar_to(self, claim_id: str, *, limit: int = 10, other_docs: bool = True) -> list[Match]:
        """The claims most like an indexed claim, itself left out (and, by default, every claim
        of its own document); [] for a claim not indexed."""
        slot = self._slot_of.get(claim_id)
        if slot is None:
            return []
        doc = self._doc[slot]
        found = self.query(
            self._normal[slot], exclude_doc=doc if other_docs else None, limit=limit + 1
        )
        return [m for m in found if m.claim_id != claim_id][:limit]

    def _add_text(self, claim_id: str, doc_id: str, quote: str) -> int:
        self.remove(claim_id)
        normal = normalise(quote)
        if self._free:
            slot = self._free.pop()
            self._claim[slot], self._doc[slot] = claim_id, doc_id
            self._normal[slot] = normal
        else:
            slot = len(self._claim)
            self._claim.append(claim_id)
            self._doc.append(doc_id)
            self._normal.append(normal)
        self._slot_of[claim_id] = slot
        self._slots_of_doc.setdefault(doc_id, set()).add(slot)
        for key in keys(normal):
            self._postings.setdefault(key, []).append(slot)
        return slot

    def _encode(self, slots: list[int]) -> None:
        from annotations.similar_vectors import VectorTable

        assert self._encoder is not None
        texts = [self._normal[s] for s in slots]
        vectors = _encode(self._encoder, texts)
        if self._vectors is None:
            self._vectors = VectorTable()
        for slot, vector in zip(slots, vectors, strict=True):
            self._vectors.put(slot, vector)

    def _candidates(self, normal: str, excluded: set[int]) -> set[int]:
        """The best ``CANDIDATES`` slots by the summed rarity of the keys they share with the
        query, reading rare keys first within ``POSTINGS_BUDGET``."""
        postings = sorted((p for p in map(self._postings.get, keys(normal)) if p), key=len)
        total = len(self._slot_of) or 1
        weight: dict[int, float] = {}
        spent = 0
        for i, posting in enumerate(postings):
            if i >= MIN_KEYS and spent + len(posting) > POSTINGS_BUDGET:
                break
            spent += len(posting)
            rarity = math.log(1 + total / len(posting))
            get = weight.get
            for slot in posting:
                weight[slot] = get(slot, 0.0) + rarity
        for slot in excluded:
            weight.pop(slot, None)
        if len(weight) > CANDIDATES:
            return set(heapq.nlargest(CANDIDATES, weight, key=weight.__getitem__))
        return set(weight)


def text_score(a: str, b: str) -> float:
    """How alike two normal forms read, 0..1: 1.0 only when they are the same."""
    if a == b:
        return 1.0
    return min(
        0.9999,
        (fuzz.ratio(a, b, processor=None) + fuzz.token_sort_ratio(a, b, processor=None)) / 200,
    )


def _encode(encoder: Encoder, texts: list[str]) -> list[list[float]]:
    from annotations.suggest.embeddings import encode

    return encode(encoder, texts)
