"""Help on the library and review screens lists only keys that do something there."""

from __future__ import annotations

from rich.console import Console
from test_review_support import review_host, settle, tag_corpus

from annotations.store import Store
from tui.app import make_app
from tui.screens.help import bindings_table

SIDEWAYS = ("Scroll Left", "Scroll Right", "Page Left", "Page Right")


def table_text(screen) -> str:
    console = Console(width=120, record=True, color_system=None)
    console.print(bindings_table(screen))
    return console.export_text()


async def test_library_help(store: Store) -> None:
    store.add_document("Some text.", "t")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = table_text(app.screen)
        assert not any(key in text for key in SIDEWAYS)  # rows are cut, never scrolled sideways
        for wanted in ("Documents", "Filter", "Sort", "Reverse order", "Status filter"):
            assert wanted in text
        assert "LibraryTable" not in text


async def test_review_help(seeded: Store) -> None:
    tag_corpus(seeded)
    app = review_host(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = table_text(app.screen)
        assert not any(key in text for key in SIDEWAYS)
        assert "Claims" in text and "ClaimTable" not in text
