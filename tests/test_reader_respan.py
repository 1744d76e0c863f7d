"""Adjusting a claim's boundaries: ``r`` selects its span, selection keys change it, ``r``
applies; the history records both spans and undo restores the old one (with its quote)."""

from __future__ import annotations

import json

from annotations.store import Store
from tui.app import AnnottyApp, make_app
from tui.screens.reader import ReaderScreen

TEXT = "The minister said exports grew 12% in 2024. Critics called the figure misleading.\n"


async def settle(app: AnnottyApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_reader(app: AnnottyApp, pilot, doc_id: str, offset: int) -> ReaderScreen:
    await pilot.pause()
    app.open_document(doc_id, offset)
    await settle(app, pilot)
    reader = app.screen
    assert isinstance(reader, ReaderScreen)
    return reader


async def test_extend_a_claim_then_undo_restores_the_old_span(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    start = TEXT.index("exports")
    claim = store.add_claim(doc.id, start, TEXT.index(" in 2024"), "statistical", stance="none")
    assert claim.quote == "exports grew 12%"
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(app, pilot, doc.id, start)
        await pilot.press("r")
        await pilot.pause()
        assert reader.respan is not None
        assert reader.view.selection == (claim.start, claim.end)
        await pilot.press("W", "W")  # two more words: "in 2024" (the full stop is not added)
        await pilot.press("r")
        await settle(app, pilot)
        changed = store.claim(claim.id)
        assert changed.quote == "exports grew 12% in 2024"
        assert TEXT[changed.start : changed.end] == changed.quote
        update = [h for h in store.history(doc.id) if h["action"] == "update"]
        assert len(update) == 1
        before, after = json.loads(update[0]["before"]), json.loads(update[0]["after"])
        assert (before["start"], before["end"], before["quote"]) == (
            claim.start,
            claim.end,
            claim.quote,
        )
        assert (after["start"], after["end"], after["quote"]) == (
            changed.start,
            changed.end,
            changed.quote,
        )
        await pilot.press("u")
        await settle(app, pilot)
        restored = store.claim(claim.id)
        assert (restored.start, restored.end, restored.quote) == (
            claim.start,
            claim.end,
            claim.quote,
        )
        assert [(c.start, c.end) for c in reader.claims] == [(claim.start, claim.end)]


async def test_shrink_a_claim_from_its_start_with_swapped_ends(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    claim = store.add_claim(doc.id, 0, TEXT.index(" Critics"), "statistical", stance="none")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(app, pilot, doc.id, 4)
        await pilot.press("r", "ctrl+x", "W", "W")  # cursor to the start; drop two words
        await pilot.pause()
        assert reader.view.selection == (TEXT.index("said"), claim.end)
        await pilot.press("r")
        await settle(app, pilot)
        assert store.claim(claim.id).quote == "said exports grew 12% in 2024."


async def test_escape_cancels_and_the_claim_keeps_its_span(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    claim = store.add_claim(doc.id, 0, 12, "statistical", stance="none")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(app, pilot, doc.id, 0)
        await pilot.press("r", "W", "escape")
        await pilot.pause()
        assert reader.respan is None
        await pilot.press("g", "r")  # starts a new adjustment rather than applying anything
        await settle(app, pilot)
        assert reader.respan is not None
        assert store.claim(claim.id).end == 12
