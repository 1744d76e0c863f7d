"""``annotty suggest`` and ``annotty eval-claims``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import cli, main
from annotations.suggest.units import units
from tests.conftest import SEEDS

TEXT = (
    "Exports rose 7.1% to $3.38 trillion in 2024, Guo Jiakun said.\n"
    "I think we should all be kinder\x07\x1b to each other.\n"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_suggest_a_file_as_a_table_and_as_json(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT, encoding="utf-8")
    db = str(tmp_path / "x.db")
    code, out, err = run("--db", db, "suggest", str(doc))
    assert code == 0 and "1 candidate of 2 units" in err
    assert "statistical" in out and "Guo Jiakun" in out and "kinder" not in out
    code, out, _ = run("--db", db, "suggest", str(doc), "--json", "--all")
    data = json.loads(out)
    first, second = data["candidates"]
    assert (first["start"], first["end"], first["type"], first["speaker"]) == (
        0,
        61,
        "statistical",
        "Guo Jiakun",
    )
    assert first["score"] >= data["threshold"] > second["score"]
    assert second["text"] == TEXT[62:-1] and second["type"] == "opinion"
    code, out, _ = run("--db", db, "suggest", str(doc), "--all")
    # control characters from data are shown safe
    assert "kinder" in out and "\x1b" not in out and "\x07" not in out
    assert not Path(db).exists()  # looking at a file creates no database


def test_suggest_a_stored_document(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    assert run("--db", db, "import", str(SEEDS / "004_a0ad6f8e3763169b.txt"))[0] == 0
    code, out, _ = run("--db", db, "suggest", "004_a0ad6f8e3763169b.txt", "--json", "--all")
    data = json.loads(out)
    text = (SEEDS / "004_a0ad6f8e3763169b.txt").read_text(encoding="utf-8")
    assert [(c["start"], c["end"]) for c in data["candidates"]] == units(text)
    assert data["units"] == len(units(text)) and data["title"]


def test_suggest_unknown_target_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(tmp_path / "x.db"), "suggest", "nothing-here"])
    assert caught.value.code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no file or stored document 'nothing-here'" in err


def _gold(tmp_path: Path) -> Path:
    spans = [[s, e, "claim" if n == 0 else "not_claim"] for n, (s, e) in enumerate(units(TEXT))]
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"text": TEXT, "spans": spans, "file": "doc.txt"}) + "\n")
    return path


def test_eval_claims_prints_the_figures(tmp_path: Path) -> None:
    gold = _gold(tmp_path)
    code, out, _ = run("--db", str(tmp_path / "x.db"), "eval-claims", str(gold), "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["precision"], data["recall"], data["f1"], data["average_precision"]) == (
        1.0,
        1.0,
        1.0,
        1.0,
    )
    assert (data["units"], data["gold_claims"], data["gold_not_claims"]) == (2, 1, 1)
    code, out, _ = run("--db", str(tmp_path / "x.db"), "eval-claims", str(gold))
    assert "precision          1.000  (1/1)" in out and "average precision  1.000" in out


def test_eval_claims_refuses_a_bad_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = _gold(tmp_path)
    gold.write_text(gold.read_text() + '{"text": "x", "spans": [[0, 5, "claim"]]}\n')
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(tmp_path / "x.db"), "eval-claims", str(gold)])
    assert caught.value.code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{gold}:2: spans[0]: [0, 5) is not a span" in err
