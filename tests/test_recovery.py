"""A claim whose save fails is kept (memory and journal), retried, and replayed on next start."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from annotations import recovery
from annotations.recovery import SaveQueue
from annotations.store import Store, StoreError

TEXT = "The economy grew by 3% last year. Critics say the figure is wrong. " * 4


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "work.db", annotator="ann")
    s.add_document(TEXT, "t", doc_id="doc")
    yield s
    s.close()


class Locked:
    """Makes every write of a store fail as a lock held past the retry window does."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.store, self.monkeypatch, self.on = store, monkeypatch, False

        @contextmanager
        def failing() -> Iterator[sqlite3.Connection]:
            raise sqlite3.OperationalError("database is locked")
            yield store.db.conn  # pragma: no cover

        self.failing = failing

    def __enter__(self) -> Locked:
        self.monkeypatch.setattr(self.store, "transaction", self.failing)
        return self

    def __exit__(self, *exc: object) -> None:
        self.monkeypatch.undo()


def journal_lines(store: Store) -> list[dict]:
    path = Path(f"{store.path}.recovery.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_failed_save_is_kept_journaled_and_saved_by_a_retry(store: Store,
                                                               monkeypatch) -> None:
    saves = SaveQueue(store)
    with Locked(store, monkeypatch):
        assert saves.add_claim("doc", 0, 33, "statistical", stance="favor") is None
        (pending,) = saves.pending
        assert "locked" in pending.error
        assert saves.retry() == 1  # still failing: still kept
    journal = Path(f"{store.path}.recovery.jsonl")
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    assert journal_lines(store)[0]["claim_id"] == pending.claim_id
    assert store.claims() == []
    assert saves.retry() == 0  # the store is back
    (claim,) = store.claims()
    assert (claim.id, claim.quote, claim.stance) == (pending.claim_id, TEXT[:33], "favor")
    assert not journal.exists()  # everything in it is saved


def test_disk_full_keeps_the_claim_and_an_edit_after_it_in_order(store: Store) -> None:
    saves = SaveQueue(store)
    first = saves.add_claim("doc", 0, 10, "other")
    assert first is not None
    conn = store.db.conn
    pages = conn.execute("pragma page_count").fetchone()[0]
    conn.execute(f"pragma max_page_count = {pages}")  # the disk is full now
    big = "x" * 20_000
    assert saves.add_claim("doc", 34, 66, "opinion", note=big) is None
    assert "full" in saves.pending[0].error
    assert saves.update_claim(first.id, note="edited") is None  # waits behind the first
    assert len(saves.pending) == 2
    conn.execute(f"pragma max_page_count = {pages * 100}")  # space again
    assert saves.retry() == 0
    got = {c.start: c for c in store.claims()}
    assert got[34].note == big and got[0].note == "edited"


def test_the_next_start_replays_the_journal_once(tmp_path: Path, store: Store,
                                                 monkeypatch) -> None:
    saves = SaveQueue(store)
    with Locked(store, monkeypatch):
        saves.add_claim("doc", 0, 5, "other")
        saves.add_claim("doc", 6, 11, "other")
    # the app was killed here: only the journal remembers; a new session replays it
    again = Store(store.path, annotator="ann")
    saved, left, problems = SaveQueue(again).recover()
    assert (saved, left, problems) == (2, 0, [])
    assert sorted(c.start for c in again.claims()) == [0, 6]
    assert SaveQueue(again).recover() == (0, 0, [])  # nothing twice
    assert len(again.claims()) == 2 and len(again.history()) == 2
    again.close()


def test_a_replay_of_a_claim_already_saved_adds_nothing(store: Store) -> None:
    """Killed after the save but before the journal said so: the claim id settles it."""
    saves = SaveQueue(store)
    claim = store.add_claim("doc", 0, 5, "other", claim_id="fixed-id")
    saves.journal.append(recovery.PendingSave("add", "fixed-id", "ann", "doc",
                                              {"start": 0, "end": 5,
                                               "claim_type": "other"}).record())
    assert saves.recover()[:2] == (1, 0)
    assert store.claims() == [claim] and len(store.history()) == 1


def test_other_annotators_saves_wait_for_their_own_session(store: Store) -> None:
    saves = SaveQueue(store)
    saves.journal.append(recovery.PendingSave("add", "bobs", "bob", "doc",
                                              {"start": 0, "end": 5,
                                               "claim_type": "other"}).record())
    assert saves.recover() == (0, 0, [])
    assert store.claims() == []
    assert journal_lines(store)  # kept for bob


def test_bad_journal_lines_are_named_and_skipped(store: Store) -> None:
    saves = SaveQueue(store)
    path = Path(f"{store.path}.recovery.jsonl")
    good = recovery.PendingSave("add", "c1", "ann", "doc",
                                {"start": 0, "end": 5, "claim_type": "other"}).record()
    path.write_bytes(b"{broken\n" + json.dumps(good).encode() + b"\n\xff\xfe\n")
    saved, left, problems = saves.recover()
    assert (saved, left) == (1, 0)
    assert problems == [f"{path}: line 1: not a JSON record; skipped",
                        f"{path}: line 3: not a JSON record; skipped"]


def test_the_journal_never_follows_a_symlink(store: Store, tmp_path: Path,
                                             monkeypatch) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    os.symlink(victim, f"{store.path}.recovery.jsonl")
    saves = SaveQueue(store)
    with Locked(store, monkeypatch):
        assert saves.add_claim("doc", 0, 5, "other") is None
    assert victim.read_text() == "precious\n"
    assert saves.journal_error and len(saves.pending) == 1  # in memory still
    assert saves.retry() == 0 and len(store.claims()) == 1


def test_a_bad_request_is_not_kept(store: Store) -> None:
    saves = SaveQueue(store)
    with pytest.raises(StoreError):
        saves.add_claim("doc", 5, 5, "other")
    assert saves.pending == []


def test_a_failed_delete_is_kept_and_replayed_once(store: Store, monkeypatch) -> None:
    saves = SaveQueue(store)
    claim = store.add_claim("doc", 0, 5, "other")
    with Locked(store, monkeypatch):
        assert saves.delete_claim(claim.id) is False
    assert store.claims() == [claim]
    again = SaveQueue(store)  # a new session: the journal has the deletion
    assert again.recover()[:2] == (1, 0)
    assert store.claims() == []
    assert saves.retry() == 0  # the first session's copy: the claim is already gone
    assert store.claims() == [] and len(store.history()) == 2


def test_a_kept_save_that_can_never_succeed_is_reported_not_silently_dropped(
        store: Store, monkeypatch) -> None:
    saves = SaveQueue(store)
    claim = store.add_claim("doc", 0, 5, "other")
    with Locked(store, monkeypatch):
        assert saves.update_claim(claim.id, note="x") is None
    store.delete_claim(claim.id)  # meanwhile, from another screen
    assert saves.retry() == 0
    (line,) = saves.dropped
    assert line.startswith(f"update of claim {claim.id} given up: no claim")
