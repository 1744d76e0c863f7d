"""Suggestion acceptance in ``annotty stats`` (text and --json) and on the stats screen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_review_support import screen_text, settle

from annotations import stats
from annotations.cli import cli
from annotations.store import Store
from tui.app import make_app

TEXT = (
    "Unemployment fell to 3.9% in May. Prices rose 4% in June. Exports grew 7% last year. "
    "Rents will double by 2030. Coal caused the smog. Rain fell because of the heat. "
    "I made this claim myself. And this one too."
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of a test text whose sentences each end at a full stop."""
    out, start = [], 0
    for end in [i + 1 for i, ch in enumerate(text) if ch == "."]:
        while text[start] == " ":
            start += 1
        out.append((start, end))
        start = end
    return out


@pytest.fixture
def decided(tmp_path: Path) -> Store:
    """alice: 2 of 3 quantity candidates accepted; bob: 1 of 3 causal ones; 2 manual claims,
    and one claim an accept made deleted since."""
    store = Store(tmp_path / "a.db", annotator="alice")
    doc, _ = store.add_document(TEXT, "t")
    spans = sentence_spans(TEXT)

    def propose(claim_type: str) -> dict[str, Any]:
        return {"score": 0.7, "claim_type": claim_type, "speaker": "", "suggester": "builtin-1"}

    first, _ = store.accept_candidate(doc.id, *spans[0], **propose("quantity"))
    store.accept_candidate(doc.id, *spans[1], **propose("quantity"))
    store.reject_candidate(doc.id, *spans[2], **propose("quantity"))
    store.annotator = "bob"
    store.accept_candidate(doc.id, *spans[3], **propose("causal"))
    store.reject_candidate(doc.id, *spans[4], **propose("causal"))
    store.reject_candidate(doc.id, *spans[5], **propose("causal"))
    store.add_claim(doc.id, *spans[6], "opinion")
    store.add_claim(doc.id, *spans[7], "opinion")
    store.delete_claim(first.id)
    return store


def _numbers(store: Store) -> stats.Stats:
    with store.reading() as conn:
        return stats.compute(conn)


def test_acceptance_by_suggested_type_and_annotator(decided: Store) -> None:
    s = _numbers(decided).suggestions
    assert (s.decided, s.accepted, s.rejected, s.acceptance_rate) == (6, 3, 3, 0.5)
    assert s.by_type == (
        stats.TypeAcceptance("causal", 3, 1, 2, 0.3333),
        stats.TypeAcceptance("quantity", 3, 2, 1, 0.6667),
    )
    assert s.by_annotator == (
        stats.AnnotatorAcceptance("alice", 3, 2, 1, 0.6667),
        stats.AnnotatorAcceptance("bob", 3, 1, 2, 0.3333),
    )
    # 4 claims now: 2 made by accepting (the third was deleted), 2 by hand
    assert (s.claims_from_suggestions, s.share_of_claims) == (2, 0.5)


def test_nothing_decided_is_all_zero(store: Store) -> None:
    s = _numbers(store).suggestions
    assert (s.decided, s.acceptance_rate, s.share_of_claims, s.by_type) == (0, 0.0, 0.0, ())


def test_cli_json_and_text(decided: Store) -> None:
    expected = _numbers(decided)
    runner = CliRunner()
    raw = runner.invoke(cli, ["--db", str(decided.path), "stats", "--json"])
    assert raw.exit_code == 0, raw.output
    data = json.loads(raw.output)
    assert data == expected.as_json()
    assert data["suggestions"]["by_type"][1] == {
        "claim_type": "quantity",
        "decided": 3,
        "accepted": 2,
        "rejected": 1,
        "acceptance_rate": 0.6667,
    }
    human = runner.invoke(cli, ["--db", str(decided.path), "stats"])
    assert human.exit_code == 0
    lines = human.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("suggestions "))
    assert lines[start:] == [
        "suggestions 6 candidates decided: 3 accepted, 3 rejected (50.0% accepted); "
        "2 of the claims (50.0%) from accepted candidates",
        "  by suggested type: causal 1/3 (33%), quantity 2/3 (67%)",
        "  by annotator: alice 2/3 (67%), bob 1/3 (33%)",
    ]


def test_cli_text_unchanged_without_decisions(tmp_path: Path) -> None:
    store = Store(tmp_path / "b.db", annotator="alice")
    doc, _ = store.add_document(TEXT, "t")
    store.add_claim(doc.id, *sentence_spans(TEXT)[0], "quantity")
    store.close()
    human = CliRunner().invoke(cli, ["--db", str(tmp_path / "b.db"), "stats"])
    assert human.exit_code == 0
    assert "suggestion" not in human.output


async def test_stats_screen_shows_acceptance(decided: Store) -> None:
    from tui.screens.stats import StatsScreen

    app = make_app(decided)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        app.push_screen(StatsScreen())
        await settle(pilot)
        shown = screen_text(app)
    assert "Suggestions  (50.0% of 6 decided accepted · 50.0% of claims from accepted" in shown
    rows = {line.split()[0]: line for line in shown.splitlines() if "% accepted" in line}
    assert "✓2 ✗1  67% accepted" in rows["quantity"]
    assert "✓1 ✗2  33% accepted" in rows["causal"]
    assert "✓2 ✗1  67% accepted" in rows["alice"]


async def test_stats_screen_has_no_section_without_decisions(store: Store) -> None:
    from tui.screens.stats import StatsScreen

    doc, _ = store.add_document(TEXT, "t")
    store.add_claim(doc.id, *sentence_spans(TEXT)[0], "quantity")
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(StatsScreen())
        await settle(pilot)
        assert "Suggestions" not in screen_text(app)


def test_a_database_from_before_suggestions_counts_none(decided: Store) -> None:
    with decided.transaction() as conn:  # as an older, never migrated, read-only file
        conn.execute("drop table suggestions")
    s = _numbers(decided).suggestions
    assert (s.decided, s.claims_from_suggestions, s.share_of_claims) == (0, 0, 0.0)
