"""``annotty review``: opens the app on the review screen with the filter from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotations.cli import cli
from annotations.review import ReviewFilter


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import tui.app

    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(tui.app, "run", lambda db, **kw: seen.append({"db": db, **kw}))
    return seen


def test_filters_reach_the_review_screen(calls: list[dict[str, Any]], tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "--annotator", "rev", "review",
                                      "--filter", "stance=against", "--filter", "q=battery",
                                      "--filter", "type=causal"])
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert call["db"] == db and call["annotator"] == "rev" and call["seed"] is False
    assert call["start_screen"] == "review"
    assert call["review_filter"] == ReviewFilter(stance="against", search="battery",
                                                 claim_type="causal")
    assert call["schema"].claim_types


def test_no_filter_keeps_the_saved_one_and_all_clears_it(calls: list[dict[str, Any]],
                                                         tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    assert CliRunner().invoke(cli, ["--db", db, "review"]).exit_code == 0
    assert CliRunner().invoke(cli, ["--db", db, "review", "--all"]).exit_code == 0
    assert [c["review_filter"] for c in calls] == [None, ReviewFilter()]


@pytest.mark.parametrize("bad, message", [
    ("colour=red", "unknown filter 'colour'"),
    ("stance", "not KEY=VALUE"),
    ("status=maybe", "unknown review status 'maybe'"),
])
def test_bad_filters_are_usage_errors(calls: list[dict[str, Any]], tmp_path: Path, bad: str,
                                      message: str) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), "review", "--filter", bad])
    assert result.exit_code == 2 and message in result.output and not calls
