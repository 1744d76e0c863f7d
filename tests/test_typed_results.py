"""Stats and adjudication overviews are typed records, and ``annotty stats --json`` keeps its
format: the same keys in the same order as when they were dicts (scripts read them)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_review_support import tag_corpus

from annotations import adjudication as adj
from annotations import stats
from annotations.cli import cli
from annotations.review.decisions import decide, decide_matching
from annotations.review.filters import ReviewFilter
from annotations.store import Store
from annotations.terminal_safe import dumps

TOP_KEYS = [
    "documents",
    "claims",
    "entities",
    "history",
    "claims_by",
    "review",
    "annotators",
    "reviewers",
    "documents_with_claims",
    "documents_progress",
    "type_by_stance",
    "targets",
    "speakers",
    "suggestions",
    "time",
]


def stats_json(store: Store) -> str:
    result = CliRunner().invoke(cli, ["--db", str(store.path), "stats", "--json"])
    assert result.exit_code == 0, result.output
    return result.output


def test_stats_json_keeps_every_key_in_its_place(seeded: Store) -> None:
    claims = tag_corpus(seeded)
    decide(seeded, claims[0].id, "rejected", "no")
    decide_matching(seeded, ReviewFilter(stance="against"), "accepted")
    seeded.set_status(claims[0].doc_id, "done", annotator="ann")
    doc, _ = seeded.add_document("abcdefghijklmnopqrstuvwxyz" * 4, "many targets")
    for i in range(25):
        seeded.add_claim(doc.id, i, i + 2, "other", target=f"target {i:02d}", stance="favor")
    out = stats_json(seeded)
    n = json.loads(out)
    assert list(n) == TOP_KEYS
    assert list(n["claims_by"]) == ["claim_type", "stance", "review_status", "annotator"]
    assert list(n["review"]) == ["pending", "accepted", "rejected", "reviewed_share"]
    assert list(n["time"]) == ["by_annotator", "by_type", "documents"]
    person = n["annotators"][0]
    assert list(person) == ["annotator", "claims", "pending", "accepted", "rejected", "documents"]
    assert list(person["documents"]) == ["todo", "in_progress", "done", "skipped"]
    assert [list(r) for r in n["reviewers"]] == [["reviewer", "accepted", "rejected"]]
    assert {tuple(d) for d in n["documents_progress"]} == {
        ("id", "title", "claims", "pending", "accepted", "rejected", "done_by")
    }
    assert any(d["done_by"] == ["ann"] for d in n["documents_progress"])
    *named, other = n["targets"]
    assert {tuple(t) for t in named} == {("target", "claims", "stances")}
    assert list(other) == ["target", "other_targets", "claims", "stances"]
    assert other["target"] is None and other["other_targets"] > 0
    assert {tuple(s) for s in n["speakers"]} == {("speaker", "claims")}
    # what --json prints is exactly the typed result's JSON
    with seeded.reading() as conn:
        assert out == dumps(stats.compute(conn).as_json(), indent=2) + "\n"


def test_stats_are_frozen_records(seeded: Store) -> None:
    tag_corpus(seeded)
    with seeded.reading() as conn:
        n = stats.compute(conn)
    for record in (n, n.review, n.claims_by, n.annotators[0], n.annotators[0].documents):
        assert dataclasses.is_dataclass(record) and not hasattr(record, "__dict__")  # slots
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, dataclasses.fields(record)[0].name, 0)
    assert n.review.accepted + n.review.rejected + n.review.pending == n.claims
    assert sum(d.claims for d in n.documents_progress) == n.claims
    assert all(r.pending == 0 for r in n.reviewers)  # a decision is never pending


def test_empty_database_json(tmp_path: Path) -> None:
    store = Store(tmp_path / "empty.db", annotator="tester")
    try:
        n = json.loads(stats_json(store))
    finally:
        store.close()
    assert list(n) == TOP_KEYS
    assert n["targets"] == [] and n["annotators"] == [] and n["documents_progress"] == []


def test_adjudication_overview_rows_are_typed(seeded: Store) -> None:
    doc = seeded.documents()[0]
    for who in ("alice", "bob"):
        seeded.annotator = who
        seeded.add_claim(doc.id, 0, 20, "statistical", stance="favor" if who == "alice" else "")
    rows = adj.overview(seeded)
    assert [r.doc_id for r in rows] == [doc.id]
    row = rows[0]
    assert isinstance(row, adj.DocumentOverview) and row.title == doc.title
    assert row.annotators == ("alice", "bob")
    assert (row.disputed, row.agreed, row.resolved) == (1, 0, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.disputed = 0  # type: ignore[misc]
