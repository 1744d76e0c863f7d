"""Build ``first_names.txt`` from Faker's person data: ``python -m ...build_first_names``.

Faker (MIT, maintained since 2012) keeps curated lists of the common first names of some 80
locales, from Nigeria and Kenya to Poland, Brazil, India (romanised) and Vietnam, for making test
data. It is a build-time (dev) dependency only; this script keeps every first name of every
locale's person provider that is written in the Latin script (about 20,000 names, 150 KB), the
evidence ``first_names.is_first_name`` gives the person rule ("Ingrid Sand", "Jordan Vik").

Left out: names that are grammar to the recognizer (function words, titles, head nouns, compass
words, weekdays and months), country names (pycountry, also a build-time dependency), and
anything that is not one capitalised word of letters. Source and licence: ``LICENSE-names.md``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from annotations.entities import chunking, vocab

LATIN = 0x250  # Basic Latin to Latin Extended-B: names a Latin-script text writes as they are
OUTPUT = Path(__file__).with_name("first_names.txt")


def _grammar() -> frozenset[str]:
    return (
        vocab.STOPWORDS
        | vocab.TITLES
        | frozenset(vocab.HEAD_LABELS)
        | vocab.DIRECTIONS
        | chunking.LONE_WORDS
        | chunking.DATE_WORDS
    )


def _countries() -> frozenset[str]:
    import pycountry

    out: set[str] = set()
    for country in pycountry.countries:
        for field in ("name", "common_name", "official_name"):
            value = getattr(country, field, None)
            if value:
                out.add(value)
    return frozenset(out)


def _faker_first_names() -> Iterator[str]:
    """Every first name of every locale's person provider (male, female, non-binary lists)."""
    import faker.providers.person as person

    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attr in ("first_names", "first_names_male", "first_names_female"):
            value = next((vars(c)[attr] for c in provider.__mro__ if attr in vars(c)), ())
            if isinstance(value, dict):  # weighted lists: name -> frequency
                value = list(value)
            if isinstance(value, list | tuple):
                yield from (v for v in value if isinstance(v, str))


def names() -> list[str]:
    """The kept first names, sorted."""
    excluded = _grammar() | _countries()
    out = set()
    for name in _faker_first_names():
        if name in excluded or any(ord(c) >= LATIN for c in name):
            continue
        if len(name) > 1 and name.isalpha() and name[0].isupper() and name[1:].islower():
            out.add(name)
    return sorted(out)


def render() -> str:
    """The text of ``first_names.txt``, exactly as ``main`` writes it."""
    lines = [
        "# annotty first names, written by entities/data/build_first_names.py: do not edit",
        f"# from Faker {metadata.version('faker')}: the first names of every locale, Latin script",
        "# source and licence: see LICENSE-names.md",
    ]
    return "\n".join(lines + names()) + "\n"


def main() -> int:
    text = render()
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{OUTPUT}: {text.count(chr(10)) - 3} names, {len(text.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
