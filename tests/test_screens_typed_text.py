"""Typed text shows in every one-row text field of the review and export dialogs while the field
has focus (a focused field used to draw a tall border in its one row, hiding the text until tab).

Run in bare host apps without annotty's stylesheet, so each dialog's own CSS must be enough.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_review_support import open_review_dialog, review_host, screen_text, settle, tag_corpus
from textual.widgets import Input

from annotations.store import Store
from tui.app import make_app
from tui.screens.export_dialog import ExportDialog
from tui.screens.review_dialogs import BulkDialog, FilterDialog, ReasonDialog

TYPED = "wrong-speaker42"


async def type_and_see(pilot, field: Input) -> None:
    """Type into ``field`` (which has focus) and find the text on screen while it still has
    focus, inside the field's own region."""
    assert field.has_focus
    await pilot.press(*TYPED)
    await pilot.pause()
    assert field.value.endswith(TYPED)
    region = field.content_region
    assert region.height >= 1, "the field has no row left for its text"
    row = screen_text(pilot.app).splitlines()[region.y]
    assert TYPED in row[region.x : region.right]


@pytest.mark.parametrize(
    "key, dialog", [("r", ReasonDialog), ("A", BulkDialog), ("slash", FilterDialog)]
)
@pytest.mark.parametrize("size", [(80, 24), (60, 15)])
async def test_review_dialogs_show_what_is_typed(
    seeded: Store, key: str, dialog: type, size: tuple[int, int]
) -> None:
    tag_corpus(seeded)
    app = review_host(seeded)
    async with app.run_test(size=size) as pilot:
        opened = await open_review_dialog(pilot, key)
        assert isinstance(opened, dialog)
        await type_and_see(pilot, opened.focused)


@pytest.mark.parametrize(
    "key, dialog", [("r", ReasonDialog), ("A", BulkDialog), ("slash", FilterDialog)]
)
async def test_in_the_app_too(seeded: Store, key: str, dialog: type) -> None:
    from tui.screens.review import ReviewScreen

    tag_corpus(seeded)
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen())
        opened = await open_review_dialog(pilot, key)
        assert isinstance(opened, dialog)
        await type_and_see(pilot, opened.focused)


@pytest.mark.parametrize("field", ["annotator", "claim_type", "stance", "doc", "path"])
async def test_export_fields_show_what_is_typed(store: Store, tmp_path: Path, field: str) -> None:
    store.add_document("One short document.", "one")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ExportDialog(store, app.recognizer.key, folder=tmp_path))
        await settle(pilot)
        target = app.screen.query_one(f"#{field}", Input)
        target.focus()
        await pilot.pause()
        await type_and_see(pilot, target)
