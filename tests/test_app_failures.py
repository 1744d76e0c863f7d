"""In the app, a store that fails: nothing crashes, no work is lost, and the user is told.

Writes fail as they do for real: a transaction that raises ``database is locked`` (a lock held
past the retry window), a writer stopped mid-transaction in another process (SIGSTOP, as Ctrl-Z
does), SQLite's own "attempt to write a readonly database", a damaged page on read.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from test_review_support import screen_text

from annotations.entities import corrections
from annotations.store import Store, fair_write_lock
from tests.stopped_writer import stopped_writer as held_writer
from tui.app import AnnottyApp, make_app
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets import save_state
from tui.widgets.save_state import SaveState

ROOT = Path(__file__).resolve().parents[1]
SIZE = (110, 30)
TEXT = (
    "Officials in Beijing said exports grew 5% in 2024. Critics disagreed loudly.\n"
    "The ministry of trade in Beijing expects more growth next year.\n"
)


async def wait_for(pilot: Any, condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


def locked(store: Store) -> Callable[..., Any]:
    """A transaction that fails as a lock held past the retry window does."""

    @contextmanager
    def failing(wait: float | None = None) -> Iterator[sqlite3.Connection]:
        raise sqlite3.OperationalError("database is locked")
        yield store.db.conn  # pragma: no cover

    return failing


async def open_reader(app: AnnottyApp, pilot: Any, doc_id: str) -> ReaderScreen:
    await pilot.pause()
    app.open_document(doc_id, 0)
    await wait_for(
        pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.document is not None
    )
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(save_state, "RETRY_SECONDS", 0.1)


async def test_status_stance_and_entity_corrections_are_kept_while_saves_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_retries: None
) -> None:
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "Trade")
    app = make_app(store)
    beijing = TEXT.index("Beijing")
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        assert any(e.start == beijing for e in reader.entities)
        state = reader.query_one(SaveState)
        with monkeypatch.context() as patch:
            patch.setattr(store, "transaction", locked(store))
            await pilot.press("x")  # done
            await wait_for(pilot, lambda: app.saves.unsaved == 1)
            await pilot.press("v")  # the document's stance: the first of the schema
            await wait_for(pilot, lambda: app.saves.unsaved == 2)
            reader.view.cursor = beijing
            await pilot.press("L")  # remove the machine entity here
            await wait_for(pilot, lambda: app.saves.unsaved == 3)
            await wait_for(
                pilot, lambda: "3 changes not saved yet, retrying" in str(state.render())
            )
            assert app.is_running and state.has_class("-pending")
            # the screen shows the work as done, though it is not in the database yet
            assert reader.doc_status == "done" and reader.doc_stance
            assert not any(e.start == beijing for e in reader.entities)
            assert store.status(doc.id) == "todo" and corrections.corrections(store) == []
            stance = reader.doc_stance
            await pilot.press("q")  # reopened while the saves wait: shown as set
            await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
            reader = await open_reader(app, pilot, doc.id)
            assert (reader.doc_status, reader.doc_stance) == ("done", stance)
            assert not any(e.start == beijing for e in reader.entities)
            assert "done" in screen_text(app).splitlines()[0]
            state = reader.query_one(SaveState)
        # the lock goes away: the retries save everything, in order
        await wait_for(pilot, lambda: app.saves.unsaved == 0)
        await wait_for(pilot, lambda: not state.has_class("-pending"))
        assert store.status(doc.id) == "done" and store.doc_stance(doc.id) == stance
        assert [(c.start, c.removes) for c in corrections.corrections(store, doc.id)] == [
            (beijing, True)
        ]
    store.close()


async def test_a_failed_entity_cache_write_on_open_is_quiet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache is not work: the document opens with its entities, no notice, no crash."""
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "Trade")
    monkeypatch.setattr(store, "transaction", locked(store))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        await wait_for(
            pilot, lambda: any(e.start == TEXT.index("Beijing") for e in reader.entities)
        )
        assert app.is_running and app.saves.unsaved == 0
        assert not [n for n in app._notifications if n.severity == "error"]
        assert store.cached_entities(doc.id, app.recognizer.key) is None
    store.close()


@pytest.fixture
def stopped_writer(tmp_path: Path) -> Iterator[tuple[Path, str, int]]:
    """Another process holds the writer lock mid-transaction and is stopped (Ctrl-Z)."""
    db = tmp_path / "team.db"
    setup = Store(db, annotator="ann")
    doc, _ = setup.add_document(TEXT, "Trade")
    setup.close()
    with held_writer(db, doc.id) as pid:
        yield db, doc.id, pid


async def test_leaving_the_reader_while_another_writer_is_stopped_neither_freezes_nor_crashes(
    stopped_writer: tuple[Path, str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reading position used to be saved on the event loop as the reader closed: with a
    stopped writer the UI froze for the whole lock wait, then crashed with ``WriterBusy``."""
    db, doc_id, _ = stopped_writer
    monkeypatch.setattr(fair_write_lock, "LOCK_WAIT_SECONDS", 4.0)
    store = Store(db, annotator="ann")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_reader(app, pilot, doc_id)  # its cache write gives up quietly
        reader.view.cursor = 20
        started = time.monotonic()
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert time.monotonic() - started < 2.0, "the event loop waited for the writer lock"
        await pilot.press("down")  # the app answers keys while the position save waits
        app.wait_for_positions()  # gives up after its short wait, quietly
        await pilot.pause()
        assert app.is_running
        assert not [n for n in app._notifications if n.severity == "error"]
    assert store.position(doc_id) == 0  # lost, which is all a failed position save may cost
    store.close()


async def test_the_reading_position_is_saved_off_the_event_loop(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "Trade")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        reader.view.cursor = 42
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        app.wait_for_positions()
    assert store.position(doc.id) == 42
    store.close()


async def test_a_damaged_page_read_in_a_worker_is_one_notice_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "a.db", annotator="ann")
    store.add_document(TEXT, "Trade")

    def damaged(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(store, "documents", damaged)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app._notifications))
        library = app.screen
        assert isinstance(library, LibraryScreen)
        worker = library.reload()  # again: the same notice is not stacked up
        await wait_for(pilot, lambda: worker.is_finished)
        await pilot.pause()
        assert app.is_running
        (notice,) = [n for n in app._notifications if n.severity == "error"]
        assert str(store.path) in notice.message and "damaged" in notice.message
        assert ".recover" in notice.message  # how to recover
    assert app.return_code in (0, None)
    store.close()


async def test_a_database_that_turns_read_only_keeps_the_claim_without_a_retry_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_retries: None
) -> None:
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "Trade")
    app = make_app(store)
    attempts: list[int] = []
    real = store.transaction

    def counted(wait: float | None = None) -> Any:
        attempts.append(1)
        return real(wait)

    async with app.run_test(size=SIZE) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        store.db.conn.execute("PRAGMA query_only=1")  # SQLite: "attempt to write a readonly…"
        monkeypatch.setattr(store, "transaction", counted)
        await pilot.press("s", "c", "1", "enter")
        state = reader.query_one(SaveState)
        await wait_for(pilot, lambda: "cannot be saved" in str(state.render()))
        journal = Path(f"{store.path}.recovery.jsonl")
        assert journal.exists() and str(journal) in str(state.render())
        await wait_for(pilot, lambda: len(reader.claims) == 1)  # kept, and shown as made
        assert store.claims() == []
        assert "retrying" not in str(state.render()) and app.is_running
        tried = len(attempts)
        # no loop against a wall: ten retry periods later, not one more attempt (a fixed
        # pause, as the absence of something cannot be waited for)
        await pilot.pause(10 * save_state.RETRY_SECONDS)
        assert len(attempts) == tried
        store.db.conn.execute("PRAGMA query_only=0")
    store.close()
    again = Store(tmp_path / "a.db", annotator="ann")
    again_app = make_app(again)  # the next start replays the journal
    async with again_app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: len(again.claims()) == 1)
        await wait_for(pilot, lambda: not journal.exists())
    again.close()


async def test_a_review_decision_that_fails_is_kept_and_saved_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_retries: None
) -> None:
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "Trade")
    claim = store.add_claim(doc.id, 0, 50, "statistical")
    app = make_app(store, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "1 claim" in screen_text(app))
        with monkeypatch.context() as patch:
            patch.setattr(store, "transaction", locked(store))
            await pilot.press("a")
            await wait_for(pilot, lambda: app.saves.unsaved == 1)
            await wait_for(pilot, lambda: "not saved yet" in screen_text(app))
            assert app.is_running and store.claim(claim.id).review_status == "pending"
        await wait_for(pilot, lambda: store.claim(claim.id).review_status == "accepted")
        assert app.saves.unsaved == 0
    store.close()


async def test_a_failed_bulk_decision_says_so_until_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.widgets.save_state import PERSIST_SECONDS

    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "Trade")
    store.add_claim(doc.id, 0, 50, "statistical")
    app = make_app(store, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "1 claim" in screen_text(app))
        monkeypatch.setattr(store, "transaction", locked(store))
        await app._press_keys(["A", "o", "k", "enter"])
        await wait_for(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        (notice,) = [n for n in app._notifications if n.severity == "error"]
        assert "nothing was changed" in notice.message and "again" in notice.message
        assert notice.timeout >= PERSIST_SECONDS and app.is_running
    store.close()


async def test_a_failed_adjudication_decision_is_said_and_the_item_stays_undecided(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.screens.adjudicate import AdjudicateScreen

    path = tmp_path / "t.db"
    alice, bob = Store(path, annotator="alice"), Store(path, annotator="bob")
    doc, _ = alice.add_document(TEXT, "Trade")
    alice.add_claim(doc.id, 0, 50, "statistical", stance="favor")
    bob.add_claim(doc.id, 0, 50, "statistical", stance="against")
    alice.close()
    bob.close()
    store = Store(path, annotator="rev")
    app = make_app(store, start="adjudicate")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, AdjudicateScreen) and bool(app.screen.docs)
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.current_item is not None)
        monkeypatch.setattr(store, "transaction", locked(store))
        await pilot.press("1")
        await wait_for(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        (notice,) = [n for n in app._notifications if n.severity == "error"]
        assert "database is locked" in notice.message and "decide again" in notice.message
        assert app.is_running and app.screen.current_item.status == "disputed"
    store.close()


async def test_the_library_shows_kept_work_and_refreshes_when_it_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_retries: None
) -> None:
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "Trade")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_reader(app, pilot, doc.id)
        with monkeypatch.context() as patch:
            patch.setattr(store, "transaction", locked(store))
            await pilot.press("x")
            await wait_for(pilot, lambda: app.saves.unsaved == 1)
            await pilot.press("q")
            await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
            state = app.screen.query_one(SaveState)
            await wait_for(pilot, lambda: "1 change not saved yet" in str(state.render()))
            assert "✓ done" not in screen_text(app)
        # saved by a retry: the library shows it without a key pressed (a status leaves no
        # history row for the change watcher)
        await wait_for(pilot, lambda: "✓ done" in screen_text(app))
        await wait_for(pilot, lambda: not state.has_class("-pending"))
    store.close()


async def test_an_undo_that_cannot_be_saved_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "Trade")
    store.add_claim(doc.id, 0, 20, "other")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_reader(app, pilot, doc.id)
        monkeypatch.setattr(store, "transaction", locked(store))
        await pilot.press("u")
        await wait_for(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        (notice,) = [n for n in app._notifications if n.severity == "error"]
        assert notice.message == "Undo not done, nothing changed: database is locked"
        assert app.is_running and len(store.claims()) == 1
    store.close()
