"""The store's public face: callers use its API, never its private members, and no screen
runs SQL (issue 11, "The store: one public face")."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from annotations.entities import corrections
from annotations.review.listing import ReviewReader
from annotations.store import Store, StoreError

pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).resolve().parent.parent
TEXT = "Alice said batteries last. Bob said they do not. Carol agreed with Alice."


def test_no_module_outside_tests_touches_a_private_member() -> None:
    """ruff's SLF001 over the packages (pyproject ignores it for tests/ and bench/ only)."""
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run(
        [
            str(ruff),
            "check",
            "--select",
            "SLF001",
            "--output-format",
            "concise",
            "annotations",
            "tui",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _sql_calls(path: Path) -> list[str]:
    """Where a module calls ``execute``/``executemany``/``executescript`` on anything."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("execute", "executemany", "executescript")
    ]


def test_no_app_module_runs_sql() -> None:
    found = [hit for path in sorted((ROOT / "tui").rglob("*.py")) for hit in _sql_calls(path)]
    assert found == []


@pytest.mark.parametrize("on_file", [False, True])
def test_reader_choices_lists_targets_by_use_and_annotators(tmp_path: Path, on_file: bool) -> None:
    path = tmp_path / "c.db" if on_file else None
    store = Store(path, annotator="ann")
    doc, _ = store.add_document(TEXT, "t")
    store.add_claim(doc.id, 0, 5, "factual", target="batteries")
    store.add_claim(doc.id, 27, 30, "factual", target="batteries")
    store.add_claim(doc.id, 49, 54, "factual", target="Alice")
    store.add_claim(doc.id, 11, 20, "factual")  # no target: not offered
    store.annotator = "bob"
    store.add_claim(doc.id, 55, 61, "factual", target="Alice")
    store.add_claim(doc.id, 62, 66, "factual", target="Alice")
    reader = ReviewReader(store)
    try:
        assert reader.choices() == {"target": ["Alice", "batteries"], "annotator": ["ann", "bob"]}
        assert reader.choices(limit=1)["target"] == ["Alice"]
    finally:
        reader.close()
        store.close()


def test_reading_sees_the_open_transaction_and_quote_checks_the_span(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    assert store.quote(doc.id, 0, 5) == "Alice"
    with pytest.raises(StoreError, match="outside the document"):
        store.quote(doc.id, 60, 999)
    with store.transaction() as conn:
        conn.execute(
            "insert into settings(key, value) values ('k', 'v')"
            " on conflict (key) do update set value = excluded.value"
        )
        with store.reading() as seen:
            assert seen.execute("select value from settings where key = 'k'").fetchone() == ("v",)
    assert store.setting("k") == "v"


def test_own_changes_counts_this_stores_writes_only(tmp_path: Path) -> None:
    mine = Store(tmp_path / "o.db", annotator="a")
    other = Store(tmp_path / "o.db", annotator="b")
    try:
        before = mine.own_changes()
        other.set_setting("x", "1")
        assert mine.own_changes() == before
        mine.set_setting("y", "2")
        assert mine.own_changes() > before
    finally:
        other.close()
        mine.close()


def test_set_entity_adds_checks_and_removes(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    added = corrections.set_entity(store, doc.id, 0, 5, " person ")
    assert (added.label, added.quote) == ("PERSON", "Alice")
    with pytest.raises(StoreError, match="bad entity label"):
        corrections.set_entity(store, doc.id, 0, 5, "no such label!")
    assert corrections.set_entity(store, doc.id, 0, 5, "").label == ""
    assert [c.label for c in corrections.corrections(store, doc.id)] == [""]
