"""Typed text shows in every one-row text field of the review and export dialogs while the field
has focus (a focused field used to draw a tall border in its one row, hiding the text until tab).

Run in bare host apps without annotty's stylesheet, so each dialog's own CSS must be enough.

Why the apps are shared: every test opens a fresh dialog, types and looks, and the dialog is
closed without applying anything, so one running app per host (and size) serves all of them
(starting an app and reaching the review screen was most of each test's time).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from test_review_support import open_review_dialog, review_host, screen_text, settle, tag_corpus
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from annotations.entities import builtin
from annotations.seeding import import_with_entities
from annotations.store import Store
from tui.app import make_app
from tui.screens.export_dialog import ExportDialog
from tui.screens.review_dialogs import BulkDialog, FilterDialog, ReasonDialog

pytestmark = pytest.mark.asyncio(loop_scope="module")

TYPED = "wrong-speaker42"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DIALOGS = [("r", ReasonDialog), ("A", BulkDialog), ("slash", FilterDialog)]


async def type_and_see(pilot: Pilot[Any], field: Input) -> None:
    """Type into ``field`` (which has focus) and find the text on screen while it still has
    focus, inside the field's own region.

    The keys are queued at once, as a fast typist sends them (the key events the terminal
    driver posts): ``pilot.press`` waits for idle after every key, ~1 s for these 15 keys."""
    assert field.has_focus
    for char in TYPED:
        key = "minus" if char == "-" else char
        assert pilot.app.post_message(events.Key(key, char))
    deadline = time.monotonic() + 10
    while not field.value.endswith(TYPED) and time.monotonic() < deadline:
        await pilot.pause()
    await pilot.pause()
    assert field.value.endswith(TYPED)
    assert field.has_focus
    region = field.content_region
    assert region.height >= 1, "the field has no row left for its text"
    row = screen_text(pilot.app).splitlines()[region.y]
    assert TYPED in row[region.x : region.right]


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The shared apps start before the per-test home of conftest exists: give them their own,
    so no app here touches the user's real data folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ANNOTTY_HOME", str(tmp_path_factory.mktemp("annotty-home")))
        patch.delenv("ANNOTTY_DB", raising=False)
        patch.setenv("TEXTUAL_ANIMATIONS", "none")
        yield


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory, module_home: None) -> Iterator[Store]:
    """The seed documents with their entities and the review tests' claims (never changed:
    every dialog here is closed without applying it)."""
    store = Store(tmp_path_factory.mktemp("typed") / "seeded.db", annotator="tester")
    import_with_entities(store, [SEEDS], builtin())
    tag_corpus(store)
    yield store
    store.close()


@asynccontextmanager
async def closing_dialogs(pilot: Pilot[Any]) -> AsyncIterator[Pilot[Any]]:
    """Hand the shared app to one test, then close whatever it left open (a dialog popped is
    cancelled: nothing is applied), so the next test starts from the same screen."""
    depth = len(pilot.app.screen_stack)
    try:
        yield pilot
    finally:
        while len(pilot.app.screen_stack) > depth:
            pilot.app.pop_screen()
        await settle(pilot)


@pytest_asyncio.fixture(
    scope="module", loop_scope="module", params=[(80, 24), (60, 15)], ids=["80x24", "60x15"]
)
async def review_app(request: pytest.FixtureRequest, tagged: Store) -> AsyncIterator[Pilot[Any]]:
    """``annotty review`` over the tagged seeds, at each size."""
    async with review_host(tagged).run_test(size=request.param) as pilot:
        await settle(pilot)
        yield pilot


@pytest_asyncio.fixture(loop_scope="module")
async def review(review_app: Pilot[Any]) -> AsyncIterator[Pilot[Any]]:
    async with closing_dialogs(review_app) as pilot:
        yield pilot


@pytest.mark.parametrize("key, dialog", DIALOGS)
async def test_review_dialogs_show_what_is_typed(
    review: Pilot[Any], key: str, dialog: type
) -> None:
    opened = await open_review_dialog(review, key)
    assert isinstance(opened, dialog)
    await type_and_see(review, opened.focused)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def library_app(tagged: Store) -> AsyncIterator[Pilot[Any]]:
    """The whole app, started on the library, with the review screen pushed over it."""
    from tui.screens.review import ReviewScreen

    app = make_app(tagged)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen())
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        yield pilot


@pytest_asyncio.fixture(loop_scope="module")
async def in_app(library_app: Pilot[Any]) -> AsyncIterator[Pilot[Any]]:
    async with closing_dialogs(library_app) as pilot:
        yield pilot


@pytest.mark.parametrize("key, dialog", DIALOGS)
async def test_in_the_app_too(in_app: Pilot[Any], key: str, dialog: type) -> None:
    opened = await open_review_dialog(in_app, key)
    assert isinstance(opened, dialog)
    await type_and_see(in_app, opened.focused)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def one_doc_app(module_home: None) -> AsyncIterator[Pilot[Any]]:
    """The app over a store holding one short document (the export dialog's host)."""
    store = Store(None, annotator="tester")
    store.add_document("One short document.", "one")
    async with make_app(store).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        yield pilot
    store.close()


@pytest_asyncio.fixture(loop_scope="module")
async def exporting(one_doc_app: Pilot[Any]) -> AsyncIterator[Pilot[Any]]:
    async with closing_dialogs(one_doc_app) as pilot:
        yield pilot


@pytest.mark.parametrize("field", ["annotator", "claim_type", "stance", "doc", "path"])
async def test_export_fields_show_what_is_typed(
    exporting: Pilot[Any], tmp_path: Path, field: str
) -> None:
    app = exporting.app
    app.push_screen(ExportDialog(app.store, app.recognizer.key, folder=tmp_path))
    await settle(exporting)
    target = app.screen.query_one(f"#{field}", Input)
    target.focus()
    await exporting.pause()
    await type_and_see(exporting, target)
