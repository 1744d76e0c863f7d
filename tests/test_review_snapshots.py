"""How review and stats look: snapshots at a fixed size, with data fixed by the seed corpus.

Nothing shown depends on the clock or on random ids (timestamps appear only for decided claims
in the context panel, and the snapshots keep the cursor on pending ones).
"""

from __future__ import annotations

from typing import Any

import pytest
from test_review_support import review_host, settle, tag_corpus

from annotations.model import Claim
from annotations.review.decisions import decide, decide_matching
from annotations.review.filters import ReviewFilter
from annotations.store import Store
from tui.app import make_app


@pytest.fixture
def tagged(seeded: Store) -> tuple[Store, list[Claim]]:
    return seeded, tag_corpus(seeded)


def test_review_screen(tagged: tuple[Store, list[Claim]], snap_compare: Any) -> None:
    store, claims = tagged
    decide(store, claims[0].id, "accepted")
    decide(store, claims[2].id, "rejected", "not check-worthy")

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("n")  # the next pending claim: its paragraph, entities and span
        await settle(pilot)

    assert snap_compare(review_host(store), terminal_size=(120, 34), run_before=run_before)


def test_review_screen_narrow_and_filtered(
    tagged: tuple[Store, list[Claim]], snap_compare: Any
) -> None:
    store, _ = tagged
    app = review_host(store, ReviewFilter(stance="against", review_status="pending"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_filter_dialog(tagged: tuple[Store, list[Claim]], snap_compare: Any) -> None:
    store, _ = tagged

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("slash", *"batt", "tab", "tab", "a")
        await pilot.pause()

    assert snap_compare(review_host(store), terminal_size=(100, 30), run_before=run_before)


def test_stats_screen(tagged: tuple[Store, list[Claim]], snap_compare: Any) -> None:
    from tui.screens.stats import StatsScreen

    store, claims = tagged
    store.annotator = "rev"
    decide(store, claims[1].id, "rejected", "no")
    decide_matching(store, ReviewFilter(stance="favor"), "accepted")
    store.set_status(claims[0].doc_id, "done", annotator="ann")

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.push_screen(StatsScreen())
        await settle(pilot)

    assert snap_compare(make_app(store), terminal_size=(110, 60), run_before=run_before)
