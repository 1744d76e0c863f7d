"""``annotty merge`` carries issue 16's records: comment threads (newest state wins, as for
claims), links between claims, and time on task (the larger count wins: it is a measurement)."""

from __future__ import annotations

from pathlib import Path

from annotations.store import Store
from annotations.store.team_merge import merge_databases

TEXT = "The minister said exports grew 12% in 2024. Critics called the figure misleading."


def _copy(folder: Path, name: str, annotator: str) -> tuple[Store, str, str]:
    """One annotator's database: the shared document and a claim of theirs."""
    store = Store(folder / name, annotator=annotator)
    doc, _ = store.add_document(TEXT, "Exports")
    start = TEXT.index("exports")
    claim = store.add_claim(doc.id, start, start + 24, "statistical")
    return store, doc.id, claim.id


def test_comments_links_and_time_are_merged_newest_and_largest(tmp_path: Path) -> None:
    a, doc_id, alice_claim = _copy(tmp_path, "a.db", "alice")
    b, _, bob_claim = _copy(tmp_path, "b.db", "bob")
    thread = a.add_comment("claim", alice_claim, doc_id, "Which year's figure?")
    b.add_comment("document", doc_id, doc_id, "Second source needed.")
    a.add_claim_time(alice_claim, 12.5)
    b.add_doc_time(doc_id, 40.0)
    a.close()
    b.close()

    reports = merge_databases([tmp_path / "a.db", tmp_path / "b.db"], tmp_path / "team.db")
    assert [r.comments for r in reports] == [1, 1]
    assert reports[0].times == 1 and reports[1].times == 1
    team = Store(tmp_path / "team.db", annotator="rev")
    try:
        assert [c.body for c in team.comments("claim", alice_claim)] == ["Which year's figure?"]
        assert [c.body for c in team.comments("document", doc_id)] == ["Second source needed."]
        assert team.claim_seconds(alice_claim) == 12.5
        assert team.doc_seconds(doc_id, "bob") == 40.0
        team.link_claims(alice_claim, bob_claim)
    finally:
        team.close()

    # alice resolves her thread and her time grows; merging again brings both, once
    a = Store(tmp_path / "a.db", annotator="alice")
    a.resolve_comment(thread.id)
    a.add_claim_time(alice_claim, 2.5)
    a.close()
    again = merge_databases([tmp_path / "a.db", tmp_path / "b.db"], tmp_path / "team.db")
    assert again[0].comments == 1 and again[0].times == 1
    assert not again[1].changed  # nothing new in bob's database
    team = Store(tmp_path / "team.db", annotator="rev")
    try:
        (resolved,) = team.comments("claim", alice_claim)
        assert resolved.resolved_by == "alice"
        assert team.claim_seconds(alice_claim) == 15.0
        assert team.linked_to(alice_claim) == {bob_claim}
    finally:
        team.close()

    # the team's link goes back to alice's copy when her database takes the team's in
    reports = merge_databases([tmp_path / "team.db"], tmp_path / "a.db")
    assert reports[0].links == 1
    mine = Store(tmp_path / "a.db", annotator="alice")
    try:
        assert mine.linked_to(alice_claim) == {bob_claim}
    finally:
        mine.close()
