"""Time on task in the reader, as a user makes it: a claim's seconds run from its selection to
its save (an edit, or a candidate accepted through the form, counts the form's time), the
document's while it is open, idle minutes left out; a failure to record time never costs the
claim. A fake clock makes it exact."""

from __future__ import annotations

import asyncio

import pytest

from annotations.store import Store
from tests import test_reader_support as support
from tui.app import make_app
from tui.screens.reader_timing import TimeKeeping
from tui.widgets.claim_form import ClaimForm

TEXT = (
    "The minister said exports grew 12% in 2024. Critics called the figure misleading.\n"
    "Unemployment fell to 3.9% last year, the lowest level since 1969, officials said.\n"
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0


async def test_claim_and_document_time(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(TimeKeeping, "clock", lambda self: clock.now)
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await support.open_reader(app, pilot, doc.id)

        async def at(seconds: float, *keys: str) -> None:
            clock.now += seconds
            await pilot.press(*keys)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()

        await at(5, "s")  # t=1005: the selection starts the claim's time
        await at(12, "c")  # t=1017: the form opens
        assert isinstance(app.screen, ClaimForm)
        await at(8, "1", "f", "enter")  # t=1025: saved, 20 s after the selection began
        (claim,) = store.claims(doc.id)
        assert store.claim_seconds(claim.id) == pytest.approx(20.0)

        reader.jump_to(claim.start)
        await at(5, "e")  # t=1030: an edit's time runs from its form
        await at(7, "enter")  # t=1037
        assert store.claim_seconds(claim.id) == pytest.approx(27.0)

        def broken(claim_id: str, seconds: float, annotator: str | None = None) -> None:
            raise RuntimeError("no time today")

        with monkeypatch.context() as patch:
            patch.setattr(store, "add_claim_time", broken)
            reader.jump_to(TEXT.index("Critics"))
            await at(3, "s")  # t=1040
            await at(4, "c", "1", "f", "enter")  # t=1044: saved though its time is not
        second = next(c for c in store.claims(doc.id) if c.id != claim.id)
        assert second.quote == "Critics called the figure misleading."
        assert store.claim_seconds(second.id) is None

        assert any(c.start == TEXT.index("Unemployment") for c in reader.candidates)
        reader.jump_to(TEXT.index("Unemployment") + 4)
        await at(2, "Y")  # t=1046: a candidate accepted through the form
        await at(6, "enter")  # t=1052
        third = next(c for c in store.claims(doc.id) if c.id not in (claim.id, second.id))
        assert store.claim_seconds(third.id) == pytest.approx(6.0)

        assert store.doc_seconds(doc.id) == 0  # written in batches, not on every key
        reader._write_doc_time()  # the batch every few minutes
        await app.workers.wait_for_complete()
        assert store.doc_seconds(doc.id) == pytest.approx(52.0)
        clock.now += 500  # idle: only a minute of it counts
        await pilot.press("q")
        for _ in range(500):  # the closing reader writes the rest in a thread of its own
            if store.doc_seconds(doc.id) != pytest.approx(52.0):
                break
            await asyncio.sleep(0.01)
        assert store.doc_seconds(doc.id) == pytest.approx(52.0 + 60.0)
