"""The review screen meets a conflict: the reviewer accepts a claim its annotator edited after
the row was drawn. One notice says who changed it (their name shown literally: names are data),
nothing is saved, and the row shows the claim as it is now."""

from __future__ import annotations

from pathlib import Path

from test_review_support import open_review, review_host, settle, tag_corpus

from annotations.model import Claim
from annotations.store import Store
from tests import test_reader_support as support
from tui.app import make_app
from tui.widgets.claim_form import ClaimForm
from tui.widgets.claim_table import ClaimTable

SIZE = (120, 34)
READER_TEXT = "The minister said exports grew 12% in 2024. Critics called the figure misleading."
HOSTILE = "al[b]ice[/]"  # markup would break (or style) the notice if it were not literal


async def test_a_stale_decision_shows_who_changed_the_claim_and_the_fresh_row(
    seeded: Store,
) -> None:
    tag_corpus(seeded)
    app = review_host(seeded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        app.poll_timer.pause()  # the row stays as drawn: the reviewer has not seen the edit
        await app.workers.wait_for_complete()
        table = screen.query_one(ClaimTable)
        shown = table.current
        assert isinstance(shown, Claim) and shown.review_status == "pending"
        stance = "against" if shown.stance != "against" else "favor"
        annotator = Store(seeded.path, annotator=HOSTILE)
        annotator.update_claim(shown.id, stance=stance)
        annotator.close()

        await pilot.press("a")
        await settle(pilot)
        notices = [n for n in app._notifications if "this claim" in n.message]
        assert len(notices) == 1
        (notice,) = notices
        assert notice.message.startswith(f"“{shown.quote[:20]}")  # which claim: the cursor moved
        assert f"”: {HOSTILE} edited this claim at " in notice.message
        assert "your decision was not saved; showing the current version" in notice.message
        assert notice.markup is False and notice.severity == "warning"
        stored = seeded.claim(shown.id)
        assert (stored.review_status, stored.stance) == ("pending", stance)  # nothing saved
        assert table.source is not None
        index = table.source.index_of(shown.id)
        assert index is not None
        row = table.source.row(index)
        assert row is not None and (row.stance, row.review_status) == (stance, "pending")
        assert not table.source.status_override  # the "accepted" shown at once is taken back
        drawn = table.draw_row(index, SIZE[0], False).text  # what the table paints there
        assert stance in drawn and "pending" in drawn and "accepted" not in drawn

        # decided again on what is shown now: saved
        table.move_to(index)
        await pilot.press("a")
        await settle(pilot)
        assert seeded.claim(shown.id).review_status == "accepted"


async def test_a_stale_edit_in_the_reader_is_refused_and_the_claims_reloaded(
    tmp_path: Path,
) -> None:
    """The annotator edits her claim after a reviewer accepted it (her reader has not shown
    the decision yet): the edit is not saved, the notice says who decided, and the claims are
    read again, so the next change is made on what the reviewer left."""
    path = tmp_path / "team.db"
    store = Store(path, annotator="ann")
    doc, _ = store.add_document(READER_TEXT, "t")
    claim = store.add_claim(doc.id, 0, 43, "statistical", stance="favor")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await support.open_reader(app, pilot, doc.id)
        app.poll_timer.pause()
        await settle(pilot)
        reader.view.cursor = claim.start + 1
        await pilot.pause()
        reviewer = Store(path, annotator="bob")
        reviewer.update_claim(claim.id, review_status="accepted", reviewer="bob")
        reviewer.close()
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ClaimForm)
        await pilot.press("n", "enter")  # stance: none
        await settle(pilot)
        (notice,) = [n for n in app._notifications if "this claim" in n.message]
        assert notice.message.startswith("bob edited this claim at ")
        assert "while you were editing it: your edit was not saved" in notice.message
        assert notice.markup is False
        stored = store.claim(claim.id)
        assert (stored.stance, stored.review_status) == ("favor", "accepted")
        (shown,) = reader.claims
        assert shown.review_status == "accepted"  # read again: the edit can be made on it
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("n", "enter")
        await settle(pilot)
        assert store.claim(claim.id).stance == "none"
    store.close()


async def test_an_edit_in_review_made_while_someone_decided_is_refused(seeded: Store) -> None:
    """The form opened on the claim as it was; another reviewer decides it before the form is
    submitted: the edit is not saved, the notice says who, and the rows are read again."""
    from annotations.review.decisions import decide

    tag_corpus(seeded)
    app = review_host(seeded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        app.poll_timer.pause()
        table = screen.query_one(ClaimTable)
        shown = table.current
        assert shown is not None and shown.stance != "none"
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ClaimForm)
        other = Store(seeded.path, annotator="carol")
        decide(other, shown.id, "rejected", "not a claim")
        other.close()
        await pilot.press("n", "enter")  # stance: none
        await settle(pilot)
        (notice,) = [n for n in app._notifications if "this claim" in n.message]
        assert notice.message.startswith("carol rejected this claim at ")
        assert "while you were editing it: your edit was not saved" in notice.message
        stored = seeded.claim(shown.id)
        assert (stored.stance, stored.review_status) == (shown.stance, "rejected")
        assert table.source is not None
        index = table.source.index_of(shown.id)
        assert index is not None
        row = table.source.row(index)
        assert row is not None and row.review_status == "rejected"


async def test_a_second_adjudicator_on_the_same_item_is_told_and_shown_the_decision(
    tmp_path: Path,
) -> None:
    from annotations import adjudication as adj
    from tui.screens.adjudicate import AdjudicateScreen

    path = tmp_path / "team.db"
    alice, bob = Store(path, annotator="alice"), Store(path, annotator="bob")
    doc, _ = alice.add_document(READER_TEXT, "Trade")
    alice.add_claim(doc.id, 0, 43, "statistical", stance="against")
    bob.add_claim(doc.id, 0, 43, "statistical", stance="favor")
    rev = Store(path, annotator="rev")
    app = make_app(rev)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = AdjudicateScreen()
        app.push_screen(screen)
        await settle(pilot)
        app.poll_timer.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.is_open and screen.current_item is not None
        assert screen.current_item.status == "disputed"

        other = Store(path, annotator="ann")  # decides the item first: alice's version
        (seen,) = adj.compare(other, doc.id).items
        adj.resolve(other, seen, base=seen.claims["alice"], seen=seen)
        other.close()
        await pilot.press("2")  # rev picks bob's version on the item as drawn
        await settle(pilot)
        (notice,) = [n for n in app._notifications if "this claim" in n.message]
        assert notice.message.startswith("ann ")
        assert "while you were adjudicating it: your decision was not saved" in notice.message
        (gold,) = adj.gold_claims(rev, doc.id)
        assert (gold.stance, gold.reviewer) == ("against", "ann")
        item = screen.current_item  # shown afresh: decided, by ann
        assert item is not None and item.status == "resolved" and item.gold == gold
    for store in (alice, bob, rev):
        store.close()
