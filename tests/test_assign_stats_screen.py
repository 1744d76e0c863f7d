"""The stats screen with assignments: a section of each annotator's assigned documents by
status, there only once someone is assigned something."""

from __future__ import annotations

from test_review_support import screen_text, settle

from annotations.store import Store
from tui.app import make_app
from tui.screens.stats import StatsScreen


async def _stats_text(store: Store) -> str:
    app = make_app(store)
    async with app.run_test(size=(110, 60)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        return screen_text(app)


async def test_assigned_progress_is_drawn_per_annotator(store: Store) -> None:
    ids = [store.add_document(f"Words number {i}.", f"D{i}")[0].id for i in range(3)]
    assert "Assigned documents" not in await _stats_text(store)
    store.assign([(d, "alice") for d in ids] + [(ids[0], "bob\x1b[2J")])
    store.set_status(ids[0], "done", annotator="alice")
    store.set_status(ids[1], "in_progress", annotator="alice")
    text = await _stats_text(store)
    assert "Assigned documents by annotator" in text
    assert "1/3 done  ▓1 ▒0 ░1" in text  # done, then in progress, skipped, to do
    assert "0/1 done  ▓0 ▒0 ░1" in text and "\x1b" not in text  # a hostile name drawn harmless
    assert "…" not in text  # every number fits beside its bar
