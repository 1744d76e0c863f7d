"""Document text is data: markup and escape sequences are shown literally, never interpreted."""

from __future__ import annotations

from annotations.store import Store
from tui.app import make_app
from tui.widgets.document_view import DocumentView

HOSTILE = "Plain [bold]x[/] and [@click=app.quit]click[/] then \x1b[31mred\x1b]0;title\x07 end."


async def test_markup_and_escapes_are_shown_literally(store: Store) -> None:
    doc, _ = store.add_document(HOSTILE, "hostile")
    app = make_app(store)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        app.open_document(doc.id)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(DocumentView)
        line = "".join(seg.text for y in range(3) for seg in view.render_line(y))
        assert "[bold]x[/]" in line
        assert "[@click=app.quit]click[/]" in line
        assert "\x1b" not in line and "\x07" not in line
        assert "\ufffd[31mred\ufffd]0;title\ufffd end." in line
        # stored text is untouched; only the display copy is sanitised
        assert view.text == HOSTILE
        assert app.is_running
