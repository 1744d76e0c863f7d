"""Adjudication: disagreements as data, and the reviewer's gold layer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations import adjudication as adj
from annotations.agreement import GOLD, compute
from annotations.cli import cli
from annotations.store import Store, StoreError

TEXT = "".join(f"Claim {i:02d}: growth was strong and prices fell a lot. " for i in range(20))


@pytest.fixture
def team(tmp_path: Path) -> tuple[Store, str]:
    """alice, bob and carol on one document; the returned store is the reviewer's (lead)."""
    path = tmp_path / "team.db"
    lead = Store(path, annotator="lead")
    doc, _ = lead.add_document(TEXT, "shared")
    people = {n: Store(path, annotator=n) for n in ("alice", "bob", "carol")}
    for who in people.values():  # item 1: everyone agrees
        who.add_claim(doc.id, 0, 20, "statistical", stance="favor")
    people["alice"].add_claim(doc.id, 30, 50, "causal")  # item 2: boundary, carol missing
    people["bob"].add_claim(doc.id, 32, 50, "causal")
    for name, stance in (("alice", "favor"), ("bob", "against"), ("carol", "favor")):
        people[name].add_claim(doc.id, 60, 80, "opinion", stance=stance)  # item 3: stance
    people["carol"].add_claim(doc.id, 100, 120, "prediction")  # item 4: only carol
    people["carol"].set_status(doc.id, "done")
    return lead, doc.id


def test_compare_lines_up_claims_and_names_the_differences(team) -> None:
    lead, doc_id = team
    cmp = adj.compare(lead, doc_id)
    assert cmp.annotators == ("alice", "bob", "carol")
    assert [(i.start, i.end) for i in cmp.items] == [(0, 20), (30, 50), (60, 80), (100, 120)]
    one, two, three, four = cmp.items
    assert one.status == "agreed" and one.differences == ()
    assert two.differences == ("missing", "boundary") and two.missing == ("carol",)
    assert set(two.claims) == {"alice", "bob"}
    assert three.differences == ("stance",) and three.status == "disputed"
    assert four.missing == ("alice", "bob") and four.differences == ("missing",)
    assert (cmp.count("agreed"), cmp.count("disputed"), cmp.count("resolved")) == (1, 3, 0)
    assert cmp.item_at(35) is two and cmp.item_at(25) is None


def test_resolving_makes_a_gold_claim_and_records_the_reviews(team) -> None:
    lead, doc_id = team
    two = adj.compare(lead, doc_id).items[1]
    gold = adj.resolve(lead, two, base=two.claims["bob"])
    assert (gold.annotator, gold.reviewer, gold.start, gold.end) == (GOLD, "lead", 32, 50)
    assert gold.quote == TEXT[32:50] and gold.review_note == "from bob"
    assert lead.claim(two.claims["bob"].id).review_status == "accepted"
    assert lead.claim(two.claims["alice"].id).review_status == "rejected"
    assert lead.claim(two.claims["alice"].id).reviewer == "lead"
    assert lead.claim(two.claims["alice"].id).review_note == (
        "adjudication: gold differs in boundary"
    )
    rows = [h for h in lead.history() if h["annotator"] == "lead"]
    assert [h["action"] for h in rows] == ["create", "review", "review"]
    assert len({h["batch"] for h in rows}) == 1 and rows[0]["batch"]
    again = adj.compare(lead, doc_id).items[1]
    assert again.status == "resolved" and again.gold is not None and again.gold.id == gold.id


def test_changing_ones_mind_edits_the_same_gold_claim(team) -> None:
    lead, doc_id = team
    two = adj.compare(lead, doc_id).items[1]
    first = adj.resolve(lead, two, base=two.claims["bob"])
    two = adj.compare(lead, doc_id).items[1]
    second = adj.resolve(lead, two, base=two.claims["alice"], stance="against")
    assert second.id == first.id and (second.start, second.stance) == (30, "against")
    assert len(adj.gold_claims(lead, doc_id)) == 1
    assert lead.claim(two.claims["alice"].id).review_status == "rejected"  # stance differs
    assert lead.claim(two.claims["bob"].id).review_status == "rejected"


def test_reject_means_no_claim_here(team) -> None:
    lead, doc_id = team
    four = adj.compare(lead, doc_id).items[3]
    adj.reject(lead, four)
    assert lead.claim(four.claims["carol"].id).review_status == "rejected"
    assert adj.compare(lead, doc_id).items[3].status == "resolved"


def test_accept_agreed_and_add_gold(team) -> None:
    lead, doc_id = team
    made = adj.accept_agreed(lead, adj.compare(lead, doc_id))
    assert [(g.start, g.end, g.claim_type, g.stance) for g in made] == [
        (0, 20, "statistical", "favor")
    ]
    extra = adj.add_gold(lead, doc_id, 130, 150, "other")
    assert extra.annotator == GOLD and extra.review_note == "added by reviewer"
    cmp = adj.compare(lead, doc_id)
    assert cmp.items[0].status == "resolved"
    assert cmp.items[-1].gold is not None and cmp.items[-1].claims == {}
    assert {g.id for g in adj.gold_claims(lead)} == {made[0].id, extra.id}
    assert compute(lead).annotators == ["alice", "bob", "carol"]  # gold kept out of agreement


def test_a_new_gold_claim_needs_a_span_and_type(team) -> None:
    lead, doc_id = team
    with pytest.raises(StoreError):
        adj.resolve(lead, adj.Item(0, 0, {}, (), (), None, False), stance="favor")
    two = adj.compare(lead, doc_id).items[1]
    with pytest.raises(StoreError, match="unknown"):
        adj.resolve(lead, two, base=two.claims["bob"], colour="red")
    with pytest.raises(StoreError, match="outside"):
        adj.resolve(lead, two, base=two.claims["bob"], end=10_000)
    assert adj.gold_claims(lead) == []  # nothing half-written


def test_review_uses_the_claim_as_it_is_now(team) -> None:
    """bob edits his claim after the reviewer loaded the comparison: the review keeps his edit."""
    lead, doc_id = team
    three = adj.compare(lead, doc_id).items[2]
    bob = Store(lead.path, annotator="bob")
    bob.update_claim(three.claims["bob"].id, note="changed my mind later")
    adj.resolve(lead, three, base=three.claims["alice"])
    now = lead.claim(three.claims["bob"].id)
    assert now.note == "changed my mind later" and now.review_status == "rejected"


def test_the_reviewer_can_undo_a_decision(team) -> None:
    lead, doc_id = team
    one = adj.compare(lead, doc_id).items[0]
    gold = adj.resolve(lead, one, base=one.claims["alice"])
    assert lead.undo() is not None  # one decision, one undo: the gold claim and three reviews
    assert gold.id not in {c.id for c in lead.claims()}
    assert all(c.review_status == "pending" for c in one.claims.values())


def test_overview_lists_documents_to_adjudicate(team, tmp_path: Path) -> None:
    lead, doc_id = team
    lead.add_document(TEXT + " solo", "one annotator only")
    rows = adj.overview(lead)
    assert [r.doc_id for r in rows] == [doc_id]
    assert (rows[0].disputed, rows[0].agreed, rows[0].resolved) == (3, 1, 0)


def test_the_gold_layer_exports_on_its_own(team) -> None:
    lead, doc_id = team
    adj.accept_agreed(lead, adj.compare(lead, doc_id))
    result = CliRunner().invoke(
        cli, ["--db", str(lead.path), "export", "--annotator", GOLD, "--skip-empty"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    claims = [c for d in data["documents"] for c in d["claims"]]
    assert [(c["start"], c["end"], c["annotator"]) for c in claims] == [(0, 20, GOLD)]
