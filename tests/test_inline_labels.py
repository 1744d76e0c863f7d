"""Inline entity labels (``E`` in the reader): tags drawn after mentions, offsets untouched.

The tags follow displaCy's ``ent`` style and brat's span labels: the type is shown right after
(displaCy) or above (brat) the mention, while every offset stays the stored text's. displaCy
renders the label inside the mention's ``<mark>`` as ``<span ...>{label}</span>``
(spacy/displacy/templates.py, TPL_ENT), so it adds display text that is not document text, as
these layout inserts do.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes
from test_review_support import until

from annotations.screen_text import WrappedText, screen_safe
from annotations.store import Store
from tests.text_strategies import TEXTS
from tui.app import AnnottyApp, make_app
from tui.screens.reader import LABELS_SETTING, ReaderScreen
from tui.widgets.claim_form import ClaimForm
from tui.widgets.document_view import DocumentView
from tui.widgets.prompt import Prompt

INSERTS = st.dictionaries(st.integers(0, 400), st.integers(1, 12), max_size=12)

TEXT = (
    "The minister said exports grew 12% in 2024. Critics called the figure misleading.\n"
    "  • Second line: the U.S. and Guangdong Topstar Technology Co., Ltd. signed a deal.\n"
    "한국어 문장입니다 😀 and 👨‍👩‍👧 families agree."
)
SIZE = (100, 30)


def boundaries(text: str) -> set[int]:
    """Grapheme starts, with control characters as units of their own (as for the cursor)."""
    spans, _ = split_graphemes("".join(" " if ord(c) < 32 else c for c in text))
    return {s for s, _e, _c in spans} | {len(text)}


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, width=st.integers(1, 30), wanted=INSERTS)
def test_labels_keep_every_offset_and_every_cell_maps_to_one(
    text: str, width: int, wanted: dict[int, int]
) -> None:
    shown = screen_safe(text)
    inserts = {k % (len(shown) + 1): cells for k, cells in wanted.items()}
    layout = WrappedText(shown, width, inserts=inserts)
    edges = boundaries(shown)
    # the rows still partition every line: labels add cells, never text
    rows = [layout.row(i) for i in range(len(layout))]
    assert "".join(shown[r.start : r.end] for r in rows) == shown.replace("\n", "")
    # each label follows a character, at a grapheme boundary of the same line, at or after
    # the offset asked for; one at 0 or right after a line break has nothing to follow
    for k in inserts:
        if k == 0 or shown[k - 1] == "\n":
            assert layout.placed(k) is None
            continue
        at = layout.placed(k)
        assert at is not None
        assert at >= k and at in edges and "\n" not in shown[k - 1 : at]
    placed_cells = sum(inserts[k] for k in inserts if layout.placed(k) is not None)
    assert sum(c for r in rows for _at, c in layout.inserts_in(r.start, r.end)) == placed_cells
    # offset -> cell -> offset for every offset the cursor can take
    for offset in sorted(edges):
        if offset < len(shown) and shown[offset] == "\n":
            continue
        row = layout.row_of(offset)
        assert layout.offset_at(row, layout.cells_before(offset)) == offset
    for i, row in enumerate(rows):
        drawn = layout.inserts_in(row.start, row.end)
        text_cells = cell_len(shown[row.start : row.end])
        total = text_cells + sum(c for _at, c in drawn)
        # a row is wider than the view only with a label that could not move down
        assert total <= width or drawn or len(split_graphemes(shown[row.start : row.end])[0]) <= 1
        # every cell of the row, and past it, maps to an offset of that row
        for column in range(total + 3):
            offset = layout.offset_at(i, column)
            assert row.start <= offset <= row.end
            assert offset in edges or offset == row.end
        # a click on a label lands on the end of its mention
        for at, cells in drawn:
            first = cell_len(shown[row.start : at]) + layout.inserted(row.start, at) - cells
            assert {layout.offset_at(i, first + c) for c in range(cells)} == {at}


@settings(max_examples=100, deadline=None)
@given(text=TEXTS, width=st.integers(1, 30))
def test_without_labels_the_layout_is_unchanged(text: str, width: int) -> None:
    shown = screen_safe(text)
    plain, empty = WrappedText(shown, width), WrappedText(shown, width, inserts={})
    assert list(plain.starts) == list(empty.starts) and list(plain.ends) == list(empty.ends)


def test_a_label_that_does_not_fit_moves_down_with_its_mention() -> None:
    text = "hello Paris and Berlin"
    layout = WrappedText(text, 11, inserts={11: 4})
    rows = [text[layout.starts[i] : layout.ends[i]] for i in range(len(layout))]
    assert rows[:2] == ["hello ", "Paris "]
    assert layout.inserts_in(layout.starts[1], layout.ends[1]) == [(11, 4)]
    assert layout.cells_before(12) == 0 and layout.row_of(12) == 2  # "and" starts a new row


def screen_text(view: DocumentView) -> list[str]:
    return [
        "".join(s.text for s in view.render_line(y))
        for y in range(view.scrollable_content_region.height)
    ]


async def open_reader(app: AnnottyApp, pilot, doc_id: str) -> tuple[ReaderScreen, DocumentView]:
    await pilot.pause()
    app.open_document(doc_id, 0)
    await until(
        pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.document is not None
    )
    await app.workers.wait_for_complete()
    await pilot.pause()
    reader = app.screen
    assert isinstance(reader, ReaderScreen)
    await until(pilot, lambda: len(reader.view.entities.spans) == 5)
    return reader, reader.view


# Keys that move by offsets (graphemes, words, sentences, search, go to): with labels on they
# must land on exactly the same offsets, and select exactly the same spans.
KEYS = [
    "w",
    "w",
    "w",
    "right",
    "shift+right",
    "W",
    "W",
    "escape",
    "colon",
    "2",
    "enter",
    "w",
    "w",
    "w",
    "w",
    "W",
    "W",
    "escape",
    "slash",
    *"Topstar",
    "enter",
    "s",
    "escape",
    "colon",
    "3",
    "enter",
    "right",
    "right",
    "right",
    "shift+right",
    "escape",
    "G",
    "b",
    "B",
    "B",
]


async def walk(store: Store, doc_id: str, labels: bool) -> tuple[list[tuple], tuple]:
    """Cursor and selection after each key, and the claim saved from a sentence selection."""
    app = make_app(store)
    seen: list[tuple] = []
    async with app.run_test(size=SIZE) as pilot:
        reader, view = await open_reader(app, pilot, doc_id)
        if labels:
            await pilot.press("E")
            await until(pilot, lambda: view.labels_settled and view._drawn)
            shown = "\n".join(screen_text(view))
            for name in ("PERCENT", "DATE", "ORDINAL", "GPE", "ORG"):
                assert f" {name}" in shown
        else:
            assert "GPE" not in "\n".join(screen_text(view))
        for key in KEYS:
            await pilot.press(key)
            # ``:`` and ``/`` open the modal Prompt; the other keys leave the reader on top
            await until(pilot, lambda: isinstance(app.screen, ReaderScreen | Prompt))
            seen.append((key, view.cursor, view.selection))
        await pilot.press("colon", "2", "enter", "s", "c")
        await until(pilot, lambda: isinstance(app.screen, ClaimForm))
        await pilot.press("1", "f", "enter")
        await until(pilot, lambda: len(reader.claims) == 1)
        claim = reader.claims[0]
        saved = (claim.start, claim.end, claim.quote)
        reader.action_undo()
        await until(pilot, lambda: not reader.claims)
        assert store.document(doc_id).text == TEXT  # labels never reach the stored text
    return seen, saved


async def test_labels_on_give_the_same_offsets_selections_and_claims(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    off = await walk(store, doc.id, labels=False)
    on = await walk(store, doc.id, labels=True)
    assert on == off
    assert off[1][2] == (
        "Second line: the U.S. and Guangdong Topstar Technology Co., Ltd. signed a deal."
    )


async def test_vertical_moves_and_clicks_map_through_the_labels(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader, view = await open_reader(app, pilot, doc.id)
        await pilot.press("E")
        await until(pilot, lambda: view.labels_settled and view._drawn)
        layout = view._layout
        assert layout is not None
        # the cursor is drawn on the cell its offset maps to, past the labels before it
        view.cursor = TEXT.index("signed")
        await pilot.pause()
        row = layout.row_of(view.cursor)
        column = layout.cells_before(view.cursor)
        strip = view.render_line(row - int(view.scroll_y))
        cells = "".join(s.text for s in strip)
        assert cells[:column].endswith("Ltd. ORG ") and cells[column:].startswith("signed")
        styled = [s for s in strip if s.style and s.style.reverse and s.text.strip()]
        assert styled and styled[0].text == "s"
        # up then down comes back to the same offset (the goal column is kept)
        await pilot.press("up", "down")
        assert view.cursor == TEXT.index("signed")
        # a click on the GPE tag puts the cursor at the end of "U.S."; next to it, on "and"
        row = layout.row_of(TEXT.index("U.S."))
        cells = "".join(s.text for s in view.render_line(row - int(view.scroll_y)))
        assert cells[cells.index(" GPE") + 4 :].startswith(" and")
        region = view.scrollable_content_region
        y = row - int(view.scroll_y) + region.y - view.region.y
        x = cells.index(" GPE") + region.x - view.region.x
        await pilot.click(DocumentView, offset=(x + 2, y))
        assert view.cursor == TEXT.index("U.S.") + len("U.S.")
        await pilot.click(DocumentView, offset=(x + 5, y))
        assert view.cursor == TEXT.index(" and", TEXT.index("U.S.")) + 1
        # switched off, the same offset is drawn without tags
        await pilot.press("E")
        await until(pilot, lambda: view.labels_settled and not view._drawn)
        assert "GPE" not in "\n".join(screen_text(view))
    assert store.setting(LABELS_SETTING + store.annotator) == "off"


async def test_the_choice_is_remembered_for_the_next_document(tmp_path: Path) -> None:
    store = Store(tmp_path / "l.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await open_reader(app, pilot, doc.id)
        await pilot.press("E")
        await until(pilot, lambda: store.setting(LABELS_SETTING + "ann") == "on")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await open_reader(app, pilot, doc.id)
        await until(pilot, lambda: view.labels_settled and view._drawn)
        assert " GPE" in "\n".join(screen_text(view))
    store.close()


def test_label_names_are_sanitised_and_cut() -> None:
    assert DocumentView.label_name("GPE") == "GPE"
    assert DocumentView.label_name("A\x1b[2JB") == "A\ufffd[2JB"
    long = DocumentView.label_name("VERY_LONG_CUSTOM_LABEL_NAME")
    assert cell_len(long) == 16 and long.endswith("…")


def test_label_tags_are_readable_in_both_themes_and_without_colour() -> None:
    from annotations.model import ENTITY_LABELS
    from tui.styles import LABEL_MONO, Palette, contrast

    for background in ("#121212", "#e0e0e0"):
        palette = Palette(None, background)
        for label in ENTITY_LABELS:
            style = palette.label(label, monochrome=False)
            fg, bg = style.color.get_truecolor().hex, style.bgcolor.get_truecolor().hex
            assert contrast(fg, bg) >= 4.5, (label, background)
            assert style != palette.entity(label)
    # without colour a tag is dim italics: no entity (bold), claim (underline), hit or
    # selection (reverse) looks like that
    mono = Palette(None).label("GPE", monochrome=True)
    assert mono == LABEL_MONO and mono.dim and mono.italic
    assert not (mono.bold or mono.underline or mono.reverse or mono.color or mono.bgcolor)


def test_snapshot_reader_with_inline_labels(seeded: Store, snap_compare) -> None:
    doc = next(d for d in seeded.documents() if d.title.startswith("004"))
    app = make_app(seeded)

    async def run_before(pilot) -> None:
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.open_document(doc.id, 0)
        await until(
            pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.document is not None
        )
        await app.workers.wait_for_complete()
        view = app.screen.view
        await until(pilot, lambda: bool(view.entities.spans))
        await pilot.press("E")
        await until(pilot, lambda: view.labels_settled and view._drawn)
        await pilot.press("down", "down", "w", "w")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_a_wide_character_after_a_space_never_makes_a_row_wider_than_the_view() -> None:
    """Found by the property above (with no labels): breaking at the last space left "한국"
    (4 cells) on a row of 3, so "국" was cut off the screen."""
    layout = WrappedText(screen_safe("\t한국"), 3)
    rows = [layout.text[layout.starts[i] : layout.ends[i]] for i in range(len(layout))]
    assert rows == [" ", "한", "국"]


async def test_a_long_text_is_wrapped_with_labels_in_a_thread(store: Store, monkeypatch) -> None:
    """Above SYNC_LABEL_CHARS the labelled layout comes from a thread; toggling while one is
    under way still ends with the layout wanted last, and offsets map as with labels off."""
    from tui.widgets import document_view

    monkeypatch.setattr(document_view, "SYNC_LABEL_CHARS", 10)
    monkeypatch.setattr(document_view, "WRAP_DELAY", 0.01)
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await open_reader(app, pilot, doc.id)
        plain = view._layout
        assert plain is not None
        await pilot.press("E", "E", "E")  # on, off, on: the last one wins
        await until(pilot, lambda: view.labels_settled and bool(view._drawn))
        await app.workers.wait_for_complete()
        assert view.labels_settled and view.show_labels
        assert " GPE" in "\n".join(screen_text(view))
        layout = view._layout
        assert layout is not None and layout is not plain
        for offset in (0, TEXT.index("U.S."), TEXT.index(" and G"), TEXT.index("signed")):
            assert layout.offset_at(layout.row_of(offset), layout.cells_before(offset)) == offset


async def test_labels_switched_off_before_the_thread_starts_stay_off(
    store: Store, monkeypatch
) -> None:
    from tui.widgets import document_view

    monkeypatch.setattr(document_view, "SYNC_LABEL_CHARS", 10)
    monkeypatch.setattr(document_view, "WRAP_DELAY", 0.5)
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await open_reader(app, pilot, doc.id)
        await pilot.press("E", "E")  # on, then off before the delayed wrap begins
        await until(pilot, lambda: view._wrap_timer is None)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not view.show_labels and view.labels_settled and not view._drawn
        assert "GPE" not in "\n".join(screen_text(view))
        assert view._layout is not None and not view._layout.inserts_in(0, len(TEXT))
