"""``annotty assign`` and assignment progress in ``annotty stats``, as a user types them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations import stats as stats_mod
from annotations.cli import cli
from annotations.store import Store

pytestmark = pytest.mark.both_backends

NAMES = "alice,bob,carol"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(db_target: str) -> tuple[str, list[str]]:
    """Six documents (the fourth titled with an escape sequence), nothing assigned."""
    store = Store(db_target, annotator="lead")
    titles = ["Tariffs", "Batteries", "Farmers", "Evil \x1b[2J title", "Prices", "Rates"]
    ids = [
        store.add_document(f"Text about {t}.", t, source=f"/in/{t[:4]}.txt")[0].id for t in titles
    ]
    store.close()
    return db_target, ids


def test_assign_balances_and_a_second_run_changes_nothing(project: tuple[str, list[str]]) -> None:
    db, ids = project
    code, out, err = run("--db", db, "--annotator", "lead", "assign", "--annotators", NAMES,
                         "--per-document", "2")  # fmt: skip
    assert code == 0, err
    assert "assigned 6 documents to 3 annotators: 12 assignments (2 per document" in out
    for name in ("alice", "bob", "carol"):
        assert f"  {name}: 4 documents assigned" in out
    store = Store(db, annotator="lead")
    try:
        assert all(len(store.assignees(d)) == 2 for d in ids)
    finally:
        store.close()
    code, out, _ = run("--db", db, "assign", "--annotators", NAMES, "--per-document", "2")
    assert code == 0 and "assigned 0 documents" in out and "6 documents already had" in out


def test_dry_run_prints_the_plan_and_saves_nothing(project: tuple[str, list[str]]) -> None:
    db, ids = project
    code, out, _ = run("--db", db, "assign", "--annotators", "alice,bob", "--dry-run")
    assert code == 0 and "dry run: would assign 6 documents" in out and "nothing saved" in out
    assert "\x1b" not in out and "Evil \\x1b[2J title" in out  # data made harmless
    assert out.count("-> alice") == 3 and out.count("-> bob") == 3
    code, out, _ = run("--db", db, "assign", "--show")
    assert code == 0 and "no assignments yet" in out


def test_filters_choose_the_documents(project: tuple[str, list[str]]) -> None:
    db, ids = project
    code, out, err = run("--db", db, "assign", "--annotators", "alice", "--filter", "q=far",
                         "--filter", f"doc={ids[0][:10]}", "--filter", "doc=Farmers")  # fmt: skip
    assert code == 0, err
    assert "assigned 1 document to 1 annotator" in out  # doc= any of them, and q= as well
    store = Store(db)
    try:
        assert store.assignments_of("alice") == {ids[2]}
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--annotators", "alice,bob", "--per-document", "3"], "only 2 named"),
        (["--annotators", "alice", "--filter", "colour=red"], "not KEY=VALUE with a known key"),
        (["--annotators", "alice", "--filter", "doc=nothing-like-it"], "no document"),
        ([], "give --annotators"),
    ],
)
def test_bad_requests_get_one_clear_line(
    project: tuple[str, list[str]], args: list[str], words: str
) -> None:
    db, _ = project
    code, out, err = run("--db", db, "assign", *args)
    assert code == 2 and words in err and "Traceback" not in err
    code, out, _ = run("--db", db, "assign", "--show")
    assert "no assignments yet" in out


def test_show_and_stats_report_progress_per_annotator(project: tuple[str, list[str]]) -> None:
    db, ids = project
    code, _, _ = run("--db", db, "assign", "--annotators", "alice,bob", "--per-document", "2")
    store = Store(db, annotator="alice")
    try:
        store.set_status(ids[0], "done")
        store.set_status(ids[1], "in_progress")
    finally:
        store.close()
    code, out, _ = run("--db", db, "assign", "--show")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "annotator",
        "assigned",
        "done",
        "in",
        "prog.",
        "skipped",
        "to",
        "do",
    ]
    assert lines[1].split() == ["alice", "6", "1", "1", "0", "4"]
    assert lines[2].split() == ["bob", "6", "0", "0", "0", "6"]

    code, out, _ = run("--db", db, "stats")
    assert "assigned   alice: 1 of 6 documents done, 1 in progress, 0 skipped, 4 to do" in out
    code, out, _ = run("--db", db, "stats", "--json")
    assert json.loads(out)["assignments"] == [
        {"annotator": "alice", "assigned": 6, "done": 1, "in_progress": 1, "skipped": 0, "todo": 4},
        {"annotator": "bob", "assigned": 6, "done": 0, "in_progress": 0, "skipped": 0, "todo": 6},
    ]


def test_stats_say_nothing_of_assignments_until_there_are_some(
    project: tuple[str, list[str]],
) -> None:
    db, _ = project
    code, out, _ = run("--db", db, "stats", "--json")
    assert code == 0 and "assignments" not in json.loads(out)
    code, out, _ = run("--db", db, "stats")
    assert "assigned " not in out


def test_stats_of_a_database_without_the_table(tmp_path: Path) -> None:
    """An SQLite file from before assignments (opened read-only it is never migrated)."""
    path = tmp_path / "old.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("drop table assignments")
    assert stats_mod.compute(conn).assignments == ()
    conn.close()
