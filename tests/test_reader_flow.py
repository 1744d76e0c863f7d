"""The foundation flow as a user does it: open a seed, select a sentence, tag it, find it saved."""

from __future__ import annotations

from annotations.store import Store
from tui.app import make_app
from tui.screens.reader import ReaderScreen
from tui.widgets.claim_form import ClaimForm
from tui.widgets.document_view import DocumentView

SIZE = (120, 40)


async def open_seed(pilot, index: int) -> ReaderScreen:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for _ in range(index):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


async def test_tag_a_sentence_as_a_claim(seeded: Store) -> None:
    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_seed(pilot, 4)
        view = reader.query_one(DocumentView)
        await pilot.press("down", "down", "s")
        start, end = view.selection
        await pilot.press("c")
        assert isinstance(app.screen, ClaimForm)
        await pilot.press("1", "a", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is reader
        assert len(reader.claims) == 1

    claims = seeded.claims()
    assert len(claims) == 1
    claim = claims[0]
    text = seeded.document(claim.doc_id).text
    assert (claim.start, claim.end) == (start, end)
    assert text[claim.start : claim.end] == claim.quote
    assert claim.quote.startswith("When asked to comment")
    assert claim.quote.endswith("a new era.")
    assert (claim.claim_type, claim.stance) == ("statistical", "against")
