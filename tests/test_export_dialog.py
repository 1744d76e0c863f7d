"""The export dialog as a user meets it: preview, filters, format, path, progress, cancel."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from rich.syntax import Syntax
from textual.app import App
from textual.widgets import Checkbox, Input, ProgressBar, Select, Static

from annotations.entities import builtin
from annotations.export import Filters
from annotations.store import Store
from tui.app import AnnottyApp, make_app
from tui.screens import export_dialog
from tui.screens.export_dialog import ExportDialog

SIZE = (110, 40)
TEXT = "[bold]Beijing[/] said China grew 5%.\x1b]0;pwned\x07 😀 [@click=app.quit]x[/]"


async def open_export(app: AnnottyApp, pilot, folder: Path) -> list[Path | None]:
    """The app's export dialog over the library, writing into ``folder``; what it closes with
    is appended to the returned list."""
    await settle(app, pilot)
    closed: list[Path | None] = []
    app.push_screen(ExportDialog(app.store, app.recognizer.key, folder=folder), closed.append)
    return closed


def corpus(store: Store) -> None:
    recognizer = builtin()
    doc, _ = store.add_document(TEXT, "markup doc")
    store.cache_entities(doc.id, recognizer.key, recognizer.recognize(TEXT))
    store.add_claim(doc.id, 16, 29, "statistical", stance="favor", speaker="Beijing")
    store.annotator = "bob"
    claim = store.add_claim(doc.id, 0, 15, "opinion")
    store.update_claim(claim.id, review_status="accepted")
    store.add_document("A second, unannotated document.", "plain")


async def settle(app: App, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def opened(app: App, pilot) -> ExportDialog:
    """The dialog, once its first preview is drawn."""
    await settle(app, pilot)
    dialog = app.screen
    assert isinstance(dialog, ExportDialog)
    return dialog


def preview_text(dialog: ExportDialog) -> str:
    shown = dialog.query_one("#preview", Static).content
    assert isinstance(shown, Syntax)  # highlighted by Pygments, never parsed as markup
    return shown.code


async def test_preview_export_and_close(store: Store, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(export_dialog, "PREVIEW_DELAY", 0.01)
    corpus(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        closed = await open_export(app, pilot, tmp_path)
        dialog = await opened(app, pilot)
        shown = preview_text(dialog)
        assert shown.startswith('{"format": "annotty"')
        assert "[bold]Beijing[/]" in shown and "\x1b" not in shown
        assert dialog.query_one("#path", Input).value == str(tmp_path / "annotty-export.json")

        dialog.query_one("#format", Select).value = "csv"
        await pilot.pause(0.05)
        await settle(app, pilot)
        assert preview_text(dialog).startswith("doc_id,doc_title,claim_id")
        assert dialog.query_one("#path", Input).value == str(tmp_path / "annotty-export.csv")

        dialog.query_one("#format", Select).value = "jsonl"
        dialog.query_one("#status", Select).value = "accepted"
        dialog.query_one("#skip_empty", Checkbox).value = True
        await pilot.pause(0.05)
        await settle(app, pilot)
        assert dialog.filters() == Filters(status=("accepted",), skip_empty=True)

        dialog.query_one("#path", Input).focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        out = tmp_path / "annotty-export.jsonl"
        lines = out.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1
        assert [c["claim_type"] for c in json.loads(lines[0])["claims"]] == ["opinion"]
        bar = dialog.query_one("#progress", ProgressBar)
        assert bar.progress == bar.total == 1
        outcome = dialog.query_one("#outcome", Static).content
        assert "wrote 1 document, 1 claim, " in str(outcome)

        await pilot.press("escape")
        await pilot.pause()
        assert closed == [out]


async def test_filters_from_text_fields_and_brat_path(
    store: Store, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(export_dialog, "PREVIEW_DELAY", 0.01)
    corpus(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_export(app, pilot, tmp_path)
        dialog = await opened(app, pilot)
        dialog.query_one("#annotator", Input).value = "bob, tester"
        dialog.query_one("#claim_type", Input).value = "opinion"
        dialog.query_one("#format", Select).value = "brat"
        await pilot.pause(0.05)
        await settle(app, pilot)
        assert dialog.filters().annotator == ("bob", "tester")
        assert dialog.query_one("#path", Input).value == str(tmp_path / "annotty-brat")
        assert preview_text(dialog).startswith("==> ")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        ann = "".join(
            p.read_text(encoding="utf-8") for p in (tmp_path / "annotty-brat").glob("*.ann")
        )
        assert "Claim 0 15" in ann and "statistical" not in ann
        await pilot.press("ctrl+s")  # the folder has files now: said, not crashed
        await settle(app, pilot)
        outcome = dialog.query_one("#outcome", Static)
        assert "not an empty folder" in str(outcome.content) and outcome.has_class("error")


async def test_escape_cancels_a_running_export(store: Store, tmp_path: Path, monkeypatch) -> None:
    corpus(store)
    started, release = threading.Event(), threading.Event()

    def slow_source(s: Store, doc_id: str, recognizer: str):
        started.set()
        release.wait(5)
        return []

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        closed = await open_export(app, pilot, tmp_path)
        dialog = await opened(app, pilot)
        dialog.entity_source = slow_source
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert started.wait(5)
        await pilot.press("escape")  # cancels; the dialog stays
        release.set()
        await settle(app, pilot)
        assert isinstance(app.screen, ExportDialog)
        assert "cancelled" in str(dialog.query_one("#outcome", Static).content)
        assert not list(tmp_path.iterdir())
        await pilot.press("escape")
        await pilot.pause()
        assert closed == [None]


async def test_enter_exports_from_the_first_field_and_picks_in_an_open_list(
    store: Store, tmp_path: Path, monkeypatch
) -> None:
    """The dialog opens on the format list: enter exports; space opens the list, where enter
    picks the highlighted format (and does not export)."""
    from test_review_support import screen_text

    monkeypatch.setattr(export_dialog, "PREVIEW_DELAY", 0.01)
    corpus(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_export(app, pilot, tmp_path)
        dialog = await opened(app, pilot)
        fmt = dialog.query_one("#format", Select)
        assert fmt.has_focus
        await pilot.press("space")  # opens the list
        await pilot.pause()
        assert fmt.expanded
        await pilot.press("down", "enter")  # picks the next format; nothing is written
        await settle(app, pilot)
        assert not fmt.expanded and fmt.value != "json"
        assert not list(tmp_path.iterdir())
        fmt.value = "json"
        await settle(app, pilot)
        await pilot.press("enter")  # on the closed list: export
        await settle(app, pilot)
        assert (tmp_path / "annotty-export.json").exists()
        assert "wrote 2 documents" in screen_text(app)


async def test_the_checkbox_shows_on_and_off_without_colour(store: Store, tmp_path: Path) -> None:
    """On and off differ in the characters drawn (an X or an empty box), so they differ on a
    NO_COLOR terminal too; space ticks it, and enter still exports."""
    from test_review_support import screen_text

    corpus(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_export(app, pilot, tmp_path)
        dialog = await opened(app, pilot)
        box = dialog.query_one("#skip_empty", Checkbox)
        label = "only documents with a matching claim"
        assert f"▐ ▌ {label}" in screen_text(app)
        box.focus()
        await pilot.press("space")
        await settle(app, pilot)
        assert box.value and f"▐X▌ {label}" in screen_text(app)
        await pilot.press("space")
        await settle(app, pilot)
        assert not box.value and f"▐ ▌ {label}" in screen_text(app)
