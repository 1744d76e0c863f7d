"""The stats numbers: one ``Stats`` for the screen and ``annotty stats --json``."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_review_support import tag_corpus

from annotations import stats
from annotations.cli import cli
from annotations.review.decisions import decide, decide_matching
from annotations.review.filters import ReviewFilter
from annotations.store import Store

pytestmark = pytest.mark.both_backends


def numbers(store: Store) -> stats.Stats:
    with store.reading() as conn:
        return stats.compute(conn)


def test_counts_match_the_claims(seeded: Store) -> None:
    claims = tag_corpus(seeded)
    done_doc = claims[0].doc_id
    decide(seeded, claims[0].id, "rejected", "no")
    decide_matching(seeded, ReviewFilter(stance="against"), "accepted")
    seeded.set_status(claims[0].doc_id, "done", annotator="ann")
    n = numbers(seeded)
    claims = seeded.claims()

    assert (n.documents, n.claims) == (5, len(claims)) and n.entities > 100
    status = Counter(c.review_status for c in claims)
    assert {k: getattr(n.review, k) for k in status} == dict(status)
    assert n.review.reviewed_share == round(
        (status["accepted"] + status["rejected"]) / len(claims), 4
    )
    pairs = Counter((c.claim_type, c.stance) for c in claims)
    assert {(t, s): k for t, row in n.type_by_stance.items() for s, k in row.items()} == pairs
    assert {t.target: t.claims for t in n.targets} == Counter(c.target for c in claims)
    assert {s.speaker: s.claims for s in n.speakers} == Counter(c.speaker for c in claims)
    assert n.claims_by.annotator == dict(Counter(c.annotator for c in claims))

    ann = next(a for a in n.annotators if a.annotator == "ann")
    mine = [c for c in claims if c.annotator == "ann"]
    assert ann.claims == len(mine)
    assert ann.accepted == sum(c.review_status == "accepted" for c in mine)
    assert ann.documents.done == 1 and ann.documents.todo == 4

    docs = n.documents_progress
    assert [d.id for d in docs] == [d.id for d in seeded.documents()]
    assert sum(d.claims for d in docs) == len(claims)
    assert {d.id: d.done_by for d in docs if d.done_by} == {done_doc: ("ann",)}
    assert {r.reviewer for r in n.reviewers} == {"tester"}
    assert sum(r.accepted + r.rejected for r in n.reviewers) == (
        status["accepted"] + status["rejected"]
    )


def test_many_targets_are_summed_beyond_the_top(store: Store) -> None:
    doc, _ = store.add_document("abcdefghijklmnopqrstuvwxyz" * 4, "t")
    for i in range(25):
        store.add_claim(doc.id, i, i + 2, "other", target=f"target {i:02d}", stance="favor")
    with store.reading() as conn:
        n = stats.compute(conn, top=20)
    assert len(n.targets) == 20
    assert n.other_targets == stats.OtherTargets(other_targets=5, claims=5, stances={"favor": 5})
    assert n.as_json()["targets"][-1] == {
        "target": None,
        "other_targets": 5,
        "claims": 5,
        "stances": {"favor": 5},
    }


def test_empty_database(store: Store) -> None:
    n = numbers(store)
    assert n.claims == 0 and n.review.reviewed_share == 0.0
    assert n.targets == () and n.other_targets is None and n.annotators == ()


def test_cli_json_prints_the_same_numbers(seeded: Store, tmp_path: Path) -> None:
    tag_corpus(seeded)
    expected = numbers(seeded)
    db = seeded.url or str(seeded.path)
    result = CliRunner().invoke(cli, ["--db", db, "stats", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == expected.as_json()
    human = CliRunner().invoke(cli, ["--db", db, "stats"])
    assert human.exit_code == 0
    assert f"claims     {expected.claims}" in human.output
    assert "review     0 accepted, 0 rejected" in human.output
    assert "annotator ann:" in human.output and "by target:" in human.output


def test_top_documents_only(seeded: Store) -> None:
    tag_corpus(seeded)
    decide_matching(seeded, ReviewFilter(stance="none"), "rejected")
    full, top = numbers(seeded), None
    with seeded.reading() as conn:
        top = stats.compute(conn, documents=2)
    best = sorted(full.documents_progress, key=lambda d: (-d.claims, d.id))[:2]
    assert top.documents_progress == tuple(best)
    assert top.documents_with_claims == full.documents_with_claims == 5
    assert replace(top, documents_progress=()) == replace(full, documents_progress=())
