"""The library and the reader with assignments: my documents first, marked; ``ctrl+n`` goes
to my next unfinished document, and as before once none is left (or with none assigned)."""

from __future__ import annotations

from typing import Any

from test_review_support import screen_text, settle

from annotations.store import Store
from tui.app import make_app
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.library_table import ASSIGNED_MARK, LibraryTable

SIZE = (100, 30)
TITLES = ("Alpha", "Bravo", "Charlie", "Delta", "Echo")


def corpus(store: Store) -> dict[str, str]:
    return {t: store.add_document(f"Some words about {t}, and more.", t)[0].id for t in TITLES}


def titles(pilot: Any) -> list[str]:
    return [d.title for d in pilot.app.screen.query_one(LibraryTable).rows]


async def reader_on(pilot: Any) -> str:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    return screen.doc_id


async def test_my_documents_come_first_marked_and_ctrl_n_follows_them(store: Store) -> None:
    ids = corpus(store)
    store.assign([(ids["Delta"], "tester"), (ids["Bravo"], "tester"), (ids["Echo"], "tester")])
    store.assign([(ids["Alpha"], "someone-else")])
    store.set_status(ids["Delta"], "done")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert titles(pilot) == ["Bravo", "Delta", "Echo", "Alpha", "Charlie"]
        text = screen_text(app)
        assert f"{ASSIGNED_MARK}Bravo" in text and f"{ASSIGNED_MARK}Alpha" not in text
        assert "3 assigned to me (2 unfinished)" in text
        await pilot.press("s")  # any order: mine still first, each part sorted
        assert titles(pilot)[:3] == ["Bravo", "Delta", "Echo"]

        await pilot.press("enter")  # Bravo
        assert await reader_on(pilot) == ids["Bravo"]
        await pilot.press("ctrl+n")  # Charlie is next in the library, but not mine; Delta done
        assert await reader_on(pilot) == ids["Echo"]
        await pilot.press("ctrl+n")  # wraps round to my other unfinished one
        assert await reader_on(pilot) == ids["Bravo"]
        store.set_status(ids["Echo"], "done")
        await pilot.press("ctrl+n")  # none of mine left: the next unfinished, as before
        assert await reader_on(pilot) == ids["Charlie"]


async def test_without_assignments_nothing_moves_or_is_marked(store: Store) -> None:
    ids = corpus(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert titles(pilot) == list(TITLES)
        assert ASSIGNED_MARK not in screen_text(app) and "assigned" not in screen_text(app)
        await pilot.press("enter")
        assert await reader_on(pilot) == ids["Alpha"]
        await pilot.press("ctrl+n")
        assert await reader_on(pilot) == ids["Bravo"]
