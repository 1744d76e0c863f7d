"""An export never silently depends on the entity cache.

The cache key holds the project gazetteer's digest, so one line added to ``entities.yaml`` (or an
"apply everywhere") turns every document not opened since into a cache miss; the first landing
then exported "0 entities" for them while ``stats`` still counted the old ones.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from click.testing import CliRunner

from annotations.cli import cli
from annotations.entities import project_gazetteer as pg
from annotations.entities import resolve
from annotations.entities.corrections import add_entity
from annotations.export import export
from annotations.export.bundles import count_uncached
from annotations.store import Store

TEXTS = ["Guo Jiakun spoke in Beijing on Monday.", "Guo Jiakun met Wang Yi in Moscow."]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    for n, text in enumerate(TEXTS):
        (folder / f"doc{n}.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "project" / "team.db"
    code, _, err = run("--db", str(db), "import", str(folder))
    assert code == 0, err
    return db


def exported(db: Path, *extra: str) -> tuple[dict, str]:
    code, out, err = run("--db", str(db), "export", "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out), err


def test_export_after_the_gazetteer_changes_has_every_entity(tmp_path: Path) -> None:
    db = project(tmp_path)
    before, _ = exported(db)
    assert all(d["entities"] for d in before["documents"])
    pg.add_entry(db.parent / "entities.yaml", "Guo Jiakun", "PERSON")  # found beside the db
    after, err = exported(db)
    for doc in after["documents"]:
        found = {(e["quote"], e["label"]) for e in doc["entities"]}
        assert ("Guo Jiakun", "PERSON") in found, doc["entities"]
        assert ("Beijing", "GPE") in found or ("Moscow", "GPE") in found
    assert "entities recognized for 2 documents" in err
    again, err = exported(db)  # the export cached what it computed
    assert again == after and "recognized for" not in err


def test_an_ignore_line_takes_effect_in_the_next_export(tmp_path: Path) -> None:
    db = project(tmp_path)
    pg.add_ignore(db.parent / "entities.yaml", "Moscow")
    data, _ = exported(db)
    assert all(e["quote"] != "Moscow" for d in data["documents"] for e in d["entities"])


def test_corrections_still_apply_to_computed_entities(tmp_path: Path) -> None:
    db = project(tmp_path)
    store = Store(db, annotator="ann")
    doc = store.documents()[0]
    add_entity(store, doc.id, 0, 3, "PERSON")  # "Guo" alone, the annotator's choice
    store.close()
    pg.add_entry(db.parent / "entities.yaml", "Guo Jiakun", "PERSON")
    data, _ = exported(db)
    first = next(d for d in data["documents"] if d["id"] == doc.id)
    assert ("Guo", "PERSON", "manual") in {
        (e["quote"], e["label"], e["source"]) for e in first["entities"]
    }
    assert all(e["quote"] != "Guo Jiakun" for e in first["entities"])  # overlapped: hidden


def test_the_api_with_only_a_key_says_what_it_left_out(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db", annotator="ann")
    for text in TEXTS:
        store.add_document(text, text[:10])
    recognizer, _ = resolve(None, None)
    assert count_uncached(store, recognizer.key) == 2
    tally = export(store, "json", io.StringIO(), recognizer.key)
    assert tally.entities == 0 and len(tally.entities_missing) == 2  # said, not silent
    tally = export(store, "json", io.StringIO(), recognizer)  # the recognizer itself: computed
    assert tally.entities > 0 and tally.entities_computed == 2 and not tally.entities_missing
    assert count_uncached(store, recognizer.key) == 0
    tally = export(store, "csv", io.StringIO(), recognizer.key)  # CSV has no entities
    assert not tally.entities_missing
