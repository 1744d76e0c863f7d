"""The same claim elsewhere, as a user meets it: ``=`` on a claim in the reader lists its
near-copy in another document first; ``l`` links them, the marker shows, and ``g`` shows the
group together in review; ``=`` in review opens the same list."""

from __future__ import annotations

import re
from typing import Any

from textual.pilot import Pilot

from annotations.store import Store
from tests.test_review_support import screen_text, settle
from tui.app import make_app
from tui.screens.reader import ReaderScreen
from tui.screens.review import ReviewScreen
from tui.screens.similar_claims import LINKED, SimilarClaimsScreen

TWIN = "Exports of electric cars rose by 40 percent in the first half of the year."
NEAR = "Exports of electric cars rose by forty percent in the first half of the year."
SIZE = (120, 34)


def _corpus(store: Store) -> tuple[str, str, str]:
    """Claims in three documents: the twin sentence in A and (reworded) in B, others apart."""
    texts = {
        "Trade bulletin": f"The ministry spoke on Tuesday. {TWIN} Imports fell.",
        "Weekly digest": f"Rain slowed the harbour. {NEAR} Analysts were surprised.",
        "Farm report": "Wheat prices dropped sharply after the harvest. Exports of grain stalled.",
    }
    ids = []
    for title, text in texts.items():
        doc, _ = store.add_document(text, title)
        for quote in (
            TWIN,
            NEAR,
            "Wheat prices dropped sharply after the harvest.",
            "Imports fell.",
        ):
            if quote in text:
                start = text.index(quote)
                ids.append(store.add_claim(doc.id, start, start + len(quote), "statistical").id)
    return ids[0], ids[2], ids[3]  # A's twin, B's near-copy, the wheat claim


async def _similar(pilot: Pilot[Any]) -> SimilarClaimsScreen:
    await pilot.press("equals_sign")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SimilarClaimsScreen)
    assert screen.loaded.is_set()
    return screen


async def test_equals_finds_the_twin_links_it_and_review_groups_them(store: Store) -> None:
    twin, near, _wheat = _corpus(store)
    claim = store.claim(twin)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_document(claim.doc_id, claim.start)
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        modal = await _similar(pilot)
        assert modal.claim_id == twin
        assert modal.found[0].claim.id == near and modal.found[0].score > 0.8
        assert all(s.claim.doc_id != claim.doc_id for s in modal.found)
        shown = screen_text(app)
        assert "Weekly digest" in shown and "forty percent" in shown
        assert not modal.found[0].linked
        await pilot.press("l")
        await settle(pilot)
        assert modal.found[0].linked and store.linked_to(twin) == {near}
        assert re.search(rf"{LINKED}\s+0\.9\d\s+Weekly digest", screen_text(app))  # marker
        await pilot.press("g")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.filter.cluster == twin
        assert review.list is not None
        listed = [row.id for i in range(len(review.list)) if (row := review.list.row(i))]
        assert listed == [twin, near]
        shown = screen_text(app)
        assert f"cluster={twin}" in shown
        assert shown.count(f"{LINKED} “Exports of electric cars") == 2  # the table's marker
        # ``=`` in review: the same list, from the highlighted claim; ``L`` unlinks
        review.table.move_to(1)
        await settle(pilot)
        modal = await _similar(pilot)
        assert modal.claim_id == near and modal.found[0].claim.id == twin
        await pilot.press("L")
        await settle(pilot)
        assert store.linked_to(near) == set() and not modal.found[0].linked
        await pilot.press("enter")  # opens the match in the reader, at its claim
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.doc_id == claim.doc_id
        assert reader.view.cursor == claim.start
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is review
