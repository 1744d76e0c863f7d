"""At 60×15 every screen stays usable: tables keep rows to move in, dialogs scroll so that each
field can be reached, and whatever has focus is on the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_review_support import (
    open_review,
    open_review_dialog,
    review_host,
    screen_text,
    settle,
    tag_corpus,
)
from textual.containers import Vertical
from textual.geometry import Region
from textual.widget import Widget

from annotations.store import Store
from tui.app import make_app
from tui.screens.adjudicate import AdjudicateScreen
from tui.screens.export_dialog import ExportDialog
from tui.screens.stats import StatsScreen
from tui.widgets.claim_table import ClaimTable

NARROW = (60, 15)


def on_screen(widget: Widget, within: Region) -> bool:
    """``widget`` is drawn, whole rows of it, inside ``within`` (a dialog or the screen)."""
    region = widget.region
    return region.height > 0 and region.width > 0 and within.contains_region(region)


async def test_review_keeps_rows_in_its_table(seeded: Store) -> None:
    tag_corpus(seeded)
    app = review_host(seeded)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_review(pilot)
        table = screen.query_one(ClaimTable)
        assert table.has_focus and on_screen(table, screen.region)
        assert table.scrollable_content_region.height >= 4  # a header and three claims
        await pilot.press("j", "j", "j", "j")
        await settle(pilot)
        assert table.cursor == 4
        row = table.current
        assert row is not None
        assert screen_text(app).count("“") >= 3  # claims' quotes are on screen


@pytest.mark.parametrize("key", ["r", "A", "slash"])
async def test_review_dialogs_scroll_to_every_field(seeded: Store, key: str) -> None:
    tag_corpus(seeded)
    app = review_host(seeded)
    async with app.run_test(size=NARROW) as pilot:
        dialog = await open_review_dialog(pilot, key)
        box = dialog.query_one(Vertical)
        assert dialog.region.contains_region(box.region)
        for _ in range(len(dialog.focus_chain)):
            assert dialog.focused is not None and on_screen(dialog.focused, box.region)
            await pilot.press("tab")
            await settle(pilot)


async def test_adjudication_fits(tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    alice = Store(path, annotator="alice")
    bob = Store(path, annotator="bob")
    text = "Exports grew by 12% last year. Prices will rise. Farmers lost out. " * 3
    doc, _ = alice.add_document(text, "A document whose title is far too long for sixty columns")
    for who, stance in ((alice, "favor"), (bob, "against")):
        for start in range(0, len(text) - 20, 31):
            who.add_claim(doc.id, start, start + 20, "opinion", stance=stance)
    rev = Store(path, annotator="rev")
    app = make_app(rev)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        app.push_screen(AdjudicateScreen())
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AdjudicateScreen)
        await pilot.press("enter")
        await settle(pilot)
        items = screen.item_table
        assert items.has_focus and on_screen(items, screen.region)
        assert items.scrollable_content_region.height >= 3  # header and two items at least
        shown = screen_text(app)
        assert "1 alice" in shown and "2 bob" in shown  # the side-by-side columns
        assert "≠" in shown.splitlines()[0]  # the counts stay in the title, as marks
        await pilot.press("1")
        await settle(pilot)
        assert items.cursor_row == 1 and on_screen(items, screen.region)
    for store in (alice, bob, rev):
        store.close()


async def test_stats_scroll_to_the_end(seeded: Store) -> None:
    tag_corpus(seeded)
    app = review_host(seeded)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        app.push_screen(StatsScreen())
        await settle(pilot)
        body = app.screen.query_one("#stats-body")
        assert body.has_focus and body.max_scroll_y > 0
        await pilot.press("end")
        await settle(pilot)
        assert body.scroll_y == body.max_scroll_y
        assert "Claims by" in screen_text(app)


async def test_the_export_dialog_scrolls_to_every_field(store: Store, tmp_path: Path) -> None:
    from annotations.entities import builtin

    store.add_document("One document.", "one")
    app = review_host(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        app.push_screen(ExportDialog(store, builtin().key, folder=tmp_path))
        await settle(pilot)
        dialog = app.screen
        box = dialog.query_one(Vertical)
        assert dialog.region.contains_region(box.region)
        seen: list[Any] = []
        for _ in range(len(dialog.focus_chain)):
            assert dialog.focused is not None and on_screen(dialog.focused, box.region)
            seen.append(dialog.focused.id)
            await pilot.press("tab")
            await settle(pilot)
        assert "path" in seen and "skip_empty" in seen
