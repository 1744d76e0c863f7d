"""Word n-grams hashed into a fixed number of columns, the same way when training and scoring.

The hash is ``zlib.crc32`` of the n-gram's UTF-8 bytes, from the standard library, so scoring a
stored model needs neither scikit-learn nor numpy (scikit-learn's ``HashingVectorizer`` uses
MurmurHash3, importable only with the whole of scikit-learn, numpy and scipy: about 0.9 s). The
tokens and n-grams follow ``HashingVectorizer``'s defaults: lower case, ``(?u)\\b\\w\\w+\\b``,
n-grams joined by one space, counts with an alternating sign taken from the hash, l2-normalized.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

TOKEN_PATTERN = r"(?u)\b\w\w+\b"
HASH = "crc32"
_SIGN_BIT = 0x80000000
MAX_N_FEATURES = 1 << 24


@dataclass(frozen=True, slots=True)
class HashingSettings:
    """Everything that decides which column an n-gram lands in; stored with every model."""

    n_features: int = 1 << 18
    ngram_range: tuple[int, int] = (1, 2)
    token_pattern: str = TOKEN_PATTERN
    lowercase: bool = True
    alternate_sign: bool = True
    norm: str = "l2"  # "l2" or "none"
    hash: str = HASH

    def __post_init__(self) -> None:
        n = self.n_features
        if not (isinstance(n, int) and 2 <= n <= MAX_N_FEATURES and n & (n - 1) == 0):
            raise ValueError(f"n_features must be a power of two up to 2**24, not {n!r}")
        lo, hi = self.ngram_range
        if not (isinstance(lo, int) and isinstance(hi, int) and 1 <= lo <= hi <= 4):
            raise ValueError(f"ngram_range must be 1 <= low <= high <= 4, not {self.ngram_range!r}")
        if self.hash != HASH:
            raise ValueError(f"unknown hash {self.hash!r} (this version knows {HASH!r})")
        if self.norm not in ("l2", "none"):
            raise ValueError(f"norm must be 'l2' or 'none', not {self.norm!r}")
        try:
            re.compile(self.token_pattern)
        except re.error as e:
            raise ValueError(f"token_pattern does not compile: {e}") from None


@lru_cache(maxsize=8)
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source)


def ngrams(text: str, settings: HashingSettings) -> list[str]:
    """The word n-grams of ``text``, in order (unigrams first)."""
    if settings.lowercase:
        text = text.lower()
    tokens = _pattern(settings.token_pattern).findall(text)
    lo, hi = settings.ngram_range
    out: list[str] = []
    for n in range(lo, hi + 1):
        if n == 1:
            out.extend(tokens)
        else:
            out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


def hashed(
    text: str, settings: HashingSettings, grams: dict[int, str] | None = None
) -> dict[int, float]:
    """Column -> value of ``text``'s n-grams (zero columns left out), normalized as set.
    ``grams``, when given, receives each column's first n-gram (to name it in reasons)."""
    mask = settings.n_features - 1
    signed = settings.alternate_sign
    crc32 = zlib.crc32
    out: dict[int, float] = {}
    get = out.get
    for gram in ngrams(text, settings):
        h = crc32(gram.encode("utf-8"))
        index = h & mask  # the sign is bit 31, independent of the low bits
        out[index] = get(index, 0.0) + (-1.0 if signed and h & _SIGN_BIT else 1.0)
        if grams is not None and index not in grams:
            grams[index] = gram
    out = {i: v for i, v in out.items() if v}
    if settings.norm == "l2" and out:
        length = math.sqrt(sum(v * v for v in out.values()))
        out = {i: v / length for i, v in out.items()}
    return out
