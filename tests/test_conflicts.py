"""Conflicts are explicit: a write made on a stale view of a claim is refused with who changed
it, nothing is overwritten, and the history keeps the other person's change. Two people are
two stores on one database (a SQLite file, or a PostgreSQL database where their transactions
really run at once)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from typing import Any

import pytest

from annotations import adjudication as adj
from annotations.model import CLAIM_FIELDS, NO_CLAIM, Claim
from annotations.recovery import SaveQueue
from annotations.recovery_journal import Journal, PendingSave
from annotations.review.decisions import decide
from annotations.store import ConflictError, Store

pytestmark = pytest.mark.both_backends

People = Callable[[str], Store]
TEXT = "".join(f"Claim {i:02d}: growth was strong and prices fell a lot. " for i in range(6))


@pytest.fixture
def people(db_target: str) -> Iterator[People]:
    """``people("alice")``: a store for that person on the test's database."""
    opened: list[Store] = []

    def person(name: str) -> Store:
        opened.append(Store(db_target, annotator=name))
        return opened[-1]

    yield person
    for store in opened:
        store.close()


@pytest.fixture
def claim(people: People) -> Claim:
    alice = people("alice")
    doc, _ = alice.add_document(TEXT, "shared")
    return alice.add_claim(doc.id, 0, 20, "statistical", stance="favor")


def claim_history(store: Store, claim_id: str) -> list[tuple[str, str]]:
    return [(h["annotator"], h["action"]) for h in store.history() if h["item_id"] == claim_id]


def test_every_field_is_part_of_the_version(claim: Claim) -> None:
    assert claim.version == replace(claim).version != NO_CLAIM
    for name in CLAIM_FIELDS:
        value = getattr(claim, name)
        other = value + 1 if isinstance(value, int) else f"{value}x"
        changed: Claim = replace(claim, **{name: other})  # type: ignore[arg-type]
        assert changed.version != claim.version, name


def test_a_decision_on_a_stale_view_is_refused_and_the_edit_stands(
    people: People, claim: Claim
) -> None:
    alice, bob = people("alice"), people("bob")
    seen = bob.claim(claim.id)  # bob reads, then alice edits
    alice.update_claim(claim.id, expected=claim.version, stance="against")
    with pytest.raises(ConflictError) as refused:
        decide(bob, claim.id, "accepted", expected=seen.version)
    error = refused.value
    assert error.by == "alice" and error.at
    assert error.fresh is not None and error.fresh.stance == "against"
    assert error.fresh == bob.claim(claim.id)
    assert str(error).startswith("alice edited this claim at ")
    assert "while you were reviewing it: your decision was not saved" in str(error)
    now = bob.claim(claim.id)
    assert (now.stance, now.review_status, now.reviewer) == ("against", "pending", "")
    assert claim_history(bob, claim.id) == [("alice", "create"), ("alice", "update")]

    accepted = decide(bob, claim.id, "accepted", expected=error.fresh.version)  # decided again
    assert (accepted.review_status, accepted.stance) == ("accepted", "against")
    assert claim_history(bob, claim.id)[-1] == ("bob", "review")


def test_an_edit_on_a_stale_view_is_refused_and_the_decision_stands(
    people: People, claim: Claim
) -> None:
    alice, bob = people("alice"), people("bob")
    decide(bob, claim.id, "rejected", "not a claim", expected=claim.version)
    with pytest.raises(ConflictError, match=r"^bob rejected this claim at .* your edit was not"):
        alice.update_claim(claim.id, expected=claim.version, note="mine")
    with pytest.raises(ConflictError, match="your deletion was not saved"):
        alice.delete_claim(claim.id, expected=claim.version)
    now = alice.claim(claim.id)
    assert (now.note, now.review_status, now.review_note) == ("", "rejected", "not a claim")
    assert claim_history(alice, claim.id) == [("alice", "create"), ("bob", "review")]


def test_a_claim_deleted_meanwhile_is_a_conflict_too(people: People, claim: Claim) -> None:
    alice, bob = people("alice"), people("bob")
    alice.delete_claim(claim.id, expected=claim.version)
    with pytest.raises(ConflictError, match="alice deleted this claim.*it no longer exists") as e:
        decide(bob, claim.id, "accepted", expected=claim.version)
    assert e.value.fresh is None


def test_ones_own_changes_since_the_view_are_no_conflict(people: People, claim: Claim) -> None:
    """A second key pressed before the first save came back, kept saves replayed in order."""
    alice, bob = people("alice"), people("bob")
    decide(bob, claim.id, "accepted", expected=claim.version)
    decide(bob, claim.id, "rejected", "on second thought", expected=claim.version)
    assert bob.claim(claim.id).review_status == "rejected"
    seen = alice.claim(claim.id)
    alice.update_claim(claim.id, expected=seen.version, note="one")
    alice.update_claim(claim.id, expected=seen.version, stance="against")
    assert (alice.claim(claim.id).note, alice.claim(claim.id).stance) == ("one", "against")


def test_an_undo_back_to_the_state_seen_is_no_conflict(people: People, claim: Claim) -> None:
    alice, bob = people("alice"), people("bob")
    seen = bob.claim(claim.id)
    alice.update_claim(claim.id, stance="against")
    alice.undo()  # the claim is exactly as bob sees it again
    assert decide(bob, claim.id, "accepted", expected=seen.version).review_status == "accepted"


def test_writes_without_a_version_are_unchecked_as_before(people: People, claim: Claim) -> None:
    alice, bob = people("alice"), people("bob")
    alice.update_claim(claim.id, stance="against")
    assert decide(bob, claim.id, "accepted").review_status == "accepted"


def test_two_reviewers_deciding_at_once_one_wins(people: People, claim: Claim) -> None:
    """A true race: both read the same version and decide at the same moment; on PostgreSQL
    their transactions run at once (different people), and the row lock makes the second see
    the first's decision. Exactly one is saved; the other is told who decided."""
    reviewers = [people("bob"), people("carol")]
    for round_ in range(4):
        seen = reviewers[0].claim(claim.id)
        outcomes = at_once(
            *(
                partial(decide, store, claim.id, verdict, f"round {round_}", seen.version)
                for store, verdict in zip(reviewers, ("accepted", "rejected"), strict=True)
            )
        )
        won = [o for o in outcomes if isinstance(o, Claim)]
        lost = [o for o in outcomes if isinstance(o, ConflictError)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        now = reviewers[0].claim(claim.id)
        assert lost[0].by == won[0].reviewer == now.reviewer
        assert lost[0].fresh == now and now.review_status == won[0].review_status
        rows = [h for h in reviewers[0].history() if h["action"] == "review"]
        assert len(rows) == round_ + 1  # one decision logged per round


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together (a barrier); each one's result, or the
    ``ConflictError`` it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = calls[index]()
        except ConflictError as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


# -- the save queue ---------------------------------------------------------------------------
@contextmanager
def failing_writes(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every write of ``store`` fails as a lock held too long does (the save is kept)."""

    @contextmanager
    def failing(wait: float | None = None) -> Iterator[Any]:
        raise sqlite3.OperationalError("database is locked")
        yield  # pragma: no cover

    with monkeypatch.context() as patch:
        patch.setattr(store, "transaction", failing)
        yield


def test_the_save_queue_raises_a_conflict_and_keeps_nothing(people: People, claim: Claim) -> None:
    alice, bob = people("alice"), people("bob")
    saves = SaveQueue(bob)
    alice.update_claim(claim.id, stance="against")
    with pytest.raises(ConflictError, match="^alice edited this claim"):
        saves.decide(claim.id, "accepted", expected=claim.version)
    assert saves.unsaved == 0 and not saves.dropped  # not kept, not retried
    assert not Journal(bob.local_base).read()[0]
    assert bob.claim(claim.id).review_status == "pending"


def test_a_kept_decision_meets_the_conflict_when_retried(
    people: People, claim: Claim, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = people("alice"), people("bob")
    saves = SaveQueue(bob)
    with failing_writes(bob, monkeypatch):
        assert saves.decide(claim.id, "accepted", expected=claim.version) is False  # kept
    alice.update_claim(claim.id, note="meanwhile")
    # a later save waits for the kept one: the kept decision meets alice's edit, is dropped
    # with a line saying so, and the new one (on the fresh version) goes through
    fresh = bob.claim(claim.id)
    with pytest.raises(ConflictError):  # this one was made on the stale view too
        saves.decide(claim.id, "rejected", expected=claim.version)
    (line,) = saves.dropped
    assert line.startswith(f"review of claim {claim.id} not saved: alice edited this claim")
    assert saves.unsaved == 0
    assert saves.decide(claim.id, "rejected", "no", expected=fresh.version) is True
    now = bob.claim(claim.id)
    assert (now.note, now.review_status) == ("meanwhile", "rejected")
    assert [a for a, action in claim_history(bob, claim.id) if action == "review"] == ["bob"]


def test_a_replay_after_a_crash_is_refused_not_an_overwrite(people: People, claim: Claim) -> None:
    """The journal line of a decision made before a crash carries the version seen; alice
    edited meanwhile; the next start replays it: the same conflict, as a line."""
    alice, bob = people("alice"), people("bob")
    kept = PendingSave(
        "review",
        claim.id,
        "bob",
        values={"decision": "accepted", "reason": ""},
        expected=claim.version,
    )
    Journal(bob.local_base).append(kept.record())
    alice.update_claim(claim.id, stance="against")
    saves = SaveQueue(bob)
    saved, left, problems = saves.recover()
    assert (left, problems) == (0, [])
    (line,) = saves.dropped
    assert "not saved: alice edited this claim" in line
    now = bob.claim(claim.id)
    assert (now.review_status, now.stance) == ("pending", "against")
    journal = Journal(bob.local_base).path
    assert journal is not None and not journal.exists()  # resolved: not replayed again


def test_a_kept_edit_of_a_kept_claim_is_saved_in_order(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader shows a kept new claim; editing it uses ``seen_version`` (none stored yet):
    both saves go through once the database is back, no false conflict."""
    alice = people("alice")
    doc, _ = alice.add_document(TEXT, "shared")
    saves = SaveQueue(alice)
    with failing_writes(alice, monkeypatch):
        assert saves.add_claim(doc.id, 0, 20, "statistical") is None
        (shown,) = saves.shown_claims(doc.id, [], TEXT)
        assert saves.seen_version(shown) == NO_CLAIM
        assert saves.update_claim(shown.id, expected=saves.seen_version(shown), note="n") is None
    assert saves.retry() == 0 and not saves.dropped
    assert alice.claim(shown.id).note == "n"


# -- adjudication ---------------------------------------------------------------------------
@pytest.fixture
def disputed(people: People) -> str:
    """alice and bob disagree on the stance of one claim."""
    alice, bob = people("alice"), people("bob")
    doc, _ = alice.add_document(TEXT, "shared")
    alice.add_claim(doc.id, 0, 20, "statistical", stance="favor")
    bob.add_claim(doc.id, 0, 20, "statistical", stance="against")
    return doc.id


def test_two_adjudicators_on_one_item(people: People, disputed: str) -> None:
    ann, ben = people("ann"), people("ben")
    (seen_by_ann,) = adj.compare(ann, disputed).items
    (seen_by_ben,) = adj.compare(ben, disputed).items
    gold = adj.resolve(ann, seen_by_ann, base=seen_by_ann.claims["alice"], seen=seen_by_ann)
    (now,) = adj.compare(ben, disputed).items  # what ben's decision reads just before
    with pytest.raises(ConflictError, match="^ann .* while you were adjudicating it"):
        adj.resolve(ben, now, base=now.claims["bob"], seen=seen_by_ben)
    with pytest.raises(ConflictError):
        adj.reject(ben, now, seen=seen_by_ben)
    (gold_now,) = adj.gold_claims(ben, disputed)
    assert gold_now == gold and gold.stance == "favor"
    assert {h["annotator"] for h in ben.history() if h["annotator"] not in ("alice", "bob")} == {
        "ann"
    }
    # ben, shown the item as it is now, may change the decision: the same gold claim
    changed = adj.resolve(ben, now, base=now.claims["bob"], seen=now)
    assert changed.id == gold.id and changed.stance == "against"
    assert len(adj.gold_claims(ann, disputed)) == 1


def test_a_second_quick_decision_by_the_same_adjudicator_goes_through(
    people: People, disputed: str
) -> None:
    ann = people("ann")
    (seen,) = adj.compare(ann, disputed).items
    adj.resolve(ann, seen, base=seen.claims["alice"], seen=seen)
    (fresh,) = adj.compare(ann, disputed).items  # the second key, before the screen reloaded
    gold = adj.resolve(ann, fresh, base=fresh.claims["bob"], seen=seen)
    assert [g.id for g in adj.gold_claims(ann, disputed)] == [gold.id]


def test_accepting_agreed_items_someone_else_decided_is_refused(people: People) -> None:
    alice, bob, ann, ben = people("alice"), people("bob"), people("ann"), people("ben")
    doc, _ = alice.add_document(TEXT, "shared")
    for who in (alice, bob):
        who.add_claim(doc.id, 0, 20, "statistical", stance="favor")
    seen = adj.compare(ben, doc.id)
    adj.accept_agreed(ann, adj.compare(ann, doc.id), seen=adj.compare(ann, doc.id))
    with pytest.raises(ConflictError):
        adj.accept_agreed(ben, adj.compare(ben, doc.id), seen=seen)
    assert len(adj.gold_claims(ben, doc.id)) == 1


def test_two_adjudicators_deciding_at_once_make_one_gold_claim(
    people: People, disputed: str
) -> None:
    deciders = [people("ann"), people("ben")]
    views = [adj.compare(d, disputed).items[0] for d in deciders]
    outcomes = at_once(
        *(
            partial(adj.resolve, store, item, item.claims[who], seen=item)
            for store, item, who in zip(deciders, views, ("alice", "bob"), strict=True)
        )
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Claim", "ConflictError"]
    assert len(adj.gold_claims(deciders[0], disputed)) == 1


def test_an_undo_never_overwrites_someone_elses_later_change(db_target: str) -> None:
    """alice edits, bob accepts, alice presses u: her undo would silently drop bob's decision,
    so it is refused (saying who and what), and nothing changes; once bob's decision is
    undone, her undo goes through."""
    alice, bob = Store(db_target, annotator="alice"), Store(db_target, annotator="bob")
    try:
        doc, _ = alice.add_document("The minister said taxes will fall next year.", "t")
        claim = alice.add_claim(doc.id, 4, 12, "statistical")
        alice.update_claim(claim.id, note="checked")
        decide(bob, claim.id, "accepted")
        with pytest.raises(ConflictError, match="bob accepted this claim at .* after your change"):
            alice.undo()
        kept = alice.claim(claim.id)
        assert (kept.note, kept.review_status) == ("checked", "accepted")
        assert bob.undo() is not None
        assert alice.undo() is not None
        assert alice.claim(claim.id).note == ""
    finally:
        bob.close()
        alice.close()
