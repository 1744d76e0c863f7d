"""In the app: a claim whose save fails stays, says "not saved yet, retrying", and is saved."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from annotations.store import Store
from tui.app import make_app
from tui.screens.reader import ReaderScreen
from tui.widgets import save_state
from tui.widgets.save_state import SaveState

SIZE = (100, 30)
TEXT = "First line: exports grew 5% in 2024, the ministry said. Critics disagreed loudly.\n"


async def wait_for(pilot, condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


async def test_a_failed_save_is_kept_shown_retried_and_guarded_on_quit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(save_state, "RETRY_SECONDS", 0.1)
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_document(doc.id, 0)
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen))
        # the reader caches the document's entities in the background: let that write land
        await wait_for(pilot, lambda: store.cached_entities(doc.id, app.recognizer.key) is not None)
        await app.workers.wait_for_complete()
        reader = app.screen
        state = reader.query_one(SaveState)
        assert not state.has_class("-pending")

        @contextmanager
        def locked() -> Iterator[sqlite3.Connection]:
            raise sqlite3.OperationalError("database is locked")
            yield store.db.conn  # pragma: no cover

        with monkeypatch.context() as patch:
            patch.setattr(store, "transaction", locked)  # a lock held past the retry window
            await pilot.press("s", "c", "1", "enter")
            # the claim, and after it the document's "in progress" status: both kept
            await wait_for(pilot, lambda: [s.op for s in app.saves.pending] == ["add", "status"])
            await wait_for(pilot, lambda: state.has_class("-pending"))
            assert "not saved yet, retrying" in str(state.render())
            assert "database is locked" in str(state.render())
            assert app.is_running and store.claims() == []  # no crash, nothing saved yet
            journal = Path(f"{store.path}.recovery.jsonl")
            assert journal.exists()
            await pilot.press("ctrl+q")  # unsaved: the first ctrl+q only warns
            await pilot.pause()
            assert app.is_running
            assert any("not saved yet" in str(n.message) for n in app._notifications)
        # the store recovers: the next retry saves the claim and the line goes away
        await wait_for(pilot, lambda: len(store.claims()) == 1)
        await wait_for(pilot, lambda: not state.has_class("-pending"))
        (claim,) = store.claims()
        assert claim.quote == TEXT[: claim.end] and claim.claim_type
        assert store.status(doc.id) == "in_progress"
        assert not journal.exists()
        await wait_for(pilot, lambda: [c.id for c in reader.claims] == [claim.id])
    store.close()
