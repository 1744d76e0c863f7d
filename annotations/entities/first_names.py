"""Common first names: evidence that a capitalised pair is a person ("Ingrid Sand").

The list (``data/first_names.txt``, about 20,000 names) is built from Faker's curated per-locale
first-name lists by ``data/build_first_names.py``; it is read on first use and kept.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def first_names() -> frozenset[str]:
    """Every shipped first name, as written ("Ingrid", "Vitória")."""
    text = resources.files("annotations.entities").joinpath("data/first_names.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_first_name(word: str) -> bool:
    """Is ``word`` a common first name in some country? Case matters: "Grace", not "grace"."""
    return word in first_names()
