"""Counts agree with their nouns on the review, adjudication and stats screens: "1 claim",
never "1 claims"; an undo names what it undid with the right article."""

from __future__ import annotations

from pathlib import Path

from test_review_support import review_host, screen_text, settle

from annotations.store import Store
from tui.app import make_app
from tui.screens.adjudicate import AdjudicateScreen
from tui.screens.stats import StatsScreen

TEXT = "Exports grew by 12% last year."


async def test_one_claim_in_review_and_stats(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "one")
    store.add_claim(doc.id, 0, len(TEXT), "statistical")
    app = review_host(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "1 claim " in shown and "1 claims" not in shown
        await pilot.press("A")
        await settle(pilot)
        assert "Accept the 1 claim matching the filter?" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert "Undid review of a claim." in screen_text(app)
        app.push_screen(StatsScreen())
        await settle(pilot)
        assert "1 document · 1 claim · 0 entities" in screen_text(app)


async def test_one_disputed_item_in_adjudication(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    alice, bob = Store(path, annotator="alice"), Store(path, annotator="bob")
    doc, _ = alice.add_document(TEXT, "one")
    alice.add_claim(doc.id, 0, len(TEXT), "statistical", stance="favor")
    bob.add_claim(doc.id, 0, len(TEXT), "statistical", stance="against")
    app = make_app(Store(path, annotator="rev"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(AdjudicateScreen())
        await settle(pilot)
        shown = screen_text(app)
        assert "1 document to adjudicate · 1 disputed item · enter opens" in shown
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert "Undid a decision (" in screen_text(app)
    for s in (alice, bob, app.store):
        s.close()
