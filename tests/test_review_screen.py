"""The review screen as a reviewer uses it: keys only, checked on screen and in the database."""

from __future__ import annotations

import pytest
from test_review_support import open_review, review_host, screen_text, settle, tag_corpus

from annotations.model import Claim
from annotations.review.filters import ReviewFilter, saved_filter
from annotations.store import Store
from tui.screens.review import ReviewScreen
from tui.screens.review_dialogs import BulkDialog, FilterDialog, ReasonDialog
from tui.screens.stats import StatsScreen
from tui.widgets.claim_table import ClaimTable

SIZE = (120, 34)


@pytest.fixture
def tagged(seeded: Store) -> tuple[Store, list[Claim]]:
    return seeded, tag_corpus(seeded)


def in_order(store: Store) -> list[Claim]:
    order = {d.id: i for i, d in enumerate(store.documents())}
    return sorted(store.claims(), key=lambda c: (order[c.doc_id], c.start))


async def test_review_decide_filter_bulk_and_see_the_stats(
    tagged: tuple[Store, list[Claim]],
) -> None:
    """The task's whole story: keyboard only, from first claim to the changed stats."""
    store, claims = tagged
    ordered = in_order(store)
    app = review_host(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        table = screen.query_one(ClaimTable)
        assert table.cursor == 0 and len(table.source) == len(claims)
        assert f"{len(claims)} claims" in screen_text(app)

        await pilot.press("j", "j", "k")
        assert table.current.id == ordered[1].id
        await pilot.press("a")  # accept, and the cursor moves to the next pending claim
        await settle(pilot)
        assert store.claim(ordered[1].id).review_status == "accepted"
        assert store.claim(ordered[1].id).reviewer == "tester"
        assert table.cursor == 2

        await pilot.press("r")
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"not a claim", "enter")
        await settle(pilot)
        rejected = store.claim(ordered[2].id)
        assert (rejected.review_status, rejected.review_note) == ("rejected", "not a claim")
        assert any(r["action"] == "review" and r["item_id"] == rejected.id for r in store.history())

        await pilot.press("n")  # the cursor is on pending claim 3; n goes on to 4
        assert table.cursor == 4
        await pilot.press("N")
        assert table.cursor == 3

        # filter by stance (a choice key) and by a search word
        stance = next(c.stance for c in claims if "batter" in c.quote.lower())
        await pilot.press("slash")
        assert isinstance(app.screen, FilterDialog)
        await pilot.press(*"batter", "tab", "tab", stance[0], "enter")
        await settle(pilot)
        assert screen.filter == ReviewFilter(stance=stance, search="batter")
        expected = [
            c for c in in_order(store) if c.stance == stance and "batter" in c.quote.lower()
        ]
        assert expected and len(table.source) == len(expected)
        shown = screen_text(app)
        assert f"stance={stance}" in shown and "search=batter" in shown
        assert saved_filter(store) == screen.filter  # kept for the session

        # bulk-accept everything the filter matches, then undo it in one step
        await pilot.press("A")
        assert isinstance(app.screen, BulkDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert {store.claim(c.id).review_status for c in expected} == {"accepted"}
        await pilot.press("u")
        await settle(pilot)
        assert {store.claim(c.id).review_status for c in expected} == {"pending"}
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert {store.claim(c.id).review_status for c in expected} == {"accepted"}

        await pilot.press("c")  # clear the filter
        await settle(pilot)
        assert screen.filter.is_empty() and len(table.source) == len(claims)

        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        numbers = app.screen.numbers
        accepted = sum(c.review_status == "accepted" for c in store.claims())
        assert numbers.review.accepted == accepted == len(expected) + 1
        assert numbers.review.rejected == 1
        assert f"✓{accepted}" in screen_text(app)
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is screen


async def test_enter_opens_the_claim_in_its_document(tagged: tuple[Store, list[Claim]]) -> None:
    from tui.screens.reader import ReaderScreen

    store, _ = tagged
    first = in_order(store)[0]
    app = review_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert (app.screen.doc_id, app.screen.start_offset) == (first.doc_id, first.start)


async def test_edit_uses_the_claim_form(tagged: tuple[Store, list[Claim]]) -> None:
    from tui.widgets.claim_form import ClaimForm

    store, _ = tagged
    first = in_order(store)[0]
    app = review_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ClaimForm)
        await pilot.press("7", "n", "enter")  # opinion, no stance
        await settle(pilot)
        edited = store.claim(first.id)
        assert (edited.claim_type, edited.stance) == ("opinion", "none")
        assert edited.target == first.target and edited.review_status == "pending"
        assert "opinion" in screen_text(app)


async def test_cli_filter_opens_pre_filtered_and_escape_cancels_dialogs(
    tagged: tuple[Store, list[Claim]],
) -> None:
    store, claims = tagged
    app = review_host(store, ReviewFilter(annotator="bob", review_status="pending"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimTable)
        assert len(table.source) == sum(c.annotator == "bob" for c in claims)
        await pilot.press("r", "escape")
        await pilot.press("A", "escape")
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert {c.review_status for c in store.claims()} == {"pending"}


async def test_no_match_and_an_empty_corpus(store: Store) -> None:
    app = review_host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a", "r", "e", "enter", "n", "A")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert "0 claims" in screen_text(app)


async def test_hostile_text_is_shown_literally(store: Store) -> None:
    doc, _ = store.add_document(
        "Plain [bold]x[/] and \x1b[31mred\x1b]0;title\x07 end.\nNext.", "[@click=app.quit]title[/]"
    )
    store.add_claim(doc.id, 0, 40, "other", note="[red]note\x1b[0m", target="[b]t")
    app = review_host(store)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "[bold]x[/]" in shown and "[@click=app.quit]" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        assert "\ufffd[31mred" in shown and "[red]note\ufffd[0m" in shown
        assert app.is_running


async def test_the_table_is_virtual(store: Store) -> None:
    """5,000 claims: one widget, rows read a page at a time, cursor moves by keys and pages."""
    doc, _ = store.add_document("word " * 5_000, "many")
    stamp = "2026-01-01T00:00:00+00:00"
    rows = [
        (
            f"c{i:05d}",
            doc.id,
            i * 5,
            i * 5 + 4,
            "word",
            "other",
            "none",
            "",
            "",
            "",
            "",
            "",
            "gen",
            "pending",
            "",
            "",
            "",
            stamp,
            stamp,
        )
        for i in range(5_000)
    ]
    with store.transaction() as conn:
        conn.executemany(f"insert into claims values ({','.join('?' * 19)})", rows)
    app = review_host(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimTable)
        assert len(table.source) == 5_000 and not list(table.children)
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor == 4_999 and table.current.id == "c04999"
        assert "c04999" not in screen_text(app)  # ids are not shown; the row is drawn
        assert len(table.source._pages) <= 3
        await pilot.press("home", "pagedown")
        assert table.cursor == table.size.height - 2
        await pilot.click(ClaimTable, offset=(10, 3))
        assert table.cursor == round(table.scroll_y) + 2


async def test_keys_typed_before_a_dialog_is_ready_go_into_it(
    tagged: tuple[Store, list[Claim]],
) -> None:
    """In the real app a fast ``r dup enter`` rejects with reason "dup": the ``u`` never
    reaches the review screen (where it would undo). The keys are queued all at once, as from
    a fast typist, and nothing holds them: ``r`` is a priority binding that awaits the dialog."""
    from textual import events

    from tui.app import make_app

    store, _ = tagged
    first = in_order(store)[0]
    app = make_app(store)

    def burst(*keys: str) -> None:
        for key in keys:
            event = events.Key(key, key if len(key) == 1 else "\r")
            event.set_sender(app)
            app._driver.send_message(event)

    async def until(condition) -> bool:  # a loaded machine may take a moment
        for _ in range(100):
            if condition():
                return True
            await pilot.pause(0.05)
        return condition()

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(ReviewFilter()))
        await settle(pilot)
        burst("r", "d", "u", "p", "enter")
        assert await until(lambda: store.claim(first.id).review_status == "rejected")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        claim = store.claim(first.id)
        assert (claim.review_status, claim.review_note) == ("rejected", "dup")
        burst("A", "o", "k", "enter")  # no filter: every claim, even that one
        assert await until(
            lambda: (
                {(c.review_status, c.review_note) for c in store.claims()} == {("accepted", "ok")}
            )
        )


async def test_changes_from_elsewhere_show_up(tagged: tuple[Store, list[Claim]]) -> None:
    """Another annotty process decides a claim: the app's poll posts StoreChanged, and the
    row and the list follow. The test polls itself (the timer is paused), so each message says
    exactly what changed since the one before, as the app's poll would."""
    from annotations.review.decisions import decide
    from tui.messages import StoreChanged

    store, _ = tagged
    first, second = in_order(store)[:2]
    app = review_host(store, ReviewFilter(review_status="pending"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.poll_timer.pause()
        await app.workers.wait_for_complete()
        screen = app.screen
        table = screen.query_one(ClaimTable)
        app.watcher.poll()  # what the app saw before: nothing new
        other = Store(store.path, annotator="bob")
        decide(other, second.id, "rejected", "by bob")
        other.close()
        changes = app.watcher.poll()
        assert changes.annotators == {"bob"}
        screen.post_message(StoreChanged(changes))
        await settle(pilot)
        assert table.current.id == first.id  # the cursor stays on its claim
        assert second.id not in {table.source.row(i).id for i in range(len(table.source))}
        decide(store, first.id, "accepted")  # this app's own save: rows re-read in place
        changes = app.watcher.poll()
        assert changes.annotators == {"tester"} and not changes.other
        screen.post_message(StoreChanged(changes))
        await settle(pilot)
        assert table.current.review_status == "accepted"
