"""The export dialog's "include decided claim candidates" box (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, Select, Static

from tests.test_export_dialog import open_export, opened, preview_text, settle
from tests.test_export_suggestions import FIRST, _corpus
from tui.app import make_app
from tui.screens import export_dialog


async def test_box_adds_candidates_to_preview_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_dialog, "PREVIEW_DELAY", 0.01)
    store, doc_id, _ = _corpus()
    app = make_app(store)
    async with app.run_test(size=(110, 44)) as pilot:
        await open_export(app, pilot, tmp_path)
        dialog = await opened(app, pilot)
        assert '"suggestions"' not in preview_text(dialog)
        box = dialog.query_one("#suggestions", Checkbox)
        box.focus()
        await pilot.press("space")  # the keyboard ticks it, as every other box
        await pilot.pause(0.05)
        await settle(app, pilot)
        assert box.value and dialog.filters().suggestions
        assert '"decision":"accepted"' in preview_text(dialog)

        dialog.query_one("#format", Select).value = "csv"
        await pilot.pause(0.05)
        await settle(app, pilot)
        assert preview_text(dialog).startswith("csv cannot include decided candidates")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        outcome = dialog.query_one("#outcome", Static)
        assert "csv cannot include decided candidates" in str(outcome.render())
        assert not (tmp_path / "annotty-export.csv").exists()

        dialog.query_one("#format", Select).value = "jsonl"
        await pilot.pause(0.05)
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        target = Path(dialog.query_one("#path", Input).value)
        assert "4 decided candidates" in str(outcome.render())
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    seed = next(doc for doc in lines if doc["id"] == doc_id)
    assert [(s["start"], s["end"]) for s in seed["suggestions"]][0] == FIRST
