"""The adjudication screen as a reviewer uses it: keys only, checked in the database and on
screen, at the smallest supported terminal (80×24)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_review_support import screen_text, settle

from annotations import adjudication as adj
from annotations.store import Store
from tui.app import AnnottyApp, make_app
from tui.screens.adjudicate import AdjudicateScreen
from tui.screens.library import LibraryScreen
from tui.widgets.claim_form import ClaimForm
from tui.widgets.side_by_side import SideBySide

SMALL = (80, 24)
TEXT = (
    "Exports grew by 12% last year. The new tariffs caused prices to rise. "
    "Battery makers will double output by 2030. This policy is a disaster for farmers. "
    "Officials said the \x1b[31mfigures\x1b[0m were final."
)


def span(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


@pytest.fixture
def team(tmp_path: Path) -> Any:
    """alice and bob on one document; the returned store is the reviewer's ("rev").

    Items: 1 agreed; 2 stance differs; 3 boundary differs; 4 only alice (bob missing);
    5 type differs, in a sentence with an escape sequence.
    """
    path = tmp_path / "t.db"
    rev = Store(path, annotator="rev")
    alice, bob = Store(path, annotator="alice"), Store(path, annotator="bob")
    doc, _ = alice.add_document(TEXT, "Trade and tariffs")
    alice.add_document("Nobody else read this one.", "Single annotator")
    for who in (alice, bob):
        who.add_claim(
            doc.id, *span("Exports grew by 12% last year."), "statistical", stance="favor"
        )
    alice.add_claim(
        doc.id,
        *span("The new tariffs caused prices to rise."),
        "causal",
        stance="against",
        target="Western technology policy",
    )
    bob.add_claim(
        doc.id,
        *span("The new tariffs caused prices to rise."),
        "causal",
        stance="favor",
        target="Western technology policy",
    )
    alice.add_claim(doc.id, *span("Battery makers will double output by 2030."), "prediction")
    bob.add_claim(doc.id, *span("Battery makers will double output"), "prediction")
    alice.add_claim(
        doc.id, *span("This policy is a disaster for farmers."), "opinion", speaker="Guo Jiakun"
    )
    alice.add_claim(
        doc.id, *span("Officials said the \x1b[31mfigures\x1b[0m were final."), "statistical"
    )
    bob.add_claim(doc.id, *span("Officials said the \x1b[31mfigures\x1b[0m were final."), "other")
    yield rev, doc.id
    for s in (alice, bob, rev):
        s.close()


def statuses(store: Store, doc_id: str) -> list[str]:
    return [item.status for item in adj.compare(store, doc_id).items]


async def open_screen(app: AnnottyApp, pilot: Any) -> AdjudicateScreen:
    await settle(pilot)
    screen = AdjudicateScreen()
    app.push_screen(screen)
    await settle(pilot)
    return screen


async def test_a_reviewer_decides_every_item_with_keys(team: Any) -> None:
    store, doc_id = team
    app = make_app(store)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_screen(app, pilot)
        shown = screen_text(app)
        assert "Trade and tariffs" in shown and "Single annotator" not in shown
        assert "enter opens" in shown

        await pilot.press("enter")
        await settle(pilot)
        assert screen.is_open and screen.doc_id == doc_id
        assert statuses(store, doc_id) == ["agreed", "disputed", "disputed", "disputed", "disputed"]
        await pilot.press("n")  # item 2: alice says against, bob favor
        assert screen.item_table.cursor_row == 1
        shown = screen_text(app)
        assert "1 alice" in shown and "2 bob" in shown and "≠ stance" in shown

        await pilot.press("2")  # bob's version is gold; on to the next disputed item
        assert screen.item_table.cursor_row == 2  # at once, before the save is back
        await settle(pilot)
        gold = adj.gold_claims(store, doc_id)
        assert [(g.stance, g.reviewer) for g in gold] == [("favor", "rev")]
        assert screen.item_table.cursor_row == 2 and "Gold: bob's version." in screen_text(app)
        await pilot.press("k")
        assert "gold (rev)" in screen_text(app)
        await pilot.press("1")  # changing one's mind edits the same gold claim
        await settle(pilot)
        assert [g.stance for g in adj.gold_claims(store, doc_id)] == ["against"]

        assert screen.item_table.cursor_row == 2  # item 3: alice's longer boundary
        await pilot.press("1")
        await settle(pilot)
        assert screen.item_table.cursor_row == 3  # item 4: bob has nothing
        assert "— missing —" in screen_text(app)
        await pilot.press("2")  # picking a missing version is refused, with a hint
        await settle(pilot)
        assert len(adj.gold_claims(store, doc_id)) == 2
        assert screen.item_table.cursor_row == 3  # nothing decided: the cursor stays
        assert "bob has no claim here" in screen_text(app)
        await pilot.press("x")  # decided: no claim here
        await settle(pilot)
        assert statuses(store, doc_id)[3] == "resolved"
        assert adj.compare(store, doc_id).items[3].rejected

        assert screen.item_table.cursor_row == 4  # item 5: edit its gold version with the form
        assert "\x1b" not in screen_text(app)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ClaimForm)
        await pilot.press("1", "enter")  # statistical
        await settle(pilot)
        assert app.screen is screen
        fifth = adj.compare(store, doc_id).items[4]
        assert fifth.gold is not None and fifth.gold.claim_type == "statistical"
        assert store.claim(fifth.claims["bob"].id).review_status == "rejected"
        assert screen.item_table.cursor_row == 4  # the last disputed item: nowhere to go
        await pilot.press("n")
        assert "No disputed items left here; A accepts the 1 agreed one." in screen_text(app)

        await pilot.press("A")  # accept the agreed item 1
        await settle(pilot)
        assert statuses(store, doc_id) == ["resolved"] * 5
        assert len(adj.gold_claims(store)) == 4
        await pilot.press("u")  # one undo takes one decision back
        await settle(pilot)
        assert statuses(store, doc_id)[0] == "agreed" and len(adj.gold_claims(store)) == 3
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert len(adj.gold_claims(store)) == 4
        assert "0 disputed" in screen_text(app)

        await pilot.press("escape")  # back to the document list, counts updated
        await settle(pilot)
        assert not screen.is_open and "Trade and tariffs" in screen_text(app)
        assert screen.docs[0].resolved == 5
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)


async def test_quick_keys_on_one_item_make_one_gold_claim(team: Any) -> None:
    store, doc_id = team
    app = make_app(store)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_screen(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n", "1", "k", "2")  # faster than the screen reloads
        await settle(pilot)
        gold = adj.gold_claims(store, doc_id)
        assert len(gold) == 1 and gold[0].stance == "favor"
        await pilot.press("u")
        await settle(pilot)
        assert [g.stance for g in adj.gold_claims(store, doc_id)] == ["against"]
        await pilot.press("u")
        await settle(pilot)
        assert adj.gold_claims(store, doc_id) == []

        await pilot.press("k", "k")  # back to item 1 (agreed)
        assert screen.item_table.cursor_row == 0
        await pilot.press("n", "1", "2", "1", "2")  # one decision per disputed item, in order
        await settle(pilot)
        items = adj.compare(store, doc_id).items
        picked = [
            next(
                who
                for who, c in item.claims.items()
                if item.gold is not None
                and c.quote == item.gold.quote
                and c.claim_type == item.gold.claim_type
                and c.stance == item.gold.stance
            )
            for item in items[1:]
        ]
        assert picked == ["alice", "bob", "alice", "bob"]
        assert screen.item_table.cursor_row == 4  # no disputed item left: it stays on the last
        await pilot.press("u", "k", "k", "k", "e", "1", "enter")  # typed before the form is up
        await settle(pilot)
        fifth = adj.compare(store, doc_id).items[4]
        assert fifth.gold is None  # undone, and not the item the form was opened on
        second = adj.compare(store, doc_id).items[1]
        assert second.gold is not None and second.gold.claim_type == "statistical"


async def test_keys_of_the_open_document_are_hidden_in_the_list(team: Any) -> None:
    store, doc_id = team
    app = make_app(store)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_screen(app, pilot)
        await pilot.press("1", "x", "A", "e")  # nothing open: nothing decided, no form
        await settle(pilot)
        assert app.screen is screen and adj.gold_claims(store) == []
        assert "Accept agreed" not in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert "Accept agreed" in screen_text(app)
        assert screen.query_one(SideBySide).item is not None


async def test_wide_terminals_keep_the_list_and_enter_reads_the_item(team: Any) -> None:
    from tui.screens.reader import ReaderScreen

    store, doc_id = team
    app = make_app(store)
    async with app.run_test(size=(130, 30)) as pilot:
        screen = await open_screen(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        shown = screen_text(app)
        assert screen.has_class("-wide") and "Annotators" in shown and "1 alice" in shown
        await pilot.press("n", "enter")  # read item 2 in its document
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.doc_id == doc_id
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is screen and screen.item_table.cursor_row == 1


def test_the_side_by_side_view(team: Any, snap_compare: Any) -> None:
    store, _ = team

    async def run_before(pilot: Any) -> None:
        await open_screen(pilot.app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n", "n")  # item 3: different boundaries
        await settle(pilot)

    assert snap_compare(make_app(store), terminal_size=(100, 30), run_before=run_before)
