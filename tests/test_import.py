"""Importing files: encodings, titles, JSONL records, bad files reported and skipped."""

from __future__ import annotations

import json
from pathlib import Path

from annotations.imports.plain_files import import_paths
from annotations.model import title_for
from annotations.store import Store
from tests.conftest import SEEDS


def test_seed_corpus_imports_once(store: Store) -> None:
    report = import_paths(store, [SEEDS])
    assert len(report.added) == 5 and not report.errors
    again = import_paths(store, [SEEDS])
    assert not again.added and len(again.duplicates) == 5
    assert len(store.documents()) == 5
    for doc in report.added:
        source = Path(doc.source)
        assert doc.text == source.read_text(encoding="utf-8")


def test_encodings_and_bad_files(store: Store, tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes("\ufeffBOM title\nbody".encode())
    (tmp_path / "latin.txt").write_bytes("Café crème\nau lait, très chaud".encode("cp1252"))
    (tmp_path / "utf16.txt").write_bytes("UTF-16 title\nbody".encode("utf-16"))
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty.md").write_text("  \n")
    report = import_paths(store, [tmp_path])
    texts = {d.title: d.text for d in report.added}
    assert texts["BOM title"] == "BOM title\nbody"  # the BOM is not part of the text
    assert texts["Café crème"].startswith("Café crème")
    assert texts["UTF-16 title"] == "UTF-16 title\nbody"
    assert len(report.errors) == 2
    binary, empty = sorted(report.errors)
    assert "binary.txt" in binary and "binary" in binary
    assert "empty.md" in empty and "empty" in empty
    assert all("\n" not in line for line in report.errors)


def test_jsonl_records_with_ids_titles_meta_and_bad_lines(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [
        json.dumps({"id": "a1", "title": "First", "text": "One.", "meta": {"k": 1}}),
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps({"text": "Second doc\nbody"}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    report = import_paths(store, [path])
    assert [d.title for d in report.added] == ["First", "Second doc"]
    assert report.added[0].id == "a1" and report.added[0].meta == {"k": 1}
    assert [e.split(":")[1] for e in report.errors] == ["2", "3"]
    assert len(import_paths(store, [path]).added) == 0


def test_titles() -> None:
    assert title_for("\n\n# Heading\nbody", "file") == "Heading"
    assert title_for("x" * 300, "file") == "file"
