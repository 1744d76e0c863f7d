"""Comment threads as people use them (issue 16): an annotator comments from the reader, a
reviewer answers and resolves from review, markers show it, and the annotator sees what the
reviewer changed in their claim and why."""

from __future__ import annotations

from test_review_support import open_review, review_host, settle
from textual.widgets import Static

from annotations.store import Store
from tests import test_reader_support as support
from tui.app import make_app
from tui.screens.comments import CommentThread
from tui.widgets.claim_table import ClaimTable
from tui.widgets.side_lists import ClaimList

TEXT = "Exports grew 12% in 2024, the minister said. Critics called the figure misleading.\n"
SIZE = (110, 32)
END = TEXT.index(" Critics")


def shown(screen: CommentThread, widget: str) -> str:
    return str(screen.query_one(widget, Static).content)


async def test_annotator_sees_the_reviewers_change_comments_and_reviewer_resolves(
    store: Store,
) -> None:
    doc, _ = store.add_document(TEXT, "t")
    claim = store.add_claim(doc.id, 0, END, "statistical")
    store.annotator = "bob"  # the reviewer changes the type and rejects, with a reason
    store.update_claim(claim.id, claim_type="prediction")
    store.review_claim(
        claim.id,
        {
            "review_status": "rejected",
            "reviewer": "bob",
            "review_note": "a forecast, not a statistic",
            "reviewed_at": "2026-11-30T10:00:00+00:00",
        },
    )

    # the annotator: the claim is marked as changed by someone else; its thread says what
    # bob changed and why; a comment added there is saved and marked
    store.annotator = "tester"
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await support.open_reader(app, pilot, doc.id)
        assert str(reader.query_one(ClaimList).marks[claim.id]) == "✎"
        await pilot.press("C")  # the cursor is on the claim
        await settle(pilot)
        thread = app.screen
        assert isinstance(thread, CommentThread) and thread.item_id == claim.id
        assert "No comments yet" in shown(thread, "#thread")
        changes = shown(thread, "#changes")
        assert "bob update" in changes and "claim_type: statistical → prediction" in changes
        assert "bob review" in changes and "review_status: pending → rejected" in changes
        assert "reason: a forecast, not a statistic" in changes
        await pilot.press(*"why?", "enter")
        await settle(pilot)
        assert [c.body for c in store.comments("claim", claim.id)] == ["why?"]
        assert "why?" in shown(thread, "#thread")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is reader
        assert str(reader.query_one(ClaimList).marks[claim.id]) == "✎✉1"

        # with no claim under the cursor the thread is the document's
        reader.jump_to(len(TEXT) - 2)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CommentThread) and app.screen.kind == "document"

    # the reviewer, in review: sees the marker, answers, resolves the thread
    store.annotator = "bob"
    app = review_host(store)
    async with app.run_test(size=SIZE) as pilot:
        review = await open_review(pilot)
        table = review.query_one(ClaimTable)
        assert str(table.marks[claim.id]) == "✉1"
        await pilot.press("C")
        await settle(pilot)
        thread = app.screen
        assert isinstance(thread, CommentThread)
        assert "why?" in shown(thread, "#thread")
        await pilot.press(*"no", "enter")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "resolved by bob" in shown(thread, "#thread")
        await pilot.press("escape")
        await settle(pilot)
        assert str(table.marks[claim.id]) == "(✉2)"
    assert [(c.author, c.body, c.resolved) for c in store.comments("claim", claim.id)] == [
        ("tester", "why?", True),
        ("bob", "no", True),
    ]


async def test_an_adjudicator_comments_on_the_current_item(store: Store) -> None:
    from tui.screens.adjudicate import AdjudicateScreen

    doc, _ = store.add_document(TEXT, "t")
    for name, stance in (("alice", "favor"), ("bob", "against")):
        store.annotator = name
        store.add_claim(doc.id, 0, END, "statistical", stance=stance)
    store.annotator = "rev"
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(AdjudicateScreen())
        await settle(pilot)
        await pilot.press("enter", "C")
        await settle(pilot)
        thread = app.screen
        assert isinstance(thread, CommentThread) and thread.kind == "adjudication"
        await pilot.press("A", "enter", "escape")  # closes once the comment is saved
        await settle(pilot)
        assert isinstance(app.screen, AdjudicateScreen)
    item = f"{doc.id}:0-{END}"
    assert [(c.author, c.body) for c in store.comments("adjudication", item)] == [("rev", "A")]
