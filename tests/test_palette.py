"""``ctrl+p`` finds annotty's actions by name: type part of one, enter, and it has happened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_review_support import screen_text, settle, tag_corpus
from textual.command import CommandList, CommandPalette

from annotations.store import Store
from tui.app import make_app
from tui.screens.export_dialog import ExportDialog
from tui.screens.library import LibraryScreen
from tui.screens.review import ReviewScreen
from tui.screens.stats import StatsScreen

SIZE = (100, 30)


async def palette_hits(pilot: Any, typed: str, first: str) -> list[str]:
    """Open the palette, type ``typed`` and wait until the best hit is ``first``."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await pilot.wait_for_scheduled_animations()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*typed)
    hits = app.screen.query_one(CommandList)
    shown: list[str] = []
    for _ in range(300):  # the palette gathers hits in a worker: wait for them
        shown = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
        if shown and shown[0].startswith(first) and hits.highlighted == 0:
            return shown
        await pilot.pause(0.01)
    raise AssertionError(f"{typed!r} found {shown}, not {first!r} first")


async def palette_run(pilot: Any, typed: str, first: str) -> None:
    """Find ``first`` by typing ``typed`` in the palette, and run it with enter."""
    await palette_hits(pilot, typed, first)
    await pilot.press("enter")
    await settle(pilot)


async def test_the_palette_runs_the_library_and_review_actions(seeded: Store) -> None:
    tag_corpus(seeded)
    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        await palette_run(pilot, "review", "Review")
        assert isinstance(app.screen, ReviewScreen)
        first = app.screen.table.current
        assert first is not None and first.review_status == "pending"
        await palette_run(pilot, "accept", "Accept\n")  # "Accept" (a), not "Accept all"
        assert seeded.claim(first.id).review_status == "accepted"
        await palette_run(pilot, "stats", "Stats")
        assert isinstance(app.screen, StatsScreen)


async def test_the_palette_lists_the_screens_keys_with_their_keys(seeded: Store) -> None:
    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = await palette_hits(pilot, "next unf", "Next unfinished")
        assert shown[0] == "Next unfinished\nn"  # the name, and the key that does it
        assert "Next unfinished" in screen_text(app)
        assert not any(s.startswith(("Focus Next", "Copy selected")) for s in shown)
        await pilot.press("escape")
        await settle(pilot)
        await palette_run(pilot, "export", "Export")
        assert isinstance(app.screen, ExportDialog)


async def test_database_info_names_the_whole_path(seeded: Store, tmp_path: Path) -> None:
    """The library shows only the database's file name; the palette tells the full path."""
    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert str(tmp_path) not in screen_text(app)
        assert "seeded.db" in screen_text(app)
        await palette_run(pilot, "database info", "Database info")
        messages = [n.message for n in app._notifications]
        assert any(str(seeded.path.resolve()) in m for m in messages)


async def test_only_annotty_actions_that_can_run_now(seeded: Store) -> None:
    """Textual's own keys (tab, copy) stay out; keys hidden by ``check_action`` stay out."""
    from tui.commands import binding_commands
    from tui.screens.adjudicate import AdjudicateScreen

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in binding_commands(app.screen, set())]
        assert {"Open", "Next unfinished", "Review", "Stats", "Help", "Export"} <= set(titles)
        assert not {"Focus Next", "Copy selected text", "Cursor up"} & set(titles)
        app.action_adjudicate()
        await settle(pilot)
        assert isinstance(app.screen, AdjudicateScreen)
        titles = [c.title for c in binding_commands(app.screen, set())]
        assert "Next disputed" in titles and "No claim" not in titles  # no document open yet
