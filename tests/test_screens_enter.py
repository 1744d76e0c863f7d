"""``enter`` confirms a dialog from any field, also from a closed pick list (where Textual's
Select would open the list); in an open list it picks the highlighted choice."""

from __future__ import annotations

from test_review_support import open_review, review_host, settle, tag_corpus
from textual.widgets import Select

from annotations.review.filters import ReviewFilter
from annotations.store import Store
from tui.screens.review_dialogs import FilterDialog


async def test_enter_on_a_closed_pick_list_applies_the_filter(seeded: Store) -> None:
    tag_corpus(seeded)
    app = review_host(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        await pilot.press("slash")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        target = dialog.query_one("#target", Select)
        target.focus()
        await pilot.pause()
        await pilot.press("space")  # opens the list
        await pilot.pause()
        assert target.expanded
        await pilot.press("down", "enter")  # picks the first target; the dialog stays
        await pilot.pause()
        assert app.screen is dialog and not target.expanded
        picked = target.value
        assert isinstance(picked, str) and picked
        await pilot.press("enter")  # on the closed list: apply
        await settle(pilot)
        assert app.screen is screen
        assert screen.filter == ReviewFilter(target=picked)
