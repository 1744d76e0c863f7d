"""Forged history rows: undo never builds SQL from them, merge checks them and leaves them out."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.store import Store, StoreError, history, history_check
from annotations.store.team_merge import merge_databases

TEXT = "The economy grew by 3% last year. Critics say the figure is wrong. " * 5
# A key that closes the quoted column name: before the fix, one undo ran
# update "claims" set "note" = ? where "id" != ? --" = ? where "id" = ?   (every other claim)
INJECTED = 'note" = ? where "id" != ? --'


def _claims(path: Path) -> dict[str, tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return {r[0]: r[1:] for r in conn.execute("select id, note, stance, annotator from claims")}
    finally:
        conn.close()


def _forge(path: Path, **row: Any) -> int:
    """Append a history row by hand, as someone editing a shared file could."""
    conn = sqlite3.connect(path)
    try:
        cols = ", ".join(row)
        cur = conn.execute(
            f"insert into history({cols}) values ({', '.join('?' * len(row))})", list(row.values())
        )
        conn.commit()
        return int(cur.lastrowid or 0)
    finally:
        conn.close()


def _undo_refused(path: Path, doc_id: str, match: str, **forged: Any) -> None:
    """With the row ``forged`` last in the history, alice's undo stops with an error matching
    ``match``, and no claim of anyone's changes."""
    before = _claims(path)
    _forge(path, at="2030-01-01T00:00:00+00:00", annotator="alice", doc_id=doc_id, **forged)
    store = Store(path, annotator="alice")
    try:
        with pytest.raises(StoreError, match=match):
            store.undo(doc_id)
    finally:
        store.close()
    assert _claims(path) == before


@pytest.fixture
def shared(tmp_path: Path) -> tuple[Path, str, list[str]]:
    path = tmp_path / "shared.db"
    store = Store(path, annotator="alice")
    doc, _ = store.add_document(TEXT, "t")
    ids = [
        store.add_claim(doc.id, i * 10, i * 10 + 5, "other", note=f"alice {i}").id for i in range(3)
    ]
    store.close()
    bob = Store(path, annotator="bob")
    ids.append(bob.add_claim(doc.id, 40, 45, "opinion", note="bob's").id)
    bob.close()
    return path, doc.id, ids


def test_an_injected_column_name_rewrites_nothing(shared) -> None:
    path, doc_id, ids = shared
    _undo_refused(
        path,
        doc_id,
        "unknown field",
        action="update",
        kind="claim",
        item_id=ids[0],
        before=json.dumps({INJECTED: "pwned"}),
        after=json.dumps({"note": "x"}),
    )  # bob's claim and alice's others untouched


@pytest.mark.parametrize(
    "state",
    [
        {"note": ["a list"]},  # not something SQLite stores as it is
        {"id": "someone-else", "note": "x"},  # another item's state
        {},  # nothing to set
        {"start": 2**70},  # an integer SQLite cannot hold
    ],
)
def test_states_that_cannot_be_applied_are_refused(shared, state: dict[str, Any]) -> None:
    path, doc_id, ids = shared
    _undo_refused(
        path,
        doc_id,
        "cannot undo",
        action="update",
        kind="claim",
        item_id=ids[1],
        before=json.dumps(state),
        after=json.dumps({"note": "y"}),
    )


def test_an_unknown_kind_names_no_table(shared) -> None:
    path, doc_id, _ = shared
    _undo_refused(
        path,
        doc_id,
        "unknown kind",
        action="delete",
        kind='claims" --',
        item_id="x",
        before=json.dumps({"id": "x"}),
    )


def test_apply_takes_column_names_from_the_fixed_list_only(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    claim = store.add_claim(doc.id, 0, 5, "other")
    with store.transaction() as conn, pytest.raises(history.HistoryError):
        history.apply(conn, "claim", claim.id, {"note": "x", INJECTED: "y"})
    assert store.claim(claim.id).note == ""


def test_merge_leaves_forged_rows_out_and_says_which(shared, tmp_path: Path) -> None:
    path, doc_id, ids = shared
    good = len(Store(path).history())
    bad = [
        _forge(
            path,
            at="2030-01-01",
            annotator="alice",
            action="update",
            kind="claim",
            item_id=ids[0],
            doc_id=doc_id,
            before=json.dumps({INJECTED: "x"}),
            after=json.dumps({"note": "y"}),
        ),
        _forge(
            path,
            at="2030-01-02",
            annotator="alice",
            action="update",
            kind="claim",
            item_id=ids[0],
            doc_id=doc_id,
            before="{not json",
            after="{}",
        ),
        _forge(
            path,
            at="2030-01-03",
            annotator="alice",
            action="update",
            kind="claim",
            item_id=ids[0],
            doc_id=doc_id,
            before=json.dumps({"id": ids[1], "note": "a"}),
            after=json.dumps({"id": ids[1], "note": "b"}),
        ),
        _forge(
            path,
            at="2030-01-04",
            annotator="alice",
            action="drop",
            kind="claim",
            item_id=ids[0],
            doc_id=doc_id,
        ),
        _forge(
            path,
            at="2030-01-05",
            annotator="alice",
            action="undo",
            kind="claim",
            item_id=ids[2],
            doc_id=doc_id,
            before=None,
            after=None,
            ref=99_999,
        ),
        _forge(
            path,
            at="2030-01-06",
            annotator="alice",
            action="create",
            kind="nope",
            item_id=ids[0],
            doc_id=doc_id,
            after=json.dumps({"id": ids[0]}),
        ),
        _forge(
            path,
            at="2030-01-07",
            annotator="alice",
            action="update",
            kind="claim",
            item_id=ids[0],
            doc_id=doc_id,
            before=json.dumps({"doc_id": "elsewhere"}),
            after=json.dumps({"note": "z"}),
        ),
    ]
    team = tmp_path / "team.db"
    (report,) = merge_databases([path], team)
    assert len(report.problems) == len(bad)
    for seq, line in zip(bad, report.problems, strict=True):
        assert line.startswith(f"{path}: history row {seq}: ")
    store = Store(team, annotator="alice")
    try:
        assert len(store.history()) == good  # the good rows, and only those
        assert {c.id: c.note for c in store.claims()} == {
            i: n for i, (n, _, _) in _claims(path).items()
        }
        assert store.undo(doc_id) is not None  # undo in the team database works as before
    finally:
        store.close()


def test_merge_command_names_the_rows_it_left_out(shared, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from annotations.cli import cli

    path, doc_id, ids = shared
    seq = _forge(
        path,
        at="2030-01-01",
        annotator="alice\x1b]52;c;",
        action="update",
        kind="claim",
        item_id=ids[0],
        doc_id=doc_id,
        before=json.dumps({INJECTED: 1}),
        after=json.dumps({"note": "y"}),
    )
    result = CliRunner().invoke(cli, ["merge", str(path), "-o", str(tmp_path / "team.db")])
    assert result.exit_code == 0, result.output
    assert f"history row {seq}: claim state has unknown field" in result.output
    assert "\x1b" not in result.output


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "doc_id", "note", "start", 'x" --', ""]), inner, max_size=3
        )
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    row=st.fixed_dictionaries(
        {
            "seq": st.integers(1, 5),
            "annotator": st.sampled_from(["a", "", None, 3]),
            "action": st.sampled_from(
                ["create", "update", "delete", "review", "undo", "redo", "x"]
            ),
            "kind": st.sampled_from(["claim", "entity_edit", "claims", None]),
            "item_id": st.sampled_from(["c1", "", None, 5]),
            "doc_id": st.sampled_from(["d", "e"]),
            "ref": st.none() | st.integers(0, 6),
            "before": st.none() | st.text(max_size=20) | _JSONISH.map(json.dumps),
            "after": st.none() | st.text(max_size=20) | _JSONISH.map(json.dumps),
        }
    )
)
def test_checking_any_row_gives_a_verdict_and_never_raises(row: dict[str, Any]) -> None:
    earlier = {
        1: {"seq": 1, "kind": "claim", "item_id": "c1", "action": "create", "annotator": "a"}
    }
    verdict = history_check.problem(row, "d", earlier)
    assert verdict is None or isinstance(verdict, str)
    if verdict is None:  # a row let through can be applied safely
        for field in ("before", "after"):
            state = history._load(row[field])
            if state is not None:
                assert set(history.columns_of(row["kind"], state)) == set(state)
