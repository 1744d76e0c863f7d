"""A decision on a claim candidate is a save like any other: kept when it fails, replayed once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotations.recovery import SaveQueue
from annotations.store import Store
from annotations.suggest.candidate import Candidate
from tests.test_recovery import TEXT, Locked, journal_lines

FIRST = Candidate(0, 33, 0.91, "statistical", "Critics", ("+ a percentage: 3%",))
SECOND = Candidate(34, 67, 0.62, "other")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "work.db", annotator="ann")
    s.add_document(TEXT, "t", doc_id="doc")
    yield s
    s.close()


def test_an_accept_that_fails_is_kept_shown_and_replayed_at_the_next_start(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves = SaveQueue(store)
    with Locked(store, monkeypatch):
        kept = saves.accept_candidate("doc", FIRST, "builtin", {"stance": "against"}, (0, 32))
        assert kept is None
        assert not saves.reject_candidate("doc", SECOND, "builtin")
        assert saves.kept_decisions("doc") == {(0, 33), (34, 67)}
        [shown] = saves.shown_claims("doc", [], TEXT)
        assert (shown.start, shown.end, shown.quote) == (0, 32, TEXT[:32])
        assert (shown.claim_type, shown.speaker, shown.stance) == (
            "statistical",
            "Critics",
            "against",
        )
    assert [line["op"] for line in journal_lines(store)] == ["accept", "reject"]

    later = SaveQueue(store)  # the next start: the journal is replayed
    saved, left, problems = later.recover()
    assert (saved, left, problems) == (2, 0, [])
    [claim] = store.claims("doc")
    assert (claim.id, claim.start, claim.end, claim.stance) == (shown.id, 0, 32, "against")
    decisions = {(d.start, d.end): d for d in store.decisions("doc")}
    assert decisions[(0, 33)].decision == "accepted" and decisions[(0, 33)].claim_id == claim.id
    assert decisions[(0, 33)].score == 0.91 and decisions[(0, 33)].speaker == "Critics"
    assert decisions[(34, 67)].decision == "rejected"


def test_a_replayed_decision_already_saved_is_not_saved_twice(store: Store) -> None:
    saves = SaveQueue(store)
    claim = saves.accept_candidate("doc", FIRST, "builtin")
    assert claim is not None
    assert saves.reject_candidate("doc", SECOND, "builtin")
    history = len(store.history("doc"))
    # as a crash between the save and its "done" line would leave it: replay the same saves
    for op, values in (("accept", {"fields": {}, "span": None}), ("reject", {})):
        candidate = FIRST if op == "accept" else SECOND
        values = {
            "start": candidate.start,
            "end": candidate.end,
            "proposal": {
                "score": candidate.score,
                "claim_type": candidate.claim_type,
                "speaker": candidate.speaker,
                "suggester": "builtin",
            },
            **values,
        }
        claim_id = claim.id if op == "accept" else "r1"
        record = {"op": op, "claim_id": claim_id, "annotator": "ann", "doc_id": "doc"}
        saves.journal.append({**record, "values": values, "at": "2026-11-30T10:00:00+00:00"})
    assert SaveQueue(store).recover() == (2, 0, [])
    assert [c.id for c in store.claims("doc")] == [claim.id]
    assert len(store.decisions("doc")) == 2
    assert len(store.history("doc")) == history  # nothing written again


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"start": "0", "end": 33, "proposal": {}},
        {"start": 0, "end": 33, "proposal": {"score": "high"}},
        {
            "start": 0,
            "end": 33,
            "proposal": {"score": 1, "claim_type": "x", "speaker": "", "suggester": "b"},
            "span": [0],
        },
        {
            "start": 0,
            "end": 33,
            "proposal": {"score": 1, "claim_type": "x", "speaker": "", "suggester": "b"},
            "fields": {"stance": ["a"]},
        },
    ],
)
def test_a_malformed_kept_decision_is_given_up_with_a_line_and_the_rest_goes_on(
    store: Store, values: dict[str, object]
) -> None:
    saves = SaveQueue(store)
    record = {"op": "accept", "claim_id": "c1", "annotator": "ann", "doc_id": "doc"}
    saves.journal.append({**record, "values": values, "at": "2026-11-30T10:00:00+00:00"})
    path = Path(f"{store.path}.recovery.jsonl")
    with path.open("a") as handle:  # a good save after it still goes through
        good = {**record, "op": "status", "claim_id": "s1", "values": {"status": "done"}}
        handle.write(json.dumps({**good, "at": "2026-11-30T10:00:01+00:00"}) + "\n")
    later = SaveQueue(store)
    assert later.recover()[1] == 0
    assert later.dropped == [
        "accepting a claim candidate in document doc given up: the kept decision is malformed"
    ]
    assert store.claims("doc") == [] and store.decisions("doc") == []
    assert store.status("doc") == "done"
