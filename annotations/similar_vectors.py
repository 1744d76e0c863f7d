"""Sentence vectors of indexed quotes, for the similar-claim index's optional encoder.

Used only when an encoder is given (sentence-transformers brings numpy with it); numpy is
imported here, never by ``annotations.similar`` itself, so the text-only index needs nothing
but rapidfuzz. Rows are kept unit-length, so a dot product is the cosine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt


class VectorTable:
    """One unit vector per index slot, in a matrix that grows by doubling."""

    def __init__(self) -> None:
        self._matrix: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self._live: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)

    def __len__(self) -> int:
        return int(self._live.sum())

    def put(self, slot: int, vector: Sequence[float]) -> None:
        row = _unit(vector)
        if self._matrix.shape[1] != row.shape[0]:
            if self._live.any():
                raise ValueError(
                    f"the encoder gave {row.shape[0]} dimensions, the index holds "
                    f"{self._matrix.shape[1]}"
                )
            self._matrix = np.zeros((0, row.shape[0]), dtype=np.float32)
            self._live = np.zeros(0, dtype=bool)
        if slot >= self._matrix.shape[0]:
            size = max(slot + 1, 2 * self._matrix.shape[0], 64)
            grown = np.zeros((size, row.shape[0]), dtype=np.float32)
            grown[: self._matrix.shape[0]] = self._matrix
            live = np.zeros(size, dtype=bool)
            live[: self._live.shape[0]] = self._live
            self._matrix, self._live = grown, live
        self._matrix[slot] = row
        self._live[slot] = True

    def drop(self, slot: int) -> None:
        if slot < self._live.shape[0]:
            self._live[slot] = False
            self._matrix[slot] = 0.0

    def nearest(self, vector: Sequence[float], k: int, excluded: Iterable[int]) -> list[int]:
        """The ``k`` live slots nearest ``vector``, leaving ``excluded`` out."""
        sims = self._matrix @ _unit(vector)
        sims[~self._live] = -np.inf
        out = list(excluded)
        if out:
            sims[np.asarray(out, dtype=np.intp)] = -np.inf
        k = min(k, int(np.isfinite(sims).sum()))
        if k <= 0:
            return []
        best = np.argpartition(-sims, k - 1)[:k]
        return [int(s) for s in best]

    def cosines(self, vector: Sequence[float], slots: Iterable[int]) -> dict[int, float]:
        """The cosine of ``vector`` with each of ``slots`` (0.0 for a slot without a vector)."""
        wanted = [s for s in slots if s < self._live.shape[0] and self._live[s]]
        if not wanted:
            return {}
        sims = self._matrix[np.asarray(wanted, dtype=np.intp)] @ _unit(vector)
        return {s: float(c) for s, c in zip(wanted, sims, strict=True)}


def _unit(vector: Sequence[float]) -> npt.NDArray[np.float32]:
    row = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(row))
    return row / norm if norm > 0 else row
