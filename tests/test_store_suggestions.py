"""Candidate decisions, suggester models and training examples in the store (issue 13)."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.model import DECISION_FIELDS, Decision
from annotations.store import Store, StoreError, dialect, sqlite_check
from annotations.store.learner_data import Example
from annotations.store.team_merge import merge_databases

pytestmark = pytest.mark.both_backends

TEXT = (
    "Unemployment fell to 3.9% in May, the ministry said. I love spring. "
    "Exports will double by 2030, Guo Jiakun said. The weather was nice."
)
FIRST = (0, TEXT.index(" I love"))  # "Unemployment fell ... said."
SECOND = (TEXT.index("I love"), TEXT.index(" Exports"))
THIRD = (TEXT.index("Exports"), TEXT.index(" The weather"))
FOURTH = (TEXT.index("The weather"), len(TEXT))
SUGGESTER = "builtin-1"


def _proposal(claim_type: str = "quantity", speaker: str = "") -> dict[str, Any]:
    return {"score": 0.8, "claim_type": claim_type, "speaker": speaker, "suggester": SUGGESTER}


@pytest.fixture
def store(db_target: str) -> Any:
    """A file database, or a server one (the module runs on both backends)."""
    s = Store(db_target, annotator="alice")
    yield s
    s.close()


@pytest.fixture
def doc_id(store: Store) -> str:
    doc, _ = store.add_document(TEXT, "t")
    return doc.id


# -- accept / reject / undo / redo ---------------------------------------------------------
def test_accept_saves_a_claim_and_a_decision(store: Store, doc_id: str) -> None:
    claim, decision_id = store.accept_candidate(doc_id, *FIRST, **_proposal(speaker="the ministry"))
    assert store.claims(doc_id) == [claim]
    assert claim.quote == TEXT[slice(*FIRST)]
    assert (claim.claim_type, claim.speaker, claim.annotator) == (
        "quantity",
        "the ministry",
        "alice",
    )
    (decision,) = store.decisions(doc_id)
    assert decision.id == decision_id
    assert (decision.decision, decision.claim_id, decision.quote) == (
        "accepted",
        claim.id,
        TEXT[slice(*FIRST)],
    )
    assert (decision.score, decision.suggester, decision.annotator) == (0.8, SUGGESTER, "alice")
    assert store.decided_spans(doc_id) == {FIRST}
    rows = store.history(doc_id)
    assert [(r["action"], r["kind"]) for r in rows] == [
        ("create", "claim"),
        ("create", "suggestion"),
    ]
    assert rows[0]["batch"] and rows[0]["batch"] == rows[1]["batch"]


def test_one_undo_takes_back_claim_and_decision_and_redo_makes_both(
    store: Store, doc_id: str
) -> None:
    store.add_claim(doc_id, *FOURTH, "other")  # an earlier change that must stay
    claim, decision_id = store.accept_candidate(doc_id, *FIRST, **_proposal())
    step = store.undo(doc_id)
    assert step is not None and step.count == 2
    assert claim.id not in {c.id for c in store.claims(doc_id)}
    assert len(store.claims(doc_id)) == 1  # the manual claim stays
    assert store.decisions(doc_id) == []
    assert store.decided_spans(doc_id) == set()
    step = store.redo(doc_id)
    assert step is not None and step.count == 2
    assert claim in store.claims(doc_id)
    assert [d.id for d in store.decisions(doc_id)] == [decision_id]
    assert store.decisions(doc_id)[0].claim_id == claim.id
    # and again: the redone pair is again one step
    assert store.undo(doc_id) is not None
    assert claim not in store.claims(doc_id) and store.decisions(doc_id) == []


def test_claim_fields_adjust_the_claim_and_the_decision_keeps_the_proposal(
    store: Store, doc_id: str
) -> None:
    claim, _ = store.accept_candidate(
        doc_id,
        *THIRD,
        **_proposal("prediction", "Guo Jiakun"),
        claim_fields={"claim_type": "quantity", "stance": "against", "note": "n"},
    )
    assert (claim.claim_type, claim.speaker, claim.stance, claim.note) == (
        "quantity",
        "Guo Jiakun",
        "against",
        "n",
    )
    (decision,) = store.decisions(doc_id)
    assert (decision.claim_type, decision.speaker) == ("prediction", "Guo Jiakun")


@pytest.mark.parametrize(
    ("fields", "match"),
    [({"colour": "red"}, "unknown claim fields"), ({"start": 1}, "unknown claim fields")],
)
def test_accept_refuses_what_add_claim_refuses(
    store: Store, doc_id: str, fields: dict[str, Any], match: str
) -> None:
    with pytest.raises(StoreError, match=match):
        store.accept_candidate(doc_id, *FIRST, **_proposal(), claim_fields=fields)
    assert store.claims(doc_id) == [] and store.decisions(doc_id) == []
    assert store.history(doc_id) == []


@pytest.mark.parametrize("span", [(5, 5), (-1, 4), (0, len(TEXT) + 1)])
def test_a_span_outside_the_text_saves_nothing(
    store: Store, doc_id: str, span: tuple[int, int]
) -> None:
    with pytest.raises(StoreError, match="outside the document"):
        store.accept_candidate(doc_id, *span, **_proposal())
    with pytest.raises(StoreError, match="outside the document"):
        store.reject_candidate(doc_id, *span, **_proposal())
    assert store.claims(doc_id) == [] and store.decisions(doc_id) == []
    assert store.history(doc_id) == []


@pytest.mark.parametrize("score", [math.nan, math.inf, -0.1, 1.5, True, "0.5"])
def test_a_score_that_is_no_probability_is_refused(store: Store, doc_id: str, score: Any) -> None:
    with pytest.raises(StoreError, match="score"):
        store.reject_candidate(
            doc_id, *FIRST, score=score, claim_type="x", speaker="", suggester=SUGGESTER
        )
    assert store.decisions(doc_id) == []


def test_a_decision_names_its_suggester(store: Store, doc_id: str) -> None:
    with pytest.raises(StoreError, match="suggester"):
        store.reject_candidate(doc_id, *FIRST, score=0.5, claim_type="x", speaker="", suggester="")


def test_reject_is_one_undoable_change(store: Store, doc_id: str) -> None:
    decision_id = store.reject_candidate(doc_id, *SECOND, **_proposal("other"))
    (decision,) = store.decisions(doc_id)
    assert (decision.id, decision.decision, decision.claim_id) == (decision_id, "rejected", "")
    assert store.claims(doc_id) == []
    assert [(r["action"], r["kind"], r["batch"]) for r in store.history(doc_id)] == [
        ("create", "suggestion", None)
    ]
    step = store.undo(doc_id)
    assert step is not None and (step.kind, step.count, step.state) == ("suggestion", 1, None)
    assert store.decisions(doc_id) == []
    step = store.redo(doc_id)
    assert step is not None and step.kind == "suggestion"
    assert store.decisions(doc_id) == [decision]


def test_deciding_a_span_again_replaces_the_decision_undoably(store: Store, doc_id: str) -> None:
    rejected_id = store.reject_candidate(doc_id, *FIRST, **_proposal())
    (rejected,) = store.decisions(doc_id)
    claim, accepted_id = store.accept_candidate(doc_id, *FIRST, **_proposal())
    assert accepted_id == rejected_id  # the span's one row, updated
    (accepted,) = store.decisions(doc_id)
    assert (accepted.decision, accepted.claim_id) == ("accepted", claim.id)
    assert store.decided_spans(doc_id) == {FIRST}
    store.undo(doc_id)  # takes back the accept: the claim, and the decision back to "rejected"
    assert store.claims(doc_id) == []
    assert store.decisions(doc_id) == [rejected]
    store.redo(doc_id)
    assert store.decisions(doc_id) == [accepted] and store.claims(doc_id) == [claim]
    # rejecting again after an accept: the claim stays (deleting it is its own change)
    store.reject_candidate(doc_id, *FIRST, **_proposal())
    (again,) = store.decisions(doc_id)
    assert (again.id, again.decision, again.claim_id) == (rejected_id, "rejected", "")
    assert store.claims(doc_id) == [claim]
    store.undo(doc_id)
    assert store.decisions(doc_id) == [accepted]


def test_deleting_the_claim_keeps_the_decision(store: Store, doc_id: str) -> None:
    claim, _ = store.accept_candidate(doc_id, *FIRST, **_proposal())
    store.delete_claim(claim.id)
    (decision,) = store.decisions(doc_id)
    assert decision.claim_id == claim.id and store.claims(doc_id) == []
    assert [(r["action"], r["kind"]) for r in store.history(doc_id)][-1] == ("delete", "claim")
    step = store.undo(doc_id)  # only the delete: the accept is an older step
    assert step is not None and step.count == 1 and store.claims(doc_id) == [claim]


def test_decisions_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    store = Store(path, annotator="alice")
    doc, _ = store.add_document(TEXT, "t")
    store.accept_candidate(doc.id, *FIRST, **_proposal())
    store.reject_candidate(doc.id, *SECOND, **_proposal())
    kept = store.decisions()
    store.close()
    again = Store(path, annotator="alice")
    try:
        assert again.decisions() == kept
        assert again.decided_spans(doc.id) == {FIRST, SECOND}
        assert again.undo() is not None and again.decided_spans(doc.id) == {FIRST}
    finally:
        again.close()


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_span_decided_keeps_its_exact_quote(data: st.DataObject) -> None:
    chars = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
    text = data.draw(st.text(chars, min_size=1, max_size=40))
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    store = Store(None, annotator="alice")
    try:
        doc, _ = store.add_document(text, "t")
        claim, _ = store.accept_candidate(doc.id, start, end, **_proposal())
        (decision,) = store.decisions(doc.id)
        assert claim.quote == decision.quote == text[start:end]
        assert store.suggestion_examples()[0].text == text[start:end]
    finally:
        store.close()


# -- training examples -----------------------------------------------------------------------
def test_examples_positives_negatives_and_done_documents(store: Store, doc_id: str) -> None:
    other, _ = store.add_document("A second text. Nothing here is claimed.", "u")
    store.accept_candidate(doc_id, *FIRST, **_proposal())
    store.reject_candidate(doc_id, *SECOND, **_proposal("other"))
    store.add_claim(doc_id, *THIRD, "prediction")  # a manual claim
    store.reject_candidate(doc_id, *FOURTH, **_proposal())
    store.add_claim(doc_id, *FOURTH, "other")  # claimed after all: a positive
    quote = {span: TEXT[slice(*span)] for span in (FIRST, SECOND, THIRD, FOURTH)}
    assert store.suggestion_examples() == [
        Example(doc_id, *FIRST, quote[FIRST], True, "quantity", "claim"),
        Example(doc_id, *SECOND, quote[SECOND], False, "other", "rejected"),
        Example(doc_id, *THIRD, quote[THIRD], True, "prediction", "claim"),
        Example(doc_id, *FOURTH, quote[FOURTH], True, "other", "claim"),
    ]
    claim = store.claims(doc_id)[0]
    store.delete_claim(claim.id)  # the accepted claim deleted: the acceptance still counts
    assert store.suggestion_examples()[0] == Example(
        doc_id, *FIRST, quote[FIRST], True, "quantity", "accepted"
    )
    assert store.done_documents() == []
    store.set_status(other.id, "done", annotator="bob")
    store.set_status(doc_id, "in_progress")
    assert [tuple(d) for d in store.done_documents()] == [
        (other.id, "A second text. Nothing here is claimed.")
    ]


# -- models -------------------------------------------------------------------------------
PARAMS: dict[str, Any] = {
    "coefficients": [0.25, -1.5, 3.0],
    "intercept": -0.75,
    "hashing": {"n_features": 1048576, "ngram_range": [1, 2], "alternate_sign": False},
    "feature_names": ["has_number", "attribution", "hedge"],
}


def test_model_round_trip_and_versions(store: Store) -> None:
    assert store.latest_model("claims") is None
    assert store.save_model("claims", PARAMS) == 1
    assert store.latest_model("claims") == (1, PARAMS)
    changed = {**PARAMS, "intercept": 0.5}
    assert store.save_model("claims", changed) == 2
    assert store.save_model("stance", PARAMS) == 1
    assert store.latest_model("claims") == (2, changed)
    assert store.latest_model("stance") == (1, PARAMS)


@pytest.mark.parametrize(
    "params",
    [
        {"intercept": math.nan},
        {"coefficients": [1.0, math.inf]},
        {"deep": {"x": -math.inf}},
        {"big": 2**70},
        {"odd": "\ud800"},
        {"obj": object()},
        {"keys": {1: 2.0}},
        {"pickle": b"\x80\x04"},
    ],
    ids=["nan", "inf", "nested-inf", "huge-int", "surrogate", "object", "int-key", "bytes"],
)
def test_a_model_that_is_not_plain_json_is_refused(store: Store, params: dict[str, Any]) -> None:
    with pytest.raises(StoreError, match="model params"):
        store.save_model("claims", params)
    assert store.latest_model("claims") is None


def test_a_damaged_stored_model_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    store = Store(path, annotator="alice")
    store.save_model("claims", PARAMS)
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("update suggest_models set params = ?", ('{"intercept": NaN}',))
    conn.commit()
    conn.close()
    again = Store(path, annotator="alice")
    try:
        with pytest.raises(StoreError, match="model 'claims' version 1: NaN"):
            again.latest_model("claims")
    finally:
        again.close()


# -- forged history --------------------------------------------------------------------------
def _forge(path: Path, **row: Any) -> None:
    conn = sqlite3.connect(path)
    cols = ", ".join(row)
    conn.execute(
        f"insert into history({cols}) values ({', '.join('?' * len(row))})", list(row.values())
    )
    conn.commit()
    conn.close()


def test_a_forged_decision_row_is_refused_by_undo(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    store = Store(path, annotator="alice")
    doc, _ = store.add_document(TEXT, "t")
    store.reject_candidate(doc.id, *FIRST, **_proposal())
    kept = store.decisions()
    store.close()
    _forge(
        path,
        at="2030-01-01T00:00:00+00:00",
        annotator="alice",
        doc_id=doc.id,
        action="update",
        kind="suggestion",
        item_id=kept[0].id,
        before=json.dumps({"id": kept[0].id, 'decision" = ? where "id" != ? --': "x"}),
        after=json.dumps({"id": kept[0].id, "decision": "accepted"}),
    )
    again = Store(path, annotator="alice")
    try:
        with pytest.raises(StoreError, match="unknown field"):
            again.undo(doc.id)
        assert again.decisions() == kept
    finally:
        again.close()


# -- merging team databases ----------------------------------------------------------------
def _db(path: Path, annotator: str) -> tuple[Store, str]:
    store = Store(path, annotator=annotator)
    doc, _ = store.add_document(TEXT, "t")
    return store, doc.id


def test_merge_brings_decisions_and_their_history(tmp_path: Path) -> None:
    alice, doc_id = _db(tmp_path / "alice.db", "alice")
    claim, accepted = alice.accept_candidate(doc_id, *FIRST, **_proposal())
    rejected = alice.reject_candidate(doc_id, *SECOND, **_proposal())
    mine = alice.decisions()
    alice.close()
    team = tmp_path / "team.db"
    (report,) = merge_databases([tmp_path / "alice.db"], team)
    assert report.suggestions == 2 and report.changed
    merged = Store(team, annotator="alice")
    try:
        assert merged.decisions() == mine
        assert {d.id for d in mine} == {accepted, rejected}
        assert merged.claims() == [claim]
        step = merged.undo()  # the reject, then the accept as one step
        assert step is not None and step.kind == "suggestion"
        step = merged.undo()
        assert step is not None and step.count == 2
        assert merged.decisions() == [] and merged.claims() == []
    finally:
        merged.close()
    (again,) = merge_databases([tmp_path / "alice.db"], team)
    assert again.suggestions == 0 and again.history_added == 0


def test_merge_keeps_the_newer_decision_of_a_span(tmp_path: Path) -> None:
    alice, doc_id = _db(tmp_path / "alice.db", "alice")
    alice.reject_candidate(doc_id, *FIRST, **_proposal())
    alice.close()
    bob, _ = _db(tmp_path / "bob.db", "bob")
    _, bob_id = bob.accept_candidate(doc_id, *FIRST, **_proposal())  # later
    bob.close()
    for order in ([tmp_path / "alice.db", tmp_path / "bob.db"], [tmp_path / "bob.db"]):
        team = tmp_path / f"team{len(order)}.db"
        merge_databases(order, team)
        if len(order) == 1:
            merge_databases([tmp_path / "alice.db"], team)
        merged = Store(team)
        try:
            (decision,) = merged.decisions(doc_id)
            assert (decision.id, decision.decision, decision.annotator) == (
                bob_id,
                "accepted",
                "bob",
            )
        finally:
            merged.close()


def test_merge_brings_later_changes_to_a_decision(tmp_path: Path) -> None:
    alice, doc_id = _db(tmp_path / "alice.db", "alice")
    alice.reject_candidate(doc_id, *FIRST, **_proposal())
    alice.close()
    team = tmp_path / "team.db"
    merge_databases([tmp_path / "alice.db"], team)
    alice = Store(tmp_path / "alice.db", annotator="alice")
    alice.undo()  # the decision taken back on the laptop after the first merge
    alice.close()
    (report,) = merge_databases([tmp_path / "alice.db"], team)
    assert report.suggestions == 1
    merged = Store(team)
    try:
        assert merged.decisions() == []
    finally:
        merged.close()


def test_merge_brings_models_once_and_keeps_both_of_a_clash(tmp_path: Path) -> None:
    alice, _ = _db(tmp_path / "alice.db", "alice")
    alice.save_model("claims", PARAMS)
    alice.close()
    bob, _ = _db(tmp_path / "bob.db", "bob")
    bob.save_model("claims", {**PARAMS, "intercept": 9.0})
    bob.save_model("stance", PARAMS)
    bob.close()
    team = tmp_path / "team.db"
    reports = merge_databases([tmp_path / "alice.db", tmp_path / "bob.db"], team)
    assert [r.models for r in reports] == [1, 2]
    again = merge_databases([tmp_path / "alice.db", tmp_path / "bob.db"], team)
    assert [r.models for r in again] == [0, 0]
    merged = Store(team)
    try:
        assert merged.latest_model("claims") == (2, {**PARAMS, "intercept": 9.0})
        assert merged.latest_model("stance") == (1, PARAMS)
        assert merged.query("select count(*) as n from suggest_models")[0]["n"] == 3
    finally:
        merged.close()


def test_decision_fields_match_the_table(store: Store) -> None:
    """The history registration and the dataclass name the table's columns exactly."""
    with store.reading() as conn:
        columns = dialect.columns(conn, "suggestions")
    assert tuple(columns) == DECISION_FIELDS == tuple(Decision.__dataclass_fields__)


def test_merge_leaves_out_a_model_that_is_not_plain_json(tmp_path: Path) -> None:
    alice, _ = _db(tmp_path / "alice.db", "alice")
    alice.save_model("claims", PARAMS)
    alice.save_model("claims", PARAMS)
    alice.close()
    conn = sqlite3.connect(tmp_path / "alice.db")
    conn.execute("update suggest_models set params = '{\"c\": Infinity}' where version = 2")
    conn.commit()
    conn.close()
    team = tmp_path / "team.db"
    (report,) = merge_databases([tmp_path / "alice.db"], team)
    assert report.models == 1
    assert report.problems == [
        f"{tmp_path / 'alice.db'}: suggester model 'claims' version 2: Infinity is not a JSON"
        " number; left out"
    ]
    merged = Store(team)
    try:
        assert merged.latest_model("claims") == (1, PARAMS)
    finally:
        merged.close()


def test_db_check_reads_the_new_tables(tmp_path: Path) -> None:
    """``annotty db check`` runs SQLite's integrity_check over every table and index, the
    suggestion tables included: an index of decisions that no longer matches its rows is found."""
    path = tmp_path / "a.db"
    store = Store(path, annotator="alice")
    doc, _ = store.add_document(TEXT, "t")
    store.reject_candidate(doc.id, *FIRST, **_proposal())
    store.save_model("claims", PARAMS)
    store.close()
    assert sqlite_check.quick_check(path, full=True) == "ok"
    conn = sqlite3.connect(path)
    conn.execute("pragma writable_schema = on")  # the index now claims to hold "end", not start
    conn.execute(
        "update sqlite_master set sql = replace(sql, '\"start\"', '\"end\"')"
        " where type = 'index' and tbl_name = 'suggestions'"
    )
    conn.commit()
    conn.close()
    assert "missing from index idx_suggestions_doc_id_start" in sqlite_check.quick_check(
        path, full=True
    )


def test_a_version_4_database_gains_the_suggestion_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("drop table suggestions")
    conn.execute("drop table suggest_models")
    conn.execute("pragma user_version = 4")
    conn.commit()
    conn.close()
    store = Store(path, annotator="me")
    try:
        doc, _ = store.add_document(TEXT, "t")
        store.reject_candidate(doc.id, *FIRST, **_proposal())
        assert store.decided_spans(doc.id) == {FIRST}
        assert store.save_model("claims", PARAMS) == 1
    finally:
        store.close()


def test_merge_leaves_out_a_forged_decision_row(tmp_path: Path) -> None:
    alice, doc_id = _db(tmp_path / "alice.db", "alice")
    alice.reject_candidate(doc_id, *FIRST, **_proposal())
    alice.close()
    _forge(
        tmp_path / "alice.db",
        at="2030-01-01T00:00:00+00:00",
        annotator="alice",
        doc_id=doc_id,
        action="create",
        kind="suggestion",
        item_id="forged",
        after=json.dumps({"id": "forged", "doc_id": doc_id, "sql": "drop table claims"}),
    )
    team = tmp_path / "team.db"
    (report,) = merge_databases([tmp_path / "alice.db"], team)
    assert len(report.problems) == 1
    assert "suggestion state has unknown field 'sql'; left out" in report.problems[0]
    merged = Store(team, annotator="alice")
    try:
        assert [d.decision for d in merged.decisions()] == ["rejected"]
        assert [r["item_id"] for r in merged.history()] == [merged.decisions()[0].id]
    finally:
        merged.close()


def test_the_merge_command_counts_decisions_and_models(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from annotations.cli import cli

    alice, doc_id = _db(tmp_path / "alice.db", "alice")
    alice.accept_candidate(doc_id, *FIRST, **_proposal())
    alice.save_model("claims", {"weights": [0.5]})
    alice.close()
    team = tmp_path / "team.db"
    result = CliRunner().invoke(cli, ["merge", str(tmp_path / "alice.db"), "-o", str(team)])
    assert result.exit_code == 0, result.output
    assert "1 candidate decision" in result.output and "1 suggester model" in result.output


def test_undo_decision_takes_back_only_that_decision(store: Store, doc_id: str) -> None:
    """The candidate queue's undo: the decision on the span (with its claim), never a change
    made after it."""
    store.accept_candidate(doc_id, *FIRST, **_proposal())
    store.reject_candidate(doc_id, *SECOND, **_proposal())
    assert store.undo_decision(doc_id, *FIRST) is None  # the reject is newer: nothing changes
    assert len(store.decisions(doc_id)) == 2
    step = store.undo_decision(doc_id, *SECOND)
    assert step is not None and step.kind == "suggestion"
    assert [(d.start, d.end) for d in store.decisions(doc_id)] == [FIRST]
    store.add_claim(doc_id, *THIRD, "other")  # a change by hand after the accept
    assert store.undo_decision(doc_id, *FIRST) is None
    assert len(store.claims(doc_id)) == 2
    store.undo(doc_id)  # the hand-made claim goes
    step = store.undo_decision(doc_id, *FIRST)
    assert step is not None and step.count == 2  # the accept's claim and decision together
    assert store.claims(doc_id) == [] and store.decisions(doc_id) == []
    assert store.undo_decision(doc_id, *FIRST) is None  # nothing left to undo
