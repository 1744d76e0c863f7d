"""``annotty merge`` with server URLs (issue 14): SQLite files and PostgreSQL databases merge
into each other, idempotently, assignments included; a bad history row of a server source is
named by its URL (never its password) and seq."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from annotations.cli import main
from annotations.model import content_id
from annotations.store import Store, history
from annotations.store.team_merge import merge_databases
from tests.test_copy_store import dump

TEXT = "The economy grew by 3% last year. Critics say the figure is wrong. " * 20
OTHER = "A second document, imported on one machine only. It claims 40% of cats are grey."
SECRET = "s3cret-Pw"


def with_password(url: str) -> str:
    """The test cluster trusts loopback: a password in the URL is accepted and unused; what
    matters is that it is never shown."""
    assert url.startswith("postgresql://postgres@")
    return url.replace("postgres@", f"postgres:{SECRET}@", 1)


@dataclass
class Run:
    exit_code: int
    output: str  # stdout and stderr


@pytest.fixture
def merge(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """``annotty merge ARGS`` through the console entry point (errors as the user sees them)."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            main(["merge", *args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return Run(code, out.out + out.err)

    return run


@contextmanager
def opened(target: str | Path, annotator: str = "lead") -> Iterator[Store]:
    store = Store(target, annotator=annotator)
    try:
        yield store
    finally:
        store.close()


def alice_work(store: Store) -> str:
    """alice's machine: the shared text, two claims (one edited), done, an assignment."""
    doc, _ = store.add_document(TEXT, "economy")
    store.add_claim(doc.id, 0, 33, "statistical", stance="favor")
    c2 = store.add_claim(doc.id, 34, 66, "opinion", stance="against")
    store.update_claim(c2.id, note="critics")
    store.set_status(doc.id, "done")
    store.assign([(doc.id, "alice")])
    return doc.id


def bob_work(store: Store) -> str:
    """bob's machine: the same text under another id, another document, claims (one deleted),
    and assignments of both documents (one of them undone)."""
    bdoc, _ = store.add_document(TEXT, "economy (bob's copy)", doc_id="bob-1")
    other, _ = store.add_document(OTHER, "other")
    store.add_claim(bdoc.id, 0, 34, "statistical", stance="favor")
    gone = store.add_claim(bdoc.id, 100, 120, "causal")
    store.delete_claim(gone.id)
    store.assign([(other.id, "dan")])
    store.undo()  # dan's assignment taken back
    store.assign([(bdoc.id, "carol"), (other.id, "carol")])
    return bdoc.id


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    a_path, b_path = tmp_path / "alice.db", tmp_path / "bob.db"
    with opened(a_path, "alice") as alice:
        alice_work(alice)
    with opened(b_path, "bob") as bob:
        bob_work(bob)
    return a_path, b_path


def claims_by_content(store: Store) -> set[tuple[Any, ...]]:
    """Every claim with its document named by content (ids may differ between databases)."""
    texts = {d.id: content_id(store.document(d.id).text) for d in store.documents()}
    return {
        (c.id, texts[c.doc_id], c.start, c.end, c.claim_type, c.stance, c.annotator, c.note)
        for c in store.claims()
    }


def assignments_by_content(store: Store) -> set[tuple[str, str]]:
    texts = {d.id: content_id(store.document(d.id).text) for d in store.documents()}
    return {(texts[doc], who) for doc, people in store.assignment_map().items() for who in people}


EXPECTED_ASSIGNMENTS = {
    (content_id(TEXT), "alice"),
    (content_id(TEXT), "carol"),
    (content_id(OTHER), "carol"),
}


def test_two_files_into_a_server_then_again_changes_nothing(
    two_files: tuple[Path, Path], pg_url: str, tmp_path: Path, merge: Callable[..., Run]
) -> None:
    a_path, b_path = two_files
    url = with_password(pg_url)
    first = merge(str(a_path), str(b_path), "-o", url)
    assert first.exit_code == 0, first.output
    assert SECRET not in first.output
    assert f"merged 2 databases into {pg_url}" in first.output
    assert "1 assignment" in first.output and "2 assignments" in first.output
    with opened(pg_url) as team:
        before = dump(team)
        assert assignments_by_content(team) == EXPECTED_ASSIGNMENTS
        with opened(a_path) as a, opened(b_path) as b:
            assert claims_by_content(team) == claims_by_content(a) | claims_by_content(b)
            assert len(team.history()) == len(a.history()) + len(b.history())

    again = merge(str(a_path), str(b_path), "-o", url)
    assert again.exit_code == 0, again.output
    assert again.output.count("(no change)") == 2 and SECRET not in again.output
    with opened(pg_url) as team:
        assert dump(team) == before

    # The same merge into a file gives the same project, row for row.
    team_file = tmp_path / "team.db"
    assert merge(str(a_path), str(b_path), "-o", str(team_file)).exit_code == 0
    with opened(team_file) as on_file:
        assert dump(on_file) == before


def test_a_server_source_and_a_file_into_a_file(
    pg_url: str, tmp_path: Path, two_files: tuple[Path, Path], merge: Callable[..., Run]
) -> None:
    _, b_path = two_files
    with opened(pg_url, "alice") as server:
        alice_work(server)
        server_claims = claims_by_content(server)
        server_history = len(server.history())
    team = tmp_path / "team.db"
    result = merge(with_password(pg_url), str(b_path), "-o", str(team))
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert result.output.startswith(f"{pg_url}: 1 document (1 new)")
    with opened(team) as merged, opened(b_path) as b:
        assert claims_by_content(merged) == server_claims | claims_by_content(b)
        assert assignments_by_content(merged) == EXPECTED_ASSIGNMENTS
        assert len(merged.history()) == server_history + len(b.history())
        assert merged.status(content_id(TEXT), "alice") == "done"
    again = merge(with_password(pg_url), str(b_path), "-o", str(team))
    assert again.output.count("(no change)") == 2, again.output


def test_a_server_merged_into_itself_is_a_no_op(pg_url: str, merge: Callable[..., Run]) -> None:
    with opened(pg_url, "alice") as server:
        alice_work(server)
        before = dump(server)
    result = merge(with_password(pg_url), "-o", pg_url)
    assert result.exit_code == 0, result.output
    assert "(no change)" in result.output
    with opened(pg_url) as server:
        assert dump(server) == before


def test_assignments_merge_under_the_team_document_id_and_stay_undoable(
    two_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """bob assigned "bob-1", which is the team's content-id document: the assignment and its
    history move to the team id, so bob's undo in the team database takes it back."""
    a_path, b_path = two_files
    team = tmp_path / "team.db"
    reports = merge_databases([a_path, b_path], team)
    assert [r.assignments for r in reports] == [1, 2]
    shared = content_id(TEXT)
    with opened(team, "bob") as store:
        assert store.assignees(shared) == ["alice", "carol"]
        rows = [h for h in store.history() if h["kind"] == "assignment"]
        assert rows and {h["doc_id"] for h in rows} <= {d.id for d in store.documents()}
        for row in rows:
            state = json.loads(row["after"] or row["before"])
            assert row["item_id"] == history.item_id_of("assignment", state)
        assert store.undo() is not None  # bob's last assignment run: carol on both documents
        assert assignments_by_content(store) == {(shared, "alice")}


def test_an_assignment_undone_later_elsewhere_stays_undone(tmp_path: Path) -> None:
    """The lead assigns, a laptop copies the database, the lead takes the assignment back:
    merging the laptop's older copy must not bring it back (newest change wins)."""
    server, laptop = tmp_path / "server.db", tmp_path / "laptop.db"
    with opened(server) as lead:
        doc, _ = lead.add_document(TEXT, "t")
        lead.assign([(doc.id, "alice"), (doc.id, "bob")])
    with sqlite3.connect(server) as src, sqlite3.connect(laptop) as out:
        src.backup(out)
    src.close()
    out.close()
    with opened(server) as lead:
        lead.undo()
        lead.assign([(doc.id, "bob")])
    with opened(laptop, "alice") as own:
        own.assign([(doc.id, "carol")])  # new on the laptop: it arrives
    (report,) = merge_databases([laptop], server)
    assert report.assignments == 1
    with opened(server) as lead:
        assert lead.assignees(doc.id) == ["bob", "carol"]
    assert not merge_databases([laptop], server)[0].changed


def test_a_forged_assignment_row_of_another_document_is_left_out(
    two_files: tuple[Path, Path], tmp_path: Path
) -> None:
    _, b_path = two_files
    sep = history.KEY_SEP
    state = {"doc_id": "elsewhere", "annotator": "eve", "assigned_at": "x", "assigned_by": "eve"}
    with sqlite3.connect(b_path) as conn:
        seq = conn.execute(
            "insert into history(at, annotator, action, kind, item_id, doc_id, before, after)"
            " values ('2030-01-01', 'eve', 'create', 'assignment', ?, 'bob-1', null, ?)",
            (f"elsewhere{sep}eve", json.dumps(state)),
        ).lastrowid
        conn.execute(
            "insert into assignments(doc_id, annotator, assigned_at, assigned_by)"
            " values ('bob-1', ?, '2030-01-01', 'eve')",
            (f"x{sep}y",),
        )
    conn.close()
    team = tmp_path / "team.db"
    (report,) = merge_databases([b_path], team)
    assert report.problems[0] == (
        f"{b_path}: history row {seq}: an assignment of another document; left out"
    )
    assert report.problems[1].startswith(f"{b_path}: assignment of 'bob-1' to ")
    with opened(team) as store:
        assert "eve" not in {h["annotator"] for h in store.history()}
        assert assignments_by_content(store) == {
            (content_id(TEXT), "carol"),
            (content_id(OTHER), "carol"),
        }


def test_a_bad_history_row_of_a_server_source_names_the_url_and_seq(
    pg_url: str, tmp_path: Path, merge: Callable[..., Run]
) -> None:
    with opened(pg_url, "alice") as server:
        doc_id = alice_work(server)
        good = len(server.history())
        claim = server.claims(doc_id)[0]
        with server.transaction() as conn:
            seq = conn.execute(
                "insert into history(at, annotator, action, kind, item_id, doc_id, before, after)"
                " values ('2030-01-01', 'alice', 'update', 'claim', ?, ?, ?, ?) returning seq",
                (claim.id, doc_id, json.dumps({"evil": 1}), json.dumps({"note": "y"})),
            ).fetchone()[0]
    team = tmp_path / "team.db"
    result = merge(with_password(pg_url), "-o", str(team))
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert f"{pg_url}: history row {seq}: claim state has unknown field 'evil'; left out" in (
        result.output
    )
    with opened(team) as merged:
        assert len(merged.history()) == good
        assert merged.claim(claim.id).note == claim.note


def test_an_unreachable_server_is_one_line_without_the_password(
    tmp_path: Path, merge: Callable[..., Run]
) -> None:
    team = tmp_path / "team.db"
    result = merge(f"postgresql://postgres:{SECRET}@127.0.0.1:1/nowhere", "-o", str(team))
    assert result.exit_code != 0
    assert SECRET not in result.output
    assert "postgresql://postgres@127.0.0.1:1/nowhere" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
