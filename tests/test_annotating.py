"""Annotating as a user does: snapping, overlaps, edit/delete, undo across restarts, search."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from annotations import schema as schema_mod
from annotations.store import Store
from tests import test_reader_support as support
from tui.app import AnnottyApp, make_app
from tui.screens.help import HelpScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.claim_form import ClaimForm
from tui.widgets.document_view import DocumentView

TEXT = (
    "The minister said exports grew 12% in 2024. Critics called the figure misleading.\n"
    "  • Second line: the U.S. and Guangdong Topstar Technology Co., Ltd. signed a deal.\n"
    "한국어 문장입니다 😀 and 👨‍👩‍👧 families agree."
)
SIZE = (100, 30)


async def open_reader(app: AnnottyApp, pilot, doc_id: str) -> tuple[ReaderScreen, DocumentView]:
    reader = await support.open_reader(app, pilot, doc_id)
    return reader, reader.view


async def settle(app: AnnottyApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_shift_arrows_snap_to_words_without_edge_spaces(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await open_reader(app, pilot, doc.id)
        await pilot.press("w", "w")  # cursor on "said"
        assert TEXT[view.cursor :].startswith("said")
        await pilot.press("right", "shift+right", "shift+right")  # from inside "said"
        assert TEXT[slice(*view.selection)] == "said"
        await pilot.press("W", "W")  # extend by words
        assert TEXT[slice(*view.selection)] == "said exports grew"
        await pilot.press("escape")
        assert view.selection is None


async def test_sentence_selection_knows_abbreviations_and_bullets(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await open_reader(app, pilot, doc.id)
        await pilot.press("s")
        assert TEXT[slice(*view.selection)] == "The minister said exports grew 12% in 2024."
        await pilot.press("colon", "2", "enter", "s")
        chosen = TEXT[slice(*view.selection)]
        assert chosen.startswith("Second line: the U.S. and") and chosen.endswith("signed a deal.")


@pytest.mark.both_backends
async def test_overlapping_claims_edit_delete_and_undo_after_restart(db_target: str) -> None:
    """The Pilot flow run on both backends: tag, edit, delete, and undo in a new session."""
    path = db_target
    store = Store(path, annotator="ann")
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader, view = await open_reader(app, pilot, doc.id)
        await pilot.press("s", "c", "1", "f", "enter")
        await settle(app, pilot)
        await pilot.press("home", "w", "w", "W", "W", "W", "c")
        await settle(app, pilot)
        assert isinstance(app.screen, ClaimForm)
        await pilot.press("7", "a", "tab")  # from the choices, tab goes to the target
        await pilot.press(*"exports", "enter")
        await settle(app, pilot)
        assert len(reader.claims) == 2
        inner = min(reader.claims, key=lambda c: c.end - c.start)
        assert inner.quote == "said exports grew" and inner.target == "exports"
        # both claims are under the cursor, the inner one is described
        view.cursor = inner.start + 1
        await pilot.pause()
        assert len(view.claims.at(view.cursor)) == 2
        assert reader.claim_at_cursor() == inner
        # edit the inner claim's stance, then delete it
        await pilot.press("e")
        await settle(app, pilot)
        await pilot.press("n", "enter")
        await settle(app, pilot)
        assert store.claim(inner.id).stance == "none"
        await pilot.press("d")
        await settle(app, pilot)
        assert [c.claim_type for c in store.claims()] == ["statistical"]
    store.close()

    again = Store(path, annotator="ann")  # a new session: undo comes from the history table
    app = make_app(again)
    async with app.run_test(size=SIZE) as pilot:
        reader, _ = await open_reader(app, pilot, doc.id)
        await pilot.press("u")
        await settle(app, pilot)
        restored = again.claim(inner.id)
        assert restored.quote == "said exports grew" and restored.stance == "none"
        assert len(reader.claims) == 2
        await pilot.press("u")  # undo the edit too
        await settle(app, pilot)
        assert again.claim(inner.id).stance == "against"
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert again.claim(inner.id).stance == "none"
    again.close()


async def test_fast_typing_into_the_form_is_not_lost(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_reader(app, pilot, doc.id)
        from textual import events

        for key, char in [("s", "s"), ("c", "c"), ("3", "3"), ("a", "a"), ("enter", "\r")]:
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # all at once, as from a fast typist
        for _ in range(50):  # a loaded machine may take a moment
            await settle(app, pilot)
            if store.claims():
                break
            await pilot.pause(0.05)
    (claim,) = store.claims()
    assert (claim.claim_type, claim.stance) == ("causal", "against")


async def test_fast_typing_through_the_text_fields_is_not_lost(store: Store) -> None:
    """``s c 3 a tab China tab Guo enter`` in one burst: the words land in the target and the
    speaker, not as choice keys (the 'a' and 'n' of "China" would pick stances)."""
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_reader(app, pilot, doc.id)
        from textual import events

        keys = [
            ("s", "s"),
            ("c", "c"),
            ("3", "3"),
            ("a", "a"),
            ("tab", "\t"),
            *[(ch, ch) for ch in "China"],
            ("tab", "\t"),
            *[(ch, ch) for ch in "Guo"],
        ]
        for key, char in keys:
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # all at once, as from a fast typist

        def typed() -> bool:
            focused = app.screen.focused
            return isinstance(focused, Input) and focused.id == "speaker" and focused.value == "Guo"

        for _ in range(50):  # a loaded machine may take a moment
            await settle(app, pilot)
            if typed():
                break
            await pilot.pause(0.05)
        assert typed()  # the focus is where the typing went, so the next key goes there too
        await pilot.press(*" Jiakun", "enter")
        await settle(app, pilot)
    (claim,) = store.claims()
    assert (claim.claim_type, claim.stance) == ("causal", "against")
    assert (claim.target, claim.speaker, claim.attribution) == ("China", "Guo Jiakun", "")


async def test_schema_from_file_changes_keys_and_labels(store: Store, tmp_path: Path) -> None:
    labels = tmp_path / "labels.yaml"
    labels.write_text(
        "claim_types:\n  - {name: fact, key: z}\n  - {name: hype, key: y}\n"
        "stances:\n  - {name: pro, key: p}\n  - {name: con, key: k}\ntargets: [Trade]\n",
        encoding="utf-8",
    )
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store, schema=schema_mod.load(labels))
    async with app.run_test(size=SIZE) as pilot:
        await open_reader(app, pilot, doc.id)
        await pilot.press("s", "c", "y", "k", "enter")
        await settle(app, pilot)
    (claim,) = store.claims()
    assert (claim.claim_type, claim.stance) == ("hype", "con")


async def test_search_goto_status_and_help(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader, view = await open_reader(app, pilot, doc.id)
        await pilot.press("slash", *"the", "enter")
        await pilot.pause()
        assert [TEXT[s:e].lower() for s, e in reader.matches] == ["the"] * 3
        first = view.cursor
        await pilot.press("n")
        assert view.cursor > first
        await pilot.press("N")
        assert view.cursor == first
        await pilot.press("colon", *"3", "enter")
        await pilot.pause()
        assert view.cursor == TEXT.index("한국어")
        await pilot.press("x")
        await settle(app, pilot)
        assert store.status(doc.id) == "done"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("q")
        await settle(app, pilot)
    assert store.position(doc.id) == TEXT.index("한국어")


async def test_fast_typing_into_search_and_goto_prompts(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader, view = await open_reader(app, pilot, doc.id)
        from textual import events

        def burst(*keys: tuple[str, str | None]) -> None:
            for key, char in keys:
                event = events.Key(key, char)
                event.set_sender(app)
                app._driver.send_message(event)

        async def until(condition) -> None:  # a loaded machine may take a moment
            for _ in range(50):
                if condition():
                    return
                await pilot.pause(0.05)

        burst(("colon", ":"), ("3", "3"), ("enter", "\r"))
        await until(lambda: view.cursor == TEXT.index("한국어") and view.has_focus)
        assert view.cursor == TEXT.index("한국어") and view.has_focus
        burst(("slash", "/"), ("d", "d"), ("e", "e"), ("a", "a"), ("l", "l"), ("enter", "\r"))
        await until(lambda: reader.search_query == "deal" and view.has_focus)
        assert reader.search_query == "deal" and view.cursor == TEXT.index("deal")
        assert view.has_focus


async def test_a_second_search_starts_empty_and_enter_alone_repeats(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader, view = await open_reader(app, pilot, doc.id)
        await pilot.press("slash", *"figure", "enter")
        assert view.cursor == TEXT.index("figure")
        await pilot.press("slash", *"deal", "enter")
        assert reader.search_query == "deal" and view.cursor == TEXT.index("deal")
        await pilot.press("g", "slash", "enter")  # enter alone: the last search again
        assert view.cursor == TEXT.index("deal")
