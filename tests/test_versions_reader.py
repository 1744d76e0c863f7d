"""The reader and review after an edited article was imported: flagged claims are marked with
their old words struck through (claims placed exactly are not), review filters them, and a
decision clears the flag."""

from __future__ import annotations

import asyncio

from test_review_support import open_review, review_host, settle, until
from textual.widgets import Select

from annotations.review.filters import ReviewFilter
from annotations.store import Store
from tests import test_reader_support as support
from tests.test_review_anchor import edited
from tui.app import make_app
from tui.screens.reader_versions import FLAG_MARK
from tui.screens.review_dialogs import FilterDialog
from tui.screens.worker_results import deliver, taken_down
from tui.widgets.side_lists import ClaimList


async def test_flagged_claims_show_their_old_words(store: Store) -> None:
    doc, ids = edited(store)
    app = make_app(store)
    async with app.run_test(size=(110, 30)) as pilot:
        reader = await support.open_reader(app, pilot, doc.id)
        await settle(pilot)
        listed = reader.query_one(ClaimList)
        # (a claim the version moved may also carry the "changed by others" mark)
        marks = {k: str(v) for k, v in listed.marks.items() if FLAG_MARK in str(v)}
        assert set(marks) == {
            ids["The bridge cost four million euros."],
            ids["Traffic fell by half."],
        }
        assert marks[ids["Traffic fell by half."]].endswith(FLAG_MARK + "Traffic fell by h…")
        lost = listed.marks[ids["Traffic fell by half."]]
        assert any("strike" in str(span.style) for span in lost.spans)
        rows = [listed.row(c, 100).plain for c in listed.claims]
        assert any(FLAG_MARK + "The bridge cost f…" in r and "five million" in r for r in rows)
        # closed, the reader ignores what its workers send back late (seen under load in CI)
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is not reader
        assert taken_down(reader) and not taken_down(app.screen)
        got: list[str] = []
        await asyncio.to_thread(deliver, reader, got.append, "late")
        await asyncio.to_thread(deliver, app.screen, got.append, "shown")
        assert got == ["shown"]


async def test_review_finds_flagged_claims_and_a_decision_clears_the_flag(store: Store) -> None:
    """``/`` → Version → lost: the claim whose words are gone, marked with its old words;
    ``a`` accepts it and clears its flag and its mark."""
    doc, ids = edited(store)
    lost = ids["Traffic fell by half."]
    app = review_host(store)
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await open_review(pilot)
        flagged = {k for k, v in screen.table.marks.items() if FLAG_MARK in str(v)}
        assert flagged == {lost, ids["The bridge cost four million euros."]}
        await pilot.press("slash")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        dialog.query_one("#anchor", Select).focus()
        await pilot.press("space", "down", "down", "down", "enter")  # flagged, review, lost
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.filter == ReviewFilter(anchor="lost")
        assert screen.list is not None and len(screen.list) == 1
        assert screen.table.current is not None and screen.table.current.id == lost
        await pilot.press("a")
        await until(pilot, lambda: store.claim(lost).review_status == "accepted")
        await settle(pilot)
        assert store.claim_anchors(doc.id)[lost].flag == ""
        assert FLAG_MARK not in str(screen.table.marks.get(lost, ""))
