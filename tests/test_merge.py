"""``annotty merge``: databases from different machines into one team database."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotations.cli import cli
from annotations.errors import InputError
from annotations.model import content_id
from annotations.store import Store
from annotations.store.team_merge import merge_databases

TEXT = "The economy grew by 3% last year. Critics say the figure is wrong. " * 20
OTHER = "A second document, imported on one machine only. It claims 40% of cats are grey."


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every annotty table, so two databases can be compared exactly."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for table in ("documents", "claims", "history", "doc_state", "entities", "entity_runs"):
            cols = [r[1] for r in conn.execute(f"pragma table_info({table})")]
            order = ", ".join(f'"{c}"' for c in cols)
            out[table] = conn.execute(f"select * from {table} order by {order}").fetchall()
        return out
    finally:
        conn.close()


def claims_state(path: Path) -> set[tuple[Any, ...]]:
    """Every claim, its document named by content (ids may differ with the order of merging)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            'select c.id, d.text, start, "end", claim_type, stance, annotator,'
            " review_status, note from claims c join documents d"
            " on d.id = c.doc_id"
        )
        return {(r[0], content_id(r[1]), *r[2:]) for r in rows}
    finally:
        conn.close()


def history_content(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(
            conn.execute(
                "select at, annotator, action, kind, item_id, doc_id, before, after from history"
            )
        )
    finally:
        conn.close()


@pytest.fixture
def two_machines(tmp_path: Path) -> tuple[Path, Path]:
    """alice and bob annotate the same text on their own machines (bob's copy has its own id)."""
    a_path, b_path = tmp_path / "alice.db", tmp_path / "bob.db"
    alice = Store(a_path, annotator="alice")
    doc, _ = alice.add_document(TEXT, "economy")
    alice.add_claim(doc.id, 0, 33, "statistical", stance="favor")
    c2 = alice.add_claim(doc.id, 34, 66, "opinion", stance="against")
    alice.update_claim(c2.id, note="critics")
    alice.set_status(doc.id, "done")
    alice.cache_entities(doc.id, "rules", [])
    alice.close()
    bob = Store(b_path, annotator="bob")
    bdoc, _ = bob.add_document(TEXT, "economy (bob's copy)", doc_id="bob-1")
    bob.add_document(OTHER, "other")
    bob.add_claim(bdoc.id, 0, 34, "statistical", stance="favor")
    gone = bob.add_claim(bdoc.id, 100, 120, "causal")
    bob.delete_claim(gone.id)
    bob.close()
    return a_path, b_path


def test_merge_keeps_every_claim_with_author_and_history(two_machines, tmp_path: Path) -> None:
    a_path, b_path = two_machines
    team = tmp_path / "team.db"
    reports = merge_databases([a_path, b_path], team)
    assert [r.documents_added for r in reports] == [1, 1]
    assert reports[1].documents_matched == 1  # the same text under another id
    store = Store(team, annotator="lead")
    docs = store.documents()
    assert len(docs) == 2
    shared = store.document(content_id(TEXT))
    by = {(c.annotator, c.start, c.end) for c in store.claims(shared.id)}
    assert by == {("alice", 0, 33), ("alice", 34, 66), ("bob", 0, 34)}
    assert all(c.doc_id == shared.id for c in store.claims(shared.id))
    # history: every row from both, bob's rewritten to the team's document id
    assert len(store.history()) == len(Store(a_path).history()) + len(Store(b_path).history())
    for row in store.history():
        assert row["doc_id"] == shared.id
        for state in (row["before"], row["after"]):
            assert state is None or json.loads(state)["doc_id"] == shared.id
    assert store.status(shared.id, "alice") == "done"
    assert store.cached_entities(shared.id, "rules") == []


def test_merging_twice_changes_nothing(two_machines, tmp_path: Path) -> None:
    a_path, b_path = two_machines
    team = tmp_path / "team.db"
    merge_databases([a_path, b_path], team)
    before = dump(team)
    reports = merge_databases([a_path, b_path, a_path], team)
    assert not any(r.changed for r in reports)
    assert dump(team) == before


def test_order_of_sources_does_not_matter(two_machines, tmp_path: Path) -> None:
    a_path, b_path = two_machines
    merge_databases([a_path, b_path], tmp_path / "ab.db")
    merge_databases([b_path, a_path], tmp_path / "ba.db")
    assert claims_state(tmp_path / "ab.db") == claims_state(tmp_path / "ba.db")
    ab, ba = history_content(tmp_path / "ab.db"), history_content(tmp_path / "ba.db")
    assert len(ab) == len(ba)  # same rows (doc ids differ only by which copy came first)


def test_latest_change_wins_including_deletes_and_undo(tmp_path: Path) -> None:
    """bob's database starts as a copy of alice's; both go on working; the merge keeps the
    newest state of every claim, and the history of both without duplicates."""
    a_path, b_path = tmp_path / "a.db", tmp_path / "b.db"
    alice = Store(a_path, annotator="alice")
    doc, _ = alice.add_document(TEXT, "economy")
    x = alice.add_claim(doc.id, 0, 10, "statistical")
    y = alice.add_claim(doc.id, 20, 30, "causal")
    z = alice.add_claim(doc.id, 40, 50, "opinion")
    alice.close()
    shutil.copy(a_path, b_path)
    bob = Store(b_path, annotator="bob")
    bob.update_claim(x.id, review_status="accepted", reviewer="bob")
    bob.delete_claim(y.id)
    bob.update_claim(z.id, stance="against")
    bob.undo()  # z back to stance "none"; alice's edit below is newer still
    bob.close()
    alice = Store(a_path, annotator="alice")
    alice.update_claim(z.id, stance="favor")  # the newest change to z
    alice.close()
    team = tmp_path / "team.db"
    merge_databases([a_path, b_path], team)
    store = Store(team)
    got = {c.id: c for c in store.claims()}
    assert got[x.id].review_status == "accepted"
    assert y.id not in got
    assert got[z.id].stance == "favor"
    assert len(store.history()) == 3 + 4 + 1  # the shared creates once, then each side's own
    merge_databases([b_path, a_path], tmp_path / "team2.db")
    assert claims_state(tmp_path / "team2.db") == claims_state(team)


def test_undo_and_redo_still_work_after_merge(tmp_path: Path) -> None:
    a_path, team = tmp_path / "a.db", tmp_path / "team.db"
    other = Store(team, annotator="carol")
    doc, _ = other.add_document(TEXT, "economy")
    other.add_claim(doc.id, 5, 15, "opinion")  # the team db has rows of its own first
    other.close()
    alice = Store(a_path, annotator="alice")
    alice.add_document(TEXT, "economy")
    alice.add_claim(doc.id, 0, 10, "statistical")
    second = alice.add_claim(doc.id, 20, 30, "causal")
    alice.undo()  # second is gone, and on alice's redo stack
    alice.close()
    merge_databases([a_path], team)
    store = Store(team, annotator="alice")
    assert second.id not in {c.id for c in store.claims()}
    assert store.redo() is not None  # the undo row's ref was mapped to the team's seq
    assert second.id in {c.id for c in store.claims()}


def test_same_id_different_text_gets_a_new_id(tmp_path: Path) -> None:
    a_path, b_path, team = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "team.db"
    a = Store(a_path, annotator="alice")
    a.add_document(TEXT, "one", doc_id="doc-1")
    a.close()
    b = Store(b_path, annotator="bob")
    b.add_document(OTHER, "two", doc_id="doc-1")
    claim = b.add_claim("doc-1", 0, 10, "other")
    b.close()
    merge_databases([a_path, b_path], team)
    store = Store(team)
    assert store.document("doc-1").text == TEXT
    moved = store.document(content_id(OTHER))
    assert store.claim(claim.id).doc_id == moved.id
    assert store.claim(claim.id).quote == OTHER[0:10]


def _merged_status(tmp_path: Path, first: str, then: str, *, newest_first: bool) -> str:
    """Alice sets ``first`` on one machine, then ``then`` on a copy of its database: the
    status the team's merged database keeps (sources given newest first, or oldest first)."""
    a_path, b_path, team = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "team.db"
    a = Store(a_path, annotator="alice")
    doc, _ = a.add_document(TEXT, "t")
    a.set_status(doc.id, first)
    a.close()
    shutil.copy(a_path, b_path)
    b = Store(b_path, annotator="alice")
    b.set_status(doc.id, then)
    b.close()
    merge_databases([b_path, a_path] if newest_first else [a_path, b_path], team)
    return Store(team).status(doc.id, "alice")


def test_statuses_newest_wins(tmp_path: Path) -> None:
    assert _merged_status(tmp_path, "in_progress", "done", newest_first=True) == "done"


def test_merge_command(two_machines, tmp_path: Path) -> None:
    a_path, b_path = two_machines
    team = tmp_path / "team.db"
    runner = CliRunner()
    first = runner.invoke(cli, ["merge", str(a_path), str(b_path), "-o", str(team)])
    assert first.exit_code == 0, first.output
    assert "merged 2 databases" in first.output
    again = runner.invoke(cli, ["merge", str(a_path), str(b_path), "-o", str(team)])
    assert again.output.count("(no change)") == 2
    missing = runner.invoke(cli, ["merge", str(tmp_path / "nope.db"), "-o", str(team)])
    assert missing.exit_code != 0


def test_refuses_a_file_that_is_not_an_annotty_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    conn = sqlite3.connect(junk)
    conn.execute("create table t(x)")
    conn.commit()
    conn.close()
    with pytest.raises(InputError, match="not an annotty database"):
        merge_databases([junk], tmp_path / "team.db")


def test_merging_the_output_into_itself_is_a_no_op(two_machines, tmp_path: Path) -> None:
    a_path, _ = two_machines
    team = tmp_path / "team.db"
    merge_databases([a_path], team)
    before = dump(team)
    assert not merge_databases([team], team)[0].changed
    assert dump(team) == before


def test_status_and_stance_each_keep_their_newest_value(tmp_path: Path) -> None:
    """alice marks the document done on the server and sets its stance on her laptop later;
    merely opening it on the laptop (a reading position) must not bring back "todo"."""
    server, laptop, team = tmp_path / "server.db", tmp_path / "laptop.db", tmp_path / "team.db"
    s = Store(server, annotator="alice")
    doc, _ = s.add_document(TEXT, "t")
    s.close()
    shutil.copy(server, laptop)
    s = Store(server, annotator="alice")
    s.set_status(doc.id, "done")
    s.close()
    lap = Store(laptop, annotator="alice")
    lap.set_position(doc.id, 42)  # opening the document: a row with status "todo", newer
    lap.set_doc_stance(doc.id, "against")
    lap.close()
    for order in ([server, laptop], [laptop, server]):
        out = tmp_path / f"team-{order[0].stem}.db"
        merge_databases(order, out)
        got = Store(out)
        assert (got.status(doc.id, "alice"), got.doc_stance(doc.id, "alice")) == ("done", "against")
        assert got.position(doc.id, "alice") == 42
        got.close()
    merge_databases([server, laptop], team)
    before = dump(team)
    assert not any(r.changed for r in merge_databases([laptop, server], team))  # idempotent
    assert dump(team) == before


def test_a_status_set_back_to_todo_later_wins(tmp_path: Path) -> None:
    # reopened on purpose
    assert _merged_status(tmp_path, "done", "todo", newest_first=False) == "todo"


def test_entity_corrections_are_merged(tmp_path: Path) -> None:
    from annotations.entities import corrections as ed

    a_path, b_path, team = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "team.db"
    a = Store(a_path, annotator="alice")
    doc, _ = a.add_document(TEXT, "t")
    ed.add_entity(a, doc.id, 0, 11, "ORG")
    a.close()
    b = Store(b_path, annotator="bob")
    b.add_document(TEXT, "t")
    ed.add_entity(b, doc.id, 34, 41, "PERSON")
    ed.add_entity(b, doc.id, 0, 11, "GPE")  # the same span, corrected later by bob
    b.close()
    merge_databases([a_path, b_path], team)
    store = Store(team)
    got = {(c.start, c.end, c.label) for c in ed.corrections(store)}
    assert got == {(0, 11, "GPE"), (34, 41, "PERSON")}
    store.close()
    before = dump(team)
    assert not any(r.changed for r in merge_databases([a_path, b_path], team))
    assert dump(team) == before
