"""Review: claims from accepted candidates vs made by hand (``source:`` filter), and the share of
candidates accepted per suggested type in the review's title line (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_review_support import open_review, review_host, screen_text, settle
from textual.widgets import Select, Static

from annotations.cli import cli
from annotations.model import Claim
from annotations.review.filters import ReviewError, ReviewFilter, where
from annotations.review.listing import ReviewReader, matching_rowids
from annotations.store import Store
from tests.test_stats_suggestions import sentence_spans
from tui.screens.review_dialogs import FilterDialog
from tui.screens.review_listing import acceptance_title
from tui.widgets.claim_table import ClaimTable

TEXT = (
    "Unemployment fell to 3.9% in May. Prices rose 4% in June. Exports grew 7% last year. "
    "Rents will double by 2030. Coal caused the smog. I made this claim myself."
)


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Store, list[Claim], list[Claim]]:
    """Two claims from accepted candidates, one rejected candidate, three made by hand."""
    store = Store(tmp_path / "r.db", annotator="alice")
    doc, _ = store.add_document(TEXT, "t")
    spans = sentence_spans(TEXT)

    def propose(claim_type: str) -> dict[str, Any]:
        return {"score": 0.8, "claim_type": claim_type, "speaker": "", "suggester": "builtin-1"}

    suggested = [
        store.accept_candidate(doc.id, *spans[0], **propose("quantity"))[0],
        store.accept_candidate(doc.id, *spans[3], **propose("prediction"))[0],
    ]
    store.reject_candidate(doc.id, *spans[1], **propose("quantity"))
    manual = [
        store.add_claim(doc.id, *spans[2], "quantity"),
        store.add_claim(doc.id, *spans[4], "causal"),
        store.add_claim(doc.id, *spans[5], "opinion"),
    ]
    return store, suggested, manual


def _ids(store: Store, f: ReviewFilter) -> set[str]:
    with ReviewReader(store).fresh() as conn:
        rowids = set(matching_rowids(conn, f))
        return {
            str(claim_id)
            for rowid, claim_id in conn.execute("select rowid, id from claims")
            if rowid in rowids
        }


def test_source_filter_splits_suggested_from_manual(corpus: Any) -> None:
    store, suggested, manual = corpus
    assert _ids(store, ReviewFilter.parse(["source=suggested"])) == {c.id for c in suggested}
    assert _ids(store, ReviewFilter.parse(["source=manual"])) == {c.id for c in manual}
    both = ReviewFilter.parse(["source=manual", "type=quantity"])
    assert _ids(store, both) == {manual[0].id}
    # a claim an accept made stays "suggested" after it is edited
    store.update_claim(suggested[0].id, claim_type="causal")
    assert suggested[0].id in _ids(store, ReviewFilter(source="suggested", claim_type="causal"))


def test_source_filter_is_checked_saved_and_described(corpus: Any) -> None:
    store, _, _ = corpus
    with pytest.raises(ReviewError, match="unknown source 'model'; use one of suggested, manual"):
        ReviewFilter.parse(["source=model"])
    f = ReviewFilter.parse(["source=suggested"])
    assert ReviewFilter.from_json(f.to_json()) == f
    assert f.describe() == "source=suggested"
    sql, params = where(f)
    assert "suggestions" in sql and params == []  # fixed SQL: no value from data in it


def test_review_cli_refuses_an_unknown_source(corpus: Any) -> None:
    store, _, _ = corpus
    result = CliRunner().invoke(
        cli, ["--db", str(store.path), "review", "--filter", "source=robot"]
    )
    assert result.exit_code == 2
    assert "unknown source 'robot'" in result.output


def test_acceptance_title_line() -> None:
    from annotations.stats import SuggestionStats, TypeAcceptance

    nothing = SuggestionStats(0, 0, 0, 0.0, (), (), 0, 0.0)
    assert acceptance_title(nothing).plain == "annotty · review"
    types = tuple(TypeAcceptance(f"t{n}", 2, 1, 1, 0.5) for n in range(6))
    many = SuggestionStats(12, 6, 6, 0.5, types, (), 6, 0.5)
    assert acceptance_title(many).plain == (
        "annotty · review  ·  suggestions 6/12 accepted (50%) · t0 1/2 · t1 1/2 · t2 1/2 · t3 1/2 …"
    )


async def test_review_screen_title_and_source_filter(corpus: Any) -> None:
    store, suggested, manual = corpus
    app = review_host(store, ReviewFilter(source="suggested"))
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_review(pilot)
        table = screen.query_one(ClaimTable)
        assert len(table.source) == len(suggested)
        title = screen.query_one("#review-title", Static).render()
        assert str(title) == (
            "annotty · review  ·  suggestions 2/3 accepted (67%) · quantity 1/2 · prediction 1/1"
        )
        assert " source=suggested " in screen_text(app)

        # the filter form keeps the source, and choosing another one applies it
        await pilot.press("slash")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        assert dialog.value().source == "suggested"
        dialog.query_one("#source", Select).value = "manual"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.filter.source == "manual"
        assert len(table.source) == len(manual)


async def test_review_title_unchanged_without_decisions(tmp_path: Path) -> None:
    store = Store(tmp_path / "p.db", annotator="alice")
    doc, _ = store.add_document(TEXT, "t")
    store.add_claim(doc.id, *sentence_spans(TEXT)[0], "quantity")
    app = review_host(store, ReviewFilter())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        assert str(screen.query_one("#review-title", Static).render()) == "annotty · review"


def test_bulk_decision_on_suggested_claims_only(corpus: Any) -> None:
    from annotations.review.decisions import count_matching, decide_matching

    store, suggested, manual = corpus
    f = ReviewFilter(source="suggested")
    assert count_matching(store, f) == len(suggested)
    decide_matching(store, f, "accepted")
    status = {c.id: c.review_status for c in store.claims()}
    assert {status[c.id] for c in suggested} == {"accepted"}
    assert {status[c.id] for c in manual} == {"pending"}
