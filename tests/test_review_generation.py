"""A review list read before a change, or before a newer load, is never shown.

Each load and each saved change takes the next generation number (``ListLoader``); a finished
load whose generation is not the newest is dropped. The core tests drive the loader without a
terminal; the screen test holds the first list's read open while a change is saved.
"""

from __future__ import annotations

import itertools
import threading

import pytest
from test_review_support import review_host, settle, tag_corpus, until

from annotations.model import Claim
from annotations.review.decisions import decide
from annotations.review.filters import ReviewFilter
from annotations.review.list_loader import ListLoader, ListRequest
from annotations.review.listing import ReviewList, ReviewReader
from annotations.store import Store
from tui.widgets.claim_table import ClaimTable

PENDING = ListRequest(ReviewFilter(review_status="pending"))


@pytest.fixture
def tagged(seeded: Store) -> tuple[Store, list[Claim]]:
    return seeded, tag_corpus(seeded)


def listed(found: ReviewList) -> list[str]:
    return [row.id for row in (found.row(i) for i in range(len(found))) if row is not None]


def decided_elsewhere(store: Store, claim_id: str) -> None:
    """Another annotty process (its own connection) rejects a claim."""
    other = Store(store.path, annotator="bob")
    try:
        decide(other, claim_id, "rejected", "by bob")
    finally:
        other.close()


def test_a_list_read_before_a_change_is_dropped(tagged: tuple[Store, list[Claim]]) -> None:
    store, claims = tagged
    reader = ReviewReader(store)
    loader = ListLoader(reader)
    try:
        generation = loader.begin(PENDING)
        early = loader.load(generation, PENDING)
        victim = claims[1].id
        assert victim in listed(early.found)
        decided_elsewhere(store, victim)  # saved while ``early`` was on its way to the screen
        again = loader.changed()
        assert again == PENDING  # the load in flight is handed back, to be made again
        assert not loader.finish(early.generation)  # the stale list is dropped
        fresh = loader.load(loader.begin(again), again)
        assert loader.finish(fresh.generation)
        assert loader.changed() is None  # installed: nothing left in flight
        assert victim not in listed(fresh.found)
        assert len(fresh.found) == len(early.found) - 1
    finally:
        reader.close()


def test_a_change_with_nothing_in_flight_asks_for_no_load(
    tagged: tuple[Store, list[Claim]],
) -> None:
    store, _ = tagged
    reader = ReviewReader(store)
    loader = ListLoader(reader)
    try:
        assert loader.changed() is None
        loaded = loader.load(loader.begin(PENDING), PENDING)
        assert loader.finish(loaded.generation)
        assert loader.changed() is None  # installed: the screen re-reads its rows instead
    finally:
        reader.close()


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_the_newest_load_wins_whatever_order_they_finish(
    tagged: tuple[Store, list[Claim]], order: tuple[int, ...]
) -> None:
    """Three loads begun one after another, finishing in every order: only the last begun
    is installed."""
    store, _ = tagged
    reader = ReviewReader(store)
    loader = ListLoader(reader)
    try:
        requests = [ListRequest(ReviewFilter(stance=s)) for s in ("favor", "against", "none")]
        generations = [loader.begin(r) for r in requests]
        done = [loader.load(generations[i], requests[i]) for i in range(3)]
        installed = [i for i in order if loader.finish(done[i].generation)]
        assert installed == [2]
        assert done[2].found.filter == ReviewFilter(stance="none")
    finally:
        reader.close()


def test_loads_in_threads_install_only_the_newest(tagged: tuple[Store, list[Claim]]) -> None:
    """Loads racing in real threads (as the screen's workers do): one result, the newest."""
    store, _ = tagged
    reader = ReviewReader(store)
    loader = ListLoader(reader)
    installed: list[int] = []
    lock = threading.Lock()

    def run(generation: int, request: ListRequest) -> None:
        loaded = loader.load(generation, request)
        with lock:
            if loader.finish(loaded.generation):
                installed.append(loaded.generation)

    try:
        threads = []
        for stance in ("favor", "against", "none", "favor"):
            request = ListRequest(ReviewFilter(stance=stance))
            threads.append(threading.Thread(target=run, args=(loader.begin(request), request)))
        last = loader.begin(PENDING)
        for t in threads:
            t.start()
        run(last, PENDING)
        for t in threads:
            t.join()
        assert installed == [last]
    finally:
        reader.close()


class HeldFirstLoad:
    """Holds the first ``ReviewList.load`` open, after it has read its list, until released:
    makes the race between a load and a change happen every time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        real = ReviewList.load.__func__  # type: ignore[attr-defined]

        def held(cls: type[ReviewList], reader: ReviewReader, f: ReviewFilter) -> ReviewList:
            found = real(cls, reader, f)
            self.calls += 1
            if self.calls == 1:
                self.read.set()
                self.release.wait(timeout=60)
            return found

        monkeypatch.setattr(ReviewList, "load", classmethod(held))


async def test_a_change_saved_while_the_first_list_is_read_shows_up(
    tagged: tuple[Store, list[Claim]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review opens on pending claims; while its first list is still being read, another
    process rejects one. The list shown must not contain it (before the generation numbers,
    the screen ignored changes until a list was shown, and showed the stale one)."""
    from annotations.store.watcher import Changes
    from tui.messages import StoreChanged

    store, _ = tagged
    order = {d.id: i for i, d in enumerate(store.documents())}
    first, second = sorted(store.claims(), key=lambda c: (order[c.doc_id], c.start))[:2]
    hold = HeldFirstLoad(monkeypatch)
    app = review_host(store, ReviewFilter(review_status="pending"))
    async with app.run_test(size=(120, 34)) as pilot:
        try:
            await until(pilot, hold.read.is_set, timeout=30.0)
            decided_elsewhere(store, second.id)
            changes = Changes(
                seq=1, doc_ids=frozenset({second.doc_id}), annotators=frozenset({"bob"}), entries=1
            )
            app.screen.post_message(StoreChanged(changes))
            await until(
                pilot, lambda: hold.calls >= 2, timeout=30.0
            )  # the list is read again, at once
        finally:
            hold.release.set()
        await settle(pilot)
        table = app.screen.query_one(ClaimTable)
        assert table.source is not None
        shown = [table.source.row(i) for i in range(len(table.source))]
        assert second.id not in {c.id for c in shown if c is not None}
        assert table.current is not None and table.current.id == first.id
