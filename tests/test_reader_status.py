"""The reader's header and status line: current after every change, line:column like ``:``,
mention counts instead of toasts, the queue position; the side panel yields on narrow screens."""

from __future__ import annotations

from textual.widgets import Static

from annotations.store import Store
from tests.test_reader_support import open_reader, screen_text
from tui.app import AnnottyApp, make_app
from tui.screens.reader import ReaderScreen

TEXT = (
    "Paris and Berlin met. Later Paris agreed, and Paris won.\n"
    "Angela Merkel said the deal was bad.\n"
    "Third line here.\n"
)


async def settle(app: AnnottyApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def status(reader: ReaderScreen) -> str:
    return str(reader.query_one("#status", Static).render())


async def test_status_follows_delete_and_edit_without_moving(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    store.add_claim(doc.id, 0, 21, "causal", stance="favor")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        assert "claim: causal, favor" in status(reader)
        await pilot.press("e", "a", "enter")  # edit: stance against
        await settle(app, pilot)
        assert reader.view.cursor == 0
        assert "claim: causal, against" in status(reader)
        await pilot.press("d")
        await settle(app, pilot)
        assert reader.view.cursor == 0
        assert "claim:" not in status(reader)


async def test_status_shows_line_and_column_as_goto_counts(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        assert status(reader).startswith("1:1 (0%)")
        await pilot.press("colon", "2", "enter")
        await settle(app, pilot)
        await pilot.press("w")
        await pilot.pause()
        offset = TEXT.index("Merkel")
        assert reader.view.cursor == offset
        percent = 100 * offset // len(TEXT)
        assert status(reader).startswith(f"2:8 ({percent}%)")


async def test_mention_jumps_count_in_the_status_line_not_in_toasts(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        assert reader.entity_at_cursor() is not None
        assert "[GPE] mention 1 of 3" in status(reader)
        for expected in (2, 3, 1, 2):
            await pilot.press("m")
            await pilot.pause()
            assert f"mention {expected} of 3" in status(reader)
        await pilot.press("M")
        await pilot.pause()
        assert "mention 1 of 3" in status(reader)
        assert not app._notifications  # nothing piles up over the text
        await pilot.press("colon", "2", "enter")
        await settle(app, pilot)
        await pilot.press("m")  # Angela Merkel: mentioned once
        await pilot.pause()
        assert "mentioned once" in status(reader) and not app._notifications


async def test_header_shows_title_status_and_queue_position(store: Store) -> None:
    store.add_document("First document.", "first")
    doc, _ = store.add_document(TEXT, "Second title")
    store.add_document("Third document.", "third")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        header = str(reader.query_one("#reader-header", Static).render())
        assert "Second title" in header and "todo" in header and "2/3" in header
        assert "3 unfinished" in header
        await pilot.press("x")
        await settle(app, pilot)
        header = str(reader.query_one("#reader-header", Static).render())
        assert "done" in header and "2 unfinished" in header
        assert "Second title" in screen_text(app).splitlines()[0]


async def test_side_panel_hides_itself_when_narrow_and_p_still_shows_it(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=(60, 15)) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        side = reader.query_one("#side")
        assert not side.display
        assert reader.view.region.width == 60
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert side.display
        await pilot.press("p")
        await pilot.pause()
        assert not side.display  # the user's choice now wins over the width
        await pilot.resize_terminal(60, 15)
        await pilot.press("p")
        await pilot.pause()
        assert side.display


async def test_header_shows_a_hostile_title_as_text(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "[bold red]x[/]\x1b]52;c;aGk=\x07 title")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        header = str(reader.query_one("#reader-header", Static).render())
        assert "[bold red]x[/]" in header and "\x1b" not in header and "\x07" not in header
