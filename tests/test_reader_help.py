"""Help lists only keys that do something on the screen underneath."""

from __future__ import annotations

from rich.console import Console

from annotations.store import Store
from tests.test_reader_support import open_reader
from tui.app import make_app
from tui.screens.help import bindings_table


def table_text(table) -> str:
    console = Console(width=120, record=True, color_system=None)
    console.print(table)
    return console.export_text()


async def test_reader_help_has_no_leftover_keys(store: Store) -> None:
    doc, _ = store.add_document("Paris is big. Paris again.\n", "t")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        text = table_text(bindings_table(reader))
        # the view wraps its rows: nothing to page sideways; nothing is selected to copy
        assert reader.view.max_scroll_x == 0
        for leftover in ("Page Left", "Page Right", "Copy selected text"):
            assert leftover not in text
        for wanted in (
            "Adjust span",
            "Swap selection ends",
            "Next mention",
            "Previous match",
            "Go to line or %",
        ):
            assert wanted in text
        # every key the reader and its view bind reaches an action that exists
        for node in (reader, reader.view):
            for binding in node.BINDINGS:
                name = binding.action.split("(")[0]  # type: ignore[union-attr]
                assert callable(getattr(node, f"action_{name}", None)), name


async def test_library_help_has_no_focus_keys_with_one_focusable_widget(store: Store) -> None:
    store.add_document("Some text.", "t")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = table_text(bindings_table(app.screen))
        if len(app.screen.focus_chain) <= 1:
            assert "Focus Next" not in text and "Focus Previous" not in text
        assert "Help" in text
