"""The app's suggester: retrained in a worker after a batch of decisions, and the open reader
scores its candidates again with the new model."""

from __future__ import annotations

from pathlib import Path

from annotations.store import Store
from annotations.suggest.training import MODEL_NAME, RETRAIN_BATCH
from annotations.suggest.units import units
from tests.test_reader_candidates import TEXT, opened, settle
from tui.app import make_app

SIZE = (110, 32)
OTHER = (
    "The minister said the port handled 4.2 million containers in 2023.\n"
    "What a lovely morning it was.\n"
    "Inflation will fall below 3% next year, the central bank forecast.\n"
    "We had a nice time at the fair.\n"
)


def decide_by_hand(store: Store, count: int, first: int = 0) -> None:
    """``count`` decisions of both kinds (alternating) on new documents numbered from
    ``first``, as teammates would make them."""
    made = 0
    for n in range(first, first + count):
        doc, _ = store.add_document(f"{OTHER}Item {n}.\n", f"other {n}")
        for start, end in units(doc.text)[:2]:
            proposal = {"score": 0.6, "claim_type": "other", "speaker": "", "suggester": "b"}
            if (first + made) % 2:
                store.reject_candidate(doc.id, start, end, **proposal)
            else:
                store.accept_candidate(doc.id, start, end, **proposal)
            made += 1
            if made == count:
                return


async def test_a_batch_of_decisions_retrains_and_the_reader_rescores(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        assert reader._suggester_key == "builtin"
        decide_by_hand(store, RETRAIN_BATCH - 1)
        app.note_decision()
        await settle(app, pilot)
        assert store.latest_model(MODEL_NAME) is None  # not a whole batch yet
        decide_by_hand(store, 1, first=RETRAIN_BATCH - 1)  # the 10th: 5 of each kind
        app.note_decision()
        for _ in range(100):
            await settle(app, pilot)
            if reader._suggester_key.startswith("learned:"):
                break
        model = store.latest_model(MODEL_NAME)
        assert model is not None and model[0] == 1
        assert reader._suggester_key == app.claim_suggester().key
        assert reader._suggester_key.startswith("learned:")
        assert any("model 1" in str(n.message) for n in app._notifications)
    store.close()


async def test_too_few_of_one_kind_waits_for_the_next_batch(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(OTHER, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        proposal = {"score": 0.6, "claim_type": "other", "speaker": "", "suggester": "b"}
        for n in range(RETRAIN_BATCH):  # accepts only: nothing to learn "not a claim" from
            other, _ = store.add_document(f"{OTHER}Accept {n}.\n", f"a {n}")
            start, end = units(other.text)[0]
            store.accept_candidate(other.id, start, end, **proposal)
        app.note_decision()
        await settle(app, pilot)
        assert store.latest_model(MODEL_NAME) is None
        waited_from = app._too_few_at
        assert waited_from > 0
        app.note_decision()  # no new batch since: no new attempt
        await settle(app, pilot)
        assert app._too_few_at == waited_from
        for n in range(RETRAIN_BATCH):  # now rejects come too
            other, _ = store.add_document(f"{OTHER}Reject {n}.\n", f"r {n}")
            start, end = units(other.text)[1]
            store.reject_candidate(other.id, start, end, **proposal)
        app.note_decision()
        await settle(app, pilot)
        model = store.latest_model(MODEL_NAME)
        assert model is not None and model[0] == 1
    store.close()
