"""``annotty review``: opens the app on the review screen with the filter from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotations import terminal_safe
from annotations.cli import cli, main
from annotations.review.filters import ReviewFilter, save_filter, saved_filter
from annotations.store import Store


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """The app's ``run`` recorded instead of started (as on a terminal); a.db has one claim."""
    import tui.app

    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(tui.app, "run", lambda store, **kw: seen.append({"store": store, **kw}))
    monkeypatch.setattr(terminal_safe, "require_terminal", lambda command="annotty": None)
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(
        "Batteries cause fires, he said.", "Fires", "news/fires.txt", doc_id="f1e2d3c4b5a69788"
    )
    store.add_claim(doc.id, 0, 21, "causal", stance="against")
    store.close()
    return seen


def test_filters_reach_the_review_screen(calls: list[dict[str, Any]], tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            str(db),
            "--annotator",
            "rev",
            "review",
            "--filter",
            "stance=against",
            "--filter",
            "q=battery",
            "--filter",
            "type=causal",
        ],
    )
    assert result.exit_code == 0, result.output
    (call,) = calls
    store = call["store"]  # opened once by the command, handed to the app
    assert store.path == db and store.annotator == "rev" and call["seed"] is False
    assert call["start_screen"] == "review"
    assert call["review_filter"] == ReviewFilter(
        stance="against", search="battery", claim_type="causal"
    )
    assert call["schema"].claim_types


def test_no_filter_keeps_the_saved_one_and_all_clears_it(
    calls: list[dict[str, Any]], tmp_path: Path
) -> None:
    db = str(tmp_path / "a.db")
    assert CliRunner().invoke(cli, ["--db", db, "review"]).exit_code == 0
    assert CliRunner().invoke(cli, ["--db", db, "review", "--all"]).exit_code == 0
    assert [c["review_filter"] for c in calls] == [None, ReviewFilter()]


@pytest.mark.parametrize(
    "bad, message",
    [
        ("colour=red", "unknown filter 'colour'"),
        ("stance", "not KEY=VALUE"),
        ("status=maybe", "unknown review status 'maybe'"),
    ],
)
def test_bad_filters_are_usage_errors(
    calls: list[dict[str, Any]], tmp_path: Path, bad: str, message: str
) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), "review", "--filter", bad])
    assert result.exit_code == 2 and message in result.output and not calls


@pytest.mark.parametrize(
    "bad, message",
    [
        ("type=Causal", "unknown claim type 'Causal'; did you mean 'causal'? (valid: statistical,"),
        ("stance=maybe", "unknown stance 'maybe' (valid: favor, against, none)"),
        ("annotator=nobody", "unknown annotator 'nobody' (valid: ann)"),
        ("target=Mars", "unknown target 'Mars'"),
        ("doc=nothing-like-it", "no document 'nothing-like-it'"),
    ],
)
def test_filter_values_nothing_can_match_are_errors_and_never_saved(
    calls: list[dict[str, Any]], tmp_path: Path, bad: str, message: str
) -> None:
    db = tmp_path / "a.db"
    result = CliRunner().invoke(
        cli, ["--db", str(db), "--annotator", "rev", "review", "--filter", bad]
    )
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output
    assert not calls
    store = Store(db, annotator="rev")
    assert saved_filter(store) == ReviewFilter()
    store.close()


def test_a_document_is_named_by_file_or_id_prefix_and_becomes_its_id(
    calls: list[dict[str, Any]], tmp_path: Path
) -> None:
    db = str(tmp_path / "a.db")
    for ref in ("fires.txt", "f1e2", "news/fires.txt", "Fire"):  # "Fire": words of a title
        assert (
            CliRunner().invoke(cli, ["--db", db, "review", "--filter", f"doc={ref}"]).exit_code == 0
        )
    assert [c["review_filter"].document for c in calls] == ["f1e2d3c4b5a69788"] * 3 + ["Fire"]


def test_a_bad_remembered_filter_is_dropped_with_a_line(
    calls: list[dict[str, Any]], tmp_path: Path
) -> None:
    store = Store(tmp_path / "a.db", annotator="rev")
    save_filter(store, ReviewFilter(stance="maybe"))  # remembered by an earlier version
    store.close()
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "a.db"), "--annotator", "rev", "review"]
    )
    assert result.exit_code == 0
    assert "remembered review filter no longer applies" in result.stderr
    assert [c["review_filter"] for c in calls] == [ReviewFilter()]


@pytest.mark.parametrize("args", [["review"], []])
def test_the_app_refuses_to_start_without_a_terminal(
    tmp_path: Path,
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a terminal Textual spins at 85% CPU waiting for keys: one line instead."""
    import tui.app

    started: list[object] = []
    monkeypatch.setattr(tui.app, "run", lambda *a, **kw: started.append(a))
    Store(tmp_path / "a.db", annotator="ann").close()
    with pytest.raises(SystemExit) as exit_info:  # pytest's stdin and stdout are no terminal
        main(["--db", str(tmp_path / "a.db"), *args])
    assert exit_info.value.code == 1 and not started
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs a terminal" in err
