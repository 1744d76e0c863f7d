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

from annotations import recovery_journal
from annotations.recovery import SaveQueue
from annotations.store import Store, StoreError

pytestmark = pytest.mark.both_backends

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


def test_a_failed_save_is_kept_journaled_and_saved_by_a_retry(store: Store, monkeypatch) -> None:
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


def test_the_next_start_replays_the_journal_once(tmp_path: Path, store: Store, monkeypatch) -> None:
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
    saves.journal.append(
        recovery_journal.PendingSave(
            "add", "fixed-id", "ann", "doc", {"start": 0, "end": 5, "claim_type": "other"}
        ).record()
    )
    assert saves.recover()[:2] == (1, 0)
    assert store.claims() == [claim] and len(store.history()) == 1


def test_other_annotators_saves_wait_for_their_own_session(store: Store) -> None:
    saves = SaveQueue(store)
    saves.journal.append(
        recovery_journal.PendingSave(
            "add", "bobs", "bob", "doc", {"start": 0, "end": 5, "claim_type": "other"}
        ).record()
    )
    assert saves.recover() == (0, 0, [])
    assert store.claims() == []
    assert journal_lines(store)  # kept for bob


def test_bad_journal_lines_are_named_and_skipped(store: Store) -> None:
    saves = SaveQueue(store)
    path = Path(f"{store.path}.recovery.jsonl")
    good = recovery_journal.PendingSave(
        "add", "c1", "ann", "doc", {"start": 0, "end": 5, "claim_type": "other"}
    ).record()
    path.write_bytes(b"{broken\n" + json.dumps(good).encode() + b"\n\xff\xfe\n")
    saved, left, problems = saves.recover()
    assert (saved, left) == (1, 0)
    assert problems == [
        f"{path}: line 1: not a JSON record; skipped",
        f"{path}: line 3: not a JSON record; skipped",
    ]


def test_the_journal_never_follows_a_symlink(store: Store, tmp_path: Path, monkeypatch) -> None:
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
    store: Store, monkeypatch
) -> None:
    saves = SaveQueue(store)
    claim = store.add_claim("doc", 0, 5, "other")
    with Locked(store, monkeypatch):
        assert saves.update_claim(claim.id, note="x") is None
    store.delete_claim(claim.id)  # meanwhile, from another screen
    assert saves.retry() == 0
    (line,) = saves.dropped
    assert line.startswith(f"update of claim {claim.id} given up: no claim")


# -- the rest of the annotation work: status, stance, entity corrections, review decisions -----
def test_status_stance_entity_and_review_are_kept_in_order_and_replayed(
    store: Store, monkeypatch
) -> None:
    from annotations.entities import corrections

    claim = store.add_claim("doc", 0, 5, "other")
    saves = SaveQueue(store)
    with Locked(store, monkeypatch):
        assert saves.set_status("doc", "done") is False
        assert saves.set_doc_stance("doc", "against") is False
        assert saves.correct_entity("doc", 4, 11, "org") is False
        assert saves.decide(claim.id, "rejected", "too vague") is False
        assert [s.op for s in saves.pending] == ["status", "stance", "entity", "review"]
    assert [r["op"] for r in journal_lines(store)] == ["status", "stance", "entity", "review"]
    assert (store.status("doc"), store.doc_stance("doc")) == ("todo", "")
    # the app was killed: the next session replays the journal, once
    again = SaveQueue(store)
    assert again.recover()[:2] == (4, 0)
    assert (store.status("doc"), store.doc_stance("doc")) == ("done", "against")
    (edit,) = corrections.corrections(store, "doc")
    assert (edit.start, edit.end, edit.label) == (4, 11, "ORG")
    decided = store.claim(claim.id)
    assert (decided.review_status, decided.review_note) == ("rejected", "too vague")
    rows = len(store.history())
    assert saves.retry() == 0  # the first session's copies: already done, nothing twice
    assert len(store.history()) == rows


def test_a_bad_entity_label_or_decision_is_refused_not_kept(store: Store) -> None:
    saves = SaveQueue(store)
    with pytest.raises(StoreError):
        saves.correct_entity("doc", 0, 3, "not a label!")
    with pytest.raises(StoreError):
        saves.decide("whatever", "maybe")
    assert saves.pending == []


# -- failures no retry can fix: kept in the journal, no retry loop ------------------------------
def test_a_read_only_database_keeps_the_work_in_the_journal_without_retrying(
    store: Store, monkeypatch
) -> None:
    saves = SaveQueue(store)
    monkeypatch.setattr(store, "readonly", "the file is not writable")
    assert saves.add_claim("doc", 0, 5, "other") is None
    assert saves.set_status("doc", "done") is False
    assert "read-only" in saves.blocked and str(store.path) in saves.blocked
    assert [r["op"] for r in journal_lines(store)] == ["add", "status"]
    calls = []
    monkeypatch.setattr(saves, "_apply", lambda save: calls.append(save))
    assert saves.retry() == 2 and calls == []  # no loop against a wall
    monkeypatch.undo()
    again = SaveQueue(store)  # the next start, writable again: replayed
    assert again.recover()[:2] == (2, 0)
    assert len(store.claims()) == 1 and store.status("doc") == "done"


def test_a_database_made_read_only_by_sqlite_blocks_too(store: Store) -> None:
    """SQLite's own "attempt to write a readonly database" (the file turned read-only under a
    running session) is permanent, not a lock that passes."""
    saves = SaveQueue(store)
    store.db.conn.execute("PRAGMA query_only=1")
    assert saves.add_claim("doc", 0, 5, "other") is None
    assert "read-only" in saves.blocked and "readonly" in saves.blocked
    store.db.conn.execute("PRAGMA query_only=0")
    assert saves.retry() == 1  # blocked for this session; the journal keeps it for the next
    assert len(journal_lines(store)) == 1


def test_a_damaged_database_blocks_with_the_recovery_hint(store: Store, monkeypatch) -> None:
    @contextmanager
    def damaged(wait: float | None = None) -> Iterator[sqlite3.Connection]:
        raise sqlite3.DatabaseError("database disk image is malformed")
        yield store.db.conn  # pragma: no cover

    saves = SaveQueue(store)
    monkeypatch.setattr(store, "transaction", damaged)
    assert saves.set_doc_stance("doc", "favor") is False
    assert "damaged" in saves.blocked and ".recover" in saves.blocked
    assert journal_lines(store)[0]["op"] == "stance"


def test_when_not_even_the_journal_can_be_written_it_says_so(store: Store, monkeypatch) -> None:
    os.mkdir(f"{store.path}.recovery.jsonl")  # something in the journal's place
    saves = SaveQueue(store)
    monkeypatch.setattr(store, "readonly", "the folder is not writable")
    assert saves.add_claim("doc", 0, 5, "other") is None
    assert saves.journal_error and saves.unsaved == 1  # in memory, and the UI can say so


def test_kept_saves_are_shown_over_the_stored_claims(store: Store, monkeypatch) -> None:
    """What waits for a retry stays on screen: added, edited, decided, deleted as made."""
    saves = SaveQueue(store)
    kept = store.add_claim("doc", 0, 5, "other")
    gone = store.add_claim("doc", 40, 50, "other")
    with Locked(store, monkeypatch):
        saves.add_claim("doc", 6, 11, "opinion", stance="favor")
        saves.update_claim(kept.id, start=0, end=3, note="shorter")
        saves.decide(kept.id, "rejected", "vague")
        saves.delete_claim(gone.id)
    shown = saves.shown_claims("doc", store.claims("doc"), TEXT)
    assert [(c.start, c.end, c.quote) for c in shown] == [(0, 3, TEXT[:3]), (6, 11, TEXT[6:11])]
    assert (shown[0].note, shown[0].review_status, shown[0].review_note) == (
        "shorter",
        "rejected",
        "vague",
    )
    assert (shown[1].claim_type, shown[1].stance, shown[1].annotator) == ("opinion", "favor", "ann")
    assert saves.shown_claims("other-doc", [], "") == []
    assert saves.retry() == 0  # once saved, the stored claims are what was shown
    stored = [(c.id, c.start, c.end, c.note, c.review_status) for c in store.claims("doc")]
    assert stored == [(c.id, c.start, c.end, c.note, c.review_status) for c in shown]


def test_kept_status_and_stance_are_known_until_saved(store: Store, monkeypatch) -> None:
    saves = SaveQueue(store)
    with Locked(store, monkeypatch):
        saves.set_status("doc", "done")
        saves.set_doc_stance("doc", "favor")
        saves.set_doc_stance("doc", "against")
    assert saves.kept_state("doc") == {"status": "done", "stance": "against"}
    assert saves.kept_state("other") == {}
    saves.retry()
    assert saves.kept_state("doc") == {} and store.doc_stance("doc") == "against"


def test_kept_entity_corrections_are_listed_in_order(store: Store, monkeypatch) -> None:
    saves = SaveQueue(store)
    with Locked(store, monkeypatch):
        saves.correct_entity("doc", 4, 11, "org")
        saves.correct_entity("doc", 4, 11, "")
    assert saves.kept_entity_edits("doc") == [(4, 11, "ORG"), (4, 11, "")]
    assert saves.kept_entity_edits("other") == []
