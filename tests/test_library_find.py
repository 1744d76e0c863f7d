"""The library as a user with many documents meets it: ids to copy, filter as you type, sort,
show one status, and it stays quick (only the rows on screen are drawn)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_review_support import screen_text, settle

from annotations.model import Document, DocumentSummary
from annotations.store import Store
from tui.app import AnnottyApp, make_app
from tui.screens.library import LibraryScreen, View, arrange, search_key
from tui.screens.reader import ReaderScreen
from tui.widgets.library_table import LibraryTable, id_width

SIZE = (100, 30)


def corpus(store: Store) -> dict[str, str]:
    """Four documents with distinct titles, sizes, claims and statuses; title -> id."""
    ids = {}
    for title, words, claims, status in (
        ("Tariffs and farmers", 40, 2, "done"),
        ("Battery output", 10, 0, "todo"),
        ("Zürich café prices", 90, 1, "in_progress"),
        ("Another tariff note", 5, 3, "skipped"),
    ):
        doc, _ = store.add_document(
            " ".join(["word"] * words) + f" {title}.",
            title,
            source=f"/data/in/{title.split()[0].lower()}.txt",
        )
        for i in range(claims):
            store.add_claim(doc.id, i * 5, i * 5 + 4, "opinion")
        store.set_status(doc.id, status)
        ids[title] = doc.id
    return ids


def rows(app: AnnottyApp) -> list[str]:
    table = app.screen.query_one(LibraryTable)
    return [d.title for d in table.rows]


async def open_library(store: Store, pilot: Any) -> LibraryScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    return screen


async def test_ids_are_shown_as_unique_prefixes(store: Store) -> None:
    ids = corpus(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_library(store, pilot)
        shown = screen_text(app)
        assert "Id " in shown
        for doc_id in ids.values():
            assert doc_id[:8] in shown and doc_id not in shown


def test_the_prefix_grows_until_every_id_is_told_apart() -> None:
    assert id_width(["abcdef0123", "99"]) == 8
    assert id_width(["abcdef0123", "abcdef0199"]) == 9
    assert id_width(["abcdef0123456", "abcdef0123457", "b"]) == 13
    assert id_width([]) == 8


async def test_slash_filters_as_you_type_and_escape_clears(store: Store) -> None:
    ids = corpus(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(store, pilot)
        assert len(rows(app)) == 4
        await pilot.press("slash", *"tarif")
        await pilot.pause()
        assert rows(app) == ["Tariffs and farmers", "Another tariff note"]
        assert "tarif" in screen_text(app)  # the typed words are on screen
        assert "2 of 4 documents" in screen_text(app)
        await pilot.press(*" note")  # every word must match
        await pilot.pause()
        assert rows(app) == ["Another tariff note"]
        await pilot.press("enter")  # back to the table: enter opens the one found
        await pilot.press("enter")
        await settle(pilot)
        assert (
            isinstance(app.screen, ReaderScreen) and app.screen.doc_id == ids["Another tariff note"]
        )
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is screen and rows(app) == ["Another tariff note"]  # kept
        await pilot.press("escape")
        await pilot.pause()
        assert len(rows(app)) == 4 and "4 documents" in screen_text(app)

        await pilot.press("slash", *ids["Battery output"][:6])  # an id prefix finds it
        await pilot.pause()
        assert rows(app) == ["Battery output"]
        await pilot.press(
            "backspace",
            "backspace",
            "backspace",
            "backspace",
            "backspace",
            "backspace",
            *"ZÜRICH.TXT",
        )  # file name, any case
        await pilot.pause()
        assert rows(app) == ["Zürich café prices"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(rows(app)) == 4 and app.screen.focused is screen.table


@pytest.mark.both_backends
async def test_sort_keys_reverse_and_status_filter(store: Store) -> None:
    corpus(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_library(store, pilot)
        imported = rows(app)
        await pilot.press("s")  # title
        assert rows(app) == sorted(imported, key=str.casefold)
        assert "Title ▲" in screen_text(app)
        await pilot.press("S")
        assert rows(app) == sorted(imported, key=str.casefold, reverse=True)
        assert "Title ▼" in screen_text(app) and "title Z→A" in screen_text(app)
        await pilot.press("s")  # status: todo, in progress, done, skipped
        assert rows(app) == [
            "Battery output",
            "Zürich café prices",
            "Tariffs and farmers",
            "Another tariff note",
        ]
        await pilot.press("s")  # claims, most first
        assert rows(app)[0] == "Another tariff note" and rows(app)[-1] == "Battery output"
        assert "most claims first" in screen_text(app)
        await pilot.press("s")  # size, longest first
        assert rows(app) == [
            "Zürich café prices",
            "Tariffs and farmers",
            "Battery output",
            "Another tariff note",
        ]
        await pilot.press("s")  # back to import order
        assert rows(app) == imported

        await pilot.press("f")  # unfinished
        assert rows(app) == ["Battery output", "Zürich café prices"]
        assert "unfinished" in screen_text(app)
        await pilot.press("f", "f")  # todo, in progress
        assert rows(app) == ["Zürich café prices"]
        await pilot.press("escape")
        assert len(rows(app)) == 4


async def test_the_status_line_names_the_database_file_not_its_folder(tmp_path: Path) -> None:
    """Snapshots must not depend on the machine: no temporary folder on screen."""
    store = Store(tmp_path / "project.db", annotator="me")
    corpus(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_library(store, pilot)
        shown = screen_text(app)
        assert "project.db" in shown and str(tmp_path) not in shown
    store.close()


def summaries(count: int) -> list[DocumentSummary]:
    return [
        DocumentSummary(
            id=f"{i:016x}",
            title=f"Document {i:05d}",
            source=f"f{i}.txt",
            chars=i % 977,
            words=i % 97,
            entities=0,
            claims=i % 13,
            status=("todo", "done")[i % 2],
        )
        for i in range(count)
    ]


def test_arrange_filters_and_sorts_ten_thousand_documents() -> None:
    docs = summaries(10_000)
    keys = {d.id: search_key(d) for d in docs}
    assert [d.title for d in arrange(docs, keys, View("DOCUMENT 09990"))] == ["Document 09990"]
    assert [d.title for d in arrange(docs, keys, View("f9990.txt"))] == ["Document 09990"]
    assert [d.title for d in arrange(docs, keys, View("document 0999"))] == [
        "Document 00999",
        "Document 02457",  # its id is 0000000000000999
        *(f"Document {i:05d}" for i in range(9990, 10_000)),
    ]
    most = arrange(docs, keys, View(status="done", sort="claims"))
    assert all(d.status == "done" for d in most) and len(most) == 5_000
    assert [d.claims for d in most] == sorted((d.claims for d in most), reverse=True)


async def test_ten_thousand_documents_draw_only_the_rows_on_screen(store: Store) -> None:
    def letters(i: int) -> str:  # ids without digits, so "09" only matches titles
        return "".join(chr(ord("a") + int(c)) for c in f"{i:05d}")

    store.add_documents(
        [
            Document(id=f"id-{letters(i)}", title=f"Document {i:05d}", text=f"Text number {i}.")
            for i in range(10_000)
        ]
    )
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(store, pilot)
        table = screen.table
        drawn: list[int] = []
        original = table.draw_row

        def counting(index: int, width: int, selected: bool) -> Any:
            drawn.append(index)
            return original(index, width, selected)

        table.draw_row = counting  # type: ignore[method-assign]
        await pilot.press("slash", *"document 09")
        await pilot.pause()
        assert len(screen.shown) == sum("09" in f"{i:05d}" for i in range(10_000)) == 1_279
        await pilot.press("down", "end")
        await pilot.pause()
        assert table.current is not None and table.current.title == "Document 09999"
        assert "Document 09999" in screen_text(app)
        assert len(set(drawn)) < 4 * SIZE[1]  # a few screens' worth, never 1,279 rows


async def test_rows_follow_a_theme_change(store: Store) -> None:
    """Rows are cached once drawn; ctrl+t must not leave them in the old theme's colours."""
    corpus(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(store, pilot)
        before = screen.table.render_line(3)  # a row without the cursor
        await pilot.press("ctrl+t")
        await settle(pilot)
        after = screen.table.render_line(3)
        assert before.text == after.text
        assert [s.style for s in before] != [s.style for s in after]


async def test_clicks_sort_by_a_header_and_open_a_row(store: Store) -> None:
    ids = corpus(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(store, pilot)
        table = screen.table
        title_x = table.content_region.x - table.region.x + screen.table.id_width + 2
        await pilot.click(LibraryTable, offset=(title_x, 0))  # the Title header
        await pilot.pause()
        assert rows(app) == sorted(rows(app), key=str.casefold) and "Title ▲" in screen_text(app)
        await pilot.click(LibraryTable, offset=(title_x, 0))
        await pilot.pause()
        assert "Title ▼" in screen_text(app)
        await pilot.click(LibraryTable, offset=(title_x, 2))  # the second row
        await pilot.pause()
        assert table.cursor == 1
        await pilot.click(LibraryTable, offset=(title_x, 2), times=2)
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.doc_id == ids[table.rows[1].title]
